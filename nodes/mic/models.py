"""The two small ONNX models of the mic, on onnxruntime (no torch).

- `SileroVad`: the Silero VAD v6 model that ships inside faster-whisper, run as a stream: one
  512-sample window (32 ms at 16 kHz) at a time, with its recurrent state and 64 samples of
  context carried over.
- `SmartTurn`: smart-turn v3.2 (BSD-2-Clause, multilingual, Korean included): given the last
  8 s of a turn, the probability that the speaker has finished. Its features are Whisper's 80-bin
  log-mel of the zero-mean, unit-variance waveform, zero-padded at the front to 8 s. The model file
  is extracted by scripts/setup-hearing into var/models/.
"""
from __future__ import annotations

import os

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SMART_TURN = os.path.join(ROOT, "var", "models", "smart-turn-v3.2-cpu.onnx")
WINDOW = 512
CONTEXT = 64


def _session(path: str, threads: int = 1):
    import onnxruntime as ort
    opts = ort.SessionOptions()
    opts.inter_op_num_threads = 1
    opts.intra_op_num_threads = threads
    opts.log_severity_level = 3
    return ort.InferenceSession(path, sess_options=opts, providers=["CPUExecutionProvider"])


def silero_path() -> str:
    try:
        from faster_whisper.utils import get_assets_path
    except ImportError:
        raise RuntimeError("faster-whisper is not installed, so the Silero VAD model is missing; "
                           "install the hearing extra: EXTRAS=hearing scripts/setup") from None
    return os.path.join(get_assets_path(), "silero_vad_v6.onnx")


class SileroVad:
    """Streaming speech probability, one value per 512-sample window."""

    def __init__(self, path: str = ""):
        self.session = _session(path or silero_path())
        self.reset()

    def reset(self) -> None:
        self.h = np.zeros((1, 1, 128), np.float32)
        self.c = np.zeros((1, 1, 128), np.float32)
        self.context = np.zeros(CONTEXT, np.float32)
        self.pending = np.zeros(0, np.float32)

    def __call__(self, pcm: np.ndarray) -> list[float]:
        """Feed int16 samples; returns the probability of every window completed by them."""
        self.pending = np.concatenate([self.pending, pcm.astype(np.float32) / 32768.0])
        probs = []
        while len(self.pending) >= WINDOW:
            window, self.pending = self.pending[:WINDOW], self.pending[WINDOW:]
            x = np.concatenate([self.context, window])[None, :]
            out, self.h, self.c = self.session.run(None, {"input": x, "h": self.h, "c": self.c})
            self.context = window[-CONTEXT:]
            probs.append(float(np.asarray(out).reshape(-1)[0]))
        return probs


class SmartTurn:
    """P(the turn is complete) from the last 8 s of the turn's audio."""
    SECONDS = 8

    def __init__(self, path: str = SMART_TURN, threads: int = 1):
        if not os.path.isfile(path):
            raise FileNotFoundError(f"end-of-turn model not found at {path}; run scripts/setup-hearing "
                                    f"(it extracts smart-turn v3.2 from the pipecat-ai wheel)")
        from faster_whisper.feature_extractor import FeatureExtractor
        self.session = _session(path, threads)
        self.features = FeatureExtractor(feature_size=80, chunk_length=self.SECONDS)

    def __call__(self, pcm: np.ndarray) -> float:
        n = self.SECONDS * 16000
        x = pcm[-n:].astype(np.float32) / 32768.0
        x = np.pad(x, (n - len(x), 0))
        x = (x - x.mean()) / np.sqrt(x.var() + 1e-7)
        mel = self.features(x, padding=0)[None].astype(np.float32)
        return float(np.asarray(self.session.run(None, {"input_features": mel})[0]).reshape(-1)[0])
