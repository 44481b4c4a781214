"""Avatar packs: a portrait plus one mouth patch per viseme and a closed-eyes patch.

A pack is a directory:

    pack.yaml         size, mouth box, eyes box, focus point, where it came from
    portrait.png      the face at rest (mouth X, eyes open)
    mouth_A.png ...   one patch per viseme, the size of the mouth box
    eyes_closed.png   the eyes box with the eyes closed (blinks)

`make_default(dir)` writes the project's own drawn avatar (nodes/lipsync/draw.py);
`make_from_photo(photo, dir)` builds a pack from an operator's photo: OpenCV's bundled Haar
cascade finds the face, and each mouth shape is the photo's mouth region warped open, rounded or
closed.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np

from nodes.lipsync.visemes import VISEMES

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_PACK = os.path.join(ROOT, "config", "avatar", "default")


class AvatarError(ValueError):
    pass


@dataclass
class Pack:
    portrait: np.ndarray                       # RGB uint8
    mouths: dict[str, np.ndarray]              # viseme -> RGB patch (mouth box size)
    eyes_closed: np.ndarray
    mouth_box: tuple[int, int, int, int]       # x, y, w, h
    eyes_box: tuple[int, int, int, int]
    focus: tuple[int, int]
    meta: dict = field(default_factory=dict)


def _read(path: str) -> np.ndarray:
    import cv2
    img = cv2.imread(path, cv2.IMREAD_COLOR)
    if img is None:
        raise AvatarError(f"cannot read image {path}; a pack needs it (rebuild with `python run.py avatar make`)")
    return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


def _write(path: str, rgb: np.ndarray) -> None:
    import cv2
    cv2.imwrite(path, cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_PNG_COMPRESSION, 9])


def load(path: str = "") -> Pack:
    """Read a pack directory ("" is the default pack, made on first use if missing)."""
    import yaml
    path = path or DEFAULT_PACK
    if not path or not os.path.isfile(os.path.join(path, "pack.yaml")):
        if os.path.abspath(path) == os.path.abspath(DEFAULT_PACK):
            make_default(path)
        else:
            raise AvatarError(f"avatar pack '{path}' has no pack.yaml; build one with "
                              f"`python run.py avatar make PHOTO --out {path}`, or leave avatar empty for the default")
    with open(os.path.join(path, "pack.yaml"), encoding="utf-8") as f:
        meta = yaml.safe_load(f) or {}
    try:
        mouth_box = tuple(int(v) for v in meta["mouth_box"])
        eyes_box = tuple(int(v) for v in meta["eyes_box"])
        focus = tuple(int(v) for v in meta.get("focus", (mouth_box[0] + mouth_box[2] // 2, mouth_box[1])))
    except (KeyError, TypeError, ValueError) as e:
        raise AvatarError(f"{path}/pack.yaml: mouth_box and eyes_box must be [x, y, w, h] ({e})") from None
    portrait = _read(os.path.join(path, "portrait.png"))
    mouths = {v: _read(os.path.join(path, f"mouth_{v}.png")) for v in VISEMES}
    for v, patch in mouths.items():
        if patch.shape[:2] != (mouth_box[3], mouth_box[2]):
            raise AvatarError(f"{path}/mouth_{v}.png is {patch.shape[1]}x{patch.shape[0]}, "
                              f"but mouth_box is {mouth_box[2]}x{mouth_box[3]}")
    eyes = _read(os.path.join(path, "eyes_closed.png"))
    return Pack(portrait, mouths, eyes, mouth_box, eyes_box, focus, meta)


def save(pack: Pack, path: str) -> None:
    import yaml
    os.makedirs(path, exist_ok=True)
    _write(os.path.join(path, "portrait.png"), pack.portrait)
    for v, patch in pack.mouths.items():
        _write(os.path.join(path, f"mouth_{v}.png"), patch)
    _write(os.path.join(path, "eyes_closed.png"), pack.eyes_closed)
    meta = dict(pack.meta, size=[pack.portrait.shape[1], pack.portrait.shape[0]], mouth_box=list(pack.mouth_box),
                eyes_box=list(pack.eyes_box), focus=list(pack.focus), visemes=list(VISEMES))
    with open(os.path.join(path, "pack.yaml"), "w", encoding="utf-8") as f:
        yaml.safe_dump(meta, f, allow_unicode=True, sort_keys=False)


def _crop(img: np.ndarray, box) -> np.ndarray:
    x, y, w, h = box
    return np.ascontiguousarray(img[y:y + h, x:x + w])


def make_default(path: str = DEFAULT_PACK) -> Pack:
    """Draw the project's own avatar and write it as a pack."""
    from nodes.lipsync import draw
    portrait = draw.draw("X")
    mouths = {v: _crop(draw.draw(v), draw.MOUTH_BOX) for v in VISEMES}
    eyes = _crop(draw.draw("X", eyes_closed=True), draw.EYES_BOX)
    pack = Pack(portrait, mouths, eyes, draw.MOUTH_BOX, draw.EYES_BOX, draw.FOCUS,
                {"name": "default", "source": "drawn by nodes/lipsync/draw.py (the project's own code)"})
    save(pack, path)
    return pack


# --- from a photo ----------------------------------------------------------------------------

# viseme -> (opening, width change, rounding) of the warp, as fractions of the mouth box
WARP = {"X": (0.0, 0.0, 0.0), "A": (-0.05, 0.0, 0.0), "B": (0.10, 0.04, 0.0), "C": (0.22, 0.02, 0.0),
        "D": (0.34, 0.0, 0.0), "E": (0.20, -0.14, 0.3), "F": (0.10, -0.26, 0.6), "G": (0.08, 0.04, 0.0),
        "H": (0.18, 0.0, 0.0)}


