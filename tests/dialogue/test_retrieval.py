from pathlib import Path

import pytest

from nodes.dialogue.kb import load_kb
from nodes.dialogue.retrieval import Analyzer, Bm25, Retriever, RetrievalParams

KB_DIR = Path(__file__).resolve().parent / "fixtures" / "kb"


@pytest.fixture(scope="module")
def r():
    return Retriever(load_kb(KB_DIR))


def test_morphemes_drop_particles_and_endings_and_join_compounds():
    a = Analyzer()
    terms = a.morphemes("기초 연금은 어디서 신청해요?")
    assert {"기초", "연금", "기초연금", "신청"} <= set(terms)
    assert not {"은", "서", "어요", "하"} & set(terms)


def test_synonym_map_expands_colloquial_phrases():
    a = Analyzer({"기초연금": ["노인 돈"]})
    assert a.expand("노인돈 얼마예요").endswith("기초연금")
    assert a.expand("얼마예요") == "얼마예요"


def test_bm25_prefers_matching_document():
    bm = Bm25([["기초", "연금"], ["치매", "검사"], ["연금", "국민"]])
    s = bm.scores({"치매"})
    assert s.argmax() == 1 and s[0] == 0


@pytest.mark.parametrize("question, topic", [
    ("노인 돈 얼마 나와요", "basic_pension"),          # colloquial, via the KB's synonym map
    ("기초연금신청은어디서해요", "basic_pension"),     # STT dropped every space
    ("치매 검사 받고 싶어요", "dementia_center"),
    ("틀니 보험 돼요", "dentures"),
    ("난방비 지원 있어요", "energy_voucher"),
    ("직원 좀 불러 주세요", "staff_call"),
])
def test_paraphrases_rank_right_topic_first(r, question, topic):
    res = r.retrieve(question)
    assert res.top.topic_id == topic and res.in_domain


@pytest.mark.parametrize("question", ["오늘 야구 누가 이겼어요", "김치찌개 맛있게 끓이는 법", "주식 지금 사도 돼요"])
def test_out_of_domain_rejected(r, question):
    assert not r.retrieve(question).in_domain


def test_calibration_comes_from_kb_examples(r):
    c = r.calibration
    assert 0 < c["threshold"] <= 0.5
    assert c["in_domain_examples"] > 10 and c["ood_examples"] > 30
    assert c["loo_false_reject"] <= 0.05


def test_dense_backend_is_lazy_and_loads_a_local_model(tmp_path):
    transformers = pytest.importorskip("transformers")
    torch = pytest.importorskip("torch")
    from tokenizers import Tokenizer, models, pre_tokenizers

    from nodes.dialogue.retrieval import DenseEncoder

    # a tiny random BERT saved locally: tests the loading and pooling path, not quality
    chars = sorted({c for t in load_kb(KB_DIR).topics for q in t.questions for c in q if not c.isspace()})
    vocab = {w: i for i, w in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", *chars])}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Split("", "isolated")
    fast = transformers.PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="[PAD]", unk_token="[UNK]")
    fast.save_pretrained(tmp_path)
    cfg = transformers.BertConfig(vocab_size=len(vocab), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                                  intermediate_size=32, max_position_embeddings=64)
    torch.manual_seed(0)
    transformers.BertModel(cfg).save_pretrained(tmp_path)
    enc = DenseEncoder(str(tmp_path))
    assert enc._model is None  # nothing loaded until first use
    vecs = enc.encode(["기초연금 얼마", "치매 검사"])
    assert vecs.shape == (2, 16) and abs(float((vecs[0] ** 2).sum()) - 1.0) < 1e-4
    rr = Retriever(load_kb(KB_DIR), RetrievalParams(dense_model_path=str(tmp_path)))
    assert rr.retrieve("치매 검사 받고 싶어요").top is not None
