"""faster-whisper backend: Korean by default, int8 on CPU, float16 on CUDA.

Decoding options chosen for short, VAD-trimmed utterances of a senior at a kiosk:
- no conditioning on previous text (each utterance stands alone, and conditioning feeds loops);
- the public-service vocabulary as hotwords, and optionally an initial prompt;
- beam search for finals, greedy for partials (they are replaced a moment later anyway).
"""
from __future__ import annotations

import os
from typing import Optional

import numpy as np
import yaml

from nodes.stt.models import resolve
from nodes.stt.transcriber import Result, Segment, Transcriber, guard, rms_dbfs

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_VOCABULARY = os.path.join(ROOT, "config", "stt", "vocabulary.yaml")


def load_vocabulary(path: str) -> tuple[str, str]:
    """(hotwords, initial prompt) from a vocabulary YAML file ("" for none)."""
    if not path:
        return "", ""
    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f) or {}
    except FileNotFoundError:
        raise FileNotFoundError(f"STT vocabulary file not found: {path} (set vocabulary: '' for none)") from None
    if not isinstance(data, dict) or not isinstance(data.get("hotwords", []), list):
        raise ValueError(f"{path}: expected a mapping with a 'hotwords' list and an optional 'prompt'")
    return " ".join(str(w) for w in data.get("hotwords", [])), str(data.get("prompt", "") or "")


class FasterWhisperTranscriber(Transcriber):
    def __init__(self, model: str = "base", model_path: str = "", device: str = "auto", compute_type: str = "",
                 language: str = "ko", beam_size: int = 5, threads: int = 0, vocabulary: str = DEFAULT_VOCABULARY,
                 use_prompt: bool = True, use_hotwords: bool = True):
        from faster_whisper import WhisperModel
        import ctranslate2
        if device == "auto":
            device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
        self.device = device
        self.compute_type = compute_type or ("float16" if device == "cuda" else "int8")
        self.path = resolve(model, model_path)
        self.model = WhisperModel(self.path, device=device, compute_type=self.compute_type,
                                  cpu_threads=threads or min(4, os.cpu_count() or 1))
        self.language = language
        self.beam_size = beam_size
        hotwords, prompt = load_vocabulary(vocabulary)
        self.hotwords = hotwords if use_hotwords else ""
        self.prompt = prompt if use_prompt else ""

    def raw(self, audio: np.ndarray, partial: bool = False) -> Result:
        segments, _ = self.model.transcribe(
            audio, language=self.language, beam_size=1 if partial else self.beam_size,
            condition_on_previous_text=False, without_timestamps=False, vad_filter=False,
            hotwords=self.hotwords or None, initial_prompt=self.prompt or None,
            temperature=0.0 if partial else (0.0, 0.2, 0.4, 0.6), no_speech_threshold=0.6,
            log_prob_threshold=-1.0, compression_ratio_threshold=2.4)
        segs = [Segment(s.start, s.end, s.text, s.avg_logprob, s.no_speech_prob, s.compression_ratio)
                for s in segments]
        return Result(text="", segments=segs)

    def transcribe(self, pcm: np.ndarray, partial: bool = False, min_dbfs: Optional[float] = None) -> Result:
        opts = {} if min_dbfs is None else {"min_dbfs": min_dbfs}
        if rms_dbfs(pcm) < opts.get("min_dbfs", -50.0):   # nothing to hear: do not ask Whisper to invent
            return guard(Result(text=""), pcm, **opts)
        return guard(self.raw(pcm.astype(np.float32) / 32768.0, partial), pcm, **opts)
