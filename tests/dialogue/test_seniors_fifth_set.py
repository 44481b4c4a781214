"""The patterns behind the fifth blind senior set's misses (docs/dialogue.md, "After the fifth blind
set"): a clerk called by a plain word, repeat after a filler or "once more", a filler before "can you
hear me", whether the machine is on, a first visit, "그만 간다", a companion who stepped away and has
not come back, and a flat number forgotten. Every sentence is written for these tests; none is taken
from a senior set."""
import pytest

from nodes.dialogue.policy import Dialogue, Turn


@pytest.fixture(scope="module")
def d():
    return Dialogue(None)


def ask(d, text, sid="t5", first=None):
    d.reset(sid)
    if first:
        d.respond(sid, Turn(first, now=99.0))
    return d.respond(sid, Turn(text, now=100.0))


@pytest.mark.parametrize("text", ["아가씨 좀 불러 주소", "총각 좀 오라 캐라", "접수하던 아가씨 좀 불러 줘요", "직원 양반 좀 오라 해",
                                  "일하는 사람 하나 불러 줘", "아저씨 좀 불러 봐요 물어볼 게 있어"])
def test_a_clerk_called_by_a_plain_word(d, text):
    assert ask(d, text).kind == "escalate"


@pytest.mark.parametrize("text", ["응 다시", "한 번만 더 얘기해 줘요", "아까 그 말 한 번 더 해 주소"])
def test_repeat_after_a_filler_or_once_more(d, text):
    assert ask(d, text, first="기초연금 받을 수 있어요?").intent == "repeat"


@pytest.mark.parametrize("text", ["저기요 내 말 들려요", "이거 켜진 거요", "이거 켜져 있어요", "반갑습니다 처음 와 봤어요"])
def test_asking_whether_the_machine_hears_or_is_on(d, text):
    assert ask(d, text).intent in ("greeting", "help")


def test_that_will_do_going_now_is_goodbye(d):
    assert ask(d, "됐다 그만 간다").intent == "goodbye"


@pytest.mark.parametrize("text", ["아들이 화장실 간다 카고 갔는데 안 오네", "같이 온 요양보호사가 안 보여 어디 갔지",
                                  "동 호수가 생각이 안 나요"])
def test_a_companion_gone_or_a_flat_number_forgotten_is_lost(d, text):
    r = ask(d, text)
    assert (r.kind, r.intent) == ("crisis", "lost")


@pytest.mark.parametrize("text", ["한 번 더 검사 받아야 되나요 치매 검사", "아저씨 불러서 집 고치는 거 지원돼요",
                                  "화장실 갔다 와서 다시 물어볼게요", "외국 나가 있으면 기초연금 끊긴다던데"])
def test_services_said_with_those_words_are_not_control(d, text):
    r = ask(d, text)
    assert r.intent not in ("lost", "repeat", "goodbye") and r.kind not in ("escalate", "crisis"), (r.kind, r.intent)
