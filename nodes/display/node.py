"""Kiosk display: the portrait screen a senior sees and touches (pygame; SDL's dummy driver when
headless), and the session recorder.

in:  frame (VideoFrame)        avatar frames from the lip-sync face (keep latest 2)
     playback (Playback)       the speaker's clock (keep latest): frames and words follow it
     speech (SpeechChunk)      the kiosk's words and their timing; its audio for the recording
     reply (Reply)             text, detail, suggestions, url (QR code)
     heard (Moderated)         what it heard, already masked
     partial (Transcript)      partial hypotheses while the senior speaks; masked here
     vad (VoiceActivity)       the senior started / stopped speaking
     alert (StaffAlert)        crisis screen (from moderation)
     request (StaffAlert)      "staff is coming" (from the dialogue), or a crisis too
     staff (StaffAction)       staff cleared the crisis
     mic (AudioChunk)          the senior's voice, for the recording only
out: touch (Touch)             button presses; each begins a new turn

Frames are presented on the playback clock: a frame is shown when the audio reaches its pts,
and a frame already a frame period late is dropped, never queued.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from bus.messages import (AudioChunk, Interrupt, Moderated, Playback, Reply, SpeechChunk, StaffAction,
                          StaffAlert, Touch, Transcript, VideoFrame, VoiceActivity, new_turn)
from bus.node import Node, QoS
from bus.privacy import mask


class DisplayNode(Node):
    inputs = {"frame": VideoFrame, "playback": Playback, "speech": SpeechChunk, "reply": Reply,
              "heard": Moderated, "partial": Transcript, "vad": VoiceActivity, "alert": StaffAlert,
              "request": StaffAlert, "staff": StaffAction, "mic": AudioChunk}
    outputs = {"touch": Touch}
    optional = frozenset(inputs) - {"reply"}
    qos = {"frame": QoS(depth=4, keep="latest"), "playback": QoS(depth=2, keep="latest"),
           "partial": QoS(depth=4, keep="latest"), "mic": QoS(depth=200, keep="all")}
    clock = staticmethod(time.monotonic)     # tests replace it with a simulated clock

    @dataclass
    class Params:
        width: int = 720
        height: int = 1280
        fps: float = 25.0
        driver: str = ""              # SDL video driver: "" (default), "dummy" (headless), "x11", "kmsdrm"
        fullscreen: bool = False
        record: str = ""              # directory: record the session there (MP4 with sound, PNGs, transcript)
        snapshots: bool = True        # with record: a PNG at each new state and answer
        audio_rate: int = 24000       # of the recording
        record_wait: bool = False     # wait for the encoder rather than skip a frame (offline rendering)

    @classmethod
    def check(cls, params) -> list[str]:
        from nodes.display.screen import find_font
        out = []
        try:
            find_font()
        except FileNotFoundError as e:
            out.append(str(e))
        if params.width < 360 or params.height < 640:
            out.append("width and height must be at least 360x640 (the screen is portrait, designed at 720x1280)")
        return out

    def setup(self):
        from nodes.display.screen import Screen, View
        self.screen = Screen(self.params.width, self.params.height, self.params.driver, self.params.fullscreen)
        self.screen.release()              # opened to check it works; tick opens it on the loop thread
        self.view = View()
        self.pending: list[VideoFrame] = []
        self.playback = Playback("", 0, 0.0)
        self.words: dict[str, tuple[str, list[int], list[int]]] = {}   # utterance -> text, starts, end chars
        self.voice: dict[str, dict] = {}     # utterance -> its audio so far, for the recording
        self.mic_anchor = None
        self.thinking_since = None
        self.counters = {"shown": 0, "late": 0, "touches": 0}
        self.last_state = ""
        self.reply_text, self.reply_at, self.speech_seen = "", -1e9, False
        self.injected_text = ""
        self.recorder = None
        if self.params.record:
            from nodes.display.recorder import Recorder
            self.recorder = Recorder(self.params.record, self.params.width, self.params.height,
                                     self.params.fps, self.params.audio_rate, wait=self.params.record_wait)
        self.every(1.0 / self.params.fps, self.tick)

    def teardown(self):
        if self.recorder:
            path = self.recorder.close(self.clock())
            self.log.info("recorded %s (%d frames, %d skipped)", path, self.recorder.frames, self.recorder.skipped)
        self.screen.close()

    # --- inputs ---
    def on_frame(self, msg: VideoFrame):
        self.pending.append(msg)
        if len(self.pending) > 6:          # never a queue: the oldest is dropped
            self.pending.pop(0)
            self.counters["late"] += 1

    def on_playback(self, msg: Playback):
        self.playback = msg
        if self.recorder:
            self._heard(msg)

    def on_speech(self, msg: SpeechChunk):
        self.speech_seen = True
        text, starts, ends = self.words.get(msg.utterance, (msg.text, [], []))
        starts += [s / msg.rate for s in msg.word_start.tolist()]
        ends += msg.word_end_char.tolist()
        self.words[msg.utterance] = (msg.text or text, starts, ends)
        while len(self.words) > 16:
            self.words.pop(next(iter(self.words)))
        if self.recorder:
            v = self.voice.setdefault(msg.utterance, {"pcm": np.zeros(0, np.int16), "rate": msg.rate,
                                                      "placed": 0, "at": None})
            end = msg.sample + len(msg.pcm)
            if end > len(v["pcm"]):
                v["pcm"] = np.concatenate([v["pcm"], np.zeros(end - len(v["pcm"]), np.int16)])
            v["pcm"][msg.sample:end] = msg.pcm
            while len(self.voice) > 16:
                self.voice.pop(next(iter(self.voice)))

    def on_reply(self, msg: Reply):
        v = self.view
        self.reply_text, self.reply_at, v.detail = msg.text, self.clock(), msg.detail
        v.suggestions, v.url = list(msg.suggestions), msg.url
        if msg.kind == "crisis" and v.crisis is not None and msg.hotline:
            v.crisis["hotline"] = msg.hotline
        self.thinking_since = self.clock() if self.speech_seen else None    # until the voice starts
        self._note("reply", reply_kind=msg.kind, text=msg.text, topic=msg.topic, url=msg.url)

    def on_heard(self, msg: Moderated):
        injected = msg.source == "injected" or (bool(msg.text) and msg.text == self.injected_text)
        self.view.heard, self.view.injected = msg.text, injected
        self.thinking_since = self.clock()
        self._note("heard", text=msg.text, label=msg.label, source="injected" if injected else msg.source)

    def on_partial(self, msg: Transcript):
        self.view.heard = mask(msg.text)[0]
        self.view.injected = msg.source == "injected"
        if msg.source == "injected":       # remembered: the verdict may not say where it came from
            self.injected_text = self.view.heard
        if msg.final:
            self.thinking_since = self.clock()

    def on_vad(self, msg: VoiceActivity):
        if msg.event == "start":
            self.view.heard = ""
            self.thinking_since = None
            self.view.state = "listening"
        else:
            self.thinking_since = self.clock()

    def on_alert(self, msg: StaffAlert):
        if msg.reason == "crisis":
            self.view.crisis = {"hotline": msg.hotline or "119", "category": msg.category}
        else:
            self.view.banner = "직원을 불렀어요. 잠시만 기다려 주세요."
        self._note("alert", reason=msg.reason, category=msg.category, hotline=msg.hotline)

    def on_request(self, msg: StaffAlert):
        self.on_alert(msg)

    def on_staff(self, msg: StaffAction):
        if msg.action == "clear":
            self.view.crisis = None
            self.view.banner = ""
        self._note("staff", action=msg.action)

    def on_mic(self, msg: AudioChunk):
        if self.recorder is None or msg.stream not in ("", "mic"):
            return
        now = self.clock()
        if self.mic_anchor is None:
            self.mic_anchor = now - (msg.sample + len(msg.pcm)) / msg.rate
        self.recorder.sound(msg.pcm, msg.rate, self.mic_anchor + msg.sample / msg.rate)

    def on_interrupt(self, msg: Interrupt):
        self.pending.clear()

    # --- touch ---
    def press(self, x: int, y: int) -> bool:
        """A touch at screen pixel (x, y); True if it hit a button."""
        hit = self.screen.hit(x, y)
        if hit is None:
            return False
        action, label = hit
        self.counters["touches"] += 1
        if action == "bigger_text":
            self.view.big_text = not self.view.big_text
        if action == "home":
            self.view.heard = self.reply_text = self.view.detail = self.view.url = ""
            self.view.suggestions = []
        turn = new_turn()
        if action not in ("bigger_text", "staff"):
            self.interrupt(f"touch:{action}", turn)
        self.publish("touch", Touch(action=action, text=label if action == "ask" else ""), turn=turn)
        self._note("touch", action=action, text=label if action == "ask" else "")
        return True

    def poll_events(self) -> None:
        pg = self.screen.pg
        for ev in pg.event.get():
            if ev.type == pg.MOUSEBUTTONDOWN and ev.button == 1:
                self.press(*ev.pos)
            elif ev.type == pg.FINGERDOWN:
                self.press(int(ev.x * self.params.width), int(ev.y * self.params.height))

    # --- presenting ---
    def position(self, now: float) -> float:
        """Seconds into the playing utterance that are heard at `now`. The clock is carried
        forward from the last Playback for at most 60 ms: a speaker that has stalled is not
        assumed to play on."""
        pb = self.playback
        return pb.sample / pb.rate + min(now - pb.mono, 0.06)

    def pick_frame(self, now: float):
        """The newest due frame; late ones are dropped, early ones wait."""
        period = 1.0 / self.params.fps
        pb = self.playback
        chosen, keep = None, []
        for f in self.pending:
            if f.utterance:
                if not (pb.playing and f.utterance == pb.utterance):
                    keep.append(f)          # its utterance is not heard yet
                    continue
                clock = self.position(now)
            else:
                if pb.playing:
                    continue                # idle frames are stale once speech plays
                clock = now
            if f.pts > clock + period / 2:
                keep.append(f)
            elif f.pts < clock - period:
                self.counters["late"] += 1
            else:
                chosen = f
        self.pending = keep
        return chosen

    def state(self, now: float) -> str:
        if self.playback.playing and self.playback.utterance:
            return "speaking"
        if self.thinking_since is not None and now - self.thinking_since < 15:
            return "thinking"
        return "listening"

    def subtitle(self, now: float) -> None:
        """The answer on screen; while it is spoken, only the words heard so far."""
        v, reply = self.view, self.reply_text
        if v.state == "speaking":
            self.thinking_since = None
            text, starts, ends = self.words.get(self.playback.utterance, ("", [], []))
            pos = self.position(now)
            heard = [e for s, e in zip(starts, ends) if s <= pos]
            upto = max(heard) if heard else (0 if starts else len(text))
            off = reply.find(text) if text and reply else -1
            v.said, v.said_upto = (reply, off + upto) if off >= 0 else (text or reply, upto if text else -1)
            return
        hidden = self.speech_seen and now - self.reply_at < 3.0    # the voice is about to say it
        v.said, v.said_upto = reply, (0 if hidden else -1)

    def tick(self):
        if self.screen.surface is None:
            self.screen.open()
        now = self.clock()
        self.poll_events()
        v = self.view
        f = self.pick_frame(now)
        if f is not None:
            v.avatar = f.image if f.format == "rgb24" else f.image[..., 2::-1] if f.format == "bgr24" else f.image[..., :3]
            self.counters["shown"] += 1
        v.state, v.t = self.state(now), now
        self.subtitle(now)
        self.screen.draw(v)
        self.screen.pg.display.flip()
        if self.recorder:
            rgb = self.screen.pixels()
            self.recorder.frame(rgb, now)
            self.recorder.tick(now)
            label = "crisis" if v.crisis else v.state
            if self.params.snapshots and label != self.last_state:
                self.recorder.snapshot(rgb, label)
            self.last_state = label

    # --- recording helpers ---
    def _heard(self, pb: Playback) -> None:
        """Put the kiosk's voice into the recording where the speaker's clock says it was heard:
        each Playback places the samples up to `pb.sample` so that that one is heard at `pb.mono`
        (a stalled speaker leaves a gap, as it did in the room)."""
        for uid, v in self.voice.items():
            if uid != pb.utterance or not pb.playing:
                if v["at"] is not None and v["placed"] < len(v["pcm"]):      # the rest, after the last
                    self.recorder.sound(v["pcm"][v["placed"]:], v["rate"], v["at"])
                    v["placed"] = len(v["pcm"])
                continue
            upto = min(pb.sample, len(v["pcm"]))
            if upto > v["placed"]:
                start = pb.mono - (pb.sample - v["placed"]) / v["rate"]
                self.recorder.sound(v["pcm"][v["placed"]:upto], v["rate"], start)
                v["placed"] = upto
            v["at"] = pb.mono - (pb.sample - v["placed"]) / v["rate"]

    def _note(self, kind: str, **fields) -> None:
        if self.recorder:
            self.recorder.note(kind, self.clock(), **fields)
