"""The eighth development round (docs/dialogue.md, "Before the eighth blind set"): a topic on how two
services combine answers only a question about both, a bare "네" keeps the aspect asked before it.
Every sentence is written for these tests; none is taken from a senior set."""
import pytest

from nodes.dialogue.policy import Turn


def answer(d, text, sid="r8"):
    d.reset(sid)
    r = d.respond(sid, Turn(text, now=100.0))
    if r.intent == "confirm":
        r = d.respond(sid, Turn("네", now=101.0))
    return r


@pytest.mark.parametrize("text", ["기초연금은 누가 받을 수 있는 거예요", "기초연금 못 받는 사람도 있어요",
                                  "땅이 좀 있으면 기초연금 안 나오나요"])
def test_one_service_named_is_that_service_not_the_combination(d, text):
    r = answer(d, text)
    assert (r.kind, r.topic) == ("answer", "basic_pension"), (text, r.kind, r.topic)


@pytest.mark.parametrize("text", ["국민연금 받는데 기초연금도 같이 받을 수 있어요",
                                  "국민연금이 많으면 기초연금이 깎이나요"])
def test_both_services_named_is_the_combination(d, text):
    r = answer(d, text)
    assert (r.kind, r.topic) == ("answer", "basic_and_national_pension"), (text, r.kind, r.topic)
