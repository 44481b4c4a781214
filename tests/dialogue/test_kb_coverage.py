"""The services added in the coverage audit of 2026-12-05 (docs/dialogue.md, "Coverage audit"): each is
answered from its own topic, on the aspect asked, and its spoken answer is short. The questions are
written for these tests; none is taken from a senior set or from the topic files."""
import pytest

from nodes.dialogue.kb import count_sentences, load_kb
from nodes.dialogue.policy import Turn

ADDED = {
    "housing_pension": ("집 맡기고 매달 연금 받는 거 몇 살부터 돼요", "eligibility"),
    "veterans_allowance": ("월남전 참전했는데 수당 나와요", "eligibility"),
    "utility_discount": ("전기요금 복지할인 신청 어디서 해요", "apply"),
    "medical_cost_cap": ("병원비 상한제 환급 언제 나와요", "when"),
    "advance_directive": ("연명치료 안 받겠다고 미리 써 놓는 거 어디서 해요", "apply"),
    "covid_vaccine": ("코로나 주사 올해도 공짜예요", "amount"),
    "briquette_coupon": ("연탄 쿠폰 신청하러 왔어요", "apply"),
    "public_rental_housing": ("영구임대 아파트 들어가려면 어떻게 해요", "apply"),
    "catastrophic_medical": ("수술비가 너무 많이 나왔는데 재난적 의료비 지원 되나요", "eligibility"),
    "tb_screening": ("결핵 검사 무료로 받을 수 있어요", "amount"),
    "gov24": ("정부24 비밀번호를 잊어버렸어요", None),
    "disabled_parking": ("장애인 주차 스티커 받으려면 뭐 가져가요", "documents"),
    "office_hours": ("주민센터 토요일에도 해요", "when"),
    "earned_income_credit": ("근로장려금 언제 들어와요", "when"),
    "knee_surgery_support": ("무릎 인공관절 수술비 지원 받을 수 있어요", "eligibility"),
    "pension_late_payment": ("못 낸 국민연금 추납 할 수 있어요", "eligibility"),
    "split_pension": ("이혼한 남편 연금 나눠 받는 거 신청하려면요", "apply"),
    "farmland_pension": ("농지연금 가입하려면 나이가 몇 살이어야 돼요", "eligibility"),
    "property_tax": ("재산세 고지서는 언제 와요", "when"),
    "adult_literacy": ("한글 배우는 교실 어디 있어요", "apply"),
}


@pytest.mark.parametrize("topic", sorted(ADDED))
def test_an_added_service_is_answered_from_its_topic_on_the_aspect_asked(d, topic):
    text, facet = ADDED[topic]
    d.reset("cov")
    r = d.respond("cov", Turn(text, now=100.0))
    if r.intent == "confirm":
        r = d.respond("cov", Turn("네", now=101.0))
    assert r.kind == "answer" and r.topic == topic, (text, r.kind, r.topic)
    assert r.intent == (f"followup_{facet}" if facet else "answer"), (text, r.intent)


@pytest.mark.parametrize("topic", sorted(ADDED))
def test_an_added_topic_speaks_at_most_two_sentences_and_names_its_source(topic):
    t = load_kb().by_id[topic]
    assert count_sentences(t.answer) <= 2 and all(count_sentences(v) <= 2 for v in t.facets.values())
    assert t.source.startswith("https://") and t.as_of.year == 2026 and t.phone
