"""How seniors talk: lost in dialect, a person asked for in rough words, dialect greetings and
goodbyes, aspect questions and old service names. Written for these tests, not taken from the senior
development set."""
import pytest

from nodes.dialogue.policy import Dialogue, Turn


@pytest.fixture(scope="module")
def d():
    return Dialogue(None)


def ask(d, text, sid="t"):
    d.reset(sid)
    return d.respond(sid, Turn(text, now=100.0))


@pytest.mark.parametrize("text", ["여가 오데고 집에 우째 가노", "내 집이 어느 쪽인지 모르겄어", "여기가 어딘교",
                                  "딸이 여 앉아 있으라 캤는디 안 오네", "집에 가는 길을 까먹었어",
                                  "내가 뭐하러 여 왔는지 까먹었어"])
def test_lost_in_dialect_calls_staff(d, text):
    r = ask(d, text)
    assert r.kind == "crisis" and r.intent == "lost" and r.alert == "lost"


@pytest.mark.parametrize("text", ["우리 어무이가 자꾸 길을 잃어삐요", "아들이 어디 갔는지 연락이 안 돼요 출장 갔어요"])
def test_someone_else_away_is_not_a_lost_senior(d, text):
    assert ask(d, text).intent != "lost"


@pytest.mark.parametrize("text", ["책임자 나오라 캐", "기계 말고 사람 불러 도", "여 사람 아무도 없나", "높은 사람 좀 데려와", "일하는 총각 좀 불러 주이소"])
def test_a_person_asked_for_in_rough_words(d, text):
    assert ask(d, text).kind == "escalate"


@pytest.mark.parametrize("text,intent", [("안녕하능교", "greeting"), ("반갑데이", "greeting"), ("잘 있으소", "goodbye"),
                                         ("또 올게요", "goodbye"), ("욕봤데이", "goodbye")])
def test_dialect_greetings_and_goodbyes(d, text, intent):
    assert ask(d, text).intent in ({intent, "help"} if intent == "greeting" else {intent})


@pytest.mark.parametrize("text,topic,facet", [
    ("경로우대증 새로 맨들라믄 어데로 가능교", "senior_transit_card", "apply"),
    ("영세민은 자식이 있어도 되는 거여", "basic_livelihood", "eligibility"),
    ("노인정은 토요일에도 문 여는교", "kyungrodang", "when"),
    ("틀니 할라믄 아무 병원이나 가도 되나", "dentures_implants", "apply"),
    ("주민증 새로 할라믄 뭐 가꼬 가야 되노", "id_card_reissue", "documents"),
])
def test_aspect_questions_with_old_names(d, text, topic, facet):
    r = ask(d, text)
    if r.intent == "confirm":
        r = d.respond("t", Turn("네", now=101.0))
    assert (r.kind, r.topic, r.intent) == ("answer", topic, f"followup_{facet}")


def test_a_dialect_greeting_with_a_request_is_greeted_and_offered_help(d):
    r = ask(d, "안녕하십니꺼 뭐 좀 물어볼라꼬")
    assert r.text.startswith("안녕하세요") and r.intent in ("greeting", "help") and r.kind != "ood"