def find_face(rgb: np.ndarray) -> tuple[int, int, int, int]:
    """The largest frontal face (x, y, w, h) by OpenCV's bundled Haar cascade."""
    import cv2
    if not hasattr(cv2, "CascadeClassifier") or not hasattr(cv2, "data"):
        raise AvatarError(f"OpenCV {cv2.__version__} has no Haar cascades (5.0 ships none); install "
                          f"opencv-python-headless<5: scripts/setup with EXTRAS=face")
    cascade_path = os.path.join(cv2.data.haarcascades, "haarcascade_frontalface_default.xml")
    cascade = cv2.CascadeClassifier(cascade_path)
    if cascade.empty():
        raise AvatarError(f"OpenCV's Haar cascade is missing ({cascade_path}); install opencv-python-headless<5 "
                          f"(opencv 5 ships no cascades): scripts/setup with EXTRAS=face")
    gray = cv2.equalizeHist(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY))
    faces = cascade.detectMultiScale(gray, 1.1, 4, minSize=(max(40, min(gray.shape) // 8),) * 2)
    if len(faces) == 0:
        raise AvatarError("no face found in the photo; use a well-lit, frontal photo with the face at least "
                          "a quarter of the picture wide")
    return tuple(int(v) for v in max(faces, key=lambda f: f[2] * f[3]))


def warp_mouth(patch: np.ndarray, opening: float, widen: float, rounding: float) -> np.ndarray:
    """The mouth patch reshaped: lips pulled apart vertically (a dark opening between them),
    narrowed or widened, and rounded, with a smooth falloff so the edges stay in place."""
    import cv2
    h, w = patch.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    u, v = (xx - w / 2) / (w / 2), (yy - h / 2) / (h / 2)
    fall = np.clip(1 - (u ** 2 + v ** 2), 0, 1) ** 1.5
    shift = opening * h * 0.5 * np.sign(v) * fall
    src_y = yy - shift
    src_x = xx - widen * (xx - w / 2) * fall * (1 + rounding * np.abs(v))
    out = cv2.remap(patch, src_x, src_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    if opening > 0:
        gap = np.clip(1 - (u / (0.45 * (1 - 0.5 * rounding))) ** 2 - (v / max(0.05, opening * 0.9)) ** 2, 0, 1)
        gap = cv2.GaussianBlur(gap, (0, 0), 1.5)[..., None]
        out = (out * (1 - gap) + np.array([70, 28, 32], np.float32) * gap).astype(np.uint8)
    elif opening < 0:
        out = cv2.remap(patch, xx, yy + opening * h * 0.3 * np.sign(v) * fall, cv2.INTER_LINEAR,
                        borderMode=cv2.BORDER_REFLECT)
    return out


def make_from_photo(photo: str, path: str, face=None) -> Pack:
    """Build a pack from an operator's photo (3:4 portrait around the face, 720x960)."""
    import cv2
    img = _read(photo)
    x, y, w, h = face or find_face(img)
    cw = int(w / 0.5)
    ch = int(cw * 4 / 3)
    cx, cy = x + w // 2, y + h // 2
    x0, y0 = cx - cw // 2, cy - int(ch * 0.42)
    pad = max(0, -x0, -y0, x0 + cw - img.shape[1], y0 + ch - img.shape[0])
    if pad:
        img = cv2.copyMakeBorder(img, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
        x0, y0 = x0 + pad, y0 + pad
    k = 720 / cw
    portrait = cv2.resize(img[y0:y0 + ch, x0:x0 + cw], (720, 960), interpolation=cv2.INTER_AREA)
    fx, fy, fw, fh = int((x + (pad if pad else 0) - x0) * k), int((y + (pad if pad else 0) - y0) * k), int(w * k), int(h * k)
    mouth_box = (fx + int(fw * 0.22), fy + int(fh * 0.64), int(fw * 0.56), int(fh * 0.30))
    eyes_box = (fx + int(fw * 0.12), fy + int(fh * 0.26), int(fw * 0.76), int(fh * 0.22))
    base = _crop(portrait, mouth_box)
    mouths = {v: warp_mouth(base, *WARP[v]) for v in VISEMES}
    eyes = _crop(portrait, eyes_box)
    ex, ey, ew, eh = eyes_box
    lid = np.median(portrait[max(0, ey - eh // 2):ey, ex:ex + ew].reshape(-1, 3), axis=0)
    closed = eyes.astype(np.float32)
    band = np.exp(-((np.arange(eh) - eh * 0.5) / (eh * 0.28)) ** 2)[:, None, None]
    closed = closed * (1 - band) + lid * band
    cv2.line(closed, (int(ew * 0.08), int(eh * 0.55)), (int(ew * 0.42), int(eh * 0.55)), (60, 45, 40), 2, cv2.LINE_AA)
    cv2.line(closed, (int(ew * 0.58), int(eh * 0.55)), (int(ew * 0.92), int(eh * 0.55)), (60, 45, 40), 2, cv2.LINE_AA)
    pack = Pack(portrait, mouths, closed.astype(np.uint8), mouth_box, eyes_box,
                (fx + fw // 2, fy + fh // 2), {"name": os.path.basename(path.rstrip("/")),
                                                "source": f"made from {os.path.basename(photo)} by `run.py avatar make`"})
    save(pack, path)
    return pack
