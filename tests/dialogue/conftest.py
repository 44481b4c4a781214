"""Shared fixtures for the dialogue tests: the small fixture KB and one Dialogue over it."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FIXTURES = Path(__file__).resolve().parent / "fixtures"
KB_DIR = FIXTURES / "kb"


@dataclass
class FakeVerdict:
    """Stands in for nodes.moderation.engine.Verdict (same fields the policy reads)."""
    label: str = "allow"
    categories: list[str] = field(default_factory=list)
    hotline: str | None = None
    masked_text: str = ""
    pii: list[str] = field(default_factory=list)
    alert: bool = False


@pytest.fixture(scope="session")
def kb_dir() -> Path:
    return KB_DIR


@pytest.fixture(scope="session")
def dialogue():
    from nodes.dialogue.policy import Dialogue

    return Dialogue(KB_DIR)
