"""The optional ML backend loads a local checkpoint (a tiny random BERT built here) and can
raise an utterance the lexicon allowed; it never overrides a crisis."""
import json

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from nodes.moderation.engine import Moderator  # noqa: E402
from nodes.moderation.ml import TransformersClassifier, category_for_label  # noqa: E402

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "안", "녕", "하", "세", "요", "죽", "고", "싶", "어"]


def _tiny_checkpoint(path, id2label, problem_type=None):
    vocab = path / "vocab.txt"
    vocab.write_text("\n".join(VOCAB) + "\n", encoding="utf-8")
    tokenizer = transformers.BertTokenizerFast(vocab_file=str(vocab))
    config = transformers.BertConfig(
        vocab_size=len(VOCAB), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=32, max_position_embeddings=64, num_labels=len(id2label),
        id2label=id2label, label2id={v: k for k, v in id2label.items()}, problem_type=problem_type)
    torch.manual_seed(0)
    model = transformers.BertForSequenceClassification(config)
    out = path / "model"
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    return _tiny_checkpoint(tmp_path_factory.mktemp("ml"), {0: "clean", 1: "hate"})


def test_loads_local_checkpoint_and_predicts(checkpoint):
    assert json.loads((checkpoint / "config.json").read_text())["id2label"] == {"0": "clean", "1": "hate"}
    clf = TransformersClassifier(checkpoint)
    probs = clf.predict("안녕하세요")
    assert set(probs) == {"clean", "hate"}
    assert sum(probs.values()) == pytest.approx(1.0, abs=1e-5)
    p, category = clf.abuse_probability("안녕하세요")
    assert p == pytest.approx(probs["hate"], abs=1e-6)
    assert category == "hate"


def test_multi_label_checkpoint_uses_sigmoid(tmp_path):
    path = _tiny_checkpoint(tmp_path, {0: "none", 1: "sexual", 2: "threat"}, "multi_label_classification")
    clf = TransformersClassifier(path)
    probs = clf.predict("안녕")
    p, category = clf.abuse_probability("안녕")
    assert p == pytest.approx(max(probs["sexual"], probs["threat"]), abs=1e-6)
    assert category in ("sexual", "threat")


def test_missing_directory_fails_clearly(tmp_path):
    with pytest.raises(FileNotFoundError):
        TransformersClassifier(tmp_path / "nope")


def test_moderator_combines_ml_with_lexicon(checkpoint):
    always = Moderator(ml_model_dir=checkpoint, ml_threshold=0.0)
    v = always.check("안녕하세요")
    assert v.label == "abuse" and v.categories == ["hate"]
    p, _ = TransformersClassifier(checkpoint).abuse_probability("안녕하세요")
    assert v.score == pytest.approx(p, abs=1e-6)
    assert v.spans[0].category == "hate" and v.spans[0].text == "안녕하세요"
    assert always.check("죽고 싶어요").label == "crisis"     # ML never overrides a crisis

    never = Moderator(ml_model_dir=checkpoint, ml_threshold=1.01)
    allowed = never.check("안녕하세요")
    assert allowed.label == "allow" and allowed.score == pytest.approx(p, abs=1e-6)
    assert never.check("씨발").categories == ["profanity"]   # lexicon evidence still counts


@pytest.mark.parametrize("label, category", [("hate", "hate"), ("혐오", "hate"), ("SEXUAL", "sexual"),
                                             ("threat", "threat"), ("offensive", "profanity")])
def test_label_names_map_to_categories(label, category):
    assert category_for_label(label) == category
