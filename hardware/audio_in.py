"""Audio input: one interface, several sources chosen by name in config.

Every source yields mono int16 frames of 20 ms at 16 kHz (`FRAME` samples) until it ends:

    src = open_source("wav", files=["a.wav", "b.wav"], gap_s=1.0)
    while (frame := src.read()) is not None:
        ...
    src.close()

Sources: `pyaudio` (a capture device, by name or index), `wav` (audio files played in real time,
any rate or channel count, resampled, with gaps between files), `silence` and `noise`.
Decoding and resampling use PyAV (libswresample), which faster-whisper already needs.
"""
from __future__ import annotations

import time
from typing import Optional, Sequence, Union

import numpy as np

RATE = 16000
FRAME = 320                     # 20 ms at 16 kHz


class AudioDeviceError(RuntimeError):
    """A capture device is missing or busy; the message lists the devices that exist."""


class AudioSource:
    """Mono int16 frames of FRAME samples at RATE; `read()` returns None once the source ends."""
    rate = RATE
    frame = FRAME

    def read(self) -> Optional[np.ndarray]:
        raise NotImplementedError

    def close(self) -> None:
        pass


def _resampler(rate: int):
    import av
    return av.AudioResampler(format="s16", layout="mono", rate=rate)


def to_mono16k(pcm: np.ndarray, rate: int, out_rate: int = RATE) -> np.ndarray:
    """int16 (samples,) or (samples, channels) at `rate` -> mono int16 at out_rate."""
    import av
    pcm = np.asarray(pcm)
    if pcm.dtype != np.int16:
        raise TypeError(f"expected int16 samples, got {pcm.dtype}")
    if pcm.ndim == 1:
        pcm = pcm[:, None]
    if rate == out_rate and pcm.shape[1] == 1:
        return pcm[:, 0].copy()
    layout = {1: "mono", 2: "stereo"}.get(pcm.shape[1])
    if layout is None:   # more than two channels: average them first
        pcm, layout = pcm.mean(axis=1, dtype=np.float32).astype(np.int16)[:, None], "mono"
    frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(pcm.reshape(1, -1)), format="s16", layout=layout)
    frame.sample_rate = rate
    res = _resampler(out_rate)
    out = [f.to_ndarray().reshape(-1) for f in res.resample(frame)]
    out += [f.to_ndarray().reshape(-1) for f in res.resample(None)]
    return np.concatenate(out).astype(np.int16) if out else np.zeros(0, np.int16)


def load_audio(path: str, rate: int = RATE) -> np.ndarray:
    """A whole audio file (WAV, FLAC, MP3 ...) as mono int16 at `rate`."""
    import av
    try:
        container = av.open(path)
    except (FileNotFoundError, av.error.FileNotFoundError):
        raise FileNotFoundError(f"audio file not found: {path}") from None
    except av.error.InvalidDataError:
        raise ValueError(f"not an audio file PyAV can decode: {path}") from None
    res = _resampler(rate)
    parts = []
    with container:
        if not container.streams.audio:
            raise ValueError(f"no audio stream in {path}")
        for frame in container.decode(audio=0):
            frame.pts = None
            parts += [f.to_ndarray().reshape(-1) for f in res.resample(frame)]
    parts += [f.to_ndarray().reshape(-1) for f in res.resample(None)]
    return np.concatenate(parts).astype(np.int16) if parts else np.zeros(0, np.int16)


