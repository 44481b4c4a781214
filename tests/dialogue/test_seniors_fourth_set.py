"""The patterns behind the fourth blind senior set's misses (docs/dialogue.md, "After the fourth blind
set"): a filler before a greeting, questions about the machine itself, repeat and slower in other
words, goodbye as "done asking", a person asked in person, and a senior left waiting, lost in a
strange place or who forgot the way home. Every sentence is written for these tests; none is taken
from a senior set."""
import pytest

from nodes.dialogue.policy import Dialogue, Turn


@pytest.fixture(scope="module")
def d():
    return Dialogue(None)


def ask(d, text, sid="t4", first=None):
    d.reset(sid)
    if first:
        d.respond(sid, Turn(first, now=99.0))
    r = d.respond(sid, Turn(text, now=100.0))
    if r.intent == "confirm":
        r = d.respond(sid, Turn("네", now=101.0))
    return r


@pytest.mark.parametrize("text", ["어 안녕하세요", "음 반갑습니다", "여보세요 잘 들려요", "이거 그냥 누르믄 되는교",
                                  "안녕하십니까 이 화면 먼저 눌러야 되나", "기계한테 뭘 물어보면 되는데",
                                  "이게 어떻게 쓰는 기계요 말로 하는 거요", "반갑소 처음 해 보는 기라"])
def test_a_greeting_with_a_filler_or_a_question_about_the_machine(d, text):
    assert ask(d, text).intent in ("greeting", "help")


@pytest.mark.parametrize("text", ["기초연금 신청은 어떻게 하는 거예요", "처음 써 보는 교통카드인데 충전은 어디서 해요"])
def test_a_service_asked_with_the_same_words_is_answered(d, text):
    assert ask(d, text).kind == "answer"


@pytest.mark.parametrize("text", ["아까 하신 말씀 다시 해 줘요", "어 뭐라고요", "하나도 못 잡았네 처음부터 다시 읽어 주소",
                                  "다시 말해 줘유"])
def test_repeat_in_other_words(d, text):
    assert ask(d, text, first="기초연금 받을 수 있어요?").intent == "repeat"


@pytest.mark.parametrize("text", ["말하는 속도 좀 낮춰 주세요", "그리 급하게 말하지 마소 숨 차겠다"])
def test_slower_in_other_words(d, text):
    r = ask(d, text, first="기초연금 받을 수 있어요?")
    assert r.intent == "repeat" and r.rate < 1.0


@pytest.mark.parametrize("text", ["인자 그만할랑께", "궁금한 거 다 물어봤소", "됐다 이제 끝"])
def test_done_asking_is_a_goodbye(d, text):
    assert ask(d, text).intent == "goodbye"


@pytest.mark.parametrize("text", ["저 안쪽 총각한테 직접 물어볼라요", "아이고 진짜 사람 좀 없소"])
def test_a_person_asked_in_person(d, text):
    assert ask(d, text).kind == "escalate"


@pytest.mark.parametrize("text", ["아들 기다리는데 아직 안 온다", "며느리랑 같이 왔는디 어디 갔는지 안 보여",
                                  "손자가 여기 있으라 해 놓고 한참 안 왔어", "여가 어딘지 하나도 모르겠네",
                                  "몇 년이여 지금이", "여기가 시장이여 어디여", "우리 집 번호가 생각이 안 나"])
def test_left_waiting_or_not_knowing_where_or_when_is_lost(d, text):
    r = ask(d, text)
    assert (r.kind, r.intent) == ("crisis", "lost")


@pytest.mark.parametrize("text", ["아들이 안 와요 명절에도 혼자 있는데 돌봄 서비스 있어요", "처음부터 다시 해야 돼요 신청을",
                                  "살아 있는 동안 연금 받을 수 있어요"])
def test_services_said_with_those_words_are_not_control(d, text):
    r = ask(d, text)
    assert r.intent not in ("lost", "repeat", "goodbye") and r.kind != "escalate"
