"""The default avatar, drawn by the project's own code (no third-party face): a calm, friendly
counsellor in a cardigan. `draw(mouth, eyes_closed)` renders the whole portrait at 2x and scales
it down (anti-aliasing); the pack takes the mouth and eye patches from these renders, so every
patch matches the portrait around it exactly.
"""
from __future__ import annotations

import numpy as np

W, H = 720, 960                       # native size of the default portrait
MOUTH_BOX = (280, 486, 160, 116)      # x, y, w, h
EYES_BOX = (248, 372, 224, 66)
FOCUS = (360, 430)                    # the point a crop keeps in view
S = 2                                 # supersampling

SKIN = (241, 207, 181)
SKIN_SHADE = (226, 182, 156)
HAIR = (74, 58, 52)
LIP = (196, 98, 98)
LIP_DARK = (150, 62, 66)
MOUTH_IN = (96, 36, 44)
TEETH = (250, 248, 242)
TONGUE = (214, 104, 108)
CARDIGAN = (62, 98, 142)
BLOUSE = (246, 244, 236)

# mouth shapes: outer lip half-axes, inner opening half-axes, teeth, tongue (native pixels)
SHAPES = {
    "X": None,                                   # resting smile
    "A": dict(outer=(42, 9), inner=(0, 0)),
    "B": dict(outer=(46, 17), inner=(38, 7), teeth=True),
    "C": dict(outer=(47, 26), inner=(39, 17), teeth=True),
    "D": dict(outer=(50, 38), inner=(42, 29), teeth=True, tongue=True),
    "E": dict(outer=(35, 28), inner=(24, 18), teeth=False),
    "F": dict(outer=(23, 21), inner=(11, 10)),
    "G": dict(outer=(45, 17), inner=(37, 8), teeth=True, bite=True),
    "H": dict(outer=(45, 24), inner=(37, 16), teeth=True, tongue_up=True),
}


def _p(*xy):
    return tuple(int(round(v * S)) for v in xy)


def _ell(img, c, axes, color, angle=0, a0=0, a1=360, thick=-1):
    import cv2
    cv2.ellipse(img, _p(*c), _p(*axes), angle, a0, a1, color, thick if thick < 0 else int(thick * S), cv2.LINE_AA)


def _background(h: int, w: int) -> np.ndarray:
    top, bottom = np.array([226, 238, 243], np.float32), np.array([196, 221, 232], np.float32)
    t = np.linspace(0, 1, h, dtype=np.float32)[:, None]
    col = top * (1 - t) + bottom * t
    return np.repeat(col[:, None, :], w, axis=1).astype(np.uint8)


def _mouth(img, shape: str) -> None:
    import cv2
    cx, cy = 360, 540
    spec = SHAPES[shape]
    if spec is None:
        _ell(img, (cx, cy - 14), (40, 16), LIP_DARK, a0=25, a1=155, thick=5)
        return
    ox, oy = spec["outer"]
    _ell(img, (cx, cy), (ox, oy), LIP)
    ix, iy = spec["inner"]
    if ix == 0:
        _ell(img, (cx, cy), (ox - 4, 1.5), LIP_DARK)
        return
    layer = img.copy()
    _ell(layer, (cx, cy), (ix, iy), MOUTH_IN)
    if spec.get("tongue"):
        _ell(layer, (cx, cy + iy * 0.55), (ix * 0.7, iy * 0.5), TONGUE)
    if spec.get("tongue_up"):
        _ell(layer, (cx, cy - iy * 0.15), (ix * 0.45, iy * 0.45), TONGUE)
    if spec.get("teeth"):
        th = max(4, iy * (0.9 if spec.get("bite") else 0.38))
        cv2.rectangle(layer, _p(cx - ix, cy - iy - 2), _p(cx + ix, cy - iy + th), TEETH, -1)
    mask = np.zeros(img.shape[:2], np.uint8)
    _ell(mask, (cx, cy), (ix, iy), 255)
    img[mask > 0] = layer[mask > 0]
    _ell(img, (cx, cy), (ix, iy), LIP_DARK, thick=1.5)


def _eyes(img, closed: bool) -> None:
    for ex in (296, 424):
        if closed:
            _ell(img, (ex, 404), (34, 20), SKIN)
            _ell(img, (ex, 398), (28, 12), HAIR, a0=15, a1=165, thick=4)
            continue
        _ell(img, (ex, 405), (30, 18), (255, 255, 255))
        _ell(img, (ex, 406), (15, 15), (92, 62, 46))
        _ell(img, (ex, 406), (7, 7), (24, 18, 18))
        _ell(img, (ex + 5, 400), (4, 4), (255, 255, 255))
        _ell(img, (ex, 405), (31, 19), HAIR, a0=190, a1=350, thick=4)


def draw(mouth: str = "X", eyes_closed: bool = False) -> np.ndarray:
    """The default portrait, RGB uint8 H x W x 3."""
    import cv2
    img = _background(H * S, W * S)
    _ell(img, (360, 1010), (320, 250), CARDIGAN)                       # shoulders
    cv2.fillConvexPoly(img, np.array([_p(300, 770), _p(420, 770), _p(360, 880)]), BLOUSE, cv2.LINE_AA)
    cv2.rectangle(img, _p(305, 560), _p(415, 760), SKIN_SHADE, -1)       # neck
    _ell(img, (360, 760), (58, 30), SKIN_SHADE)
    _ell(img, (360, 380), (222, 262), HAIR)                               # hair behind
    cv2.rectangle(img, _p(140, 380), _p(580, 610), HAIR, -1)
    _ell(img, (360, 610), (220, 56), HAIR)
    _ell(img, (196, 420), (22, 38), SKIN_SHADE)                           # ears
    _ell(img, (524, 420), (22, 38), SKIN_SHADE)
    _ell(img, (360, 405), (168, 208), SKIN)                               # face
    _ell(img, (360, 300), (182, 128), HAIR, a0=180, a1=360)               # fringe
    _ell(img, (270, 300), (95, 70), HAIR, angle=-20, a0=180, a1=360)
    blush = img.copy()
    for bx in (268, 452):
        _ell(blush, (bx, 478), (34, 20), (244, 168, 160))
    img = cv2.addWeighted(blush, 0.45, img, 0.55, 0)
    for bx, sgn in ((296, -1), (424, 1)):                                 # eyebrows
        _ell(img, (bx, 364), (36, 12), HAIR, angle=sgn * 4, a0=200, a1=340, thick=6)
    _eyes(img, eyes_closed)
    _ell(img, (360, 468), (14, 10), SKIN_SHADE, a0=0, a1=180, thick=4)   # nose
    _mouth(img, mouth)
    return cv2.resize(img, (W, H), interpolation=cv2.INTER_AREA)
