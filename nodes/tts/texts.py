"""The fixed texts the kiosk says: knowledge-base answers (read at run time, since staff edit
config/kb/), their facets, and the prompts in config/tts/prompts.yaml. Each comes sentence by
sentence, named `kb/<topic>/answer#<n>`, `kb/<topic>/<facet>#<n>` or `prompt/<name>#<n>`."""
from __future__ import annotations

import glob
import os
from typing import Iterator

import yaml

from nodes.tts.normalize import ROOT, sentences

KB = os.path.join(ROOT, "config", "kb")
PROMPTS = os.path.join(ROOT, "config", "tts", "prompts.yaml")
VOICE = os.path.join(ROOT, "config", "tts", "voice.yaml")


def voice_settings() -> dict:
    with open(VOICE, encoding="utf-8") as f:
        return yaml.safe_load(f)


def kb_answers(kb: str = KB, facets: bool = True) -> Iterator[tuple[str, str]]:
    """(name, text) of every spoken answer in the knowledge base."""
    for path in sorted(glob.glob(os.path.join(kb, "*.yaml"))):
        if os.path.basename(path).startswith("_"):
            continue
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f) or {}
        if not isinstance(doc, dict):
            continue
        topic = doc.get("id") or os.path.splitext(os.path.basename(path))[0]
        if isinstance(doc.get("answer"), str):
            yield f"kb/{topic}/answer", doc["answer"]
        for facet, text in (doc.get("facets") or {}).items() if facets else ():
            if isinstance(text, str):
                yield f"kb/{topic}/{facet}", text


def prompts(path: str = PROMPTS) -> Iterator[tuple[str, str]]:
    with open(path, encoding="utf-8") as f:
        for name, text in (yaml.safe_load(f) or {}).items():
            yield f"prompt/{name}", str(text)


def fixed_sentences(kb: str = KB) -> list[tuple[str, str]]:
    """(name#n, sentence) for every sentence the kiosk says from fixed text."""
    out = []
    for name, text in [*prompts(), *kb_answers(kb)]:
        for n, (s, e) in enumerate(sentences(text)):
            out.append((f"{name}#{n}", text[s:e]))
    return out
