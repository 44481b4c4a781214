"""The patterns behind the fifteenth blind senior set's misses (docs/dialogue.md, "The fifteenth
blind set, scored once"): being taken to where a person is, an unhurried pace asked for, Jeju's 골다
("to say") in a request to hear it again, a question about a scam's tricks; then a lost senior whom
only the classifier heard as a victim, the year asked outright, a name with two sounds misheard, a
service asked about as a whole or described, the steps of an application, and a named service with
another pension or a birthday around it. Every sentence is written for these tests; none is taken
from a senior set."""
import pytest

from nodes.dialogue import crisis, intents
from nodes.dialogue.policy import Turn
from nodes.moderation.engine import Verdict
from tests.senior_turns import ask


@pytest.mark.parametrize("text", ["담당자 있는 창구로 좀 데려다 주세요", "직원분 계시는 데로 안내해 줘요"])
def test_taken_to_where_a_person_is(d, mod, text):
    assert ask(d, mod, text).kind == "escalate", text


@pytest.mark.parametrize("text", ["느긋하게 좀 얘기해 줘요", "좀 느긋이 말해 주소"])
def test_an_unhurried_pace_is_said_again_slower(d, mod, text):
    r = ask(d, mod, text, first="기초연금 받을 수 있어요?")
    assert r.intent == "repeat" and r.rate < 1.0, (text, r.intent)


@pytest.mark.parametrize("text", ["무시거랜 골았수과", "한번 다시 골아 주세요"])
def test_jeju_say_it_again(d, mod, text):
    r = ask(d, mod, text, first="기초연금 받을 수 있어요?")
    assert r.intent == "repeat", (text, r.intent)


def test_living_at_ease_is_not_a_request_about_speech():
    assert intents.detect_intent("느긋하게 살고 싶어요") is None


def test_a_scams_tricks_are_the_scam_topic(d, mod):
    r = ask(d, mod, "전화 사기 요즘 무슨 수법 쓰는지 알려 줘요")
    assert r.kind == "answer" and r.topic == "voice_phishing", (r.kind, r.topic)


def _flagged(d, text, category, by_model):
    d.reset("lost")
    v = Verdict("crisis", [category], "112", text, [], [], True, 0.7, by_model)
    return d.respond("lost", Turn(text, v, now=100.0))


@pytest.mark.parametrize("category", ["family_violence", "elder_abuse", "crime"])
def test_a_lost_senior_heard_as_a_victim_by_the_classifier_alone_gets_the_lost_reply(d, category):
    r = _flagged(d, "저녁 해야 되는데 우리 집을 못 찾겠네 여기가 어디여", category, by_model=True)
    assert (r.kind, r.intent, r.alert) == ("crisis", "lost", "lost"), (category, r.intent)


@pytest.mark.parametrize("category,by_model", [("family_violence", False), ("medical", True), ("suicide", True)])
def test_a_rule_or_an_urgent_category_keeps_the_crisis_reply(d, category, by_model):
    r = _flagged(d, "저녁 해야 되는데 우리 집을 못 찾겠네 여기가 어디여", category, by_model)
    assert r.intent == "crisis" and r.category == category, (category, by_model, r.intent)


def test_the_moderator_says_when_the_classifier_alone_flagged(mod):
    assert mod.check("남편이 술만 먹으면 때려요").by_model is False
    assert mod.check("기초연금 언제 들어와요").by_model is False


@pytest.mark.parametrize("text", ["올해 몇 년도래요 자꾸 잊어버려", "시방 몇 년도여 우리 아부지가 찾으실 건디"])
def test_the_year_asked_outright_is_a_lost_senior(d, mod, text):
    r = ask(d, mod, text)
    assert (r.kind, r.intent) == ("crisis", "lost"), (text, r.intent)


def test_the_year_reported_is_not_confusion():
    assert not crisis.is_confused("어머니가 자꾸 지금 몇 년도냐고 물어보세요")


def test_a_year_in_a_service_question_is_answered(d, mod):
    r = ask(d, mod, "지금 몇 년도부터 기초연금이 올라요")
    assert (r.kind, r.topic) == ("answer", "basic_pension"), (r.kind, r.topic)


@pytest.mark.parametrize("text", ["치매 안심 샌터 가 볼라고 하는데 어디 있소", "치매안심쎈타 전화번호 좀"])
def test_a_long_name_with_two_sounds_misheard_names_the_service(d, mod, text):
    assert d.retriever.analyzer.slips.find(intents.normalize(text)) == ["치매안심센터"], text
    r = ask(d, mod, text)
    assert (r.kind, r.topic) == ("answer", "dementia_center"), (text, r.kind, r.topic)


@pytest.mark.parametrize("text", ["실버카 그 장보러 갈 때 미는 유모차 같은 거 주는 사업이 있다던데유", "노인 맞춤 돌봄이라는 게 뭐요"])
def test_a_named_service_asked_about_as_a_whole_is_answered(d, mod, text):
    r = ask(d, mod, text, confirm=False)
    assert r.kind == "answer", (text, r.kind, r.intent)


@pytest.mark.parametrize("text", ["경로당 윷놀이 규칙 알려 줘", "경로당에서 하는 민화투라는 게 뭐요"])
def test_another_subject_beside_a_named_service_is_not_answered(d, mod, text):
    assert ask(d, mod, text).kind != "answer", text


@pytest.mark.parametrize("text", ["등급 받는 절차가 어찌 되나요", "틀니 신청하는 순서 좀 알려 줘요"])
def test_the_steps_asked_are_how_to_apply(text):
    assert intents.detect_facet(text) == "apply", text


def test_another_pension_beside_the_basic_pension_is_its_eligibility(d, mod):
    r = ask(d, mod, "남편이 군인 연금 타는데 나도 기초연금 되나")
    assert (r.kind, r.topic) == ("answer", "basic_pension"), (r.kind, r.topic)
    assert "군인연금" in r.detail


def test_from_the_birthday_on_is_when_the_transit_card_starts(d, mod):
    r = ask(d, mod, "육십오 세 생일 지나면 곧바로 교통카드 신청되나")
    assert (r.kind, r.topic) == ("answer", "senior_transit_card") and "생일" in r.text, (r.kind, r.topic, r.text)


@pytest.mark.parametrize("text,subject", [("주간 보호 센터라는 데가 뭐 하는 곳이요", "주간보호센터라는"),
                                          ("경로당에서 하는 민화투라는 게 뭐요", "민화투라는"),
                                          ("보행기 빌려 주는 데가 있다던데", "보행기빌려주는데가"),
                                          ("기초연금 언제 들어와요", None)])
def test_what_is_asked_about_as_a_whole(text, subject):
    assert intents.asks_what(text) == subject, text


@pytest.mark.parametrize("text,facet", [
    ("통장님께 말하면 대신 에너지바우처 신청 해 주나", "proxy"),
    ("조카가 컴퓨터로 내 기초연금 신청해 줘도 돼요", "proxy"),
    ("며느리가 위임장 들고 가면 대신 뗄 수 있어요", "proxy"),
    ("복지카드 약국에서 쓰는 방법 좀 알려 줘", "apply"),
    ("독감 주사는 일 년에 한 번 맞는 거요", "when"),
    ("아들이 돈 내 주면 돼요", "amount"),
])
def test_more_aspect_cues(text, facet):
    assert intents.detect_facet(text) == facet, text
