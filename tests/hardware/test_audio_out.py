"""Audio output sinks: real-time pacing, the heard position, flush, and clear errors."""
import time
import wave

import numpy as np
import pytest

from hardware.audio_out import AudioOutError, open_sink


def test_null_sink_paces_in_real_time():
    sink = open_sink("null", rate=16000)
    t = time.monotonic()
    for _ in range(30):
        sink.write(np.ones(160, np.int16))           # 10 ms blocks
    elapsed = time.monotonic() - t
    assert 0.2 < elapsed < 0.6 and sink.written == 4800
    time.sleep(0.05)
    assert sink.heard() == 4800


def test_wav_sink_writes_what_was_played(tmp_path):
    path = str(tmp_path / "a" / "out.wav")
    sink = open_sink("wav", path=path, rate=22050, realtime=False)
    sink.write(np.arange(100, dtype=np.int16))
    sink.write(np.arange(50, dtype=np.int16))
    sink.close()
    with wave.open(path) as w:
        assert w.getframerate() == 22050 and w.getnchannels() == 1
        assert np.array_equal(np.frombuffer(w.readframes(200), np.int16), np.r_[np.arange(100), np.arange(50)])


def test_flush_forgets_what_was_not_heard():
    sink = open_sink("null", rate=16000, realtime=False)
    sink.write(np.ones(16000, np.int16))             # a second, queued
    sink.flush()
    assert sink.written < 1000 and sink.last_audio <= time.monotonic() + 0.001


def test_errors_name_the_fix():
    with pytest.raises(AudioOutError, match="known: mute, null, pyaudio, wav"):
        open_sink("alsa")


def test_pyaudio_missing_device_lists_devices():
    import pyaudio  # noqa: F401  (requirements-voice.txt)
    with pytest.raises(AudioOutError, match="no output device matches|cannot open"):
        open_sink("pyaudio", device="no-such-speaker-xyz")
