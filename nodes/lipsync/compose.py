"""Puts an avatar pack on screen at the output size, with idle life: blinks and a slow breathing
sway, so the face is never frozen. Backends hand it the mouth (a blend of viseme patches, or a
patch they generated) and get a finished frame back.

Cost per frame: one copy of the output (a view of a padded base, shifted by the sway) and a
paste of the mouth box; the eyes are blended only during a blink.
"""
from __future__ import annotations

import math

import numpy as np

from nodes.lipsync.avatar import Pack


class Compositor:
    def __init__(self, pack: Pack, width: int, height: int, sway_px: int = 3, seed: int = 7):
        import cv2
        ph, pw = pack.portrait.shape[:2]
        scale = max(width / pw, height / ph)
        sw, sh = int(math.ceil(pw * scale)), int(math.ceil(ph * scale))
        big = cv2.resize(pack.portrait, (sw, sh), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
        p = self.pad = sway_px
        fx, fy = pack.focus[0] * scale, pack.focus[1] * scale
        x0 = int(min(max(fx - width / 2, 0), sw - width))
        y0 = int(min(max(fy - height * 0.45, 0), sh - height))
        big = cv2.copyMakeBorder(big, p, p, p, p, cv2.BORDER_REPLICATE)
        self.base = np.ascontiguousarray(big[y0:y0 + height + 2 * p, x0:x0 + width + 2 * p])
        self.width, self.height, self.scale = width, height, scale

        def box(b):   # pack box -> base coordinates
            x, y, w, h = b
            bx, by = int(round(x * scale)) - x0 + p, int(round(y * scale)) - y0 + p
            return bx, by, max(1, int(round((x + w) * scale)) - x0 + p - bx), max(1, int(round((y + h) * scale)) - y0 + p - by)

        def fit(patch, b):
            return np.ascontiguousarray(cv2.resize(patch, (b[2], b[3]), interpolation=cv2.INTER_AREA))

        self.mouth_box = box(pack.mouth_box)
        self.eyes_box = box(pack.eyes_box)
        self.mouths = {v: fit(m, self.mouth_box) for v, m in pack.mouths.items()}
        self.eyes_closed = fit(pack.eyes_closed, self.eyes_box)
        self.eyes_open = np.ascontiguousarray(self._region(self.base, self.eyes_box)).copy()
        self.rng = np.random.default_rng(seed)
        self.blinks: list[float] = [1.5]

    @staticmethod
    def _region(img, b):
        x, y, w, h = b
        return img[y:y + h, x:x + w]

    def sway(self, t: float) -> tuple[int, int]:
        """Breathing (vertical, ~4 s) and a slower sideways drift, in whole pixels."""
        p = self.pad
        return (int(round(p * 0.6 * math.sin(2 * math.pi * t / 6.7 + 1.0))),
                int(round(p * math.sin(2 * math.pi * t / 4.2))))

    def blink(self, t: float) -> float:
        """How closed the eyes are at time t (0 open, 1 closed): a blink every 2.5-6 s, 0.2 s long."""
        while self.blinks[-1] < t + 1:
            self.blinks.append(self.blinks[-1] + float(self.rng.uniform(2.5, 6.0)))
        for b in reversed(self.blinks):
            if b <= t:
                d = t - b
                return max(0.0, 1.0 - abs(d - 0.1) / 0.1) if d < 0.2 else 0.0
        return 0.0

    def mouth(self, weights: dict[str, float]) -> np.ndarray:
        """A blend of at most two viseme patches."""
        import cv2
        items = sorted(weights.items(), key=lambda kv: -kv[1])
        if len(items) == 1 or items[1][1] <= 0.0:
            return self.mouths[items[0][0]]
        (a, wa), (b, wb) = items[:2]
        return cv2.addWeighted(self.mouths[a], wa, self.mouths[b], wb, 0.0)

    def frame(self, t: float, mouth: np.ndarray, mouth_box=None) -> np.ndarray:
        """The output frame at idle time t with `mouth` pasted at the mouth box (base coords)."""
        import cv2
        p = self.pad
        dx, dy = self.sway(t)
        b = self.base
        eyes = 1.0 if self.blink(t) > 0.4 else 0.0     # a cartoon blink: shut, never half-faded
        x, y, w, h = mouth_box or self.mouth_box
        region = b[y:y + h, x:x + w]
        saved = region.copy()
        region[:] = mouth
        if eyes > 0:
            er = self._region(b, self.eyes_box)
            er[:] = cv2.addWeighted(self.eyes_closed, eyes, self.eyes_open, 1.0 - eyes, 0.0)
        out = np.ascontiguousarray(b[p + dy:p + dy + self.height, p + dx:p + dx + self.width])
        region[:] = saved
        if eyes > 0:
            self._region(b, self.eyes_box)[:] = self.eyes_open
        return out

    def mouth_rect(self, t: float) -> tuple[int, int, int, int]:
        """Where the mouth is in the output frame at time t (for measuring A/V sync)."""
        dx, dy = self.sway(t)
        x, y, w, h = self.mouth_box
        return x - self.pad - dx, y - self.pad - dy, w, h
