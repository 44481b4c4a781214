"""The patterns behind the sixteenth blind senior set's misses (docs/dialogue.md, "The sixteenth blind
set, scored once"): Jeju verb endings and words (-젠, -민, -사, 가졍, 강, 어떵, 누게, -니꽈), a greeting
with talk and no subject, a Jeju thanks on leaving, a flat one cannot find among identical blocks,
Chungcheong -슈, and an old word for rape in a disclosure. Every sentence is written for these tests;
none is taken from a senior set."""
import pytest

from nodes.moderation.dialect import standardize_text
from tests.senior_turns import ask


@pytest.mark.parametrize("said,standard", [
    ("등본 떼젠 허믄 어디 강 허믄 됩니꽈", "등본 떼려고 하면 어디 가서 하면 됩니까"),
    ("신분증 가졍 와사 됩니꽈", "신분증 가지고 와야 됩니까"),
    ("이거 어떵 해사 되우꽈", "이거 어떻게 해야 되우꽈"),
    ("담당허는 사람이 누게우꽈", "담당하는 사람이 누구예요"),
    ("보건소는 어디 이수꽈", "보건소는 어디 있어요"),
    ("어제 아들이 왔슈", "어제 아들이 왔어요"),
    ("허리가 아파서 가사 일을 못 해요", "허리가 아파서 가사 일을 못 해요"),
])
def test_jeju_and_chungcheong_forms_in_standard_korean(said, standard):
    assert standardize_text(said) == standard


@pytest.mark.parametrize("text,topic", [("주민등록 등본 떼젠 허민 뭐 가졍 와사 됩니꽈", "resident_registration_copy"),
                                        ("노인일자리 담당허는 분이 누게우꽈", "senior_jobs")])
def test_jeju_questions_are_answered(d, mod, text, topic):
    r = ask(d, mod, text)
    assert (r.kind, r.topic) == ("answer", topic), (text, r.kind, r.topic)


@pytest.mark.parametrize("text", ["안녕하세유 오늘 또 왔슈", "안녕하세요 날이 참 좋네요"])
def test_a_greeting_with_talk_and_no_subject_is_greeted(d, mod, text):
    r = ask(d, mod, text)
    assert (r.kind, r.intent) == ("smalltalk", "greeting"), (text, r.kind, r.intent)


def test_a_greeting_with_a_question_is_still_answered(d, mod):
    r = ask(d, mod, "안녕하세요 기초연금 언제 들어와요")
    assert r.kind == "answer" and r.topic == "basic_pension" and r.text.startswith("안녕하세요")


@pytest.mark.parametrize("text", ["오늘 폭삭 속았수다 나 감수다", "속았수다 또 오쿠다"])
def test_a_jeju_thanks_on_leaving_is_a_goodbye(d, mod, text):
    assert ask(d, mod, text).intent == "goodbye", text


@pytest.mark.parametrize("text", ["우리 집이 몇 호였더라 기억이 안 나", "내 집이 몇 동인지 아파트가 다 똑같아서 못 찾겠어요"])
def test_a_flat_not_found_among_identical_blocks_is_a_lost_senior(d, mod, text):
    r = ask(d, mod, text)
    assert (r.kind, r.intent) == ("crisis", "lost"), (text, r.intent)


@pytest.mark.parametrize("text", ["오래전에 겁탈당한 일을 아무한테도 말 못 했어요", "그놈한테 겁탈을 당했어요"])
def test_an_old_word_for_rape_in_a_disclosure_is_a_crisis(mod, text):
    v = mod.check(text)
    assert v.label == "crisis" and v.categories[0] == "sexual_violence", (text, v.label, v.categories)
