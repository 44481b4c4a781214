"""Retrieval on the shipped knowledge base (config/kb): absorption, numbers, near misses."""

import pytest

from nodes.dialogue.kb import load_kb
from nodes.dialogue.retrieval import FEATURE_NAMES, Retriever


@pytest.fixture(scope="module")
def r():
    return Retriever(load_kb())


@pytest.mark.parametrize("question, topic", [
    ("기초연금 받을 수 있어요?", "basic_pension"),        # not swallowed by basic_and_national_pension
    ("일 이 구 번은 몇 시까지 해요", "call_129"),           # spoken digits
    ("틀리 새로 맞추고 싶어요", "dentures_implants"),       # the KB's _synonyms.yaml
])
def test_ranks_the_right_topic_first(r, question, topic):
    assert r.retrieve(question).top.topic_id == topic


def test_question_with_nothing_of_substance_is_not_in_domain(r):
    assert not r.retrieve("너는 몇 살이야").in_domain


@pytest.mark.parametrize("question", ["내일 비 와요", "트로트 노래 틀어 주세요", "주식 뭐 사야 돼요"])
def test_everyday_questions_are_close_to_the_background(r, question):
    # leave-one-out: the question itself is in the background list, so exclude it when scoring
    res = r.retrieve(question)
    assert not res.in_domain and res.features["background"] > 0.3


def test_near_miss_asks_what_the_topic_never_mentions(r):
    near = r.retrieve("경로당 건물 누가 지었어요").features["uncovered"]
    plain = r.retrieve("경로당 어디 있어요").features["uncovered"]
    assert near > 0.3 > plain


def test_confidence_model_is_monotone_in_score_and_unknown_words(r):
    w = dict(zip(FEATURE_NAMES, r.weights))
    assert w["score"] >= 0 and w["uncovered"] <= 0 and w["background"] <= 0 and w["oov_noun"] <= 0
