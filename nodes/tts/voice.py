"""One interface for every TTS backend, chosen by name and imported on first use.

A voice turns spoken (already normalised) Korean text into mono int16 PCM plus a timeline: where
each phone and each word starts, in samples from the start of the utterance. A mark's end is the
next mark's start (or the end of the audio), so a streaming voice can hand out pieces as soon as
they exist:

    voice = load("espeak", pitch=45)
    for piece in voice.stream("안녕하세요", speed=0.85):
        ...   # piece.pcm, piece.phones [(start, phone)], piece.words [(start, end_char)]

`end_char` is where the word ends in the spoken text. Backends know nothing of the bus.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np

VOICES = {
    "espeak": "nodes.tts.espeak:EspeakVoice",     # offline default: libespeak-ng through ctypes
    "jets": "nodes.tts.jets:JetsVoice",           # ESPnet JETS from a local train_config + model_file
    # room for more: "piper", "sherpa_onnx", "melotts", a cloud voice; each is one module here
}


class VoiceError(RuntimeError):
    """A voice cannot be used; the message says what to install or configure."""


@dataclass
class Piece:
    """A stretch of synthesised audio and the marks that start inside it (utterance samples)."""
    pcm: np.ndarray                                        # int16, mono
    phones: list[tuple[int, str]] = field(default_factory=list)
    words: list[tuple[int, int]] = field(default_factory=list)   # (start sample, end char in spoken text)


class Voice:
    name = ""
    rate = 16000            # samples per second of everything it returns

    def stream(self, text: str, speed: float = 1.0, cancelled=lambda: False) -> Iterator[Piece]:
        """Pieces of `text` in order; stops early once `cancelled()` is true."""
        yield self.synthesize(text, speed)

    def synthesize(self, text: str, speed: float = 1.0) -> Piece:
        """The whole utterance as one piece."""
        pieces = list(self.stream(text, speed))
        return join(pieces)

    def describe(self) -> str:
        """What an operator sees in `voice status` and benchmarks."""
        return self.name

    def close(self) -> None:
        pass


def join(pieces: list[Piece]) -> Piece:
    pcm = np.concatenate([p.pcm for p in pieces]) if pieces else np.zeros(0, np.int16)
    return Piece(pcm.astype(np.int16, copy=False), [m for p in pieces for m in p.phones],
                 [w for p in pieces for w in p.words])


def load(name: str, **options) -> Voice:
    """The voice registered under `name`, built with its own options."""
    path = VOICES.get(name)
    if path is None:
        raise VoiceError(f"unknown TTS backend '{name}' (known: {', '.join(sorted(VOICES))})")
    module, _, cls = path.partition(":")
    return getattr(importlib.import_module(module), cls)(**options)
