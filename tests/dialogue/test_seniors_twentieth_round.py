"""The twentieth round (docs/dialogue.md, "The twentieth round"): misses that recur across the blind
senior sets used as development data. A service named outright behind a topic the turn never names,
questions of one place or another, who qualifies asked with the word of a fee, a paper named as a thing
to bring, someone going instead, and services the KB did not cover (guardianship in general, a
merit holder's family, changing the name on a house). Every sentence is written for these tests;
none is taken from a senior set."""
import datetime as dt

import pytest

from nodes.dialogue import intents
from tests.senior_turns import ask


@pytest.mark.parametrize("text,topic,intent", [
    # the one service named, close behind a topic the turn never names, with an aspect asked
    ("기초 연금 통장에 들어오는 날이 며칠이래요 이번 달은 늦네", "basic_pension", "followup_when"),
    ("틀니 새로 하면 내 돈은 얼마나 보태야 되는교 반은 나라가 준다던데", "dentures_implants", "followup_amount"),
])
def test_the_service_named_outright_is_answered_with_its_aspect(d, mod, text, topic, intent):
    r = ask(d, mod, text)
    assert (r.kind, r.topic, r.intent) == ("answer", topic, intent), (text, r.kind, r.topic, r.intent)


def test_a_service_named_with_words_the_kb_never_says_is_still_not_answered(d, mod):
    r = ask(d, mod, "국민 연금 해외 투자 수익률 작년엔 얼마였어요", confirm=False)
    assert r.kind != "answer", (r.kind, r.topic, r.intent)


@pytest.mark.parametrize("text,facet", [
    # one place or another
    ("보건소 가야 되는교 여서도 해 주는교", "apply"),
    ("신협 가믄 해 주나 새마을금고 가믄 해 주나", "apply"),
    ("공단에 전화하믄 되는 기가 여서 하는 기가", "apply"),
    ("요 기계서 나와요 아니면 창구로 가야 돼요", "apply"),
    # a place said with the act
    ("대상포진 주사 보건소서 맞는교 병원서 맞는교", "apply"),
    ("건강검진은 아무 병원 가서 해도 되나요", "apply"),
    # the steps in order, how a thing is done
    ("신청하는 순서가 어떻게 되나요", "apply"),
    ("이 화면 우예 누르는교", "apply"),
    # who qualifies, said with the word of a fee
    ("무료로 해 주는 건 누구까지예요", "eligibility"),
    ("돈 대 주는 거 어떤 사람들 해 주는 거래요", "eligibility"),
    ("공짜로 맞는 거 나이가 멫이라야 돼요", "eligibility"),
    ("허리가 얼마나 아파야 나오는 거요", "eligibility"),
    # and what stays as it was
    ("기계로 떼믄 수수료가 얼마예요", "amount"),
    ("그거 공짜예요", "amount"),
    # a fee "같은 거 내야" is paid, not a paper handed in (after blind20's score)
    ("복지관 다닐라믄 회비 같은 거 내야 되는교", "amount"),
])
def test_the_aspect_asked(text, facet):
    assert intents.detect_facet(text) == facet, (text, intents.detect_facet(text))


@pytest.mark.parametrize("text,topic", [
    ("주택 연금 가입할라믄 등기부 등본 같은 것도 떼 가야 되나요", "housing_pension"),
    ("유족 연금 받을라는디 가족 관계 증명서도 있어야 되는교", "survivors_pension"),
    # the paper is the service asked about when nothing else is named
    ("인감 증명서 떼려면 신분증만 있으면 돼요", "seal_certificate"),
])
def test_a_paper_named_as_a_thing_to_bring_is_not_the_service_asked_about(d, mod, text, topic):
    r = ask(d, mod, text)
    assert (r.kind, r.topic, r.intent) == ("answer", topic, "followup_documents"), (text, r.kind, r.topic, r.intent)


@pytest.mark.parametrize("topic", ["national_pension_payment", "basic_livelihood", "medical_aid", "housing_benefit",
                                   "emergency_welfare", "death_report", "disability_registration", "dementia_center",
                                   "inheritance_lookup", "dementia_guardianship", "property_title_transfer"])
def test_whether_family_may_go_instead_is_answered_for_the_services_seniors_ask_it_of(d, topic):
    assert d.kb.by_id[topic].facets.get("proxy"), topic


@pytest.mark.parametrize("text,topic,intent", [
    ("손녀가 내 국민연금 청구를 대신 해 줘도 되나요 다리가 아파서", "national_pension_payment", "followup_proxy"),
    ("수급자 신청 며느리가 대신 가서 해도 돼요", "basic_livelihood", "followup_proxy"),
    # services the KB did not cover: a guardian in general, a merit holder's family, the name on a house
    ("성년 후견인 제도가 뭔지 좀 알려 주이소", "dementia_guardianship", None),
    ("장애 있는 딸 후견인을 내가 하려면 어디다 신청해요", "dementia_guardianship", "followup_apply"),
    ("시아버님이 국가유공자셨는데 며느리나 손주도 유족 혜택이 있나요", "veterans_allowance", None),
    ("돌아가신 남편 이름으로 된 집을 내 이름으로 바꿀라 카믄 우째 하는교", "property_title_transfer", "followup_apply"),
    ("상속 등기 그거는 언제까지 해야 되는 거여", "property_title_transfer", "followup_when"),
    # and the neighbours keep their questions
    ("집을 맡기고 다달이 연금 받는 거 몇 살부터 돼요", "housing_pension", None),
    ("등기부등본 한 통 떼는 데 얼마예요", "property_registry_copy", "followup_amount"),
])
def test_proxies_and_newly_covered_services(d, mod, text, topic, intent):
    r = ask(d, mod, text)
    assert (r.kind, r.topic) == ("answer", topic), (text, r.kind, r.topic, r.intent)
    if intent is not None:
        assert r.intent == intent, (text, r.intent)


def test_the_new_topic_names_its_source_and_date_and_speaks_briefly(d):
    from nodes.dialogue.spoken import MAX_SPOKEN_CHARS, for_ear
    t = d.kb.by_id["property_title_transfer"]
    assert t.source.startswith("https://") and t.as_of >= dt.date(2026, 12, 1), (t.source, t.as_of)
    assert "등기소" in t.answer and "취득세" in t.answer
    assert len(for_ear(t.answer)) <= MAX_SPOKEN_CHARS, for_ear(t.answer)


# After blind20's one score: every sentence below is new.

@pytest.mark.parametrize("text", ["밭 매러 간 할멈이 해가 다 졌는데 아직 안 와요",
                                  "장에 간 아들이 날이 어두워졌는디 안 오네"])
def test_family_not_back_after_dark_is_a_crisis(mod, text):
    assert mod.check(text).label == "crisis", text


@pytest.mark.parametrize("text", ["영감이 병원에 안 와도 된대요 해가 지면 문 닫나요",
                                  "아들이 오늘은 안 와요 저녁에 전화한대요"])
def test_someone_not_coming_in_other_words_is_not_a_crisis(mod, text):
    assert mod.check(text).label == "allow", text


@pytest.mark.parametrize("text,kind,intent", [
    ("여가 무신 마을이우꽈 길 잃어뿟수다", "crisis", "lost"),
    ("그럼 잘 있거레이 또 오꾸마", "smalltalk", "goodbye"),
    ("아이고 수고가 많으십니다", "smalltalk", "greeting"),
])
def test_a_lost_senior_a_parting_and_a_greeting_in_dialect(d, mod, text, kind, intent):
    r = ask(d, mod, text, confirm=False)
    assert (r.kind, r.intent) == (kind, intent), (text, r.kind, r.intent)
