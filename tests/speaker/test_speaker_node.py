"""The speaker node: plays chunks in real time into a sink and publishes the Playback clock."""
import time
import wave

import numpy as np
import pytest

from bus.messages import Reply
from bus.testing import Harness
from nodes.speaker.node import SpeakerNode
from nodes.tts.node import TtsNode


@pytest.fixture(scope="module")
def chunks():
    h = Harness(TtsNode, {"cache": ""})
    out = [(c, turn) for _, c, turn in h.send("reply", Reply("answer", "안녕하세요. 천천히 말씀드릴게요.", id="r9"))]
    h.node.teardown()
    return out


def play(params, chunks, seconds):
    spk = Harness(SpeakerNode, params)
    for c, turn in chunks:
        spk.send("speech", c, turn=turn)
    time.sleep(seconds)
    return spk


def test_clock_while_playing_then_idle(chunks, tmp_path):
    total = sum(len(c.pcm) for c, _ in chunks) / 22050
    spk = play({"sink": "wav", "path": str(tmp_path / "out.wav")}, chunks, total + 0.4)
    spk.node.teardown()
    clock = [p for p in spk.outputs("playback") if p.playing]
    assert clock and {p.reply for p in clock} == {"r9"}
    rate = (len(clock) - 1) / (clock[-1].mono - clock[0].mono)
    assert rate >= 50                                    # the master clock: at least 50 a second
    utts = list(dict.fromkeys(c.utterance for c, _ in chunks))
    assert list(dict.fromkeys(p.utterance for p in clock)) == utts
    for u in utts:                                       # each utterance's sample moves forward with time
        mine = [p for p in clock if p.utterance == u]
        assert all(b.sample >= a.sample for a, b in zip(mine, mine[1:]))
        speed = (mine[-1].sample - mine[0].sample) / (mine[-1].mono - mine[0].mono)
        assert 0.8 * 22050 < speed < 1.2 * 22050
    ended = spk.outputs("playback")[-1]
    assert not ended.playing
    with wave.open(str(tmp_path / "out.wav")) as w:      # everything was played, in order
        played = np.frombuffer(w.readframes(w.getnframes()), np.int16)
    assert np.array_equal(played, np.concatenate([c.pcm for c, _ in chunks]))


def test_idle_clock(chunks):
    spk = Harness(SpeakerNode, {"sink": "null"})
    spk.advance(1.0)
    idle = spk.outputs("playback")
    assert len(idle) == 5 and all(p.utterance == "" and not p.playing for p in idle)
    spk.node.teardown()


def test_interrupt_silences_at_once(chunks, tmp_path):
    spk = play({"sink": "wav", "path": str(tmp_path / "cut.wav")}, chunks, 0.5)
    t = time.monotonic()
    spk.interrupt_now("barge_in")
    time.sleep(0.2)
    assert spk.node.sink.last_audio - t < 0.05            # the last audible sample ends within 50 ms
    assert not spk.node.queue and not spk.node.playing
    spk.node.teardown()
    with wave.open(str(tmp_path / "cut.wav")) as w:
        played = w.getnframes() / w.getframerate()
    assert 0.4 < played < 0.6


def test_check():
    assert SpeakerNode.check(SpeakerNode.Params(clock_hz=20))
    assert SpeakerNode.check(SpeakerNode.Params(sink="nope"))
    assert SpeakerNode.check(SpeakerNode.Params()) == []
