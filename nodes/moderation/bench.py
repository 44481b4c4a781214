"""Moderation benchmark: precision and recall per category on the labelled Korean test set.

    python -m nodes.moderation.bench [--json] [--compare] [--repeat N] [--testset PATH]
                                     [--blind3..--blind23 PATH]
    python run.py bench moderation [--json] [--natural all|ours|none]   (run.py calls main(argv))

Prints, for the `main` split: label-level precision/recall for abuse and crisis, per-category
figures, the false-positive rate on hard negatives, latency (mean and p99 per utterance, CPU),
and every case the engine gets wrong; then the same for each other split, and the targets checked
on the splits never trained on (blind4 and blind20 to blind23, files of their own in data/moderation/splits,
loaded when present), which estimate behaviour on unseen speech. The blind, blind2, blind3 and
blind5..blind19 splits were each scored once before being used as development or training data, so their
figures are no longer estimates. The `heldback` split (known failures) is listed separately.
--compare scores korcen and nerv-filter on the same rows when they are installed (they only say
"profane or not", so they are scored as an abuse detector).
Then benign false alarms (benign.py): benign_crisis_rate and benign_abuse_rate on the natural
corpus (corpus.py; dev and the never-tuned test split apart), beside crisis recall on the unseen
speech splits, for the shipped engine and, in the same run, the rules alone and the previous model.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .engine import ABUSE_CATEGORIES, CRISIS_CATEGORIES, Moderator

DEFAULT_TESTSET = Path(__file__).resolve().parents[2] / "data" / "moderation" / "splits" / "testset.tsv"
# A separate file so that it can be written independently of the engine; loaded when present.
DEFAULT_BLIND3 = DEFAULT_TESTSET.with_name("blind3.tsv")
DEFAULT_BLIND4 = DEFAULT_TESTSET.with_name("blind4.tsv")
PII_KINDS = ("rrn", "mobile", "landline", "card", "account", "email")
# main: the tuning set. blind, blind2, blind3: each written blind, scored once, then used as
# development data. blind5 to blind19: written independently, scored once, then used to develop
# the crisis classifier and added to its training rows. blind4 and blind20 to blind23: written
# independently and never trained on, so their figures estimate behaviour on unseen speech
# (blind4 helped pick among classifier settings; blind20 to blind23 were first scored after the
# final settings were frozen). heldback: known failures.
BLIND_SPLITS = ("blind", "blind2", "blind3", "blind4", *(f"blind{n}" for n in range(5, 24)))
INDEPENDENT_SPLITS = ("blind4", "blind20", "blind21", "blind22", "blind23")
# Splits kept in files of their own (data/moderation/splits/<split>.tsv), read when present.
FILE_SPLITS = ("blind3", "blind4", *(f"blind{n}" for n in range(5, 24)))
BLIND_TITLES = {"blind": "blind split (development data since the 2026-11 rework)",
                "blind2": "blind2 split (development data since the 2026-11-25 fixes)",
                "blind3": "blind3 split (development data since the second 2026-11-25 fixes)",
                "blind4": "blind4 split (independent, never trained on; helped choose classifier settings)",
                **{f"blind{n}": f"blind{n} split (scored once, then classifier training data)" for n in range(5, 20)},
                **{f"blind{n}": f"blind{n} split (independent, never trained on or looked at before scoring)"
                   for n in range(20, 24)}}
SPLITS = ("main", *BLIND_SPLITS, "heldback")
TARGETS = {"crisis_recall": 0.98, "abuse_precision": 0.95, "abuse_recall": 0.90,
           "hard_negative_fp_rate": 0.02, "latency_mean_ms": 5.0}


@dataclass
class Case:
    split: str
    label: str
    categories: set[str]
    pii: set[str]
    hard: bool
    text: str
    line: int


def load_testset(path: Path = DEFAULT_TESTSET, any_split: bool = False) -> list[Case]:
    """Rows of a labelled TSV file; any_split accepts split names beyond SPLITS (training corpora)."""
    cases = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#") or line.startswith("split\t"):
                continue
            cols = line.split("\t")
            if len(cols) != 6:
                raise ValueError(f"{path}:{n}: expected 6 tab-separated columns, got {len(cols)}")
            split, label, cats, pii, hard, text = cols
            if label not in ("allow", "abuse", "crisis") or not (any_split or split in SPLITS):
                raise ValueError(f"{path}:{n}: bad split or label")
            known = ABUSE_CATEGORIES if label == "abuse" else CRISIS_CATEGORIES if label == "crisis" else ()
            if not _set(cats) <= set(known) or (label != "allow" and not _set(cats)):
                raise ValueError(f"{path}:{n}: categories {cats!r} do not fit label {label!r} "
                                 f"(known: {', '.join(known) or '-'})")
            cases.append(Case(split, label, _set(cats), _set(pii), hard == "1", text, n))
    return cases


def _set(col: str) -> set[str]:
    return set() if col == "-" else {c.strip() for c in col.split(",")}


def _pr(tp: int, fp: int, fn: int) -> dict:
    return {"precision": round(tp / (tp + fp), 4) if tp + fp else None,
            "recall": round(tp / (tp + fn), 4) if tp + fn else None,
            "tp": tp, "fp": fp, "fn": fn, "support": tp + fn}


def score(cases: list[Case], predictions: list[tuple[str, set[str], set[str]]]) -> dict:
    """predictions: (label, categories, pii kinds) per case."""
    report: dict = {"n": len(cases), "labels": {}, "categories": {}}
    for label in ("abuse", "crisis"):
        tp = sum(c.label == label and p[0] == label for c, p in zip(cases, predictions))
        fp = sum(c.label != label and p[0] == label for c, p in zip(cases, predictions))
        fn = sum(c.label == label and p[0] != label for c, p in zip(cases, predictions))
        report["labels"][label] = _pr(tp, fp, fn)
    for cat in ABUSE_CATEGORIES + CRISIS_CATEGORIES + PII_KINDS:
        gold_of = (lambda c: c.pii) if cat in PII_KINDS else (lambda c: c.categories)
        pred_of = (lambda p: p[2]) if cat in PII_KINDS else (lambda p: p[1])
        tp = sum(cat in gold_of(c) and cat in pred_of(p) for c, p in zip(cases, predictions))
        fp = sum(cat not in gold_of(c) and cat in pred_of(p) for c, p in zip(cases, predictions))
        fn = sum(cat in gold_of(c) and cat not in pred_of(p) for c, p in zip(cases, predictions))
        report["categories"][cat] = _pr(tp, fp, fn)
    hard = [(c, p) for c, p in zip(cases, predictions) if c.hard]
    hard_fp = sum(p[0] != "allow" for _, p in hard)
    report["hard_negatives"] = {"n": len(hard), "false_positives": hard_fp,
                                "fp_rate": round(hard_fp / len(hard), 4) if hard else None}
    return report


def _failures(cases: list[Case], predictions) -> list[dict]:
    out = []
    for c, (label, cats, pii) in zip(cases, predictions):
        if label != c.label or cats != c.categories or pii != c.pii:
            out.append({"line": c.line, "text": c.text,
                        "expected": [c.label, sorted(c.categories), sorted(c.pii)],
                        "got": [label, sorted(cats), sorted(pii)]})
    return out


def run_engine(moderator: Moderator, cases: list[Case], repeat: int) -> tuple[list, list[float]]:
    for c in cases[:20]:  # warm-up: Kiwi's first calls are slower
        moderator.check(c.text)
    predictions, times = [], []
    for _ in range(repeat):
        predictions = []
        for c in cases:
            t0 = time.perf_counter()
            v = moderator.check(c.text)
            times.append((time.perf_counter() - t0) * 1000)
            predictions.append((v.label, set(v.categories), set(v.pii)))
    return predictions, times


def _latency(times: list[float]) -> dict:
    ordered = sorted(times)
    return {"mean_ms": round(statistics.fmean(times), 3),
            "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 3),
            "calls": len(times)}


def compare_libraries(cases: list[Case]) -> dict:
    """Score korcen and nerv-filter as abuse detectors (flagged -> abuse) where installed."""
    results = {}
    detectors = {}
    try:
        from korcen import korcen  # type: ignore
        detectors["korcen"] = lambda t: bool(korcen.check(t))
    except ImportError:
        results["korcen"] = "not installed"
    try:
        from nerv_filter import NervFilter  # type: ignore
        flt = NervFilter()
        detectors["nerv-filter"] = lambda t: flt.analyze(t).action.value != "NORMAL"
    except ImportError:
        results["nerv-filter"] = "not installed"
    for name, flagged in detectors.items():
        preds, times = [], []
        for c in cases:
            t0 = time.perf_counter()
            hit = flagged(c.text)
            times.append((time.perf_counter() - t0) * 1000)
            preds.append(("abuse" if hit else "allow", set(), set()))
        rep = score(cases, preds)
        results[name] = {"abuse": rep["labels"]["abuse"],
                         "crisis_recall": 0.0,
                         "hard_negatives": rep["hard_negatives"],
                         "flagged_crisis_rows": sum(p[0] == "abuse" and c.label == "crisis"
                                                    for c, p in zip(cases, preds)),
                         "latency": _latency(times)}
    return results


def _fmt(x) -> str:
    return "  -  " if x is None else f"{x:.3f}"


def _print_report(name: str, rep: dict) -> None:
    print(f"\n== {name}: {rep['n']} utterances ==")
    print(f"{'':18} {'precision':>9} {'recall':>7} {'support':>7} {'fp':>4} {'fn':>4}")
    for label, r in rep["labels"].items():
        print(f"{'[' + label + ']':18} {_fmt(r['precision']):>9} {_fmt(r['recall']):>7} "
              f"{r['support']:>7} {r['fp']:>4} {r['fn']:>4}")
    for cat, r in rep["categories"].items():
        if r["support"] or r["fp"]:
            print(f"{cat:18} {_fmt(r['precision']):>9} {_fmt(r['recall']):>7} "
                  f"{r['support']:>7} {r['fp']:>4} {r['fn']:>4}")
    h = rep["hard_negatives"]
    print(f"hard negatives: {h['false_positives']}/{h['n']} flagged (fp rate {_fmt(h['fp_rate'])})")


def _targets_met(rep: dict, latency: dict) -> dict:
    return {
        "crisis_recall": (rep["labels"]["crisis"]["recall"] or 0) >= TARGETS["crisis_recall"],
        "abuse_precision": (rep["labels"]["abuse"]["precision"] or 0) >= TARGETS["abuse_precision"],
        "abuse_recall": (rep["labels"]["abuse"]["recall"] or 0) >= TARGETS["abuse_recall"],
        "hard_negative_fp_rate": (rep["hard_negatives"]["fp_rate"] or 0) <= TARGETS["hard_negative_fp_rate"],
        "latency_mean_ms": latency["mean_ms"] <= TARGETS["latency_mean_ms"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench moderation", description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    parser.add_argument("--compare", action="store_true", help="also score korcen and nerv-filter")
    parser.add_argument("--repeat", type=int, default=5, help="passes over the set for latency")
    parser.add_argument("--testset", type=Path, default=DEFAULT_TESTSET)
    for split in FILE_SPLITS:
        parser.add_argument(f"--{split}", type=Path, default=DEFAULT_TESTSET.with_name(f"{split}.tsv"),
                            help=f"file of the {split} split, read when it exists")
    parser.add_argument("--lexicon-dir", type=Path, default=None)
    parser.add_argument("--natural", choices=("all", "ours", "none"), default="all",
                        help="false alarms on the natural benign corpus: with the baselines (all), "
                             "the shipped engine only (ours) or not at all (none)")
    args = parser.parse_args(argv)

    cases = load_testset(args.testset)
    extra_files = {}
    for split, path in ((split, getattr(args, split)) for split in FILE_SPLITS):
        if path and path.is_file():
            extra = load_testset(path)
            wrong = [c.line for c in extra if c.split != split]
            if wrong:
                raise ValueError(f"{path}:{wrong[0]}: rows of this file must have split {split}")
            cases += extra
            extra_files[split] = path
    main_cases = [c for c in cases if c.split == "main"]
    held = [c for c in cases if c.split == "heldback"]
    blinds = {name: [c for c in cases if c.split == name] for name in BLIND_SPLITS}
    t0 = time.perf_counter()
    moderator = Moderator(args.lexicon_dir)
    load_s = time.perf_counter() - t0
    preds, times = run_engine(moderator, main_cases, max(1, args.repeat))
    held_preds, _ = run_engine(moderator, held, 1) if held else ([], [])
    blind_preds = {name: run_engine(moderator, rows, 1)[0] if rows else []
                   for name, rows in blinds.items()}

    result = {
        "testset": str(args.testset),
        **{f"{split}_file": str(extra_files[split]) if split in extra_files else None for split in FILE_SPLITS},
        "main": score(main_cases, preds),
        "latency": _latency(times),
        "load_s": round(load_s, 3),
        "failures": _failures(main_cases, preds),
        **{name: {"score": score(rows, blind_preds[name]), "failures": _failures(rows, blind_preds[name])}
           if rows else None for name, rows in blinds.items()},
        "heldback": {"score": score(held, held_preds) if held else None,
                     "cases": [{"line": c.line, "text": c.text,
                                "expected": [c.label, sorted(c.categories), sorted(c.pii)],
                                "got": [p[0], sorted(p[1]), sorted(p[2])]}
                               for c, p in zip(held, held_preds)]},
        "all": score(main_cases + sum(blinds.values(), []) + held,
                     preds + sum(blind_preds.values(), []) + held_preds),
        "independent": score(sum((blinds[n] for n in INDEPENDENT_SPLITS), []),
                             sum((blind_preds[n] for n in INDEPENDENT_SPLITS), []))
        if any(blinds[n] for n in INDEPENDENT_SPLITS) else None,
        "targets": TARGETS,
    }
    m = result["main"]
    result["targets_met"] = _targets_met(m, result["latency"])
    if result["independent"]:
        result["targets_met_independent"] = _targets_met(result["independent"], result["latency"])
    if args.natural != "none":
        from .benign import report
        unseen = sum((blinds[n] for n in INDEPENDENT_SPLITS), [])
        result["natural"] = report(moderator, unseen, baselines=args.natural == "all", lexicon_dir=args.lexicon_dir)
        result["benign_crisis_rate"] = result["natural"]["benign_crisis_rate"]
        result["benign_abuse_rate"] = result["natural"]["benign_abuse_rate"]
    if args.compare:
        result["compare"] = {"main": compare_libraries(main_cases),
                             **{name: compare_libraries(rows) if rows else None
                                for name, rows in blinds.items()}}

    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
        return 0

    _print_report("main split", m)
    lat = result["latency"]
    print(f"latency: mean {lat['mean_ms']:.3f} ms, p99 {lat['p99_ms']:.3f} ms over {lat['calls']} calls "
          f"(CPU, one thread; Moderator() load {result['load_s']:.2f} s)")
    print("targets: " + ", ".join(f"{k} {'ok' if ok else 'MISSED'}" for k, ok in result["targets_met"].items()))
    print(f"\nfailures on main split ({len(result['failures'])}):")
    for f in result["failures"]:
        print(f"  line {f['line']}: {f['text']!r} expected {f['expected']} got {f['got']}")
    for name, rows in blinds.items():
        if not rows:
            continue
        _print_report(BLIND_TITLES[name], result[name]["score"])
        print(f"failures on {name} split ({len(result[name]['failures'])}):")
        for f in result[name]["failures"]:
            print(f"  line {f['line']}: {f['text']!r} expected {f['expected']} got {f['got']}")
    if held:
        hs = result["heldback"]["score"]
        print(f"\nheld-back known failures ({len(held)}; not in the figures above; "
              f"abuse recall {_fmt(hs['labels']['abuse']['recall'])}, "
              f"crisis recall {_fmt(hs['labels']['crisis']['recall'])}):")
        for c in result["heldback"]["cases"]:
            print(f"  line {c['line']}: {c['text']!r} expected {c['expected']} got {c['got']}")
    a = result["all"]
    together = " + ".join(["main", *(n for n, rows in blinds.items() if rows), *(["held-back"] if held else [])])
    print(f"\n{together} together ({a['n']}): abuse P {_fmt(a['labels']['abuse']['precision'])} "
          f"R {_fmt(a['labels']['abuse']['recall'])}, crisis P {_fmt(a['labels']['crisis']['precision'])} "
          f"R {_fmt(a['labels']['crisis']['recall'])}, hard-negative fp {a['hard_negatives']['false_positives']}/"
          f"{a['hard_negatives']['n']} (rate {_fmt(a['hard_negatives']['fp_rate'])})")
    ind = result["independent"]
    if ind:
        names = " + ".join(n for n in INDEPENDENT_SPLITS if blinds[n])
        print(f"\nunseen speech, {names} ({ind['n']}; never trained on): abuse P "
              f"{_fmt(ind['labels']['abuse']['precision'])} R {_fmt(ind['labels']['abuse']['recall'])}, crisis P "
              f"{_fmt(ind['labels']['crisis']['precision'])} R {_fmt(ind['labels']['crisis']['recall'])}, "
              f"hard-negative fp {ind['hard_negatives']['false_positives']}/{ind['hard_negatives']['n']} "
              f"(rate {_fmt(ind['hard_negatives']['fp_rate'])})")
        print("targets on unseen speech: " + ", ".join(
            f"{k} {'ok' if ok else 'MISSED'}" for k, ok in result["targets_met_independent"].items()))
    if "natural" in result:
        from .benign import print_report
        print_report(result["natural"])
    if args.compare:
        print("\ncomparison, scored as abuse detectors (flagged = abuse). Ours was tuned on the main split and")
        print("the libraries were not, so the blind splits are the fair comparison.")
        for split, rep in (("main", m), *((n, result[n]["score"] if rows else None)
                                          for n, rows in blinds.items())):
            if rep is None:
                continue
            print(f"[{split}] {'library':12} {'abuse P':>8} {'abuse R':>8} {'hard-neg fp':>12} {'crisis R':>9}")
            ours = rep["labels"]["abuse"]
            print(f"{'':{len(split) + 3}}{'ours':12} {_fmt(ours['precision']):>8} {_fmt(ours['recall']):>8} "
                  f"{_fmt(rep['hard_negatives']['fp_rate']):>12} {_fmt(rep['labels']['crisis']['recall']):>9}")
            for name, r in result["compare"][split].items():
                if isinstance(r, str):
                    print(f"{'':{len(split) + 3}}{name:12} {r}")
                    continue
                print(f"{'':{len(split) + 3}}{name:12} {_fmt(r['abuse']['precision']):>8} "
                      f"{_fmt(r['abuse']['recall']):>8} {_fmt(r['hard_negatives']['fp_rate']):>12} "
                      f"{_fmt(r['crisis_recall']):>9}")
        print(f"mean latency per utterance: ours {lat['mean_ms']:.3f} ms, "
              + ", ".join(f"{n} {r['latency']['mean_ms']:.3f} ms" for n, r in result["compare"]["main"].items()
                          if not isinstance(r, str)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
