"""Command-line entry points: `ask`, `chat`, `kb` (import, report, check) and `bench dialogue`.
run.py finds them in COMMANDS; `python -m nodes.dialogue.cli ask ...` works on its own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import uuid

from nodes.dialogue.convlog import DEFAULT_LOG_PATH, ConversationLog, mask_pii
from nodes.dialogue.kb import KbError, load_kb

COMMANDS = {
    "ask": ("dialogue: answer one question (or one per line from stdin)", "ask_main"),
    "chat": ("dialogue: a typed conversation, in-process", "chat_main"),
    "kb": ("knowledge base: import, report, check", "kb_main"),
    "bench dialogue": ("dialogue benchmark: retrieval accuracy, rejection, latency", "bench_main"),
    "staff clear": ("staff took over: end the crisis state of a session (all when no --session)", "staff_clear_main"),
}
DOCTOR = {"dialogue": ("dialogue: the knowledge base loads and answers a known question", "doctor_dialogue")}
STAFF_TOPIC_DEFAULT = "ext/staff"
# A question every shipped knowledge base must answer, and the topic that answers it.
KNOWN_QUESTION = ("기초연금 어데서 신청하능교", "basic_pension")


def doctor_dialogue() -> list:
    """(status, detail, fix) for `run.py doctor`."""
    import time
    from nodes.dialogue.policy import Dialogue, Turn
    t = time.perf_counter()
    try:
        kb = load_kb(None)
    except KbError as e:
        return [("FAIL", f"knowledge base does not load: {e}", "fix the file named; `python run.py kb check`")]
    out = [("OK", f"knowledge base {kb.path}: {len(kb.topics)} topics, {len(kb.synonyms)} synonym entries"
                  + (f", {len(kb.warnings)} warning(s)" if kb.warnings else ""), "")]
    question, topic = KNOWN_QUESTION
    r = Dialogue(kb).respond("doctor", Turn(question))
    took = time.perf_counter() - t
    if r.kind == "answer" and r.topic == topic:
        out.append(("OK", f"'{question}' -> {r.topic} ({r.intent}); index built in {took:.1f} s", ""))
    else:
        out.append(("FAIL", f"'{question}' -> {r.kind} {r.topic or '-'} (expected {topic})",
                    "run tests/dialogue; `python run.py ask` shows what the kiosk says"))
    return out


def staff_clear_main(argv: list[str]) -> int:
    """Publish StaffAction(clear): the dialogue ends the crisis state and the idle timer runs again."""
    from bus.messages import StaffAction
    from bus.publisher import Publisher
    from bus.transport import BusAddress

    ap = argparse.ArgumentParser(prog="run.py staff clear", description=staff_clear_main.__doc__)
    ap.add_argument("--session", default="", help="the session to clear (default: every session in crisis)")
    ap.add_argument("--topic", default=STAFF_TOPIC_DEFAULT, help="where the dialogue's staff input is wired")
    ap.add_argument("--by", default="cli", help="who cleared it (shown in the log)")
    ap.add_argument("--bus", default="127.0.0.1:7600")
    args = ap.parse_args(argv)
    try:
        with Publisher(BusAddress.parse(args.bus), {args.topic: StaffAction.TAG}) as pub:
            if not pub.wait_for_consumers(timeout_s=3.0):
                print(f"error: no running node reads {args.topic}. Fix: wire the dialogue node's input "
                      f"'staff: {args.topic}' in the launch file, or pass --topic", file=sys.stderr)
                return 1
            pub.send(args.topic, StaffAction("clear", session=args.session, by=args.by))
    except ConnectionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"cleared {args.session or 'every session in crisis'}")
    return 0


def bench_main(argv: list[str]) -> int:
    from nodes.dialogue.bench import main
    return main(argv)


def _moderator():
    """The moderation engine, or None when it cannot be loaded (then text is only PII-masked)."""
    try:
        from nodes.moderation.engine import Moderator
    except ImportError as exc:
        print(f"warning: moderation unavailable ({exc}); answering without it", file=sys.stderr)
        return None
    return Moderator()


def _dialogue(args):
    """The dialogue engine for --kb/--log/--dense-model, or None after printing why it failed."""
    from nodes.dialogue.policy import Dialogue

    params = {}
    if getattr(args, "log", None):
        params["log_path"] = args.log
    if getattr(args, "dense_model", None):
        params["dense_model_path"] = args.dense_model
    try:
        return Dialogue(args.kb, **params)
    except (KbError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None


def _turn(moderator, text: str):
    from nodes.dialogue.policy import Turn

    if moderator is None:
        return Turn(text=mask_pii(text)), mask_pii(text)
    verdict = moderator.check(text)
    return Turn(text=verdict.masked_text, verdict=verdict), verdict.masked_text


def _ask_one(dialogue, moderator, text: str) -> dict:
    session = f"ask-{uuid.uuid4().hex[:8]}"
    turn, masked = _turn(moderator, text)
    r = dialogue.respond(session, turn)
    dialogue.reset(session)
    out = {"kind": r.kind, "text": r.text, "topic": r.topic, "sources": r.sources, "user_text": masked}
    out.update({"title": r.title, "detail": r.detail, "suggestions": r.suggestions, "rate": r.rate,
                "score": round(r.score, 4), "hotline": r.hotline, "intent": r.intent})
    return out


def ask_main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="run.py ask", description="Answer one question (or one per stdin line).")
    ap.add_argument("text", nargs="*", help="the question; omitted: read one question per line from stdin")
    ap.add_argument("--kb", default=None, help="knowledge-base directory (default config/kb)")
    ap.add_argument("--json", action="store_true", help="print one JSON object per question")
    ap.add_argument("--log", default=None, help="also append the turn to this SQLite conversation log")
    ap.add_argument("--dense-model", default=None, help="local sentence-embedding model directory")
    args = ap.parse_args(argv)
    dialogue = _dialogue(args)
    if dialogue is None:
        return 1
    moderator = _moderator()
    questions = [" ".join(args.text)] if args.text else (line.strip() for line in sys.stdin)
    for q in questions:
        if not q:
            continue
        out = _ask_one(dialogue, moderator, q)
        print(json.dumps(out, ensure_ascii=False) if args.json else out["text"], flush=True)
    return 0


def chat_main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="run.py chat", description="Typed conversation with the counsellor.")
    ap.add_argument("--kb", default=None)
    ap.add_argument("--log", default=None)
    ap.add_argument("--dense-model", default=None)
    args = ap.parse_args(argv)
    from nodes.dialogue.policy import Turn

    dialogue = _dialogue(args)
    if dialogue is None:
        return 1
    moderator = _moderator()
    session = "chat"
    print(f"상담: {dialogue.arrive(session).text}")
    while True:
        try:
            text = input("나: ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if not text.strip():
            continue
        turn, _masked = _turn(moderator, text)
        r = dialogue.respond(session, Turn(text=turn.text, verdict=turn.verdict))
        slow = " (천천히)" if r.rate < 1.0 else ""
        print(f"상담{slow}: {r.text}")
        if r.suggestions:
            print("   [" + " | ".join(r.suggestions) + "]")
        if r.intent == "goodbye":
            return 0


def _kb_import(args) -> int:
    from nodes.dialogue.importer import FaqImportError, import_faq

    try:
        as_of = dt.date.fromisoformat(args.as_of) if args.as_of else None
    except ValueError:
        print(f"error: --as-of {args.as_of!r} is not a date (YYYY-MM-DD)", file=sys.stderr)
        return 2
    try:
        notes: list[str] = []
        paths = import_faq(args.file, args.out, source=args.source, phone=args.phone, as_of=as_of, force=args.force,
                           notes=notes)
    except (FaqImportError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for note in notes:
        print(f"note: {note}")
    print(f"wrote {len(paths)} topics to {args.out}" + (f" ({len(notes)} duplicates merged or renamed)" if notes else ""))
    return 0


def _kb_report(args) -> int:
    log = ConversationLog(args.db)
    rows = log.unanswered(args.limit)
    if args.json:
        print(json.dumps([{"question": q, "count": n} for q, n in rows], ensure_ascii=False))
        return 0
    if not rows:
        print("no unanswered questions logged")
        return 0
    print(f"most frequent unanswered questions ({args.db}):")
    for q, n in rows:
        print(f"{n:5d}  {q}")
    return 0


def _kb_check(args) -> int:
    try:
        kb = load_kb(args.dir, strict=False)
    except KbError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for w in kb.warnings:
        print(f"warning: {w}", file=sys.stderr)
    print(f"{kb.path}: {len(kb.topics)} topics, {sum(len(t.questions) for t in kb.topics)} example questions"
          + (f", {len(kb.warnings)} warning(s)" if kb.warnings else ", ok"))
    if args.calibrate:
        from nodes.dialogue.retrieval import Retriever

        print(json.dumps(Retriever(kb).calibration, indent=1))
    return 1 if kb.warnings and args.strict else 0


def kb_main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="run.py kb", description="Knowledge-base tools.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    imp = sub.add_parser("import", help="turn an FAQ spreadsheet (CSV) into a knowledge-base directory")
    imp.add_argument("file")
    imp.add_argument("--out", required=True)
    imp.add_argument("--source", default="", help="source URL when the sheet has no 'source' column")
    imp.add_argument("--phone", default="", help="phone when the sheet has no 'phone' column")
    imp.add_argument("--as-of", default=None, help="date of the information (default today)")
    imp.add_argument("--force", action="store_true", help="write into a directory that already has YAML files")
    rep = sub.add_parser("report", help="most frequent unanswered questions from the conversation log")
    rep.add_argument("--db", default=str(DEFAULT_LOG_PATH))
    rep.add_argument("--limit", type=int, default=20)
    rep.add_argument("--json", action="store_true")
    chk = sub.add_parser("check", help="validate a knowledge-base directory")
    chk.add_argument("dir", nargs="?", default=None)
    chk.add_argument("--strict", action="store_true", help="fail on warnings too")
    chk.add_argument("--calibrate", action="store_true", help="also print the retrieval calibration")
    args = ap.parse_args(argv)
    return {"import": _kb_import, "report": _kb_report, "check": _kb_check}[args.cmd](args)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    commands = {"ask": ask_main, "chat": chat_main, "kb": kb_main}
    if not argv or argv[0] not in commands and argv[0] != "bench":
        print("usage: python -m nodes.dialogue.cli {ask|chat|kb|bench} ...", file=sys.stderr)
        return 2
    if argv[0] == "bench":
        from nodes.dialogue.bench import main as bench_main

        return bench_main(argv[1:])
    return commands[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main())
