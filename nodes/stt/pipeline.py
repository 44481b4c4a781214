"""The hearing pipeline on a file, faster than real time: the mic's VAD and end-of-turn logic
(nodes/mic/endpoint.py) cut the audio into utterances exactly as the live mic would, then the STT
backend transcribes each one. `run.py stt` and `run.py bench stt` use it.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from hardware.audio_in import FRAME, RATE, load_audio
from nodes.mic.endpoint import EndpointParams, Endpointer


@dataclass
class Heard:
    utterance: str
    start_s: float                 # stream time of the utterance audio (pre-roll included)
    end_s: float                   # end of speech
    decided_s: float               # when the end of turn was decided (stream clock)
    decide_ms: float               # wall time the deciding frame took (end-of-turn model)
    reason: str
    text: str = ""
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0
    low_confidence: bool = False
    dropped: str = ""
    stt_ms: float = 0.0
    replaced: bool = False         # a later utterance continued this one (the senior went on)


@dataclass
class FileResult:
    text: str
    duration_s: float
    elapsed_s: float
    utterances: list[Heard] = field(default_factory=list)


class Pipeline:
    def __init__(self, engine, endpoint: Optional[EndpointParams] = None, eot_model: str = ""):
        from nodes.mic.models import SMART_TURN, SileroVad, SmartTurn
        self.engine = engine
        self.params = endpoint or EndpointParams()
        self.vad = SileroVad()
        self.eot = None if eot_model == "none" else SmartTurn(eot_model or SMART_TURN)

    def segment(self, pcm: np.ndarray, tail_s: float = 1.0) -> tuple[list[Heard], list[np.ndarray]]:
        """Utterances of int16 audio at 16 kHz, as the live mic would cut them."""
        self.vad.reset()
        ep = Endpointer(self.vad, self.eot, self.params)
        pcm = np.concatenate([pcm, np.zeros(int(tail_s * RATE) + FRAME, np.int16)])
        found, replaced = [], set()
        for i in range(0, len(pcm) - FRAME + 1, FRAME):
            t0 = time.perf_counter()
            events = ep.feed(pcm[i:i + FRAME])
            took = (time.perf_counter() - t0) * 1000
            found += [(ev, took) for ev in events if ev.kind == "end"]
            replaced |= {ev.continues for ev in events if ev.continues}
        found += [(ev, 0.0) for ev in ep.flush()]
        return [Heard(ev.utterance, ev.pcm_start / RATE, ev.sample / RATE, ev.at / RATE, took, ev.reason,
                      replaced=ev.utterance in replaced) for ev, took in found], [ev.pcm for ev, _ in found]

    def run(self, pcm: np.ndarray) -> FileResult:
        t0 = time.perf_counter()
        heard, audio = self.segment(pcm)
        for h, a in zip(heard, audio):
            t1 = time.perf_counter()
            r = self.engine.transcribe(a)
            h.stt_ms = (time.perf_counter() - t1) * 1000
            h.text, h.avg_logprob, h.no_speech_prob = r.text, r.avg_logprob, r.no_speech_prob
            h.low_confidence, h.dropped = r.low_confidence, r.dropped
        text = " ".join(h.text for h in heard if h.text and not h.replaced)
        return FileResult(text, len(pcm) / RATE, time.perf_counter() - t0, heard)

    def run_file(self, path: str) -> FileResult:
        return self.run(load_audio(path))