class _Paced(AudioSource):
    """Frames cut from a generator of arrays, optionally released in real time."""

    def __init__(self, realtime: bool = True):
        self.realtime = realtime
        self._buf = np.zeros(0, np.int16)
        self._t0: Optional[float] = None
        self._n = 0
        self._done = False

    def _more(self) -> Optional[np.ndarray]:
        raise NotImplementedError

    def read(self) -> Optional[np.ndarray]:
        while len(self._buf) < FRAME and not self._done:
            more = self._more()
            if more is None:
                self._done = True
            else:
                self._buf = np.concatenate([self._buf, more])
        if len(self._buf) == 0:
            return None
        out, self._buf = self._buf[:FRAME], self._buf[FRAME:]
        if len(out) < FRAME:
            out = np.concatenate([out, np.zeros(FRAME - len(out), np.int16)])
        if self.realtime:
            if self._t0 is None:
                self._t0 = time.monotonic()
            self._n += 1
            delay = self._t0 + self._n * FRAME / RATE - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        return out


class WavSource(_Paced):
    """Audio files one after another, with `gap_s` of silence between them, `lead_s` before the
    first and `tail_s` after the last; `loop` starts over at the end. `gain` scales the samples."""

    def __init__(self, files: Sequence[str], gap_s: float = 1.0, lead_s: float = 0.0, tail_s: float = 1.0,
                 loop: bool = False, gain: float = 1.0, realtime: bool = True):
        super().__init__(realtime)
        if not files:
            raise ValueError("the wav source needs at least one file (param 'files')")
        self.clips = []
        for path in files:
            pcm = load_audio(path)
            if gain != 1.0:
                pcm = np.clip(pcm.astype(np.float32) * gain, -32768, 32767).astype(np.int16)
            self.clips.append(pcm)
        self.gap = np.zeros(int(gap_s * RATE), np.int16)
        self.tail = np.zeros(int(tail_s * RATE), np.int16)
        self.loop = loop
        self._queue = [np.zeros(int(lead_s * RATE), np.int16)]
        self._next = 0

    def _more(self) -> Optional[np.ndarray]:
        if self._queue:
            return self._queue.pop(0)
        if self._next >= len(self.clips):
            if not self.loop:
                return None
            self._next = 0
        clip = self.clips[self._next]
        self._next += 1
        last = self._next == len(self.clips) and not self.loop
        return np.concatenate([clip, self.tail if last else self.gap])


class SilenceSource(_Paced):
    """Digital silence, for `duration_s` (None: forever)."""

    def __init__(self, duration_s: Optional[float] = None, realtime: bool = True):
        super().__init__(realtime)
        self.left = None if duration_s is None else int(duration_s * RATE)

    def _block(self, n: int) -> np.ndarray:
        return np.zeros(n, np.int16)

    def _more(self) -> Optional[np.ndarray]:
        n = RATE // 10 if self.left is None else min(RATE // 10, self.left)
        if n <= 0:
            return None
        if self.left is not None:
            self.left -= n
        return self._block(n)


class NoiseSource(SilenceSource):
    """Noise at `level_dbfs` (RMS): white, or pink (1/f, like fans and traffic)."""

    def __init__(self, duration_s: Optional[float] = None, level_dbfs: float = -30.0, color: str = "white",
                 seed: int = 0, realtime: bool = True):
        super().__init__(duration_s, realtime)
        if color not in ("white", "pink"):
            raise ValueError(f"noise color must be white or pink, not {color!r}")
        self.rms = 32768 * 10 ** (level_dbfs / 20)
        self.color = color
        self.rng = np.random.default_rng(seed)

    def _block(self, n: int) -> np.ndarray:
        x = self.rng.standard_normal(n)
        if self.color == "pink":
            spec = np.fft.rfft(x)
            spec[1:] /= np.sqrt(np.arange(1, len(spec)))
            x = np.fft.irfft(spec, n)
        x *= self.rms / (np.sqrt(np.mean(x ** 2)) + 1e-12)
        return np.clip(x, -32768, 32767).astype(np.int16)


def input_devices() -> list[tuple[int, str, int, int]]:
    """(index, name, max input channels, default rate) of every PortAudio capture device."""
    import pyaudio
    pa = pyaudio.PyAudio()
    try:
        out = []
        for i in range(pa.get_device_count()):
            info = pa.get_device_info_by_index(i)
            if info.get("maxInputChannels", 0) > 0:
                out.append((i, info["name"], int(info["maxInputChannels"]), int(info["defaultSampleRate"])))
        return out
    finally:
        pa.terminate()


