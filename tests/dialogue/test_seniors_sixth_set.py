"""The patterns behind the sixth blind senior set's misses (docs/dialogue.md, "The sixth blind set"):
the way out of the building lost, the name of one's flats forgotten, off at the wrong stop, a
companion who said they were going to the toilet, a person asked for instead of the machine,
"사람 없어 사람", "다시 좀 얘기해", "수고했어", something to ask, and whether one can just talk.
Every sentence is written for these tests; none is taken from a senior set."""
import pytest

from nodes.dialogue.policy import Turn
from tests.senior_turns import ask as _ask


def ask(d, mod, text, first=None):
    """A turn with no automatic "네": tests here answer a confirmation themselves."""
    return _ask(d, mod, text, sid="t6", first=first, confirm=False)


@pytest.mark.parametrize("text", [
    "출구가 어디예요 아무리 돌아도 못 찾겠어",
    "들어온 문을 못 찾겠네 어디로 나가노",
    "한참 빙빙 돌았는데 나가는 데를 모르겠어",
    "우리 아파트 이름이 뭐더라 생각이 안 나네",
    "버스를 엉뚱한 데서 내렸는데 여기가 어디요",
    "딸이 화장실 간다카더니 아직 안 와",
    "아들이 여기 앉아 기다리라 켔는데 안 오네",
])
def test_a_senior_lost_in_the_building_or_on_the_way_gets_a_person(d, mod, text):
    r = ask(d, mod, text)
    assert (r.kind, r.intent) == ("crisis", "lost"), (text, r.kind, r.intent)


@pytest.mark.parametrize("text", ["창구에 있는 사람한테 직접 물어볼라요", "직원한테 여쭤볼랍니다 이 기계는 모르겠고",
                                  "아이고 사람 없어요 사람"])
def test_a_person_asked_for_instead_of_the_machine(d, mod, text):
    assert ask(d, mod, text).kind == "escalate", text


def test_again_with_a_filler_word(d, mod):
    r = ask(d, mod, "다시 한번 좀 얘기해 주이소", first="기초연금 받을 수 있어요?")
    assert r.intent == "repeat"


@pytest.mark.parametrize("text", ["오늘 수고했어요 이만 갈게", "수고했소 잘 들었어"])
def test_thanks_for_the_work_is_goodbye(d, mod, text):
    assert ask(d, mod, text).intent == "goodbye", text


@pytest.mark.parametrize("text", ["기계야 내가 물어볼 게 하나 있어", "저기요 제가 여쭤볼 게 있는데요",
                                  "이거 어떻게 쓰는 거요 말로 하면 되나"])
def test_something_to_ask_or_how_to_use_it_is_help(d, mod, text):
    assert ask(d, mod, text).intent in ("help", "greeting"), text


@pytest.mark.parametrize("text,topic", [
    ("창구에 가면 기초연금 신청 돼요?", "basic_pension"),
    ("출구 쪽에 있는 무인민원발급기에서 등본 떼도 돼요?", "resident_registration_copy"),
])
def test_questions_near_these_words_are_still_answered(d, mod, text, topic):
    r = ask(d, mod, text)
    if r.intent == "confirm":
        r = d.respond("t6", Turn("네", now=101.0))
    assert (r.kind, r.topic) == ("answer", topic), (text, r.kind, r.intent, r.topic)
