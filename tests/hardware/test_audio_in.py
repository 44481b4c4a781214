"""Audio input sources: resampling real 48 kHz stereo speech, gaps, pacing, noise, device errors."""
import os
import time

import numpy as np
import pytest

from hardware.audio_in import (FRAME, RATE, AudioDeviceError, find_device, input_devices, load_audio,
                               open_source, to_mono16k)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SPEECH = os.path.join(os.path.dirname(ROOT), "shared", "fixtures", "speech")
CLIP = os.path.join(SPEECH, "ko_male_support_fund.wav")


def frames(src):
    out = []
    while (f := src.read()) is not None:
        assert f.dtype == np.int16 and f.shape == (FRAME,)
        out.append(f)
    return out


def test_wav_source_resamples_stereo_48k_and_inserts_gaps():
    pcm = load_audio(CLIP)
    assert abs(len(pcm) / RATE - 3.47) < 0.02          # 48 kHz stereo file, 3.47 s
    got = frames(open_source("wav", files=[CLIP, CLIP], gap_s=1.0, lead_s=0.5, tail_s=0.5, realtime=False))
    total = np.concatenate(got)
    assert abs(len(total) / RATE - (0.5 + 3.47 + 1.0 + 3.47 + 0.5)) < 0.05
    gap = total[int(4.1 * RATE):int(4.9 * RATE)]                 # inside the 1 s gap
    assert np.abs(gap).max() == 0
    assert np.abs(total[int(1.5 * RATE):int(3.5 * RATE)]).max() > 3000   # speech is there


def test_resampler_keeps_a_tone_and_mixes_channels():
    t = np.arange(48000) / 48000
    tone = (np.sin(2 * np.pi * 440 * t) * 10000).astype(np.int16)
    out = to_mono16k(np.stack([tone, tone], axis=1), 48000)
    assert abs(len(out) - 16000) <= 32
    spec = np.abs(np.fft.rfft(out[1000:15000].astype(float)))
    assert abs(np.argmax(spec) * RATE / 14000 - 440) < 3


def test_realtime_pacing_and_noise_level():
    src = open_source("noise", duration_s=0.3, level_dbfs=-30, color="pink", realtime=True)
    t0 = time.monotonic()
    got = np.concatenate(frames(src))
    assert time.monotonic() - t0 >= 0.27
    assert abs(20 * np.log10(np.sqrt(np.mean(got.astype(float) ** 2)) / 32768) + 30) < 1.0
    assert np.abs(np.concatenate(frames(open_source("silence", duration_s=0.2, realtime=False)))).max() == 0


def test_unknown_source_and_device_errors_list_what_exists():
    with pytest.raises(ValueError, match="known: pyaudio, wav, silence, noise"):
        open_source("telepathy")
    devices = [(0, "HDA Intel PCH: ALC892 Analog", 2, 44100), (3, "USB PnP Sound Device", 1, 48000)]
    assert find_device("usb pnp", devices) == 3
    assert find_device("2", [(2, "x", 1, 16000)]) == 2
    assert find_device("default", devices) is None
    with pytest.raises(AudioDeviceError, match=r"\[3\] USB PnP Sound Device \(1 ch, 48000 Hz\)"):
        find_device("Jabra", devices)
    with pytest.raises(AudioDeviceError, match="does not exist.*ALC892"):
        find_device(7, devices)


def test_pyaudio_missing_device_is_a_clear_error():
    real = input_devices()
    with pytest.raises(AudioDeviceError) as err:
        open_source("pyaudio", device="no such microphone 42")
    if real:
        assert real[0][1] in str(err.value)
    else:
        assert "no capture device exists" in str(err.value)


def test_wav_source_reports_missing_file():
    with pytest.raises(FileNotFoundError, match="nope.wav"):
        open_source("wav", files=["/nonexistent/nope.wav"])
