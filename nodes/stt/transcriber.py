"""The speech-to-text interface, the backend registry, and the guards every backend's output
passes before anyone sees it.

A backend is a `Transcriber`: `transcribe(pcm, rate, partial)` -> `Result`. Backends are chosen
by name and imported on first use; a backend knows nothing of the bus.

Guards (Whisper invents text for silence and noise, and loops on odd audio):
- too little energy: nothing is transcribed at all;
- a segment Whisper itself thinks is not speech (no_speech_prob high and log-probability low);
- a phrase repeated three or more times in a row is cut to one, and the result is flagged;
- text far too fast for the audio (more syllables a second than anyone speaks) is dropped;
- known subtitle hallucinations ("시청해 주셔서 감사합니다" ...) are dropped when they are all there is.
"""
from __future__ import annotations

import importlib
import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

BACKENDS = {"faster_whisper": "nodes.stt.whisper:FasterWhisperTranscriber"}

# Phrases Whisper writes for silence or music after training on subtitles (Korean YouTube/TV).
HALLUCINATIONS = ("시청해 주셔서 감사합니다", "시청해주셔서 감사합니다", "구독과 좋아요", "구독 좋아요",
                  "자막 제공", "자막by", "한글자막", "mbc 뉴스", "kbs 뉴스", "sbs 뉴스", "다음 영상에서 만나요",
                  "오늘도 시청해 주셔서 감사합니다", "영상 편집")
# Short words a senior really says ("네", "감사합니다") are not on this list: the VAD already keeps
# silence and noise away from Whisper, and the dialogue needs a spoken "네".
MAX_SYLLABLES_PER_S = 12.0     # fast Korean speech is about 7-8 syllables a second


@dataclass
class Segment:
    start: float
    end: float
    text: str
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0
    compression_ratio: float = 1.0


@dataclass
class Result:
    text: str
    segments: list[Segment] = field(default_factory=list)
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0
    confidence: float = 0.0
    low_confidence: bool = True
    dropped: str = ""            # why text was thrown away ("" when none was)
    audio_sec: float = 0.0


class Transcriber:
    """One STT engine. `pcm` is mono int16 at 16 kHz."""

    def transcribe(self, pcm: np.ndarray, partial: bool = False) -> Result:
        raise NotImplementedError


def load_backend(name: str, **options: Any) -> Transcriber:
    path = BACKENDS.get(name)
    if path is None:
        raise ValueError(f"unknown STT backend {name!r} (known: {', '.join(BACKENDS)})")
    module, _, cls = path.partition(":")
    return getattr(importlib.import_module(module), cls)(**options)


def rms_dbfs(pcm: np.ndarray) -> float:
    if len(pcm) == 0:
        return -120.0
    x = pcm.astype(np.float32)
    return 20 * math.log10(math.sqrt(float(np.mean(x * x))) / 32768 + 1e-9)


def _syllables(text: str) -> int:
    return len(re.findall(r"[가-힣]", text)) + len(re.findall(r"[A-Za-z]+|\d", text))


def collapse_repeats(text: str, min_repeats: int = 3) -> tuple[str, bool]:
    """Cut a phrase repeated `min_repeats`+ times in a row (the Whisper loop) down to one."""
    words = text.split()
    changed = False
    for size in range(1, len(words) // min_repeats + 1):
        i = 0
        out = []
        while i < len(words):
            phrase = words[i:i + size]
            n = 1
            while words[i + n * size:i + (n + 1) * size] == phrase:
                n += 1
            if n >= min_repeats and len(phrase) == size:
                out += phrase
                i += n * size
                changed = True
            else:
                out.append(words[i])
                i += 1
        words = out
    # loops inside a word run ("네네네네네네") too
    joined = " ".join(words)
    fixed = re.sub(r"([가-힣]+?)\1{3,}", r"\1", joined)
    return fixed, changed or fixed != joined


def _normal(text: str) -> str:
    return re.sub(r"[\s.,!?~…]+", " ", text).strip().lower()


def is_stock_hallucination(text: str) -> bool:
    t = _normal(text)
    return bool(t) and any(t == _normal(h) or (len(h) > 6 and _normal(h) in t and len(t) < len(h) + 8)
                           for h in HALLUCINATIONS)


def guard(result: Result, pcm: np.ndarray, min_dbfs: float = -50.0, low_logprob: float = -0.8,
          high_no_speech: float = 0.5) -> Result:
    """Apply the guards above to a backend's raw result (in place) and return it."""
    dur = len(pcm) / 16000
    result.audio_sec = dur
    kept = [s for s in result.segments
            if not (s.no_speech_prob > 0.6 and s.avg_logprob < -0.7) and s.compression_ratio <= 2.4]
    text = " ".join(s.text.strip() for s in kept).strip()
    text, looped = collapse_repeats(text)
    if kept:
        weights = [max(s.end - s.start, 0.01) for s in kept]
        result.avg_logprob = sum(s.avg_logprob * w for s, w in zip(kept, weights)) / sum(weights)
        result.no_speech_prob = max(s.no_speech_prob for s in kept)
    why = ""
    if rms_dbfs(pcm) < min_dbfs:
        why = "too quiet"
    elif not text:
        why = "no speech" if result.segments else ""
    elif _syllables(text) > MAX_SYLLABLES_PER_S * max(dur, 0.5):
        why = "too fast for the audio (hallucination)"
    elif is_stock_hallucination(text) and (result.no_speech_prob > 0.2 or result.avg_logprob < -0.5):
        why = "stock subtitle phrase"
    if why:
        result.text, result.segments, result.dropped = "", [], why
        result.low_confidence = True
        result.confidence = 0.0
        return result
    result.text, result.segments = text, kept
    result.confidence = math.exp(min(result.avg_logprob, 0.0))
    result.low_confidence = looped or result.avg_logprob < low_logprob or result.no_speech_prob > high_no_speech
    return result
