"""The learned crisis/abuse classifier: its features, its model file (built here from a tiny corpus
with scikit-learn and read back with numpy alone), the shipped model, and how the engine combines
it with the rules."""
import json

import numpy as np
import pytest
from kiwipiepy import Kiwi

from nodes.moderation import classifier as C
from nodes.moderation.bench import Case, load_testset
from nodes.moderation.engine import Moderator


@pytest.fixture(scope="module")
def kiwi():
    return Kiwi()


@pytest.fixture(scope="module")
def mod():
    return Moderator()


def _case(label, cats, text):
    return Case("toy", label, set(cats), set(), False, text, 0)


TOY = [_case("crisis", ["medical"], t) for t in (
    "할아버지가 쓰러졌어요", "남편이 갑자기 쓰러져서 안 일어나요", "가슴이 아파서 숨을 못 쉬겠어요",
    "엄마가 숨을 못 쉬어요", "옆 사람이 쓰러져서 의식이 없어요", "숨이 막혀요 도와주세요")] + \
    [_case("crisis", ["fire"], t) for t in (
        "부엌에 불이 났어요", "연기가 자꾸 나요 불이야", "옆집에 불이 났어요 연기가 나요",
        "가스 냄새가 심하게 나요", "불길이 번지고 있어요", "전기장판에서 불이 붙었어요")] + \
    [_case("allow", [], t) for t in (
        "기초연금 신청은 어디서 해요", "주민등록등본 떼러 왔어요", "오늘 날씨가 좋네요",
        "경로당 프로그램 알려 주세요", "버스 타는 곳이 어디예요", "감사합니다 잘 알겠어요")]


def test_features_cover_morphemes_pairs_and_embedding_neighbours(kiwi):
    f = C.Featurizer(kiwi)
    feats = f("할매가 쓰러져가 눈을 안 뜨요")
    assert "w:쓰러지/VV" in feats and "w:안/MAG" in feats
    assert any(x.startswith("b:안/MA>뜨/VV") for x in feats)
    neighbours = [x for x in feats if x.startswith("s:")]
    assert neighbours and any(n in neighbours for n in ("s:고꾸라지/VV", "s:넘어지/VV", "s:주저앉/VV"))


def test_features_never_see_personal_data(kiwi):
    feats = C.Featurizer(kiwi)("제 번호는 010-2345-6789 이고 주민번호는 520314-2063817 이에요")
    assert not any(d in x for x in feats for d in ("2345", "6789", "520314", "2063817"))


def test_tiny_model_round_trip_matches_scikit_learn(tmp_path, kiwi):
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    f = C.Featurizer(kiwi)
    vocab, coef, intercept, classes = C.fit(TOY, f, min_df=1)
    path = tmp_path / "toy.npz"
    C.save(path, vocab, coef, intercept, classes, TOY)
    clf = C.CrisisClassifier(path, kiwi)
    assert clf.classes == ("allow", "fire", "medical")
    assert clf.threshold == C.SETTINGS["threshold"] and clf.veto == C.SETTINGS["veto"]

    vec = CountVectorizer(analyzer=f, binary=True, min_df=1, lowercase=False)
    ref = LogisticRegression(C=C.SETTINGS["C"], max_iter=5000).fit(
        vec.fit_transform([c.text for c in TOY]), [C.class_of(c) for c in TOY])
    probes = ["아버지가 쓰러지셨어요", "집에 불이 났어요", "기초연금 언제 들어와요", "완전히 새로운 말"]
    want = ref.predict_proba(vec.transform(probes))
    for text, row in zip(probes, want):
        got = clf.predict(text)
        assert [round(got[c], 2) for c in ref.classes_] == pytest.approx([round(x, 2) for x in row], abs=0.011)
    p, category = clf.crisis("아버지가 쓰러지셨어요")
    assert p > 0.5 and category == "medical"
    assert clf.crisis("집에 불이 났어요")[1] == "fire"
    assert clf.crisis("기초연금 언제 들어와요")[0] < 0.5


def test_missing_or_broken_model_says_how_to_rebuild(tmp_path, kiwi):
    with pytest.raises(C.ModelError, match="classifier build"):
        C.CrisisClassifier(tmp_path / "none.npz", kiwi)
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a model")
    with pytest.raises(C.ModelError, match="unreadable.*rebuild"):
        C.CrisisClassifier(bad, kiwi)
    wrong = tmp_path / "wrong.npz"
    np.savez(wrong, vocab=np.array(["w:a/NNG"]), coef=np.zeros((2, 3), np.float16), intercept=np.zeros(3),
             classes=np.array(["allow", "fire", "medical"]), meta=np.array(json.dumps({"threshold": 0.5})))
    with pytest.raises(C.ModelError, match="do not match"):
        C.CrisisClassifier(wrong, kiwi)


