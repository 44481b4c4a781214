"""One interface for every lip-sync backend, chosen by name and imported on first use.

A backend is fed the TTS output (audio and its phone timeline) per utterance and renders the
frame for a time on that utterance's audio clock. It knows nothing of the bus.
"""
from __future__ import annotations

import importlib
from typing import Optional

import numpy as np

BACKENDS = {
    "viseme": "nodes.lipsync.viseme:VisemeRenderer",
    "wav2lip": "nodes.lipsync.wav2lip:Wav2LipRenderer",
}


class Utterance:
    """What the TTS has sent of one spoken utterance so far."""

    def __init__(self, uid: str, rate: int):
        self.id, self.rate = uid, rate
        self.pcm = np.zeros(0, np.int16)
        self.phones: list[tuple[float, float, str]] = []    # (start_s, end_s, phone)
        self.final = False
        self.version = 0
        self._seen: set = set()

    @property
    def duration(self) -> float:
        return len(self.pcm) / self.rate

    def add(self, chunk) -> None:
        """Append a SpeechChunk (its pcm at chunk.sample; its phones in seconds)."""
        end = chunk.sample + len(chunk.pcm)
        if end > len(self.pcm):
            grown = np.zeros(end, np.int16)
            grown[:len(self.pcm)] = self.pcm
            self.pcm = grown
        self.pcm[chunk.sample:end] = chunk.pcm
        for i, s, e in zip(chunk.ph_id.tolist(), chunk.ph_start.tolist(), chunk.ph_end.tolist()):
            seg = (s / chunk.rate, e / chunk.rate, chunk.phones[i] if 0 <= i < len(chunk.phones) else "")
            if seg[2] and seg not in self._seen:     # a phone across a chunk boundary comes twice
                self._seen.add(seg)
                self.phones.append(seg)
        self.final = self.final or chunk.final
        self.version += 1


class Renderer:
    """Base class: `render(utt, pts, t)` is the frame at `pts` seconds of utterance `utt`
    (None: idle) at idle-animation time `t`; RGB uint8, height x width x 3."""
    name = ""

    def __init__(self, pack, width: int, height: int, fps: float, **options):
        from nodes.lipsync.compose import Compositor
        self.fps = fps
        self.comp = Compositor(pack, width, height)

    def render(self, utt: Optional[Utterance], pts: float, t: float) -> np.ndarray:
        raise NotImplementedError

    def forget(self, uid: str) -> None:
        """An utterance is over; drop what was kept for it."""

    def stats(self) -> dict:
        return {}


def create(name: str, pack, width: int, height: int, fps: float, **options) -> Renderer:
    if name not in BACKENDS:
        raise ValueError(f"unknown lip-sync backend '{name}' (known: {', '.join(BACKENDS)})")
    module, _, cls = BACKENDS[name].partition(":")
    return getattr(importlib.import_module(module), cls)(pack, width, height, fps, **options)
