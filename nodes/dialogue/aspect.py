"""Learned aspect of a service question: which facet it asks for (where or how to apply, who is
eligible, how much, what to bring, when), or none.

Why: the facet patterns (intents._FACETS) are precise on the wordings they were written for, but
on each fresh set of senior speech (blind2-5) a third of the missed answers found the right topic
and answered the wrong aspect ("나라에서 틀니 해 주는 거 보건소 가믄 되나" is where, not whether).
A linear model over character n-grams of the question, in the words said and in standard form,
carries across topics and dialects. Trained on the other blind sets and scored on the one left out,
it judged the aspect right on 0.88 of 924 answer rows against 0.82 for the patterns, which had
been tuned on all of them, and 0.89 combined with them as the policy does (`python -m
nodes.dialogue.aspect holdout`).

    model = load_model()                         # config/dialogue/aspect_model.npz, or None
    model.predict("틀니 하는 거 돈 얼매 드노")     # ("amount", 0.93)

Where the patterns see no facet, the policy takes the model's when its probability is at least
`threshold`; where they see one, the model's differing facet wins only from `override` up. A facet the
model has no class for (a phone number, someone going instead, more detail) is the patterns' job. At run time only numpy is needed;
`python -m nodes.dialogue.aspect build` trains it (scikit-learn, requirements-test.txt) on
data/dialogue/aspects.tsv: the answer rows of the blind senior sets, each labelled by its writer.
"""
from __future__ import annotations

import sys
from collections import Counter
from functools import lru_cache
from pathlib import Path

import numpy as np

from nodes.dialogue import intents

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MODEL = ROOT / "config" / "dialogue" / "aspect_model.npz"
CORPUS = ROOT / "data" / "dialogue" / "aspects.tsv"
# a writer's aspect label -> the facet that answers it ("none": the topic's main answer)
FACET_OF = {"where": "apply", "how": "apply", "who": "eligibility", "cost": "amount", "documents": "documents",
            "when": "when", "eligibility": "eligibility", "proxy": "proxy", "general": "none"}
# threshold: the model's probability that decides where the patterns see no facet; override: where they
# see one, the model's differing facet wins only from this probability up (held out over the five
# sets: 0.884 judged right with 0.5, 0.892 with 0.8; the patterns are precise where they fire)
SETTINGS = {"ngrams": (1, 4), "C": 10.0, "threshold": 0.5, "override": 0.8}


def grams(text: str) -> list[str]:
    """Character n-grams of the question as said and in standard form, squeezed (STT spacing)."""
    lo, hi = SETTINGS["ngrams"]
    out = []
    for view in intents.views(text):
        w = f" {view} "
        out += [w[i:i + n] for n in range(lo, hi + 1) for i in range(len(w) - n + 1)]
    return out


class AspectModel:
    def __init__(self, path: str | Path = DEFAULT_MODEL) -> None:
        with np.load(path, allow_pickle=False) as data:
            self.index = {str(g): i for i, g in enumerate(data["vocab"])}
            self.idf = data["idf"].astype(np.float64)
            self.coef = data["coef"].astype(np.float64)
            self.intercept = data["intercept"].astype(np.float64)
            self.classes = [str(c) for c in data["classes"]]
            self.threshold = float(data["threshold"])
            self.override = float(data["override"])

    def probs(self, text: str) -> dict[str, float]:
        """Tf-idf (sublinear, l2) of the n-grams, then the multinomial logistic model."""
        counts = Counter(self.index[g] for g in grams(text) if g in self.index)
        z = self.intercept.copy()
        if counts:
            idx = np.fromiter(counts, dtype=np.int64)
            x = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64))) * self.idf[idx]
            z += self.coef[:, idx] @ (x / np.linalg.norm(x))
        p = np.exp(z - z.max())
        return dict(zip(self.classes, (p / p.sum()).tolist()))

    def predict(self, text: str) -> tuple[str | None, float]:
        """(facet or None for the main answer, its probability)."""
        return _best(self.probs(text))

    def facet(self, text: str, rule: str | None) -> str | None:
        """The facet asked for, given the patterns' (`rule`): see the module's docstring."""
        return decide(rule, self.probs(text), self.threshold, self.override)


def _best(probs: dict[str, float]) -> tuple[str | None, float]:
    best = max(probs, key=probs.get)
    return (None if best == "none" else best), probs[best]


