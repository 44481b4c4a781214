"""Microphone node: capture, voice activity, end of turn, echo guard.

in:  playback (Playback, optional: the speaker's clock; says when the kiosk is talking)
     reference (SpeechChunk, optional: what the kiosk says, so its echo can be recognised)
out: audio (AudioChunk: every 20 ms frame, for monitoring, barge-in and STT partials)
     activity (VoiceActivity: speech start / end; a new turn begins at start)
     utterance (Utterance: the whole utterance with pre-roll, once the turn has ended)

The source (hardware/audio_in.py) is read on a capture thread, which runs the VAD and the
end-of-turn model (nodes/mic/endpoint.py) and publishes. Echo policy: nodes/mic/echo.py.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from bus.messages import AudioChunk, Playback, SpeechChunk, Utterance, VoiceActivity, new_turn
from bus.node import Node, QoS
from nodes.mic.echo import EchoGuard
from nodes.mic.endpoint import EndpointParams, Endpointer, Event

RATE = 16000


class MicNode(Node):
    inputs = {"playback": Playback, "reference": SpeechChunk}
    outputs = {"audio": AudioChunk, "activity": VoiceActivity, "utterance": Utterance}
    optional = frozenset({"playback", "reference"})
    qos = {"playback": QoS(depth=4, keep="latest")}

    @dataclass
    class Params:
        source: str = "pyaudio"            # pyaudio | wav | silence | noise
        device: str = "default"            # pyaudio: name substring or index
        files: list[str] = field(default_factory=list)   # wav: played in order
        gap_s: float = 1.0                 # wav: silence between files
        lead_s: float = 0.0
        tail_s: float = 1.0
        loop: bool = False
        realtime: bool = True              # wav/silence/noise: pace frames like a microphone
        duration_s: float = 0.0            # silence/noise: 0 is forever
        noise_dbfs: float = -35.0
        publish_audio: bool = True
        vad_threshold: float = 0.5
        min_speech_s: float = 0.25
        preroll_s: float = 0.3
        eot_silence_s: float = 0.5
        eot_threshold: float = 0.9
        max_wait_s: float = 2.5
        max_utterance_s: float = 30.0
        rejoin_s: float = 2.0              # speech this soon after an end of turn continues it
        end_of_turn_model: str = ""        # "": var/models/smart-turn-v3.2-cpu.onnx; "none": silence only
        barge_in_s: float = 0.8            # user speech over the kiosk before it counts
        echo_tail_s: float = 0.3
        echo_corr: float = 0.55
        autostart: bool = True             # tests drive process() themselves

    @classmethod
    def check(cls, p) -> list[str]:
        import os
        problems = []
        if p.source not in ("pyaudio", "wav", "silence", "noise"):
            problems.append(f"source {p.source!r} is not one of pyaudio, wav, silence, noise")
        if p.source == "wav" and not p.files:
            problems.append("source 'wav' needs files: [a.wav, ...]")
        problems += [f"audio file {f!r} does not exist" for f in p.files if p.source == "wav" and not os.path.isfile(f)]
        if p.end_of_turn_model not in ("", "none") and not os.path.isfile(p.end_of_turn_model):
            problems.append(f"end_of_turn_model {p.end_of_turn_model!r} does not exist")
        if not p.eot_silence_s < p.max_wait_s:
            problems.append("eot_silence_s must be shorter than max_wait_s")
        return problems

    def setup(self):
        from nodes.mic.models import SMART_TURN, SileroVad, SmartTurn
        p = self.params
        eot = None
        if p.end_of_turn_model != "none":
            try:
                eot = SmartTurn(p.end_of_turn_model or SMART_TURN)
            except FileNotFoundError as e:
                self.log.warning("%s; ending turns on silence alone", e)
                self.set_health("degraded", str(e))
        ep = EndpointParams(vad_threshold=p.vad_threshold, vad_release=min(0.35, p.vad_threshold),
                            min_speech_s=p.min_speech_s, preroll_s=p.preroll_s, eot_silence_s=p.eot_silence_s,
                            eot_threshold=p.eot_threshold, max_wait_s=p.max_wait_s,
                            max_utterance_s=p.max_utterance_s, rejoin_s=p.rejoin_s)
        self.endpointer = Endpointer(SileroVad(), eot, ep)
        self.echo = EchoGuard(tail_s=p.echo_tail_s, echo_corr=p.echo_corr)
        self.recent = np.zeros(0, np.int16)
        self.user_run = 0.0                # seconds of non-echo user speech while the kiosk talks
        self.turn = 0
        self.utterance = ""
        self._stop = threading.Event()
        self.finished = threading.Event()
        self.source = None
        self.thread = None
        if p.autostart:
            self.source = self._open()
            self.thread = threading.Thread(target=self._capture, name=f"{self.id}-capture", daemon=True)
            self.thread.start()

    def _open(self):
        from hardware.audio_in import open_source
        p = self.params
        if p.source == "pyaudio":
            return open_source("pyaudio", device=p.device)
        if p.source == "wav":
            return open_source("wav", files=p.files, gap_s=p.gap_s, lead_s=p.lead_s, tail_s=p.tail_s,
                               loop=p.loop, realtime=p.realtime)
        opts = {"duration_s": p.duration_s or None, "realtime": p.realtime}
        if p.source == "noise":
            opts["level_dbfs"] = p.noise_dbfs
        return open_source(p.source, **opts)

    def _capture(self):
        try:
            while not self._stop.is_set():
                frame = self.source.read()
                if frame is None:
                    break
                self.process(frame, time.monotonic())
            if not self._stop.is_set():
                self.flush(time.monotonic())
        finally:
            self.finished.set()

    def teardown(self):
        if self.thread is not None:
            self._stop.set()
            self.thread.join(timeout=1.0)
        if self.source is not None:
            self.source.close()

    # --- inputs ---
    def on_playback(self, msg: Playback):
        self.echo.on_playback(msg.utterance, msg.sample, msg.mono, msg.playing, msg.rate)

    def on_reference(self, msg: SpeechChunk):
        pcm = msg.pcm
        if msg.rate != RATE:
            from hardware.audio_in import to_mono16k
            pcm = to_mono16k(pcm, msg.rate)
        self.echo.on_reference(msg.utterance, msg.sample * RATE // msg.rate, pcm)

    # --- the capture path ---
    def process(self, frame: np.ndarray, now: float) -> None:
        """One 20 ms frame captured at time.monotonic() `now` (its last sample)."""
        ep = self.endpointer
        self.recent = np.concatenate([self.recent, frame])[-RATE:]
        hold = False
        if ep.turn is None and self.echo.speaking(now):
            hold = self._guard(frame, now)
        first = ep.sample
        events = ep.feed(frame, hold_start=hold)
        for ev in events:
            if ev.kind == "start":
                self._start(ev, now, barge_in=self.echo.speaking(now))
        if self.params.publish_audio:
            final = any(ev.kind == "end" for ev in events)
            utt = self.utterance or next((ev.utterance for ev in events if ev.kind == "end"), "")
            self.publish("audio", AudioChunk(frame, RATE, "mic", utt, first, final), turn=self.turn if utt else 0)
        for ev in events:
            if ev.kind == "end":
                self._end(ev, now)

    def flush(self, now: float) -> None:
        for ev in self.endpointer.flush():
            self._end(ev, now)

    def _guard(self, frame: np.ndarray, now: float) -> bool:
        """While the kiosk talks: True holds back a turn; False lets a barge-in through."""
        dt = len(frame) / RATE
        if not self.endpointer.speaking:
            self.user_run = max(0.0, self.user_run - dt)
            return True
        echo = self.echo.is_echo(self.recent, now)
        if echo is None:                    # no reference: half duplex
            return True
        self.user_run = self.user_run + dt if not echo else max(0.0, self.user_run - dt / 2)
        return self.user_run < self.params.barge_in_s

    def _mono(self, sample: int, now: float) -> float:
        return now - (self.endpointer.sample - sample) / RATE

    def _start(self, ev: Event, now: float, barge_in: bool) -> None:
        self.turn = new_turn()
        self.utterance = ev.utterance
        self.user_run = 0.0
        if barge_in:
            self.log.info("barge-in: the senior spoke over the kiosk")
            self.interrupt("barge_in", turn=self.turn)
        elif ev.continues:   # the last turn ended too soon: its answer stops, this utterance holds both
            self.log.info("utterance %s goes on after a pause (replaces %s)", ev.utterance, ev.continues)
            self.interrupt("continued", turn=self.turn)
        self.publish("activity", VoiceActivity("start", ev.utterance, ev.sample, RATE, self._mono(ev.sample, now)),
                     turn=self.turn)

    def _end(self, ev: Event, now: float) -> None:
        end_mono = self._mono(ev.sample, now)
        self.publish("activity", VoiceActivity("end", ev.utterance, ev.sample, RATE, end_mono), turn=self.turn)
        self.publish("utterance", Utterance(ev.pcm, RATE, ev.utterance, ev.pcm_start, end_mono, ev.reason),
                     turn=self.turn)
        self.log.info("utterance %s: %.1f s, ended by %s%s", ev.utterance, len(ev.pcm) / RATE, ev.reason,
                      f" (p={ev.eot_prob:.2f})" if ev.eot_prob >= 0 else "")
        self.utterance = ""
