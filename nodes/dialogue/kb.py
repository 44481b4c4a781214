"""Knowledge base: one YAML file per topic in a directory, loaded and validated.

A topic file has the keys id, title, as_of, source, phone, questions, answer,
detail, apply, and optionally keywords and facets (eligibility, amount,
documents, when, proxy). Files whose name starts with "_" are not topics; "_synonyms.yaml"
holds an optional colloquial-phrase map used by retrieval.

Every error names the file and the key and says how to fix it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

DEFAULT_KB_DIR = Path(__file__).resolve().parents[2] / "config" / "kb"
STAFF_TOPIC = "staff_call"

REQUIRED_KEYS = ("id", "title", "as_of", "source", "phone", "questions", "answer", "detail", "apply")
OPTIONAL_KEYS = ("keywords", "facets")
FACET_KEYS = ("eligibility", "amount", "documents", "when", "proxy")
MAX_SPOKEN_SENTENCES = 3
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_SENTENCE_END = re.compile(r"[.!?。？！](?=\s|$)")


class KbError(ValueError):
    """A knowledge-base file is missing, malformed or inconsistent."""


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    as_of: dt.date
    source: str
    phone: str
    questions: tuple[str, ...]
    answer: str
    detail: str
    apply: str
    keywords: tuple[str, ...] = ()
    facets: dict[str, str] = field(default_factory=dict)
    path: str = ""


@dataclass
class KnowledgeBase:
    topics: list[Topic]
    path: str
    synonyms: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.by_id = {t.id: t for t in self.topics}

    def get(self, topic_id: str | None) -> Topic | None:
        return self.by_id.get(topic_id) if topic_id else None

    @property
    def service_topics(self) -> list[Topic]:
        """Topics that answer a question (everything except the staff-call topic)."""
        return [t for t in self.topics if t.id != STAFF_TOPIC]


def count_sentences(text: str) -> int:
    parts = [p for p in _SENTENCE_END.split(text.strip()) if p.strip()]
    return max(1, len(parts)) if text.strip() else 0


def _fail(path: Path, key: str | None, problem: str, fix: str) -> KbError:
    where = f"{path}" + (f", key '{key}'" if key else "")
    return KbError(f"{where}: {problem}. Fix: {fix}")


def _text(data: dict, key: str, path: Path, *, spoken: bool = False, warnings: list[str] | None = None) -> str:
    value = data.get(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and key == "phone":
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, key, f"expected non-empty text, got {value!r}", f"write '{key}: <text>'")
    value = " ".join(value.split())
    if spoken and count_sentences(value) > MAX_SPOKEN_SENTENCES:
        problem = _fail(path, key, f"spoken text has {count_sentences(value)} sentences (max {MAX_SPOKEN_SENTENCES})",
                        "shorten it and move the rest to 'detail'")
        if warnings is None:
            raise problem
        warnings.append(str(problem))
    return value


def _text_list(data: dict, key: str, path: Path, *, required: bool) -> tuple[str, ...]:
    value = data.get(key)
    if value is None and not required:
        return ()
    if not isinstance(value, list) or not value:
        raise _fail(path, key, f"expected a non-empty list of text, got {value!r}",
                    f"write '{key}:' followed by lines '  - <text>'")
    out = []
    for i, item in enumerate(value):
        if isinstance(item, (int, float)) and not isinstance(item, bool):
            item = str(item)
        if not isinstance(item, str) or not item.strip():
            raise _fail(path, f"{key}[{i}]", f"expected non-empty text, got {item!r}", "remove or fill the item")
        out.append(" ".join(item.split()))
    return tuple(out)


def _date(data: dict, path: Path) -> dt.date:
    value = data.get("as_of")
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _fail(path, "as_of", f"expected a date, got {value!r}", "write 'as_of: YYYY-MM-DD'")


def parse_topic(data: object, path: Path, warnings: list[str] | None = None) -> Topic:
    """Validate one topic mapping. Style problems (too many spoken sentences) go to
    warnings when a list is given, else raise like structural errors."""
    if not isinstance(data, dict):
        raise _fail(path, None, f"expected a mapping of keys, got {type(data).__name__}",
                    "start the file with 'id: ...' lines, one key per line")
    unknown = sorted(set(map(str, data)) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS))
    if unknown:
        raise _fail(path, unknown[0], "unknown key", f"use only {', '.join(REQUIRED_KEYS + OPTIONAL_KEYS)}")
    missing = [k for k in REQUIRED_KEYS if k not in data]
    if missing:
        raise _fail(path, missing[0], "missing key", f"add '{missing[0]}: ...'")
    topic_id = _text(data, "id", path)
    if not _ID_RE.match(topic_id):
        raise _fail(path, "id", f"id {topic_id!r} is not lower-case ascii", "use letters a-z, digits and '_'")
    facets_raw = data.get("facets") or {}
    if not isinstance(facets_raw, dict):
        raise _fail(path, "facets", "expected a mapping", f"write 'facets:' with keys {', '.join(FACET_KEYS)}")
    facets = {}
    for k in facets_raw:
        if k not in FACET_KEYS:
            raise _fail(path, f"facets.{k}", "unknown facet", f"use only {', '.join(FACET_KEYS)}")
        facets[k] = _text(facets_raw, k, path, spoken=True, warnings=warnings)
    return Topic(
        id=topic_id,
        title=_text(data, "title", path),
        as_of=_date(data, path),
        source=_text(data, "source", path),
        phone=_text(data, "phone", path),
        questions=_text_list(data, "questions", path, required=True),
        answer=_text(data, "answer", path, spoken=True, warnings=warnings),
        detail=_text(data, "detail", path),
        apply=_text(data, "apply", path, spoken=True, warnings=warnings),
        keywords=_text_list(data, "keywords", path, required=False),
        facets=facets,
        path=str(path),
    )


def _read_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise _fail(path, None, f"not UTF-8 ({exc.reason})", "save the file as UTF-8") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark else ""
        raise _fail(path, None, f"invalid YAML{line}: {getattr(exc, 'problem', exc)}",
                    "check indentation and quote text containing ':'") from exc


def _parse_synonyms(data: object, path: Path) -> dict[str, list[str]]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise _fail(path, None, "expected a mapping 'canonical term: [colloquial phrases]'",
                    "write e.g. '기초연금: [노인 돈, 노령연금]'")
    out: dict[str, list[str]] = {}
    for canon, phrases in data.items():
        if isinstance(phrases, str):
            phrases = [phrases]
        if not isinstance(phrases, list) or not all(isinstance(p, str) and p.strip() for p in phrases):
            raise _fail(path, str(canon), "expected a list of phrases", f"write '{canon}: [phrase, ...]'")
        out[str(canon)] = [p.strip() for p in phrases]
    return out


def load_kb(kb_dir: str | Path | None = None, *, require_staff_call: bool = True,
            strict: bool = False) -> KnowledgeBase:
    """Load and validate every topic file in kb_dir (default config/kb).

    Structural problems raise KbError. Style problems (spoken text too long)
    raise only when strict, else they are kept in KnowledgeBase.warnings.
    """
    warnings: list[str] | None = None if strict else []
    root = Path(kb_dir) if kb_dir else DEFAULT_KB_DIR
    if not root.is_dir():
        raise KbError(f"{root}: knowledge-base directory not found. Fix: pass --kb DIR or create {root}")
    topics: list[Topic] = []
    seen: dict[str, Path] = {}
    synonyms: dict[str, list[str]] = {}
    files = sorted(list(root.glob("*.yaml")) + list(root.glob("*.yml")))
    for path in files:
        if path.name.startswith("_"):
            if path.stem == "_synonyms":
                synonyms = _parse_synonyms(_read_yaml(path), path)
            continue
        topic = parse_topic(_read_yaml(path), path, warnings)
        if topic.id in seen:
            raise _fail(path, "id", f"id '{topic.id}' is also used in {seen[topic.id]}", "give each topic its own id")
        seen[topic.id] = path
        topics.append(topic)
    if not topics:
        raise KbError(f"{root}: no topic files (*.yaml). Fix: add one YAML file per topic")
    if require_staff_call and STAFF_TOPIC not in seen:
        raise KbError(f"{root}: no topic with id '{STAFF_TOPIC}' (used to call a staff member). "
                      f"Fix: add {STAFF_TOPIC}.yaml")
    if len(topics) - (STAFF_TOPIC in seen) < 1:
        raise KbError(f"{root}: only the staff-call topic is present. Fix: add service topics")
    return KnowledgeBase(topics=topics, path=str(root), synonyms=synonyms, warnings=warnings or [])
