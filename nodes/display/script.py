"""The recorded demo's script: sits between STT and moderation. It passes on what the STT heard
from the mic's WAV recordings, then, for questions that have no real recording, injects the text
after the STT (`source: injected`; the screen says so), one turn at a time, each once the kiosk
has finished answering. When the script is done and the kiosk is quiet, it stops the graph.

in:  stt (Transcript, optional)   the STT's transcripts (finals are passed on)
     reply (Reply)                the kiosk answered
     playback (Playback)          the kiosk's voice is playing / has stopped
out: transcript (Transcript)      to moderation
"""
from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass, field

from bus.messages import Playback, Reply, Transcript, new_turn
from bus.node import Node, QoS
from bus.privacy import mask


class DemoScript(Node):
    inputs = {"stt": Transcript, "reply": Reply, "playback": Playback}
    outputs = {"transcript": Transcript}
    optional = frozenset({"stt", "playback"})
    qos = {"playback": QoS(depth=4, keep="latest")}
    clock = staticmethod(time.monotonic)

    @dataclass
    class Params:
        recorded: int = 0              # how many questions come from the mic's WAV files first
        lines: list[str] = field(default_factory=list)    # then these, injected after the STT
        start_s: float = 2.0           # before the first injected line, if nothing was recorded
        quiet_s: float = 1.5           # the kiosk silent this long: the next line
        turn_timeout_s: float = 40.0   # give up waiting for an answer
        recorded_timeout_s: float = 90.0   # give up waiting for the next recorded question
        voice_wait_s: float = 6.0      # an answer whose voice has not started by then counts as said
        end_quiet_s: float = 3.0       # after the last answer: stop the graph
        stop_graph: bool = True

    def setup(self):
        self.heard = 0                 # recorded questions passed on
        self.next_line = 0
        self.waiting_since = None      # a question is out, its answer not finished
        self.replies = 0
        self.replies_at_ask = 0
        self.playing = False
        self.quiet_since = self.clock() + self.params.start_s - self.params.quiet_s
        self.done_at = None
        self.progress = self.clock()       # when something last happened (a question, an answer)
        self.reply_at, self.voiced = 0.0, False
        self.every(0.1, self.tick)

    def on_stt(self, msg: Transcript):
        if not msg.final:
            return
        self.heard += 1
        self.log.info("recorded question %d heard: %s", self.heard, mask(msg.text)[0])
        self.publish("transcript", msg)
        self._asked()

    def on_reply(self, msg: Reply):
        self.replies += 1
        self.reply_at = self.clock()
        self.voiced = False

    def on_playback(self, msg: Playback):
        playing = msg.playing and bool(msg.utterance)
        if self.playing and not playing:
            self.quiet_since = self.clock()
        self.playing = playing
        self.voiced = self.voiced or playing

    def _asked(self):
        self.waiting_since = self.progress = self.clock()
        self.replies_at_ask = self.replies

    def answered(self, now: float) -> bool:
        """The last question got its answer, and the kiosk has finished saying it."""
        if self.waiting_since is None:
            return not self.playing and now - self.quiet_since >= self.params.quiet_s
        if now - self.waiting_since > self.params.turn_timeout_s:
            self.log.warning("no answer within %.0f s; going on", self.params.turn_timeout_s)
            self.waiting_since = None
            return True
        replied = self.replies > self.replies_at_ask
        unvoiced = replied and not self.voiced and now - self.reply_at >= self.params.voice_wait_s
        if replied and not self.playing and (unvoiced or (now - self.quiet_since >= self.params.quiet_s
                                                          and self.quiet_since > self.waiting_since)):
            self.waiting_since, self.progress = None, now
            return True
        return False

    def tick(self):
        now = self.clock()
        if self.done_at is not None:
            return
        if not self.answered(now):
            return
        if self.heard < self.params.recorded:
            if now - self.progress > self.params.recorded_timeout_s:
                self.log.warning("heard %d of %d recorded questions; injecting the rest",
                                 self.heard, self.params.recorded)
                self.heard = self.params.recorded
            return
        if self.next_line < len(self.params.lines):
            text = self.params.lines[self.next_line]
            self.next_line += 1
            self.log.info("injected question %d: %s", self.next_line, mask(text)[0])
            self.publish("transcript", Transcript(text=text, source="injected"), turn=new_turn())
            self._asked()
            return
        self.done_at = now
        self.log.info("the demo script is done")
        if self.params.stop_graph:
            self.every(self.params.end_quiet_s, self.stop)

    def stop(self):
        os.kill(os.getpid(), signal.SIGTERM)   # the launcher then stops the whole graph
