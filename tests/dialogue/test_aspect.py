"""The learned aspect model (nodes/dialogue/aspect.py): numpy inference equals the trained model, the
rule for combining it with the patterns, and the policy using it."""

import numpy as np
import pytest

from nodes.dialogue import aspect, intents
from nodes.dialogue.policy import Dialogue, Turn

ROWS = [("기초연금 어디서 신청해요", "where", "a"), ("보청기 어데 가서 맞추노", "where", "a"),
        ("틀니 얼마 들어요", "cost", "a"), ("장기요양 돈 얼매 내야 되노", "cost", "a"),
        ("기초연금 언제 들어와요", "when", "b"), ("독감 주사 언제 맞아요", "when", "b"),
        ("치매안심센터가 뭐 하는 데요", "general", "b"), ("노인일자리 그게 뭐요", "general", "b")]


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("aspect") / "aspects.tsv"
    corpus.write_text("utterance\taspect\tsource\n" + "".join(f"{t}\t{a}\t{s}\n" for t, a, s in ROWS), encoding="utf-8")
    out = corpus.parent / "model.npz"
    aspect.build(out, corpus=corpus)
    return corpus, out


def test_numpy_inference_equals_the_trained_model(model_file):
    corpus, out = model_file
    vec, clf = aspect.train(aspect.read_corpus(corpus))
    m = aspect.AspectModel(out)
    for text in ("틀니 하는 데 돈 얼마나 드노", "보건소 어디 있어요", "완전히 새로운 말"):
        expected = dict(zip(clf.classes_, clf.predict_proba(vec.transform([text]))[0]))
        got = m.probs(text)
        assert set(got) == set(expected)
        assert all(abs(got[c] - expected[c]) < 1e-4 for c in got)
        assert abs(sum(got.values()) - 1.0) < 1e-9


def test_leaving_a_source_out_leaves_its_rows_out(model_file):
    corpus, _ = model_file
    rows = aspect.read_corpus(corpus, without=("a",))
    assert rows and all(s == "b" for _, _, s in rows)


def test_how_the_model_and_the_patterns_combine():
    probs = {"apply": 0.6, "amount": 0.3, "none": 0.1}
    assert aspect.decide(None, probs, 0.5, 0.8) == "apply"          # the patterns see nothing: the model, from 0.5
    assert aspect.decide(None, probs, 0.7, 0.8) is None
    assert aspect.decide("amount", probs, 0.5, 0.8) == "amount"     # they see a facet: the model only from 0.8
    assert aspect.decide("amount", {**probs, "apply": 0.85}, 0.5, 0.8) == "apply"
    assert aspect.decide("phone", probs, 0.5, 0.8) == "phone"       # no class for it: always the patterns
    assert aspect.decide("proxy", {"none": 0.99}, 0.5, 0.8) == "proxy"
    assert aspect.decide(None, {"none": 0.9, "apply": 0.1}, 0.5, 0.8) is None


def test_the_shipped_model_loads_and_knows_the_facets():
    m = aspect.load_model()
    assert m is not None and set(m.classes) == {"amount", "apply", "documents", "eligibility", "none", "proxy", "when"}
    assert m.predict("보청기 어데 가서 맞추는교")[0] == "apply"
    assert m.predict("얼마예요?")[0] == "amount"
    assert m.predict("언제 들어와요?")[0] == "when"


@pytest.fixture(scope="module")
def d():
    return Dialogue(None)


@pytest.mark.parametrize("text,topic,facet", [
    ("독감 주사 맞는 기간이 언제고", "flu_vaccine", "when"),      # no pattern sees "기간이 언제고"
])
def test_an_aspect_only_the_model_sees_is_answered(d, text, topic, facet):
    assert intents.detect_facet(text) is None
    d.reset("s")
    r = d.respond("s", Turn(text, now=100.0))
    if r.intent == "confirm":
        r = d.respond("s", Turn("네", now=101.0))
    assert (r.kind, r.topic, r.intent) == ("answer", topic, f"followup_{facet}")
    off = Dialogue(d.kb, aspect_model="off")
    r = off.respond("s", Turn(text, now=100.0))
    if r.intent == "confirm":
        r = off.respond("s", Turn("네", now=101.0))
    assert r.intent != f"followup_{facet}"


def test_a_missing_model_file_is_refused_with_the_fix(d):
    with pytest.raises(ValueError, match="aspect_model '/nope.npz' is not a file. Fix"):
        Dialogue(d.kb, aspect_model="/nope.npz")


def test_training_rows_live_outside_tests_data():
    assert "tests" not in aspect.CORPUS.parts and aspect.CORPUS.is_file()
    assert len(aspect.read_corpus()) >= 900
    assert np.load(aspect.DEFAULT_MODEL)["coef"].shape[0] == 7