def test_shipped_model_is_built_from_the_current_training_rows():
    meta = json.loads(str(np.load(C.DEFAULT_MODEL)["meta"]))
    cases = C.training_cases()
    assert meta["rows"] == len(cases) and meta["fingerprint"] == C.fingerprint(cases), \
        "training rows changed: run `python -m nodes.moderation.classifier build` and commit the model"
    assert meta["settings"] == C.SETTINGS


def test_measuring_splits_are_never_trained_on():
    cases = C.training_cases()
    assert not {c.split for c in cases} & set(C.MEASURE_SPLITS)
    trained = {C._squash(c.text) for c in cases}
    for split in C.MEASURE_SPLITS:
        path = C.ROOT / "data" / "moderation" / "splits" / f"{split}.tsv"
        if path.is_file():
            assert not trained & {C._squash(c.text) for c in load_testset(path)}, split


def test_training_rows_cover_every_class():
    classes = {C.class_of(c) for c in C.training_cases()}
    assert classes == set(C.CLASSES)


def test_everyday_rows_leave_out_topics_that_can_be_crises():
    kb = load_testset(C.CORPUS_DIR / "everyday_kb.tsv", any_split=True)
    dialogue = load_testset(C.CORPUS_DIR / "everyday_dialogue.tsv", any_split=True)
    assert len(kb) > 200 and len(dialogue) > 500
    assert all(c.label == "allow" for c in kb + dialogue)
    assert "검찰이라면서 돈 보내라고 해요" not in {c.text for c in kb + dialogue}      # voice_phishing topic


def test_training_reads_no_test_data_and_includes_natural_negatives():
    import inspect
    source = inspect.getsource(C)
    assert '"tests"' not in source and '"kb"' not in source   # no path into tests/ or the knowledge base
    cases = C.training_cases()
    natural = [c for c in cases if c.split == "natural-train"]
    assert len(natural) > 10000 and all(c.label == "allow" for c in natural)


@pytest.mark.parametrize("text,category", [
    ("영감이 밥 먹다가 갑자기 고개를 푹 떨구고 대답이 없어요", {"medical"}),
    ("우리 며느리가 요즘 나한테만 밥을 안 차려 줘서 라면만 먹고 살아요", {"elder_abuse"}),
    ("어떤 놈이 자꾸 내 뒤를 밟아요 지금도 저기 서 있어", {"crime", "sexual_violence"}),   # stalking: 112 or 1366
])
def test_classifier_finds_crises_the_rules_miss(mod, text, category):
    rules = Moderator(use_classifier=False)
    assert rules.check(text).label == "allow"
    v = mod.check(text)
    assert v.label == "crisis" and v.alert and len(v.categories) == 1 and v.categories[0] in category
    assert v.hotline == {c.name: c.hotline for c in mod.crisis.categories}[v.categories[0]]


def test_veto_and_threshold_are_what_decide(mod):
    m = Moderator(crisis_veto=1.01)                # every rule hit vetoed
    assert m.check("가슴이 너무 아파요").label == "allow"
    m = Moderator(crisis_veto=0.0, crisis_threshold=1.01)
    assert m.check("가슴이 너무 아파요").label == "crisis"
    everything = Moderator(crisis_threshold=0.0)   # the model raises all it may
    assert everything.check("기초연금 신청하려고 왔는데 서류는 무엇을 가져와야 하는지 알려 주세요").label == "crisis"
    # ... but a short utterance needs short_threshold: one word must not decide it.
    assert everything.check("기초연금 신청하려고요").label == "allow"
    # ... but never over a frame or an exclusion the rules recognise for that category.
    assert everything.check("뉴스에서 아파트에 불이 났다는 소식 봤어요").label == "allow"
    assert everything.check("요즘은 가슴이 하나도 안 아파요").label == "allow"


def test_model_adds_hate_sexual_and_threats_but_never_profanity():
    m = Moderator(abuse_threshold=0.0)
    for innocent in ("18세 이상", "시발점이 어디예요", "개발 중인 기계예요"):
        assert m.check(innocent).label != "abuse", innocent
    v = Moderator().check("휘발유 들고 와서 이 복지관 다 태워버릴 거여")
    assert v.label in ("abuse", "crisis")
    if v.label == "abuse":
        assert v.categories == ["threat"]


def test_holdout_refuses_splits_it_does_not_train_on():
    with pytest.raises(SystemExit, match="not training splits: blind4"):
        C.holdout(["blind4"])          # a measuring split: never trained on, so nothing to hold out


def test_evidence_spans_never_carry_personal_data(mod):
    for text in ("우리 영감이 밥 먹다가 고개를 푹 떨구고 대답이 없어요 제 번호는 010-4821-3376이에요",
                 "가슴이 너무 아파요 주민번호 800101-1234567 불러 드릴게요",
                 "공일공 천이백삼십사 오천육백칠십팔로 전화 주세요 씨발 빨리"):
        v = mod.check(text)
        assert v.label != "allow" and v.spans
        for s in v.spans:
            assert not any(d in s.text for d in ("4821", "3376", "1234567", "천이백삼십사")), (s, text)
