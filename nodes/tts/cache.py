"""The speech cache: audio and timeline of each fixed sentence, keyed by its normalised text.

Most of what the kiosk says is fixed knowledge-base text, so `run.py voice render` renders it once
with the best voice there is, and `run.py voice import` stores a person's recordings. The TTS node
serves a sentence from here first and synthesises only what is missing. The key is the spoken
(normalised) text, so an edited KB answer simply misses (stale), never plays the old words.

Layout under `var/voice/` (gitignored):
    cache/<key>.npz     pcm (int16), rate, phones, ph_start, word_start, word_char, text, voice
    index.json          which fixed text (kb/<topic>/answer#2, prompt/greeting#0 ...) was stored under which key
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
from collections import OrderedDict
from typing import Optional

import numpy as np

from nodes.tts.normalize import ROOT, normalize
from nodes.tts.voice import Piece

DEFAULT_DIR = os.path.join(ROOT, "var", "voice")


def key(sentence: str) -> str:
    """Cache key of an original sentence: a hash of what is actually said."""
    said = re.sub(r"\s+", " ", normalize(sentence).text).strip()
    return hashlib.sha1(said.encode()).hexdigest()[:20]


class Entry:
    def __init__(self, piece: Piece, rate: int, voice: str, text: str):
        self.piece, self.rate, self.voice, self.text = piece, rate, voice, text


class SpeechCache:
    def __init__(self, root: str = DEFAULT_DIR, memory: int = 64):
        self.root = root if os.path.isabs(root) else os.path.join(ROOT, root)
        self.dir = os.path.join(self.root, "cache")
        self._memory: OrderedDict[str, Entry] = OrderedDict()
        self._size = memory
        self._lock = threading.Lock()

    def path(self, k: str) -> str:
        return os.path.join(self.dir, f"{k}.npz")

    def get(self, sentence: str) -> Optional[Entry]:
        k = key(sentence)
        with self._lock:
            if k in self._memory:
                self._memory.move_to_end(k)
                return self._memory[k]
        try:
            with np.load(self.path(k), allow_pickle=False) as z:
                phones = [str(p) for p in z["phones"]]
                piece = Piece(z["pcm"].astype(np.int16, copy=False),
                              list(zip(z["ph_start"].tolist(), phones)),
                              list(zip(z["word_start"].tolist(), z["word_char"].tolist())))
                entry = Entry(piece, int(z["rate"]), str(z["voice"]), str(z["text"]))
        except (FileNotFoundError, OSError, KeyError, ValueError):
            return None
        with self._lock:
            self._memory[k] = entry
            while len(self._memory) > self._size:
                self._memory.popitem(last=False)
        return entry

    def voice_of(self, sentence: str) -> Optional[str]:
        """Which voice made the stored entry (None if there is none), without loading the audio."""
        try:
            with np.load(self.path(key(sentence)), allow_pickle=False) as z:
                return str(z["voice"])
        except (FileNotFoundError, OSError, KeyError, ValueError):
            return None

    def put(self, sentence: str, piece: Piece, rate: int, voice: str) -> str:
        """Store (atomically) and return the key. `piece.words` chars count in the spoken text."""
        k = key(sentence)
        os.makedirs(self.dir, exist_ok=True)
        tmp = self.path(k) + f".{os.getpid()}.tmp.npz"
        np.savez(tmp, pcm=piece.pcm.astype(np.int16), rate=np.int32(rate),
                 phones=np.array([p for _, p in piece.phones], dtype=str),
                 ph_start=np.array([s for s, _ in piece.phones], np.int32),
                 word_start=np.array([s for s, _ in piece.words], np.int32),
                 word_char=np.array([c for _, c in piece.words], np.int32),
                 text=np.array(sentence), voice=np.array(voice), created=np.float64(time.time()))
        os.replace(tmp, self.path(k))
        with self._lock:
            self._memory.pop(k, None)
        return k

    # --- the index of fixed texts (for `voice status`) ---
    def index(self) -> dict[str, str]:
        try:
            with open(os.path.join(self.root, "index.json"), encoding="utf-8") as f:
                return json.load(f)
        except FileNotFoundError:
            return {}

    def save_index(self, index: dict[str, str]) -> None:
        os.makedirs(self.root, exist_ok=True)
        tmp = os.path.join(self.root, f"index.json.{os.getpid()}.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(index, f, ensure_ascii=False, indent=1, sort_keys=True)
        os.replace(tmp, os.path.join(self.root, "index.json"))
