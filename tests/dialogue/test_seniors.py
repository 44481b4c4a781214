"""The senior questions of issue #9, each answered as a senior would expect, on the shipped KB."""

from dataclasses import dataclass, field

import pytest

from nodes.dialogue import spoken
from nodes.dialogue.policy import Dialogue, Turn


@dataclass
class Verdict:
    label: str = "allow"
    categories: list[str] = field(default_factory=list)
    hotline: str | None = None
    pii: list[str] = field(default_factory=list)
    alert: bool = False


@pytest.fixture(scope="module")
def d():
    return Dialogue(None)


def ask(d, text, verdict=None, sid="s"):
    d.reset(sid)
    return d.respond(sid, Turn(text, verdict, now=100.0))


def test_lost_id_card_is_reissued_not_out_of_scope(d):
    r = ask(d, "주민등록증 잃어버렸는디 어떻게 다시 맹글어요?")
    assert (r.kind, r.topic) == ("answer", "id_card_reissue") and "주민센터" in r.text
    assert r.url.startswith("https://")


def test_free_bus_card_where_gets_where_to_make_the_card(d):
    r = ask(d, "버스 공짜로 타는 카드 어디서 만들어요?")
    assert (r.topic, r.intent) == ("senior_transit_card", "followup_apply") and "주민센터" in r.text


def test_eligibility_with_age_said_is_answered_without_confirmation(d):
    r = ask(d, "기초연금 나도 받을 수 있나 몰라, 나이는 예순일곱이여")
    assert (r.kind, r.topic, r.intent) == ("answer", "basic_pension", "followup_eligibility")
    assert "65세" in r.text


def test_personal_data_with_a_question_gets_the_notice_then_the_answer(d):
    r = ask(d, "제 주민번호가 ******-*******인데 기초연금 대상인지 봐 주세요", Verdict(pii=["rrn"]))
    assert r.kind == "answer" and r.topic == "basic_pension" and r.intent == "followup_eligibility"
    assert r.text.startswith("개인정보는") and "65세" in r.text


def test_sexual_violence_crisis_calls_staff_and_shows_1366(d):
    r = ask(d, "성폭력 당했는데 어떻게 하죠?", Verdict("crisis", ["sexual_violence"], "1366", alert=True))
    assert r.kind == "crisis" and r.hotline == "1366" and "1366" in r.detail
    assert "직원" in r.text and "안내해 드리기 어려워요" not in r.text


def test_wanting_to_go_home_is_a_lost_senior_not_housing_benefit(d):
    r = ask(d, "집에 가고싶은데 어떻게해요?")
    assert r.kind == "crisis" and r.intent == "lost" and r.alert == "lost" and r.topic is None
    assert "직원" in r.text and r.hotline


def test_someone_else_lost_is_a_question_not_a_lost_senior(d):
    assert ask(d, "우리 어머니가 자꾸 길을 잃어요").intent != "lost"


def test_chest_pain_is_not_told_to_dial(d):
    r = ask(d, "가슴이 너무 아파요", Verdict("crisis", ["medical"], "119", alert=True))
    assert r.hotline == "119" and "119" not in r.text and "전화" not in r.text and "곧 올" in r.text


@pytest.mark.parametrize("category,hotline", [("medical", "119"), ("fire", "119"), ("suicide", "109"),
                                              ("sexual_violence", "1366"), ("family_violence", "1366"),
                                              ("elder_abuse", "1577-1389"), ("crime", "112"),
                                              ("financial_abuse", "1577-1389")])
def test_every_crisis_category_says_help_is_coming_in_short_sentences(d, category, hotline):
    r = ask(d, "...", Verdict("crisis", [category], hotline, alert=True))
    assert r.kind == "crisis" and r.hotline == hotline and hotline in r.detail and "직원" in r.text
    assert all(len(s) <= 40 for s in spoken.sentences(r.text))


def test_no_idle_goodbye_after_a_crisis_until_staff_clear(d):
    d.reset("idle")
    d.respond("idle", Turn("죽고 싶어요", Verdict("crisis", ["suicide"], "109", alert=True), now=0.0))
    assert d.tick(now=10_000.0) == []
    assert [sid for sid, _ in d.staff_clear("idle")] == ["idle"]
    d.respond("idle", Turn("기초연금 얼마예요", now=10_001.0))
    assert [r.intent for sid, r in d.tick(now=20_000.0) if sid == "idle"] == ["timeout"]


def test_out_of_scope_offers_a_person_and_yes_calls_one(d):
    d.reset("o")
    r = d.respond("o", Turn("오늘 저녁 드라마 뭐 해요?"))
    assert r.kind == "ood" and "직원" in r.text and "직원 호출" in r.suggestions
    r = d.respond("o", Turn("네"))
    assert r.kind == "escalate" and r.alert == "staff_call"


def test_spoken_answers_are_at_most_two_sentences_and_the_rest_is_on_screen(d):
    for t in d.kb.service_topics:
        r = d._answer(t, t.questions[0], 1.0)
        assert len(spoken.sentences(r.text)) <= 2, t.id
        assert t.answer[:20] in r.detail or t.answer == r.text


@pytest.mark.parametrize("text,topic,intent,word", [
    ("기초연금 돈 언제 들어오노", "basic_pension", "followup_when", "25일"),
    ("기초연금 아들이 대신 신청해도 되는교", "basic_pension", "followup_proxy", "대신"),
    ("주민증 새로 할라카는데 사진 있어야 되나", "id_card_reissue", "followup_documents", "사진"),
    ("가족관계증명서 딸이 대신 떼도 되나요", "family_relation_certificate", "followup_proxy", "신분증"),
    ("인감 떼러 가는데 뭐 가져가요", "seal_certificate", "followup_documents", "신분증"),
])
def test_a_question_about_one_fact_gets_that_fact(d, text, topic, intent, word):
    r = ask(d, text)
    assert (r.topic, r.intent) == (topic, intent) and word in r.text


def test_greeting_and_question_gets_the_answer(d):
    r = ask(d, "안녕하세요 기초연금 얼마 나와요?")
    assert r.topic == "basic_pension" and r.text.startswith("안녕하세요.") and "원" in r.text
