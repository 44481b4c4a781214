"""The patterns behind the seventh blind senior set's misses (docs/dialogue.md, "After the seventh
blind set"): a social worker asked for in person, a counsellor "if there is one", a bare "where is
a person", louder asked, a greeting to the machine, "again" with a filler, a flat number or a city
not known, dialect and STT slips (을매나, 멧 살, 댕기다, 연근, 요향), and aspect cues (a ceiling, a
percentage, "does it cost", someone going instead, "only the ID card", what to hand in).
Every sentence is written for these tests; none is taken from a senior set."""
import pytest

from nodes.dialogue import intents
from tests.senior_turns import ask


@pytest.mark.parametrize("text", ["복지사 선생님 직접 보고 말할게요", "상담해 주는 분 있으면 좀 불러 줘요",
                                  "말이 안 통하네 사람 어딨어"])
def test_a_person_asked_for_in_other_words(d, mod, text):
    assert ask(d, mod, text).kind == "escalate", text


@pytest.mark.parametrize("text", ["소리 좀 키워 줘요", "크게 얘기해 주이소 잘 안 들리니께"])
def test_louder_asked_is_said_again_slower(d, mod, text):
    r = ask(d, mod, text, first="기초연금 받을 수 있어요?")
    assert r.intent == "repeat" and r.rate < 1.0, (text, r.intent)


def test_a_greeting_to_the_machine(d, mod):
    assert ask(d, mod, "아이고 기계야 안녕").intent == "greeting"


def test_again_with_a_filler_between(d, mod):
    assert ask(d, mod, "다시 좀 말해 줘요", first="기초연금 받을 수 있어요?").intent == "repeat"


@pytest.mark.parametrize("text", ["우리 집 호수가 생각이 안 나", "여가 대구가"])
def test_a_flat_number_or_a_city_not_known_is_lost(d, mod, text):
    r = ask(d, mod, text)
    assert (r.kind, r.intent) == ("crisis", "lost"), (text, r.kind, r.intent)


@pytest.mark.parametrize("text", ["크게 다쳤는데 병원비 지원 돼요", "여기 부산 가는 버스 있어요"])
def test_the_new_cues_leave_ordinary_questions_alone(d, mod, text):
    r = ask(d, mod, text)
    assert r.intent not in ("slower", "lost"), (text, r.intent)


@pytest.mark.parametrize("text,facet", [
    ("전세 보증금이 얼마 이하여야 되나", "eligibility"),
    ("몇 퍼센트 깎아 줘요", "amount"),
    ("보청기 돈 내나", "amount"),
    ("한 달에 을매 드노", "amount"),
    ("대신 며느리가 신청해도 되나", "proxy"),
    ("본인이 직접 가야 돼요", "proxy"),
    ("도장만 있음 돼요", "documents"),
    ("뭐 제출해야 돼요", "documents"),
    ("그거 우째요", "apply"),
])
def test_aspect_cues(text, facet):
    assert intents.detect_facet(text) == facet, text


@pytest.mark.parametrize("text,topic", [("기초연근 한 달에 얼마 나와요", "basic_pension"),
                                        ("장기요향 등급 받으려면 어디로 가요", "ltc_insurance_grade"),
                                        ("경로당 멧 살부터 댕길 수 있어요", "kyungrodang")])
def test_dialect_and_stt_slips_find_the_service(d, mod, text, topic):
    r = ask(d, mod, text)
    assert r.kind == "answer" and r.topic == topic, (text, r.kind, r.topic)
