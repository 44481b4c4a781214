"""Echo guard: while the kiosk speaks, its own voice reaches the microphone and must never become
a user turn.

Policy (the mic node applies it; docs/hearing.md explains it):

- The kiosk is *speaking* while the speaker's `Playback` says `playing`, and for `tail_s` after
  (room reverberation, and the playback clock's lag).
- While it speaks, speech the VAD hears does not begin a turn. It is a barge-in only once the
  user has spoken for `barge_in_s` without a break, counting only audio that is NOT the kiosk's
  own voice. Then the mic interrupts (a new turn) and the utterance begins.
- "Not the kiosk's own voice" needs the reference: the TTS audio (`SpeechChunk`s) being played,
  placed by `Playback`. The guard compares band-energy envelopes of the last `window_s` of the
  microphone with the reference around the playing position, over every lag up to `search_s`
  (so the room's delay and the clock's offset need no calibration). High correlation means the
  microphone hears the kiosk; a voice over it breaks the correlation.
- With no reference wired, there is no barge-in at all while the kiosk speaks (half duplex): the
  kiosk's voice can then never be taken for the senior's, and the touch screen can still stop it.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Optional

import numpy as np

RATE = 16000
HOP = 160                       # 10 ms envelope frames
_EDGES = np.geomspace(250, 4000, 9)


def envelopes(pcm: np.ndarray) -> np.ndarray:
    """(frames, 8) log band energies of int16 audio, 10 ms frames."""
    n = len(pcm) // HOP
    if n == 0:
        return np.zeros((0, len(_EDGES) - 1), np.float32)
    x = pcm[:n * HOP].astype(np.float32).reshape(n, HOP) * np.hanning(HOP).astype(np.float32)
    spec = np.abs(np.fft.rfft(x, 256, axis=1)) ** 2
    freqs = np.fft.rfftfreq(256, 1 / RATE)
    bands = [spec[:, (freqs >= lo) & (freqs < hi)].sum(axis=1) for lo, hi in zip(_EDGES[:-1], _EDGES[1:])]
    return np.log10(np.stack(bands, axis=1) + 1e3)


def _z(x: np.ndarray, axis: int) -> np.ndarray:
    x = x - x.mean(axis=axis, keepdims=True)
    return x / (np.sqrt((x * x).mean(axis=axis, keepdims=True)) + 0.05)


def echo_correlation(mic: np.ndarray, ref: np.ndarray) -> float:
    """Best correlation (-1..1) of the mic's envelope with any same-length stretch of the reference."""
    m, r = envelopes(mic), envelopes(ref)
    if len(m) < 10 or len(r) < len(m):
        return 0.0
    windows = np.lib.stride_tricks.sliding_window_view(r, len(m), axis=0)   # (lags, bands, frames)
    corr = (_z(windows, 2) * _z(m.T, 1)[None]).mean(axis=2)                 # (lags, bands)
    return float(corr.mean(axis=1).max())


class EchoGuard:
    def __init__(self, tail_s: float = 0.3, window_s: float = 0.6, search_s: float = 1.5,
                 echo_corr: float = 0.5, keep_utterances: int = 4):
        self.tail_s, self.window_s, self.search_s, self.echo_corr = tail_s, window_s, search_s, echo_corr
        self.keep = keep_utterances
        self.refs: "OrderedDict[str, list]" = OrderedDict()     # utterance -> [(sample, pcm), ...]
        self.until = -1.0          # mono time until which the kiosk counts as speaking
        self.pos: Optional[tuple[str, int, float]] = None         # (utterance, sample, mono) now playing

    # --- what the kiosk says ---
    def on_reference(self, utterance: str, sample: int, pcm: np.ndarray) -> None:
        self.refs.setdefault(utterance, []).append((sample, pcm))
        self.refs.move_to_end(utterance)
        while len(self.refs) > self.keep:
            self.refs.popitem(last=False)

    def on_playback(self, utterance: str, sample: int, mono: float, playing: bool, rate: int = RATE) -> None:
        if playing:
            self.until = max(self.until, mono + self.tail_s)
            self.pos = (utterance, int(sample * RATE / rate), mono)

    def speaking(self, now: float) -> bool:
        return now <= self.until

    @property
    def has_reference(self) -> bool:
        return bool(self.refs)

    def reference(self, now: float) -> Optional[np.ndarray]:
        """The kiosk's audio around what is heard at `now`, or None."""
        if self.pos is None or self.pos[0] not in self.refs:
            return None
        utt, sample, mono = self.pos
        here = sample + int((now - mono) * RATE)
        lo, hi = here - int((self.window_s + self.search_s) * RATE), here + int(self.search_s * RATE / 3)
        parts = sorted(self.refs[utt], key=lambda c: c[0])
        total = max(s + len(p) for s, p in parts)
        buf = np.zeros(total, np.int16)
        for s, p in parts:
            buf[s:s + len(p)] = p
        seg = buf[max(0, lo):max(0, min(hi, total))]
        return seg if len(seg) >= self.window_s * RATE else None

    def is_echo(self, mic_recent: np.ndarray, now: float) -> Optional[bool]:
        """True: the mic hears the kiosk; False: someone else; None: no reference to tell."""
        ref = self.reference(now)
        if ref is None:
            return None
        return echo_correlation(mic_recent[-int(self.window_s * RATE):], ref) >= self.echo_corr
