"""Lip-sync face: turns what the kiosk says into a talking avatar, frame by frame on the audio
clock.

in:  speech (SpeechChunk)   TTS output: audio and its phone timeline, ahead of playback
     playback (Playback)    the speaker's clock: which utterance and sample is heard now
out: frame (VideoFrame)     pts in seconds on the utterance's audio clock; idle frames (utterance
                            "") carry a time.monotonic() pts

Frames are paced by the playback clock, `lead_s` ahead of what is heard, so the display (which
keeps only the latest two) always has the next one in hand and never a queue. The first frame of
an utterance is published as soon as its first chunk arrives.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

from bus.messages import Interrupt, Playback, SpeechChunk, VideoFrame
from bus.node import Node, QoS


class LipsyncNode(Node):
    inputs = {"speech": SpeechChunk, "playback": Playback}
    outputs = {"frame": VideoFrame}
    optional = frozenset({"playback"})
    qos = {"playback": QoS(depth=4, keep="latest")}
    clock = staticmethod(time.monotonic)     # tests replace it with a simulated clock

    @dataclass
    class Params:
        backend: str = "viseme"          # viseme | wav2lip
        avatar: str = ""                 # avatar pack directory ("" = config/avatar/default)
        width: int = 720
        height: int = 1280
        fps: float = 25.0
        idle_fps: float = 12.5           # while nobody speaks
        lead_s: float = 0.12             # publish this far ahead of the playback clock (3 frames)
        checkpoint: str = ""             # wav2lip: an official Wav2Lip .pth (operator-supplied)
        device: str = "cpu"              # wav2lip: cpu | cuda
        batch: int = 8                   # wav2lip: frames per inference

    @classmethod
    def check(cls, params) -> list[str]:
        import os
        from nodes.lipsync.backend import BACKENDS
        out = []
        if params.backend not in BACKENDS:
            out.append(f"backend '{params.backend}' is unknown (choose one of: {', '.join(BACKENDS)})")
        if params.avatar and not os.path.isfile(os.path.join(params.avatar, "pack.yaml")):
            out.append(f"avatar '{params.avatar}' is not an avatar pack (no pack.yaml); make one with "
                       f"`python run.py avatar make PHOTO --out DIR`, or leave it empty for the default")
        if params.checkpoint and not os.path.isfile(params.checkpoint):
            out.append(f"checkpoint '{params.checkpoint}' does not exist; give the path of a Wav2Lip .pth file")
        if not (1 <= params.fps <= 60) or params.width < 64 or params.height < 64:
            out.append("fps must be 1-60 and width, height at least 64")
        return out

    def setup(self):
        from nodes.lipsync import avatar, backend
        options = {}
        if self.params.backend == "wav2lip":
            options = dict(checkpoint=self.params.checkpoint, device=self.params.device, batch=self.params.batch)
        self.renderer = backend.create(self.params.backend, avatar.load(self.params.avatar),
                                       self.params.width, self.params.height, self.params.fps, **options)
        self.utts: dict = {}
        self.last_k: dict[str, int] = {}
        self.playback = Playback("", 0, 0.0)
        self.index = 0
        self.next_idle = 0.0
        self.every(1.0 / self.params.fps, self.tick)

    # --- inputs ---
    def on_speech(self, msg: SpeechChunk):
        from nodes.lipsync.backend import Utterance
        utt = self.utts.get(msg.utterance)
        first = utt is None
        if first:
            utt = self.utts[msg.utterance] = Utterance(msg.utterance, msg.rate)
            while len(self.utts) > 8:
                old = next(iter(self.utts))
                self.utts.pop(old)
                self.last_k.pop(old, None)
                self.renderer.forget(old)
        utt.add(msg)
        if first:
            self.emit(utt, 0)

    def on_playback(self, msg: Playback):
        self.playback = msg

    def on_interrupt(self, msg: Interrupt):
        for uid in list(self.utts):
            self.renderer.forget(uid)
        self.utts.clear()
        self.last_k.clear()

    # --- frames ---
    def position(self, now: float) -> float:
        """Seconds into the playing utterance that are heard at `now`. The clock is carried
        forward from the last Playback for at most 60 ms: a speaker that has stalled is not
        assumed to play on."""
        pb = self.playback
        return pb.sample / pb.rate + min(now - pb.mono, 0.06)

    def tick(self):
        now = self.clock()
        pb = self.playback
        utt = self.utts.get(pb.utterance) if pb.playing else None
        if utt is not None:
            k = int(math.floor((self.position(now) + self.params.lead_s) * self.params.fps + 1e-6))
            due = int(math.floor(self.position(now) * self.params.fps))     # a frame before this is late
            for j in range(max(self.last_k.get(utt.id, -1) + 1, due), k + 1):
                self.emit(utt, j)
            return
        if now >= self.next_idle:
            self.next_idle = now + 1.0 / self.params.idle_fps
            self.index += 1
            img = self.renderer.render(None, 0.0, now)
            self.publish("frame", VideoFrame(img, pts=now + self.params.lead_s, utterance="", index=self.index))

    def emit(self, utt, k: int) -> None:
        self.last_k[utt.id] = k
        pts = k / self.params.fps
        img = self.renderer.render(utt, pts, self.clock())
        self.index += 1
        self.publish("frame", VideoFrame(img, pts=pts, utterance=utt.id, index=self.index))