def decide(rule: str | None, probs: dict[str, float], threshold: float, override: float) -> str | None:
    # someone else going is what the patterns see best; older sets labelled it "who" (eligibility)
    if rule is not None and (rule not in probs or rule == "proxy"):
        return rule
    learned, p = _best(probs)
    return learned if p >= (threshold if rule is None else override) else rule


@lru_cache(maxsize=4)
def load_model(path: str | Path = DEFAULT_MODEL) -> AspectModel | None:
    """The model, or None when the file is absent (the patterns alone decide then)."""
    return AspectModel(path) if Path(path).is_file() else None


# --- training (scikit-learn) -----------------------------------------------------------------
def read_corpus(path: Path = CORPUS, without: tuple[str, ...] = ()) -> list[tuple[str, str, str]]:
    """(utterance, aspect, source) rows, leaving out the named sources."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        if line.strip() and not line.startswith("#"):
            text, aspect, source = line.split("\t")
            if source not in without:
                rows.append((text, aspect, source))
    return rows


def train(rows: list[tuple[str, str, str]], label=FACET_OF.__getitem__):
    """Tf-idf of the n-grams and a multinomial logistic model; `label` maps a row's label to its class."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(analyzer=grams, sublinear_tf=True)
    x = vec.fit_transform([t for t, _, _ in rows])
    clf = LogisticRegression(C=SETTINGS["C"], max_iter=5000).fit(x, [label(a) for _, a, _ in rows])
    return vec, clf


def save(out: Path, vec, clf, threshold: float, override: float) -> dict:
    """The trained model as the .npz that AspectModel reads."""
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, vocab=np.array(vec.get_feature_names_out(), dtype=str), idf=vec.idf_.astype(np.float32),
                        coef=clf.coef_.astype(np.float32), intercept=clf.intercept_.astype(np.float32),
                        classes=np.array(clf.classes_, dtype=str), threshold=np.float32(threshold),
                        override=np.float32(override))
    return {"features": len(vec.idf_), "classes": list(clf.classes_), "out": str(out)}


def build(out: Path = DEFAULT_MODEL, without: tuple[str, ...] = (), corpus: Path = CORPUS) -> dict:
    rows = read_corpus(corpus, without)
    vec, clf = train(rows)
    info = save(out, vec, clf, SETTINGS["threshold"], SETTINGS["override"])
    load_model.cache_clear()
    return {"rows": len(rows), **info}


def holdout() -> dict:
    """Each source left out in turn: the model trained on the rest against the patterns, judged as the
    senior bench judges an aspect (a general question may get any facet; who may be eligibility or proxy)."""
    from nodes.dialogue.bench_seniors import _ASPECT_FACETS
    rows = read_corpus()
    out = {}
    for source in sorted({s for _, _, s in rows}):
        vec, clf = train([r for r in rows if r[2] != source])
        test = [r for r in rows if r[2] == source]
        probs = [dict(zip(clf.classes_, p)) for p in clf.predict_proba(vec.transform([t for t, _, _ in test]))]

        def right(aspect, facet):
            return aspect == "general" or facet in _ASPECT_FACETS.get(aspect, {aspect})
        rules = [intents.detect_facet(t) for t, _, _ in test]
        out[source] = {"n": len(test),
                       "patterns": sum(right(a, f) for (_, a, _), f in zip(test, rules)),
                       "learned": sum(right(a, _best(p)[0]) for (_, a, _), p in zip(test, probs)),
                       "combined": sum(right(a, decide(f, p, SETTINGS["threshold"], SETTINGS["override"]))
                                       for (_, a, _), f, p in zip(test, rules, probs))}
    n = sum(v["n"] for v in out.values())
    out["all"] = {"n": n, **{k: round(sum(v[k] for v in out.values()) / n, 3)
                             for k in ("patterns", "learned", "combined")}}
    return out


def main(argv: list[str]) -> int:
    import json
    if argv[:1] == ["build"]:
        print(json.dumps(build(without=tuple(argv[1:])), ensure_ascii=False))
    elif argv[:1] == ["holdout"]:
        print(json.dumps(holdout(), ensure_ascii=False))
    else:
        print("usage: python -m nodes.dialogue.aspect build [SOURCE_TO_LEAVE_OUT ...] | holdout", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
