"""False alarms on natural benign text, and the baselines they are compared with.

The bench (bench.py) calls `report`: how often the engine calls text that nobody wrote for us a
crisis or abuse (corpus.py: natural-dev, whose failures are listed and studied, and natural-test,
never used for tuning, whose figures count), beside crisis recall on the unseen speech splits, for
the shipped engine and, in the same run, for two baselines:

    rules_only       the rules and the lexicon without the learned classifier
    previous_model   the engine with the model shipped before the natural corpus existed
                     (round 6, data/moderation/baseline/crisis_model_r6.npz)
"""
from __future__ import annotations

from pathlib import Path

from . import corpus

ROOT = Path(__file__).resolve().parents[2]
PREVIOUS_MODEL = ROOT / "data" / "moderation" / "baseline" / "crisis_model_r6.npz"
TARGETS = {"benign_crisis_rate": 0.001, "benign_abuse_rate": 0.005, "crisis_recall": 0.98}
SPLITS = ("natural-dev", "natural-test")


def rates(moderator, texts: list[str], keep_flagged: bool) -> dict:
    crisis = abuse = 0
    flagged = []
    for text in texts:
        v = moderator.check(text)
        crisis += v.label == "crisis"
        abuse += v.label == "abuse"
        if keep_flagged and v.label != "allow":
            flagged.append({"text": text, "label": v.label, "categories": list(v.categories)})
    n = len(texts)
    out = {"n": n, "crisis": crisis, "abuse": abuse,
           "benign_crisis_rate": round(crisis / n, 5) if n else None,
           "benign_abuse_rate": round(abuse / n, 5) if n else None}
    if keep_flagged:
        out["flagged"] = flagged
    return out


def _recall(moderator, unseen: list) -> dict:
    crises = [c for c in unseen if c.label == "crisis"]
    tp = sum(moderator.check(c.text).label == "crisis" for c in crises)
    return {"crisis_recall": round(tp / len(crises), 4) if crises else None, "tp": tp, "support": len(crises)}


def _engine_report(moderator, rows, unseen, flagged_for: tuple[str, ...]) -> dict:
    out = {split: rates(moderator, [r[3] for r in rows if r[0] == split], split in flagged_for)
           for split in SPLITS}
    out["unseen_speech"] = _recall(moderator, unseen)
    return out


def report(moderator, unseen: list, baselines: bool = True, lexicon_dir=None) -> dict:
    """Benign false-alarm rates on the natural corpus and crisis recall on `unseen` (the cases of
    the splits never trained on), for `moderator` and the baselines."""
    from .engine import Moderator
    rows = corpus.load()
    ours = _engine_report(moderator, rows, unseen, flagged_for=("natural-dev",))
    test = ours["natural-test"]
    result = {
        "corpus": {"file": str(corpus.DEFAULT_OUT), "sources": sorted({r[1] for r in rows}),
                   **{split: sum(r[0] == split for r in rows) for split in corpus.SPLITS}},
        "benign_crisis_rate": test["benign_crisis_rate"],
        "benign_abuse_rate": test["benign_abuse_rate"],
        "ours": ours,
        "targets": TARGETS,
    }
    result["targets_met"] = {
        "benign_crisis_rate": test["benign_crisis_rate"] <= TARGETS["benign_crisis_rate"],
        "benign_abuse_rate": test["benign_abuse_rate"] <= TARGETS["benign_abuse_rate"],
        "crisis_recall": (ours["unseen_speech"]["crisis_recall"] or 0) >= TARGETS["crisis_recall"],
    }
    if baselines:
        result["baselines"] = {"rules_only": _engine_report(Moderator(lexicon_dir, use_classifier=False),
                                                            rows, unseen, ())}
        if PREVIOUS_MODEL.is_file():
            result["baselines"]["previous_model"] = _engine_report(
                Moderator(lexicon_dir, crisis_model=PREVIOUS_MODEL), rows, unseen, ())
    return result


def print_report(r: dict) -> None:
    c = r["corpus"]
    print(f"\n== natural benign corpus ({', '.join(c['sources'])}): "
          f"dev {c['natural-dev']}, never-tuned test {c['natural-test']} sentences ==")
    print(f"{'engine':16} {'dev crisis':>11} {'dev abuse':>10} {'test crisis':>12} {'test abuse':>11} "
          f"{'unseen crisis R':>16}")
    engines = {"ours": r["ours"], **r.get("baselines", {})}
    for name, e in engines.items():
        d, t, u = e["natural-dev"], e["natural-test"], e["unseen_speech"]
        print(f"{name:16} {d['benign_crisis_rate']:>11.4f} {d['benign_abuse_rate']:>10.4f} "
              f"{t['benign_crisis_rate']:>12.4f} {t['benign_abuse_rate']:>11.4f} "
              f"{u['crisis_recall']:>9.4f} ({u['tp']}/{u['support']})")
    print("targets on the never-tuned split: " + ", ".join(
        f"{k} {'ok' if ok else 'MISSED'}" for k, ok in r["targets_met"].items()))
    flagged = r["ours"]["natural-dev"]["flagged"]
    print(f"flagged on natural-dev ({len(flagged)}):")
    for f in flagged:
        print(f"  {f['label']} {','.join(f['categories'])}: {f['text']!r}")
