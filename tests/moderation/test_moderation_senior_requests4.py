"""After the fourth blind senior set (corpus/seniors_requests4.tsv, crisis.yaml medical exclude): asking how to talk to the machine
is not abuse, "숨 넘어가겠다" said of fast speech is not a medical crisis, and forgetting one's own
address is not a wish to die; a real breathing emergency stays a crisis. The sentences are written
for these tests: they are neither training rows nor sentences of the dialogue's senior sets."""
import pytest

from nodes.moderation.engine import Moderator


@pytest.fixture(scope="module")
def mod():
    return Moderator()


@pytest.mark.parametrize("text", [
    "이 기계한테 뭐라 말하면 대답을 해 주는 거요",
    "숨 넘어가것다 말 좀 천천히 하소",
    "집 주소가 통 생각이 안 나네 전화번호도 가물가물하고",
])
def test_talk_worded_like_a_crisis_or_abuse_is_allowed(mod, text):
    v = mod.check(text)
    assert v.label == "allow", (text, v.label, v.categories)


@pytest.mark.parametrize("text", [
    "숨이 넘어갈 거 같아 숨을 못 쉬겠어요",
    "우리 영감 숨이 넘어가는 거 같아 빨리 좀 와 줘",
])
def test_a_breathing_emergency_is_still_a_crisis(mod, text):
    v = mod.check(text)
    assert v.label == "crisis" and "medical" in v.categories, (text, v.label, v.categories)
