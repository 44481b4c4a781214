"""Learned control intent of a turn: a call for staff, a lost senior, goodbye, greeting, "say it
again" or "slower", or none (a question, out of scope).

Why: the intent patterns (intents._INTENTS) are precise, but each fresh set of senior speech brought
a few new wordings they missed ("수고해요", "누구 좀 와봐", "누구랑 왔는지 모르겠어"). The same kind of
linear model over character n-grams as the aspect model (aspect.py) carries across wordings: each
blind set left out in turn, it named 455 of 545 control turns right at probability 0.6 and fired on
none of 3,008 questions, crises and out-of-scope turns (`python -m nodes.dialogue.control holdout`).

The policy asks it only when no pattern saw an intent and the turn names no service, and takes its
intent from `threshold` up. A crisis class is learned so that distress is not mistaken for a control
intent; crises themselves are moderation's job and this model never decides one.
`python -m nodes.dialogue.control build` trains it (scikit-learn) on data/dialogue/control.tsv.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from nodes.dialogue import aspect

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MODEL = ROOT / "config" / "dialogue" / "control_model.npz"
CORPUS = ROOT / "data" / "dialogue" / "control.tsv"
CONTROL = ("staff", "lost", "goodbye", "greeting", "repeat", "slower")
SETTINGS = {"threshold": 0.6}   # the n-grams and C are the aspect model's (aspect.SETTINGS)


class ControlModel(aspect.AspectModel):
    def intent(self, text: str) -> str | None:
        """A control intent when the model gives it at least `threshold`, else None."""
        best, p = aspect._best(self.probs(text))
        return best if best in CONTROL and p >= self.threshold else None


def load_model(path: str | Path = DEFAULT_MODEL) -> ControlModel | None:
    return ControlModel(path) if Path(path).is_file() else None


def _fit(rows):
    return aspect.train(rows, label=str)


def build(out: Path = DEFAULT_MODEL) -> dict:
    rows = aspect.read_corpus(CORPUS)
    vec, clf = _fit(rows)
    return {"rows": len(rows), **aspect.save(out, vec, clf, SETTINGS["threshold"], 1.0)}


def holdout() -> dict:
    """Each source left out in turn: control turns named right, and turns of other kinds it fired on."""
    rows = aspect.read_corpus(CORPUS)
    out = {}
    for source in sorted({s for _, _, s in rows}):
        vec, clf = _fit([r for r in rows if r[2] != source])
        test = [r for r in rows if r[2] == source]
        got = []
        for p in clf.predict_proba(vec.transform([t for t, _, _ in test])):
            best, pb = aspect._best(dict(zip(clf.classes_, p)))
            got.append(best if best in CONTROL and pb >= SETTINGS["threshold"] else None)
        out[source] = {"control": sum(label in CONTROL for _, label, _ in test),
                       "right": sum(label in CONTROL and g == label for (_, label, _), g in zip(test, got)),
                       "other": sum(label not in CONTROL for _, label, _ in test),
                       "fired": sum(label not in CONTROL and g is not None for (_, label, _), g in zip(test, got))}
    out["all"] = {k: sum(v[k] for v in list(out.values())) for k in ("control", "right", "other", "fired")}
    return out


def main(argv: list[str]) -> int:
    if argv[:1] == ["build"]:
        print(json.dumps(build(), ensure_ascii=False))
    elif argv[:1] == ["holdout"]:
        print(json.dumps(holdout(), ensure_ascii=False))
    else:
        print("usage: python -m nodes.dialogue.control build | holdout", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
