"""Small audio helpers shared by the TTS node, the cache and the tools: loudness, resampling, WAV."""
from __future__ import annotations

import wave
from math import gcd

import numpy as np

TARGET_DBFS = -20.0       # speech RMS the kiosk plays at; every voice and recording is brought to it
PEAK = 0.89               # about -1 dBFS


def rms_dbfs(pcm: np.ndarray) -> float:
    x = pcm.astype(np.float64) / 32768.0
    loud = x[np.abs(x) > 0.01]          # ignore silence, so pauses do not raise the gain
    if len(loud) == 0:
        return -120.0
    return 20 * np.log10(np.sqrt(np.mean(loud ** 2)) + 1e-12)


def gain_for(pcm: np.ndarray, target_dbfs: float = TARGET_DBFS) -> float:
    """Linear gain that brings the speech in `pcm` to `target_dbfs`, limited so peaks stay under PEAK."""
    if not len(pcm):
        return 1.0
    gain = 10 ** ((target_dbfs - rms_dbfs(pcm)) / 20)
    peak = np.abs(pcm.astype(np.int32)).max() / 32768.0
    if peak > 0:
        gain = min(gain, PEAK / peak * 1.5)     # a little headroom: apply() soft-limits the rest
    return float(min(gain, 30.0))


def apply(pcm: np.ndarray, gain: float) -> np.ndarray:
    """Scale with a soft limiter (tanh above PEAK), so a loud peak bends instead of clipping."""
    x = pcm.astype(np.float32) * (gain / 32768.0)
    over = np.abs(x) > PEAK
    if over.any():
        x[over] = np.sign(x[over]) * (PEAK + (1 - PEAK) * np.tanh((np.abs(x[over]) - PEAK) / (1 - PEAK)))
    return np.clip(x * 32767.0, -32768, 32767).astype(np.int16)


def resample(pcm: np.ndarray, src: int, dst: int) -> np.ndarray:
    if src == dst or not len(pcm):
        return pcm.astype(np.int16, copy=False)
    from scipy.signal import resample_poly
    g = gcd(src, dst)
    y = resample_poly(pcm.astype(np.float32), dst // g, src // g)
    return np.clip(np.round(y), -32768, 32767).astype(np.int16)


def read_wav(path: str) -> tuple[np.ndarray, int]:
    """(mono int16 pcm, rate) of a 16-bit PCM WAV file; stereo is averaged."""
    with wave.open(path, "rb") as w:
        if w.getsampwidth() != 2:
            raise ValueError(f"{path}: {8 * w.getsampwidth()}-bit WAV; convert it to 16-bit PCM (sox in.wav -b 16 out.wav)")
        rate, channels = w.getframerate(), w.getnchannels()
        data = np.frombuffer(w.readframes(w.getnframes()), np.int16)
    if channels > 1:
        data = data.reshape(-1, channels).mean(axis=1).astype(np.int16)
    return data, rate


def write_wav(path: str, pcm: np.ndarray, rate: int) -> None:
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.ascontiguousarray(pcm, np.int16).tobytes())
