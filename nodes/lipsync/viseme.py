"""The `viseme` backend (CPU, the default): the phone timeline picks mouth shapes through the
Korean phoneme -> viseme map; shapes crossfade over the avatar pack's portrait.

With no phones in the TTS output (a voice without a timeline) the audio envelope picks the
shape instead: silence X, soft B, medium C, loud D.
"""
from __future__ import annotations

import math
from typing import Optional

import numpy as np

from nodes.lipsync.backend import Renderer, Utterance
from nodes.lipsync.visemes import Blend, REST, expand_phones, mouth_track


class VisemeRenderer(Renderer):
    name = "viseme"

    def __init__(self, pack, width, height, fps, bilabial_lead_s: float = 0.02, min_hold: int = 2, **options):
        super().__init__(pack, width, height, fps)
        self.bilabial_lead_s, self.min_hold = bilabial_lead_s, min_hold
        self.tracks: dict[str, tuple[int, list[Blend]]] = {}

    def track(self, utt: Utterance) -> list[Blend]:
        cached = self.tracks.get(utt.id)
        if cached and cached[0] == utt.version:
            return cached[1]
        n = int(math.ceil(utt.duration * self.fps)) + 1
        if utt.phones:
            segs = expand_phones([p for _, _, p in utt.phones], [s for s, _, _ in utt.phones],
                                 [e for _, e, _ in utt.phones])
        else:
            segs = envelope_segments(utt.pcm, utt.rate, self.fps)
        blends = mouth_track(segs, self.fps, n, bilabial_lead_s=self.bilabial_lead_s, min_hold=self.min_hold)
        self.tracks[utt.id] = (utt.version, blends)
        return blends

    def blend_at(self, utt: Optional[Utterance], pts: float) -> Blend:
        if utt is None:
            return Blend(REST, REST, 1.0)
        track = self.track(utt)
        k = int(round(pts * self.fps))
        return track[k] if 0 <= k < len(track) else Blend(REST, REST, 1.0)

    def render(self, utt, pts, t):
        return self.comp.frame(t, self.comp.mouth(self.blend_at(utt, pts).weights()))

    def forget(self, uid):
        self.tracks.pop(uid, None)


def envelope_segments(pcm: np.ndarray, rate: int, fps: float) -> list[tuple[float, float, str]]:
    """Mouth shapes from loudness alone, one per frame period."""
    hop = max(1, int(rate / fps))
    n = len(pcm) // hop
    if n == 0:
        return []
    x = pcm[:n * hop].astype(np.float32).reshape(n, hop)
    rms = np.sqrt((x * x).mean(axis=1))
    top = max(float(np.percentile(rms, 95)), 300.0)
    out = []
    for k, r in enumerate(rms / top):
        shape = "X" if r < 0.12 else "B" if r < 0.35 else "C" if r < 0.7 else "D"
        out.append((k / fps, (k + 1) / fps, shape))
    return out
