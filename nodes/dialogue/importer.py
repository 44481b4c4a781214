"""Import an agency's FAQ spreadsheet (CSV) as a knowledge-base directory.

Header: one or more question columns (names starting with "q" or "question"),
one "answer" (or "response") column, optional "topic", "source", "phone" (and
"title", the name shown and spoken; default the topic if it is Korean text,
else the first question).
Rows with the same topic become one topic (their questions merged; answers
must agree). Entries with the same answer, or the same title and answer, are
merged too; entries that share a title but answer differently get titles of
their own (their first question, else the start of the answer), so the kiosk
never offers a choice between two identical options. Each merge and rename is
reported. Every bad row is reported with its spreadsheet row number (the
header is row 1) and nothing is written. A staff_call topic is added unless
the sheet has one. The spoken answer is the answer's first sentence or two
(spoken.py); the whole answer stays on screen.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from nodes.dialogue import spoken
from nodes.dialogue.kb import STAFF_TOPIC, KbError, parse_topic
from nodes.dialogue.text import normalize



class FaqImportError(ValueError):
    """The spreadsheet cannot be imported; the message lists every problem."""


@dataclass
class _Entry:
    row: int
    topic_key: str
    topic: str
    title: str
    questions: list[str]
    answer: str
    source: str
    phone: str
    rows: list[int] = field(default_factory=list)


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "cp949"):  # Excel in Korea often saves CSV as CP949
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise FaqImportError(f"{path}: not UTF-8 or CP949 text. Fix: save the sheet as 'CSV UTF-8'")


def _columns(header: list[str], path: Path) -> tuple[list[int], int, dict[str, int]]:
    names = [h.strip().lower() for h in header]
    qcols = [i for i, n in enumerate(names) if n.startswith("q") or n.startswith("question")]
    acols = [i for i, n in enumerate(names) if n in ("answer", "response")]
    if not qcols:
        raise FaqImportError(f"{path}: row 1: no question column. Fix: name a column 'question' (or q1, q2, ...)")
    if len(acols) != 1:
        raise FaqImportError(f"{path}: row 1: expected exactly one 'answer' (or 'response') column, "
                           f"found {len(acols)}. Fix: rename the answer column to 'answer'")
    optional = {n: names.index(n) for n in ("topic", "title", "source", "phone") if n in names}
    return qcols, acols[0], optional


def _slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")
    return s if s and s[0].isalnum() else ""


def parse_faq(path: str | Path, *, source: str = "", phone: str = "") -> list[_Entry]:
    path = Path(path)
    rows = list(csv.reader(io.StringIO(_read_text(path))))
    if not rows:
        raise FaqImportError(f"{path}: empty file. Fix: the first row must be the header")
    qcols, acol, opt = _columns(rows[0], path)
    errors: list[str] = []
    entries: dict[str, _Entry] = {}
    for rownum, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        cell = lambda i: " ".join(row[i].split()) if i < len(row) else ""  # noqa: E731
        questions = [cell(i) for i in qcols if cell(i)]
        answer = cell(acol)
        topic = cell(opt["topic"]) if "topic" in opt else ""
        title = (cell(opt["title"]) if "title" in opt else "") or (topic if topic and not _slug(topic) == topic
                                                                 else questions[0].rstrip("?？. ") if questions else "")
        row_source = (cell(opt["source"]) if "source" in opt else "") or source
        row_phone = (cell(opt["phone"]) if "phone" in opt else "") or phone
        problems = []
        if not questions:
            problems.append("no question")
        if not answer:
            problems.append("empty answer")
        if len(row) > len(rows[0]):
            problems.append(f"{len(row)} cells but the header has {len(rows[0])} (a comma inside a cell needs quotes)")
        if problems:
            errors.append(f"row {rownum}: " + "; ".join(problems))
            continue
        key = topic or f"row{rownum}"
        if key in entries:
            e = entries[key]
            if e.answer != answer:
                errors.append(f"row {rownum}: topic {topic!r} already has a different answer (row {e.row}). "
                              "Fix: use one answer per topic or rename the topic")
                continue
            e.questions += [q for q in questions if q not in e.questions]
            e.rows.append(rownum)
            continue
        entries[key] = _Entry(rownum, key, topic, title, questions, answer, row_source, row_phone, [rownum])
    if not entries and not errors:
        errors.append("no data rows")
    if errors:
        raise FaqImportError(f"{path}: {len(errors)} bad row(s), nothing written:\n  " + "\n  ".join(errors))
    return list(entries.values())


def _key(text: str) -> str:
    return normalize(text).replace(" ", "")


def merge_duplicates(entries: list[_Entry]) -> tuple[list[_Entry], list[str]]:
    """One entry per answer; distinct titles for distinct answers. Returns the entries and what was done."""
    notes: list[str] = []
    by_answer: dict[str, _Entry] = {}
    out: list[_Entry] = []
    for e in entries:
        first = by_answer.get(_key(e.answer))
        if first is None:
            by_answer[_key(e.answer)] = e
            out.append(e)
            continue
        first.questions += [q for q in e.questions if q not in first.questions]
        first.rows += e.rows
        notes.append(f"row {e.row}: same answer as row {first.row} ({first.title!r}): merged into one topic")
    by_title: dict[str, list[_Entry]] = {}
    for e in out:
        by_title.setdefault(_key(e.title), []).append(e)
    for group in (g for g in by_title.values() if len(g) > 1):
        taken = {_key(x.title) for x in out}
        for e in group[1:]:
            options = [q.rstrip("?？. ") for q in e.questions] + [f"{e.title}: {spoken.sentences(e.answer)[0][:24]}"]
            new = next((o for o in options if _key(o) not in taken), f"{e.title} ({e.row})")
            notes.append(f"row {e.row}: title {e.title!r} is also row {group[0].row}'s with another answer: "
                         f"titled {new!r}")
            e.title = new
            taken.add(_key(new))
    return out, notes


def _topic_id(entry: _Entry, used: set[str]) -> str:
    base = (_slug(entry.topic) if entry.topic else "") or f"faq_{entry.row:03d}"
    tid, n = base, 2
    while tid in used:
        tid, n = f"{base}_{n}", n + 1
    used.add(tid)
    return tid


def entry_to_topic(entry: _Entry, topic_id: str, as_of: dt.date) -> dict:
    said = spoken.for_ear(entry.answer)
    # how to get it: the sentences that say where or how, else the answer itself (never a generic line)
    apply = spoken.aspect_sentences([entry.answer], "apply") or said
    return {
        "id": topic_id,
        "title": entry.title,
        "as_of": as_of,
        "source": entry.source or "FAQ",
        "phone": entry.phone or "안내 창구",
        "questions": entry.questions,
        "answer": said,
        "detail": entry.answer,
        "apply": apply,
    }


def staff_topic(as_of: dt.date, phone: str) -> dict:
    return {
        "id": STAFF_TOPIC, "title": "직원 호출", "as_of": as_of, "source": "kiosk", "phone": phone or "안내 창구",
        "questions": ["직원 불러 주세요", "상담원 연결해 주세요", "사람하고 얘기하고 싶어요"],
        "answer": "네, 직원을 불러 드릴게요. 잠시만 기다려 주세요.",
        "detail": "직원을 호출했습니다. 잠시만 기다려 주세요.",
        "apply": "안내 창구로 오시면 직원이 도와드려요.",
    }


def import_faq(csv_path: str | Path, out_dir: str | Path, *, source: str = "", phone: str = "",
               as_of: dt.date | None = None, force: bool = False, notes: list[str] | None = None) -> list[Path]:
    """Validate the whole sheet, then write one YAML per topic. Returns the written paths; merges and
    renames of duplicates are appended to notes."""
    out = Path(out_dir)
    as_of = as_of or dt.date.today()
    entries, merged = merge_duplicates(parse_faq(csv_path, source=source, phone=phone))
    if notes is not None:
        notes += merged
    used: set[str] = set()
    topics = [entry_to_topic(e, _topic_id(e, used), as_of) for e in entries]
    if STAFF_TOPIC not in used:
        topics.append(staff_topic(as_of, phone))
    for t in topics:  # validate with the loader's own rules before anything is written
        try:
            parse_topic(t, out / f"{t['id']}.yaml")
        except KbError as exc:
            raise FaqImportError(f"{csv_path}: {exc}") from exc
    if out.exists() and any(out.glob("*.yaml")) and not force:
        raise FaqImportError(f"{out}: already holds YAML files, nothing written. Fix: choose an empty directory "
                           "or pass --force")
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for t in topics:
        p = out / f"{t['id']}.yaml"
        p.write_text(yaml.safe_dump(t, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
        paths.append(p)
    return paths
