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


@pytest.mark.parametrize("text,topic", [("기초 년금 언제 들어와요", "basic_pension"),
                                        ("경노당 가고 싶은데 어디 있어요", "kyungrodang"),
                                        ("노인 일짜리 하고 싶어요", "senior_jobs")])
def test_a_name_with_one_sound_misheard_still_names_the_service(d, text, topic):
    r = answer(d, text)
    assert (r.kind, r.topic) == ("answer", topic), (text, r.kind, r.topic)


@pytest.mark.parametrize("text", ["주민센터 어디 있어요", "노인 인식표 받고 싶어요", "핸드폰이 이상해요",
                                  "아들이 내 연금 통장을 가져갔어요", "비트코인 지금 사도 돼요"])
def test_a_word_the_kb_says_or_a_particle_is_not_a_misheard_name(d, text):
    slips = d.retriever.analyzer.slips.find(text)
    assert not {"주민세", "노인정", "핸드폰비", "아내 연금", "인지검사"} & set(slips), (text, slips)
