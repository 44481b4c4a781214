"""A simulated kiosk session for tests: the lip-sync and display nodes on the fake bus, one
simulated clock, a speaker that plays a synthetic utterance and publishes its Playback clock."""
from __future__ import annotations

from bus.messages import Moderated, Playback, Reply
from bus.testing import Harness
from nodes.display.node import DisplayNode
from nodes.lipsync import synth
from nodes.lipsync.node import LipsyncNode


def harness(cls, params):
    h = Harness(cls, params, setup=False)
    h.node.clock = lambda: h.now
    h.node.setup()
    return h


def session(out_dir: str, seconds: float = 5.0, play_at: float = 0.8, tts_at: float = 0.5,
            audio_lag_s: float = 0.0, lip_params=None, display_params=None, step: float = 0.005, chunks=None):
    """Run one utterance through lipsync -> display, recording to out_dir. `audio_lag_s` shifts
    the Playback clock the lipsync sees against the one the display records by (a fault)."""
    lip = harness(LipsyncNode, {"width": 720, "height": 520, **(lip_params or {})})
    disp = harness(DisplayNode, {"driver": "dummy", "record": out_dir, "record_wait": True,
                                 **(display_params or {})})
    chunks = chunks or synth.chunks()
    utt = chunks[0].utterance
    rate = chunks[0].rate
    total = sum(len(c.pcm) for c in chunks) / rate
    sent, fed, t, next_pb = 0, False, 0.0, 0.0
    while t < seconds:
        t = round(t + step, 6)
        if not fed and t >= tts_at:
            disp.send("heard", Moderated(text="기초연금 받을 수 있어요?", label="allow"))
            disp.send("reply", Reply(kind="answer", text=chunks[0].text, id="r1", url="https://www.bokjiro.go.kr"))
            for c in chunks:
                lip.send("speech", c)
                disp.send("speech", c)
            fed = True
        if t >= next_pb:
            playing = play_at <= t < play_at + total
            pos = t - play_at if playing else 0.0
            pb = Playback(utt if playing else "", int(pos * rate), t, rate, playing, "r1")
            disp.send("playback", pb)
            lip.send("playback", Playback(pb.utterance, int((pos + audio_lag_s) * rate) if playing else 0, t, rate,
                                          playing, "r1"))
            next_pb = t + (0.02 if playing else 0.2)
        lip.advance(step)
        for _, frame, _ in lip.published[sent:]:
            disp.send("frame", frame)
        sent = len(lip.published)
        disp.advance(step)
    disp.node.teardown()
    return lip, disp
