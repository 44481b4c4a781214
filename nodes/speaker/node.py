"""Speaker node: plays SpeechChunks and publishes the master clock.

in: speech (SpeechChunk)   out: playback (Playback)

A player thread writes 10 ms blocks to the sink (hardware/audio_out.py: pyaudio, wav or null)
and publishes `Playback` (which utterance and sample is heard at which time.monotonic()) at
`clock_hz` (at least 50) while it plays, and at 5 Hz when idle (utterance ""). Lip-sync and the
subtitles follow it. An interrupt empties the queue and the sink's buffer: silence within a block.
"""
from __future__ import annotations

import collections
import threading
import time
from dataclasses import dataclass

import numpy as np

from bus.messages import Playback, SpeechChunk
from bus.node import Node


@dataclass
class _Span:
    """Sink samples [start, end) came from `utterance` at utterance sample `sample` (chunk rate)."""
    start: int
    end: int
    utterance: str
    sample: int
    ratio: float          # utterance samples per sink sample
    rate: int
    reply: str
    turn: int


class SpeakerNode(Node):
    inputs = {"speech": SpeechChunk}
    outputs = {"playback": Playback}

    @dataclass
    class Params:
        sink: str = "pyaudio"            # pyaudio | wav | null
        device: str = "default"          # pyaudio: a device name substring or index
        path: str = "var/voice/out.wav"  # wav: where what is played goes
        rate: int = 22050                # the sink's rate; chunks at other rates are resampled
        block_ms: int = 10
        clock_hz: float = 100.0          # Playback while playing (at least 50; one per 10 ms block)
        idle_hz: float = 5.0

    @classmethod
    def check(cls, params) -> list[str]:
        from hardware.audio_out import SINKS
        problems = []
        if params.sink not in SINKS:
            problems.append(f"unknown sink '{params.sink}' (known: {', '.join(sorted(SINKS))})")
        if params.clock_hz < 50:
            problems.append(f"clock_hz {params.clock_hz} is under 50: lip-sync needs at least 50 Playback a second")
        return problems

    def setup(self) -> None:
        from hardware.audio_out import open_sink
        opts = {"rate": self.params.rate}
        if self.params.sink == "wav":
            opts["path"] = self.params.path
        elif self.params.sink == "pyaudio":
            opts["device"] = self.params.device
        self.sink = open_sink(self.params.sink, **opts)
        self.queue: collections.deque = collections.deque()
        self.spans: collections.deque = collections.deque()
        self.lock = threading.Condition()
        self.epoch = 0                    # bumped by every interrupt
        self.playing = False
        self._running = True
        self._last_clock = 0.0
        self.thread = threading.Thread(target=self._player, daemon=True, name="speaker")
        self.thread.start()
        self.every(1.0 / self.params.idle_hz, self._idle)

    def teardown(self) -> None:
        self._running = False
        with self.lock:
            self.lock.notify_all()
        self.thread.join(timeout=1.0)
        self.sink.close()

    def on_speech(self, msg: SpeechChunk) -> None:
        turn = self.header.turn if self.header else 0
        with self.lock:
            self.queue.append((turn, msg))
            self.lock.notify_all()

    def on_interrupt(self, msg) -> None:
        with self.lock:
            self.epoch += 1
            keep = [(t, c) for t, c in self.queue if msg.turn and t >= msg.turn]
            self.queue.clear()
            self.queue.extend(keep)
            self.spans.clear()
            self.lock.notify_all()      # the player thread flushes the sink (a device is its thread's)

    # --- the player thread ---
    def _player(self) -> None:
        block = max(1, self.params.rate * self.params.block_ms // 1000)
        flushed = 0
        while self._running:
            with self.lock:
                while self._running and not self.queue:
                    if flushed != self.epoch:
                        flushed = self._flush()
                    if self.playing and self.sink.heard() >= self.sink.written:
                        self._finished()
                    self.lock.wait(0.005 if self.playing else 0.1)
                if not self._running:
                    return
                if flushed != self.epoch:
                    flushed = self._flush()
                turn, chunk = self.queue.popleft()
                epoch = self.epoch
            pcm = chunk.pcm
            if chunk.rate != self.params.rate:
                from nodes.tts.audio import resample
                pcm = resample(pcm, chunk.rate, self.params.rate)
            ratio = chunk.rate / self.params.rate
            for i in range(0, len(pcm), block):
                with self.lock:
                    if epoch != self.epoch:
                        break
                    start = self.sink.written
                    self.spans.append(_Span(start, start + len(pcm[i:i + block]), chunk.utterance,
                                            chunk.sample + int(i * ratio), ratio, chunk.rate, chunk.reply, turn))
                    self.playing = True
                self.sink.write(pcm[i:i + block])
                self._clock()

    def _flush(self) -> int:
        self.sink.flush()
        self.spans.clear()
        self.playing = False
        self.publish("playback", Playback("", 0, time.monotonic(), self.params.rate, False, ""))
        return self.epoch

    def _finished(self) -> None:
        self.playing = False
        last = self.spans[-1] if self.spans else None
        self.spans.clear()
        if last:
            end = last.sample + int((last.end - last.start) * last.ratio)
            self.publish("playback", Playback(last.utterance, end, time.monotonic(), last.rate, False, last.reply),
                         turn=last.turn)

    def _clock(self) -> None:
        now = time.monotonic()
        if now - self._last_clock < 1.0 / self.params.clock_hz * 0.9:
            return
        with self.lock:
            heard = self.sink.heard()
            while len(self.spans) > 1 and self.spans[0].end <= heard:
                self.spans.popleft()
            if not self.spans:
                return
            s = self.spans[0]
            sample = s.sample + int(max(0, heard - s.start) * s.ratio)
            self._last_clock = now
        self.publish("playback", Playback(s.utterance, sample, now, s.rate, True, s.reply), turn=s.turn)

    def _idle(self) -> None:
        if not self.playing:
            self.publish("playback", Playback("", 0, time.monotonic(), self.params.rate, False, ""))
