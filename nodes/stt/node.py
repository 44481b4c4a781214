"""Speech-to-text node.

in:  utterance (Utterance, from the mic: one whole VAD-trimmed user utterance)
     audio (AudioChunk, optional: the mic's live audio, for partial hypotheses)
out: transcript (Transcript; final=False for partials; consumed by moderation only, unmasked)

A transcript inherits the utterance's turn. Nothing is published for an utterance in which the
guards (nodes/stt/transcriber.py) find no real speech: silence and noise give no text at all.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass

import numpy as np

from bus.messages import AudioChunk, Transcript, Utterance
from bus.node import Node
from bus.privacy import mask
from nodes.stt.transcriber import load_backend
from nodes.stt.whisper import DEFAULT_VOCABULARY


class SttNode(Node):
    inputs = {"utterance": Utterance, "audio": AudioChunk}
    outputs = {"transcript": Transcript}
    optional = frozenset({"audio"})
    blocking = frozenset({"utterance", "audio"})

    @dataclass
    class Params:
        backend: str = "faster_whisper"
        model: str = "base"               # base | small | medium | large-v3 | turbo (cache or PyPI)
        model_path: str = ""              # a local CTranslate2 model folder; wins over `model`
        device: str = "auto"              # auto | cpu | cuda
        compute_type: str = ""            # "": int8 on CPU, float16 on CUDA
        language: str = "ko"
        beam_size: int = 5
        threads: int = 0                  # CPU threads; 0: up to 4
        vocabulary: str = DEFAULT_VOCABULARY
        use_prompt: bool = True
        use_hotwords: bool = True
        partial_every_s: float = 0.0      # 0: no partials (a CPU kiosk cannot afford them)
        min_dbfs: float = -50.0           # quieter utterances are not transcribed

    @classmethod
    def check(cls, p) -> list[str]:
        problems = []
        if p.model_path and not os.path.isdir(p.model_path):
            problems.append(f"model_path {p.model_path!r} does not exist (a CTranslate2 Whisper folder)")
        if not p.model_path and p.model != "base":
            from nodes.stt.models import cache_dir, is_model_dir
            if not is_model_dir(cache_dir(p.model)):
                problems.append(f"Whisper model {p.model!r} is not in {cache_dir(p.model)}; run `python run.py "
                                f"models fetch {p.model}` on a machine with internet access, or set model_path")
        if p.vocabulary and not os.path.isfile(p.vocabulary):
            problems.append(f"vocabulary {p.vocabulary!r} does not exist (set it to '' for none)")
        return problems

    def setup(self):
        p = self.params
        self.engine = load_backend(p.backend, model=p.model, model_path=p.model_path, device=p.device,
                                   compute_type=p.compute_type, language=p.language, beam_size=p.beam_size,
                                   threads=p.threads, vocabulary=p.vocabulary, use_prompt=p.use_prompt,
                                   use_hotwords=p.use_hotwords)
        self.log.info("model %s on %s (%s)", getattr(self.engine, "path", p.model),
                      getattr(self.engine, "device", "?"), getattr(self.engine, "compute_type", "?"))
        self._live: dict[str, list] = {}        # utterance id -> chunks heard so far
        self._last_partial = 0.0
        self._done: set[str] = set()

    def on_utterance(self, msg: Utterance):
        self._live.pop(msg.utterance, None)
        self._done = (self._done | {msg.utterance}) if len(self._done) < 64 else {msg.utterance}
        t0 = time.monotonic()
        r = self.engine.transcribe(msg.pcm, partial=False, min_dbfs=self.params.min_dbfs)
        if self.cancelled():
            return
        took = time.monotonic() - t0
        if not r.text:
            self.log.info("utterance %s (%.1f s): no speech (%s), %.2f s", msg.utterance, r.audio_sec,
                          r.dropped or "empty", took)
            return
        self.log.info("utterance %s (%.1f s) in %.2f s: %s (logprob %.2f%s)", msg.utterance, r.audio_sec, took,
                      mask(r.text)[0], r.avg_logprob, ", low confidence" if r.low_confidence else "")
        self.publish("transcript", self._transcript(r, msg.utterance, final=True))

    def on_audio(self, msg: AudioChunk):
        if self.params.partial_every_s <= 0 or not msg.utterance or msg.utterance in self._done:
            return
        chunks = self._live.setdefault(msg.utterance, [])
        chunks.append(msg.pcm)
        if msg.final:
            return
        now = time.monotonic()
        if now - self._last_partial < self.params.partial_every_s or len(chunks) < 60:   # 1.2 s at least
            return
        self._last_partial = now
        r = self.engine.transcribe(np.concatenate(chunks), partial=True, min_dbfs=self.params.min_dbfs)
        if r.text and not self.cancelled() and msg.utterance not in self._done:
            self.publish("transcript", self._transcript(r, msg.utterance, final=False))

    def on_interrupt(self, msg):
        self._live.clear()

    @staticmethod
    def _transcript(r, utterance: str, final: bool) -> Transcript:
        return Transcript(text=r.text, confidence=float(r.confidence), final=final, audio_sec=float(r.audio_sec),
                          utterance=utterance, avg_logprob=float(r.avg_logprob),
                          no_speech_prob=float(r.no_speech_prob), low_confidence=bool(r.low_confidence),
                          segments=[{"start": round(float(s.start), 2), "end": round(float(s.end), 2),
                                     "text": s.text.strip()} for s in r.segments])
