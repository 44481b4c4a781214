"""Commands: `avatar` (make a pack from a photo, redraw the default, preview a pack) and
`bench lipsync`. Heavy imports stay inside the functions."""
from __future__ import annotations

import argparse
import os
import sys

COMMANDS = {
    "avatar": ("avatar packs: make PHOTO --out DIR, default, preview DIR", "avatar_main"),
    "bench lipsync": ("lip-sync benchmark: fps, CPU share and first-frame latency per backend", "bench_main"),
}
DOCTOR = {"face": ("lip-sync: the avatar pack, OpenCV's Haar cascade, torch for wav2lip", "doctor_face")}


def doctor_face() -> list:
    """(status, detail, fix) for `run.py doctor`."""
    out = []
    try:
        from nodes.lipsync import avatar
        pack = avatar.load("")
        out.append(("OK", f"default avatar pack: {pack.portrait.shape[1]}x{pack.portrait.shape[0]}, "
                           f"{len(pack.mouths)} mouth shapes", ""))
    except Exception as e:   # a missing package or a broken pack: say which
        return [("FAIL", f"avatar: {e}", "scripts/setup with EXTRAS=face; `python run.py avatar default`")]
    import cv2
    if hasattr(cv2, "CascadeClassifier") and hasattr(cv2, "data"):
        out.append(("OK", f"OpenCV {cv2.__version__} with its Haar cascades (avatar make)", ""))
    else:
        out.append(("WARN", f"OpenCV {cv2.__version__} has no Haar cascades: `avatar make` cannot find faces",
                    "pip install 'opencv-python-headless<5' (requirements-face.txt)"))
    try:
        import torch
        gpu = torch.cuda.is_available()
        out.append(("OK" if gpu else "WARN", f"torch {torch.__version__}, CUDA {'yes' if gpu else 'no'} (wav2lip)",
                    "" if gpu else "wav2lip needs a GPU to keep up; the viseme backend runs on CPU"))
    except ImportError:
        out.append(("WARN", "torch is not installed (only the wav2lip backend needs it)",
                    "pip install -r requirements-ml.txt"))
    return out


def bench_main(argv: list[str]) -> int:
    from nodes.lipsync.bench import main
    return main(argv)


def avatar_main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="run.py avatar", description="Avatar packs for the lip-sync face.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    mk = sub.add_parser("make", help="build a pack from a frontal photo of a face")
    mk.add_argument("photo")
    mk.add_argument("--out", help="pack directory (default var/avatar/<photo name>)")
    mk.add_argument("--face", help="x,y,w,h of the face, if the detector misses it")
    df = sub.add_parser("default", help="redraw the project's own default avatar")
    df.add_argument("--out", default="", help="default: config/avatar/default")
    pv = sub.add_parser("preview", help="a PNG with the portrait and every mouth shape")
    pv.add_argument("pack", nargs="?", default="")
    pv.add_argument("--out", default="avatar_preview.png")
    args = ap.parse_args(argv)
    from nodes.lipsync import avatar
    try:
        if args.cmd == "make":
            out = args.out or os.path.join("var", "avatar", os.path.splitext(os.path.basename(args.photo))[0])
            face = tuple(int(v) for v in args.face.split(",")) if args.face else None
            pack = avatar.make_from_photo(args.photo, out, face)
            print(f"avatar pack written to {out} (mouth box {pack.mouth_box}); use it with the lipsync "
                  f"param avatar: {out}")
        elif args.cmd == "default":
            avatar.make_default(args.out or avatar.DEFAULT_PACK)
            print(f"default avatar drawn to {args.out or avatar.DEFAULT_PACK}")
        else:
            preview(avatar.load(args.pack), args.out)
            print(f"wrote {args.out}")
    except (avatar.AvatarError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


def preview(pack, path: str) -> None:
    import cv2
    import numpy as np
    x, y, w, h = pack.mouth_box
    tiles = []
    for v, patch in sorted(pack.mouths.items()):
        tile = pack.portrait[max(0, y - h // 2):y + h + h // 2, max(0, x - w // 4):x + w + w // 4].copy()
        tile[h // 2 if y - h // 2 >= 0 else y:][:h, (w // 4 if x - w // 4 >= 0 else x):][:, :w] = patch
        cv2.putText(tile, v, (6, 28), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (20, 20, 20), 2)
        tiles.append(tile)
    row = np.concatenate(tiles, axis=1)
    scale = 2 * pack.portrait.shape[1] / row.shape[1]
    row = cv2.resize(row, (int(row.shape[1] * scale), int(row.shape[0] * scale)))
    canvas = np.full((pack.portrait.shape[0] + row.shape[0], max(pack.portrait.shape[1], row.shape[1]), 3), 255, np.uint8)
    canvas[:pack.portrait.shape[0], :pack.portrait.shape[1]] = pack.portrait
    canvas[pack.portrait.shape[0]:, :row.shape[1]] = row
    cv2.imwrite(path, cv2.cvtColor(canvas, cv2.COLOR_RGB2BGR))
