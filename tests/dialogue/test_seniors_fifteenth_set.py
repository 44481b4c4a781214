"""The patterns behind the fifteenth blind senior set's misses in control turns (docs/dialogue.md,
"The fifteenth blind set, scored once"): being taken to where a person is, an unhurried pace asked
for, Jeju's 골다 ("to say") in a request to hear it again, and a question about a scam's tricks.
Every sentence is written for these tests; none is taken from a senior set."""
import pytest

from nodes.dialogue import intents
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
