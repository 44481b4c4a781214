"""Audio output: one interface, several sinks chosen by name.

    sink = open_sink("pyaudio", rate=22050, device="default")   # or "wav" (path=...), "null"
    sink.write(block)          # mono int16; blocks about as long as the block lasts (the clock)
    sink.flush()               # drop whatever is buffered: silence now (barge-in)
    sink.close()

`write` paces playback in real time for every sink, so the speaker's clock is the same whether the
kiosk plays through a loudspeaker, into a WAV file or into nothing. `latency` is how many samples
written are not yet heard. A WAV sink writes only what was played (an interrupted sentence is cut
where it stopped). Sinks: `pyaudio` (PortAudio), `wav`, `null`.
"""
from __future__ import annotations

import time
import wave
from typing import Optional

import numpy as np


class AudioOutError(RuntimeError):
    """An output device is missing or busy; the message lists the devices that exist."""


class AudioSink:
    rate = 22050
    latency = 0                  # samples written but not yet heard

    def __init__(self, rate: int = 22050, realtime: bool = True):
        self.rate, self.realtime = rate, realtime
        self._due = 0.0          # time.monotonic() when everything written so far has been heard
        self.written = 0         # samples written in all
        self.last_audio = 0.0    # time.monotonic() when the last non-empty block ends being heard

    def write(self, pcm: np.ndarray) -> None:
        now = time.monotonic()
        self._due = max(self._due, now) + len(pcm) / self.rate
        self._emit(pcm)
        self.written += len(pcm)
        if len(pcm) and np.any(pcm):
            self.last_audio = self._due
        if self.realtime:
            # keep at most one block ahead of the listener, like a device buffer
            wait = self._due - len(pcm) / self.rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)

    def heard(self) -> int:
        """How many samples written so far have been heard by now."""
        ahead = max(0.0, self._due - time.monotonic()) * self.rate + self.latency
        return max(0, self.written - int(ahead))

    def flush(self) -> None:
        ahead = max(0.0, self._due - time.monotonic()) * self.rate
        self.written -= int(ahead)           # never heard, never will be
        self._due = time.monotonic()
        self.last_audio = min(self.last_audio, self._due + self.latency / self.rate)

    def _emit(self, pcm: np.ndarray) -> None:
        pass

    def close(self) -> None:
        pass


class NullSink(AudioSink):
    """Plays nothing, in real time (tests, benchmarks, a kiosk with no loudspeaker)."""


class WavSink(AudioSink):
    """Writes what is played to a mono 16-bit WAV file."""

    def __init__(self, path: str, rate: int = 22050, realtime: bool = True):
        super().__init__(rate, realtime)
        import os
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        self.path = path
        self._w = wave.open(path, "wb")
        self._w.setnchannels(1)
        self._w.setsampwidth(2)
        self._w.setframerate(rate)

    def _emit(self, pcm: np.ndarray) -> None:
        self._w.writeframes(np.ascontiguousarray(pcm, np.int16).tobytes())

    def close(self) -> None:
        self._w.close()


class PyAudioSink(AudioSink):
    """A PortAudio output device, by name substring or index ("default": the system's)."""

    def __init__(self, device: str = "default", rate: int = 22050, block: int = 441):
        super().__init__(rate, realtime=False)          # the device itself blocks
        try:
            import pyaudio
        except ImportError:
            raise AudioOutError("PyAudio is not installed; fix: EXTRAS=voice scripts/setup "
                                "(needs the Debian package portaudio19-dev)") from None
        self._pa = pyaudio.PyAudio()
        self._index = self._find(device)
        self._block = block
        self._open()
        self.latency = int(self._stream.get_output_latency() * rate)

    def _find(self, device: str) -> Optional[int]:
        if device in ("", "default"):
            return None
        names = []
        for i in range(self._pa.get_device_count()):
            info = self._pa.get_device_info_by_index(i)
            if info.get("maxOutputChannels", 0) > 0:
                names.append(f"{i}: {info['name']}")
                if device == str(i) or device.lower() in info["name"].lower():
                    return i
        self._pa.terminate()
        raise AudioOutError(f"no output device matches {device!r}; devices: {'; '.join(names) or 'none'}. "
                            "Set the speaker node's `device` param (hardware/kiosk.yaml says which one).")

    def _open(self) -> None:
        import pyaudio
        try:
            self._stream = self._pa.open(format=pyaudio.paInt16, channels=1, rate=self.rate, output=True,
                                         output_device_index=self._index, frames_per_buffer=self._block)
        except OSError as e:
            self._pa.terminate()
            raise AudioOutError(f"cannot open the output device at {self.rate} Hz ({e}); is it busy or absent? "
                                "`run.py doctor` lists the devices") from None

    def _emit(self, pcm: np.ndarray) -> None:
        self._stream.write(np.ascontiguousarray(pcm, np.int16).tobytes())

    def flush(self) -> None:
        self._stream.close()         # Pa_CloseStream discards pending buffers (as Pa_AbortStream)
        self._open()
        super().flush()

    def close(self) -> None:
        self._stream.close()
        self._pa.terminate()


SINKS = {"null": NullSink, "mute": NullSink, "wav": WavSink, "pyaudio": PyAudioSink}   # mute: null, for `sink:=mute` (YAML reads null as None)


def open_sink(name: str, **options) -> AudioSink:
    if name not in SINKS:
        raise AudioOutError(f"unknown audio sink '{name}' (known: {', '.join(sorted(SINKS))})")
    return SINKS[name](**options)
