"""Near misses: a question that names a topic (or shares its words) but asks for something the topic
does not cover. Question kinds the KB never answers, asked-for objects, whole compound nouns."""

from dataclasses import replace
from pathlib import Path

import pytest

from nodes.dialogue import intents
from nodes.dialogue.kb import KnowledgeBase, load_kb
from nodes.dialogue.policy import Dialogue, Turn
from nodes.dialogue.retrieval import FEATURE_NAMES, Retriever
from nodes.dialogue.text import Analyzer

FIXTURE_KB = Path(__file__).resolve().parent / "fixtures" / "kb"


@pytest.fixture(scope="module")
def d():
    return Dialogue()   # the shipped KB (config/kb)


def _ask(d: Dialogue, text: str):
    r = d.respond("near-miss", Turn(text=text))
    d.reset("near-miss")
    return r


# -- question kinds --------------------------------------------------------------------------

@pytest.mark.parametrize("text, kind", [
    ("의료급여 제도는 언제 생겼어요", "history"),
    ("노인복지관 처음 만든 사람이 누구예요", "history"),
    ("기초연금 역사 알려 주세요", "history"),
    ("휴대폰 새로 바꿀라는데 어떤 게 좋아요", "recommend"),
    ("보청기 추천해 주세요", "recommend"),
    ("해외여행 어디가 싸요", "recommend"),
])
def test_ask_kinds_are_detected(text, kind):
    assert intents.detect_ask_kinds(text) == {kind}


@pytest.mark.parametrize("text", ["전기가 끊기게 생겼는데 급히 도움받을 수 있나요", "기초연금 언제 들어와요",
                                  "의료급여증 있으면 약값도 싸요?", "보청기 어디서 사요"])
def test_ordinary_questions_have_no_ask_kind(text):
    assert intents.detect_ask_kinds(text) == set()


def test_a_kind_the_topic_never_covers_is_out_of_domain(d):
    r = d.retriever.retrieve("의료급여 제도는 언제 생겼어요")
    assert not r.in_domain and r.unsupported == ["history"]
    assert _ask(d, "의료급여 제도는 언제 생겼어요").kind == "ood"
    assert _ask(d, "휴대폰 새로 바꿀라는데 어떤 게 좋아요").kind == "ood"
    plain = _ask(d, "의료급여 받으려면 어떻게 해요")
    assert plain.kind == "answer" and plain.topic == "medical_aid"


def test_ask_kinds_follow_the_knowledge_base():
    """A KB whose topic itself recommends (an imported shop FAQ, say) keeps such questions in the domain."""
    kb = load_kb(FIXTURE_KB)
    ask = "난방비 지원 중에 어떤 게 좋아요"
    assert Retriever(kb).retrieve(ask).unsupported == ["recommend"]
    topics = [replace(t, questions=(*t.questions, "보일러 지원 어떤 게 좋아요")) if t.id == "energy_voucher" else t
              for t in kb.topics]
    r = Retriever(KnowledgeBase(topics=topics, path="test", synonyms=kb.synonyms)).retrieve(ask)
    assert r.top.topic_id == "energy_voucher" and r.unsupported == []


# -- compound nouns and the asked-for object ---------------------------------------------------

def test_a_noun_written_as_one_word_is_one_compound():
    a = Analyzer()
    assert ("주민등록증", ("주민", "등록증")) in a.written_compounds("주민등록증 잃어버렸어요")
    assert a.written_compounds("기초 연금 받고 싶어요") == []   # said apart: not one written word


@pytest.mark.parametrize("text, obj", [
    ("주민등록증 잃어버렸는데 다시 만들려면요", ["주민등록증"]),
    ("지하철 노선도 좀 보여 줘요", ["지하철", "노선"]),
    ("보건소 직원 월급은 얼마예요", ["보건소", "직원", "월급"]),   # aspect word 얼마 dropped
])
def test_object_nouns_are_the_last_noun_run(text, obj):
    assert Analyzer().object_nouns(text) == obj


def test_compound_matches_whole_not_by_its_parts(d):
    r = d.retriever
    other = r.retrieve("주민등록번호 변경")
    same = r.retrieve("주민등록등본 떼려면요")
    assert other.features["object_uncovered"] == 1.0 and other.features["uncovered"] == 1.0
    assert same.features["object_uncovered"] == 0.0
    assert _ask(d, "주민등록번호 변경").kind in ("ood", "clarify")   # never answered as 등본
    answered = _ask(d, "주민등록등본 떼려면요")
    assert answered.kind == "answer" and answered.topic == "resident_registration_copy"


def test_asked_for_object_the_topic_never_mentions_lowers_confidence(d):
    r = d.retriever
    near = r.retrieve("지하철 노선도 좀 보여 줘요")
    plain = r.retrieve("지하철 공짜로 타려면 어떻게 해요")
    assert near.features["object_uncovered"] > 0.5 > plain.features["object_uncovered"]
    assert near.confidence < plain.confidence
    assert dict(zip(FEATURE_NAMES, r.weights))["object_uncovered"] < 0   # learned, and monotone
