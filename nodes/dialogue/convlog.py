"""Conversation log in SQLite (WAL): masked user text, verdicts, chosen topic, latency.

Text is masked again at write time with nodes.moderation.pii.mask (belt and
braces: callers already pass masked text). `unanswered()` lists the most
frequent questions the knowledge base could not answer.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from pathlib import Path

DEFAULT_LOG_PATH = Path(__file__).resolve().parents[2] / "var" / "conversations.sqlite"  # the node's default
UNANSWERED_KINDS = ("ood", "clarify")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts REAL NOT NULL,
    session_id TEXT NOT NULL,
    user_text TEXT NOT NULL,
    kind TEXT NOT NULL,
    intent TEXT NOT NULL,
    topic TEXT,
    score REAL,
    verdict TEXT,
    categories TEXT,
    latency_ms REAL
);
CREATE INDEX IF NOT EXISTS turns_kind ON turns(kind);
"""

# Used only if the moderation package cannot be imported: digits that look like
# phone, resident-registration, card or account numbers, and e-mail addresses.
_FALLBACK_PII = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|\d[\d\s-]{5,}\d")


def mask_pii(text: str) -> str:
    try:
        from bus.privacy import mask
    except ImportError:
        return _FALLBACK_PII.sub("[개인정보]", text)
    masked, _spans = mask(text)
    # the fallback runs too: a number left by the masker is not worth the risk
    return _FALLBACK_PII.sub("[개인정보]", masked)


def _normalise_question(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s\[\]]", " ", text).split())


class ConversationLog:
    def __init__(self, path: str | Path = DEFAULT_LOG_PATH):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def write(self, *, session_id: str, user_text: str, kind: str, intent: str = "", topic: str | None = None,
              score: float | None = None, verdict: str | None = None, categories: list[str] | None = None,
              latency_ms: float | None = None, ts: float | None = None) -> None:
        row = (time.time() if ts is None else ts, mask_pii(str(session_id)), mask_pii(user_text), kind, intent,
               topic, score, verdict, ",".join(categories or []), latency_ms)
        with self._lock:
            self._db.execute(
                "INSERT INTO turns (ts, session_id, user_text, kind, intent, topic, score, verdict, categories,"
                " latency_ms) VALUES (?,?,?,?,?,?,?,?,?,?)", row)

    def unanswered(self, limit: int = 20) -> list[tuple[str, int]]:
        """Most frequent questions that got an out-of-domain or clarifying reply."""
        marks = ",".join("?" * len(UNANSWERED_KINDS))
        with self._lock:
            rows = self._db.execute(
                f"SELECT user_text FROM turns WHERE kind IN ({marks}) AND intent NOT IN ('stt_retry','facet_unknown')",
                UNANSWERED_KINDS).fetchall()
        counts: dict[str, int] = {}
        for (text,) in rows:
            key = _normalise_question(text)
            if key:
                counts[key] = counts.get(key, 0) + 1
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]

    def rows(self) -> list[dict]:
        with self._lock:
            cur = self._db.execute("SELECT * FROM turns ORDER BY id")
            names = [c[0] for c in cur.description]
            return [dict(zip(names, r)) for r in cur.fetchall()]

    def close(self) -> None:
        with self._lock:
            self._db.close()
