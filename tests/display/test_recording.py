"""Headless recording: the MP4 has picture and sound in sync (measured from the file, as
ITU-R BT.1359 counts it), a transcript and snapshots; the measuring tool itself is checked on a
file with a known offset."""
import json
import os

import numpy as np
import pytest

from nodes.display import avsync
from nodes.display.recorder import Recorder
from nodes.lipsync import synth
from tests.display.sim import session


def test_a_recorded_session_has_sound_and_lips_in_sync(tmp_path):
    out = str(tmp_path / "rec")
    lip, disp = session(out, seconds=5.0)
    mp4 = os.path.join(out, "session.mp4")
    frames, times, audio, rate = avsync.read(mp4)
    assert 120 <= len(frames) <= 126 and rate == 24000
    assert np.abs(audio[int(1.0 * rate):int(2.0 * rate)]).max() > 0.1       # the voice is in the file
    assert np.abs(audio[:int(0.7 * rate)]).max() < 0.01                      # silence before it plays
    r = avsync.measure(mp4)
    assert -40 <= r["offset_ms"] <= 40 and r["corr"] > 0.4, r
    assert r["in_window"]
    rows = [json.loads(x) for x in open(os.path.join(out, "transcript.jsonl"), encoding="utf-8")]
    assert [x["kind"] for x in rows] == ["heard", "reply"]
    snaps = sorted(f for f in os.listdir(out) if f.endswith(".png"))
    assert any("speaking" in f for f in snaps) and any("listening" in f for f in snaps)
    assert disp.node.counters["late"] == 0 and disp.node.counters["shown"] > 60


def _known_offset_mp4(path, shift_s):
    """A 'mouth' square whose brightness follows the voice's loudness `shift_s` later."""
    rate = 16000
    pcm, *_ = synth.voice(rate=rate)
    pcm = np.concatenate([np.zeros(rate // 2, np.int16), pcm, np.zeros(rate // 2, np.int16)])
    et, ev = avsync.envelope(pcm.astype(np.float32) / 32768, rate)
    rec = Recorder(path, 320, 240, fps=25.0, t0=0.0, wait=True)
    rec.sound(pcm, rate, 0.0)
    for k in range(int(len(pcm) / rate * 25)):
        img = np.full((240, 320, 3), 120, np.uint8)
        level = np.interp(k / 25 + shift_s, et, ev) / ev.max()
        img[100:160, 120:200] = int(40 + 200 * level)
        rec.frame(img, k / 25)
    return rec.close(len(pcm) / rate)


@pytest.mark.parametrize("shift_ms", [0, 80, -60])
def test_the_offset_tool_measures_a_known_offset(tmp_path, shift_ms):
    mp4 = _known_offset_mp4(str(tmp_path), shift_ms / 1000)
    r = avsync.measure(mp4)
    # the picture shows what is heard shift later: the sound is behind by shift
    assert abs(r["offset_ms"] - (-shift_ms)) <= 12, r
    assert r["in_window"] == (-125 <= -shift_ms <= 45)