def _device_list(devices) -> str:
    if not devices:
        return "no capture device exists (is a microphone plugged in? `arecord -l` lists ALSA devices)"
    return "capture devices: " + "; ".join(f"[{i}] {name} ({ch} ch, {rate} Hz)" for i, name, ch, rate in devices)


def find_device(device: Union[str, int, None], devices) -> Optional[int]:
    """Index of the device named by index, name substring (case-insensitive) or "default"/None."""
    if device in (None, "", "default"):
        return None
    if isinstance(device, int) or str(device).isdigit():
        idx = int(device)
        if any(i == idx for i, *_ in devices):
            return idx
        raise AudioDeviceError(f"audio input device index {idx} does not exist; {_device_list(devices)}")
    hits = [i for i, name, *_ in devices if str(device).lower() in name.lower()]
    if not hits:
        raise AudioDeviceError(f"no audio input device named like {device!r}; {_device_list(devices)}")
    return hits[0]


class PyAudioSource(AudioSource):
    """A PortAudio capture device. Opens it at 16 kHz mono; where the device refuses that, at its
    own rate and channel count, resampled here."""

    def __init__(self, device: Union[str, int, None] = "default"):
        import pyaudio
        devices = input_devices()
        if not devices:
            raise AudioDeviceError(_device_list(devices))
        index = find_device(device, devices)
        self.pa = pyaudio.PyAudio()
        info = self.pa.get_device_info_by_index(index) if index is not None else self.pa.get_default_input_device_info()
        self.dev_rate, self.channels = RATE, 1
        self.stream = None
        errors = []
        for rate, ch in ((RATE, 1), (int(info["defaultSampleRate"]), min(2, int(info["maxInputChannels"])))):
            try:
                self.stream = self.pa.open(format=pyaudio.paInt16, channels=ch, rate=rate, input=True,
                                           input_device_index=index, frames_per_buffer=FRAME * rate // RATE)
                self.dev_rate, self.channels = rate, ch
                break
            except (OSError, ValueError) as e:
                errors.append(f"{rate} Hz x{ch}: {e}")
        if self.stream is None:
            self.pa.terminate()
            raise AudioDeviceError(f"cannot open audio input {info['name']!r} (busy or unsupported: "
                                   f"{'; '.join(errors)}); {_device_list(devices)}")
        self._res = None if (self.dev_rate, self.channels) == (RATE, 1) else _resampler(RATE)
        self._buf = np.zeros(0, np.int16)

    def read(self) -> Optional[np.ndarray]:
        import av
        while len(self._buf) < FRAME:
            raw = self.stream.read(FRAME * self.dev_rate // RATE, exception_on_overflow=False)
            pcm = np.frombuffer(raw, np.int16)
            if self._res is not None:
                frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16",
                                                   layout="stereo" if self.channels == 2 else "mono")
                frame.sample_rate = self.dev_rate
                pcm = np.concatenate([f.to_ndarray().reshape(-1) for f in self._res.resample(frame)] or
                                     [np.zeros(0, np.int16)])
            self._buf = np.concatenate([self._buf, pcm])
        out, self._buf = self._buf[:FRAME], self._buf[FRAME:]
        return out

    def close(self) -> None:
        try:
            self.stream.stop_stream()
            self.stream.close()
        finally:
            self.pa.terminate()


SOURCES = {"pyaudio": PyAudioSource, "wav": WavSource, "silence": SilenceSource, "noise": NoiseSource}


def open_source(kind: str, **options) -> AudioSource:
    """The source named `kind` with its own options (see each class)."""
    cls = SOURCES.get(kind)
    if cls is None:
        raise ValueError(f"unknown audio source {kind!r} (known: {', '.join(SOURCES)})")
    return cls(**options)
