"""Headless recording of the kiosk session: the screen to MP4 (H.264) with the sound muxed in
(AAC), PNG snapshots and a JSON-lines transcript.

Clocks: every input is placed on time.monotonic(). A screen frame is stamped with the time it
was shown; the kiosk's speech is placed where the speaker's `Playback` clock says it was heard;
the microphone's audio where it arrived. Audio is mixed into one track and encoded a little
behind real time (`audio_delay_s`), so late placements still land in the right spot. Encoding
runs on its own thread; if it falls behind, screen frames are skipped (never queued without
bound) and the timestamps of the others stay right.
"""
from __future__ import annotations

import json
import os
import queue
import threading
import time
from fractions import Fraction

import numpy as np


class Recorder:
    def __init__(self, out_dir: str, width: int, height: int, fps: float = 25.0, rate: int = 24000,
                 t0: float | None = None, audio_delay_s: float = 2.0, name: str = "session",
                 wait: bool = False):
        import av
        os.makedirs(out_dir, exist_ok=True)
        self.dir, self.fps, self.rate = out_dir, fps, rate
        self.t0 = t0                        # the first frame's time unless given
        self.wait = wait
        self.path = os.path.join(out_dir, f"{name}.mp4")
        self.container = av.open(self.path, "w")
        codec = "libx264" if "libx264" in av.codecs_available else "mpeg4"
        self.video = self.container.add_stream(codec, rate=int(round(fps)))
        self.video.width, self.video.height, self.video.pix_fmt = width, height, "yuv420p"
        if codec == "libx264":
            self.video.options = {"preset": "ultrafast", "crf": "25", "tune": "animation"}
        self.audio = self.container.add_stream("aac", rate=rate)
        self.audio.layout = "mono"
        self.mix = np.zeros(rate * 60, np.float32)
        self.mix_lock = threading.Lock()
        self.audio_done = 0                 # samples of the mix already encoded
        self.audio_delay_s = audio_delay_s
        self.last_pts = -1
        self.frames = 0
        self.skipped = 0
        self.jobs: queue.Queue = queue.Queue(maxsize=8)
        self.transcript = open(os.path.join(out_dir, "transcript.jsonl"), "a", encoding="utf-8")
        self.snap_n = 0
        self.closed = False
        self.thread = threading.Thread(target=self._work, name="recorder", daemon=True)
        self.thread.start()

    # --- inputs (any thread) ---
    def frame(self, rgb: np.ndarray, mono: float) -> None:
        """The screen as shown at time.monotonic() `mono`."""
        if self.t0 is None:
            self.t0 = mono
        pts = int(round((mono - self.t0) * self.fps))
        if pts <= self.last_pts:
            return
        self.last_pts = pts
        try:
            self.jobs.put(("video", rgb, pts), block=self.wait)
        except queue.Full:
            self.skipped += 1

    def sound(self, pcm: np.ndarray, rate: int, mono: float) -> None:
        """Mono int16 audio whose first sample was heard at time.monotonic() `mono`."""
        if len(pcm) == 0:
            return
        if self.t0 is None:
            self.t0 = mono
        x = pcm.astype(np.float32) / 32768.0
        if rate != self.rate:
            n = int(round(len(x) * self.rate / rate))
            x = np.interp(np.arange(n) * (rate / self.rate), np.arange(len(x)), x).astype(np.float32)
        start = int(round((mono - self.t0) * self.rate))
        if start < 0:
            x, start = x[-start:], 0
        with self.mix_lock:
            start = max(start, self.audio_done) if start < self.audio_done else start
            end = start + len(x)
            if end > len(self.mix):
                grown = np.zeros(max(end, 2 * len(self.mix)), np.float32)
                grown[:len(self.mix)] = self.mix
                self.mix = grown
            self.mix[start:end] += x

    def note(self, kind: str, mono: float, **fields) -> None:
        """One line of the conversation transcript (text must already be masked)."""
        row = {"t": round(mono - (self.t0 if self.t0 is not None else mono), 3), "kind": kind, **fields}
        self.transcript.write(json.dumps(row, ensure_ascii=False) + "\n")
        self.transcript.flush()

    def snapshot(self, rgb: np.ndarray, label: str) -> str:
        import cv2
        self.snap_n += 1
        path = os.path.join(self.dir, f"snap_{self.snap_n:03d}_{label}.png")
        cv2.imwrite(path, cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
        return path

    def tick(self, mono: float) -> None:
        """Encode the audio that can no longer change (older than audio_delay_s)."""
        if self.t0 is None:
            return
        upto = int((mono - self.t0 - self.audio_delay_s) * self.rate)
        if upto - self.audio_done >= self.rate // 2:
            try:
                self.jobs.put_nowait(("audio", upto, None))
            except queue.Full:
                pass

    def close(self, mono: float | None = None) -> str:
        """Flush everything; the audio runs to the end of the video. Returns the MP4's path."""
        if self.closed:
            return self.path
        self.closed = True
        if self.t0 is None:
            self.t0 = mono if mono is not None else time.monotonic()
        end = (mono if mono is not None else time.monotonic()) - self.t0
        upto = int(max(end, (self.last_pts + 1) / self.fps) * self.rate)
        self.jobs.put(("audio", upto, None))
        self.jobs.put(("close", None, None))
        self.thread.join(timeout=30)
        self.transcript.close()
        return self.path

    # --- encoder thread ---
    def _work(self) -> None:
        import av
        while True:
            kind, a, b = self.jobs.get()
            if kind == "video":
                vf = av.VideoFrame.from_ndarray(a, format="rgb24")
                vf.pts = b
                vf.time_base = Fraction(1, int(round(self.fps)))
                self._mux(self.video.encode(vf))
                self.frames += 1
            elif kind == "audio":
                self._encode_audio(a)
            else:
                self._mux(self.video.encode(None))
                self._mux(self.audio.encode(None))
                self.container.close()
                return

    def _encode_audio(self, upto: int) -> None:
        import av
        with self.mix_lock:
            if upto <= self.audio_done:
                return
            if upto > len(self.mix):
                grown = np.zeros(upto, np.float32)
                grown[:len(self.mix)] = self.mix
                self.mix = grown
            x = np.clip(self.mix[self.audio_done:upto], -1, 1)
            start = self.audio_done
            self.audio_done = upto
        s16 = (x * 32767).astype(np.int16)[None, :]
        af = av.AudioFrame.from_ndarray(s16, format="s16", layout="mono")
        af.sample_rate, af.pts, af.time_base = self.rate, start, Fraction(1, self.rate)
        self._mux(self.audio.encode(af))

    def _mux(self, packets) -> None:
        for p in packets:
            self.container.mux(p)
