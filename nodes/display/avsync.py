"""Measures the audio/video offset of a recorded MP4: the audio's loudness envelope against the
motion of the mouth region.

The mouth is found, not assumed: the picture is cut into blocks, each block's signal is how far
it is from its own usual (median) look, and the blocks whose signal follows the loudness best
are taken as the mouth. The offset is the lag that best lines the two up (sub-frame, by
interpolating the correlation peak).

Sign, as ITU-R BT.1359: positive means the sound comes before the picture (audio ahead);
the detectability window is +45 ms to -125 ms.

    python -m nodes.display.avsync DIR/session.mp4 [--roi x,y,w,h] [--json]
"""
from __future__ import annotations

import argparse
import json
import sys

import numpy as np

WINDOW_MS = (-125.0, 45.0)


def read(path: str, roi=None, max_s: float = 600.0, shrink: int = 4):
    """(gray frames T x H x W float32 at 1/shrink size, frame times s, audio mono float32, rate)."""
    import av
    frames, times = [], []
    audio, rate = [], 0
    with av.open(path) as c:
        vs = c.streams.video[0]
        for f in c.decode(vs):
            t = float(f.pts * f.time_base)
            if t > max_s:
                break
            if roi:
                x, y, w, h = roi
                g = f.to_ndarray(format="gray")[y:y + h, x:x + w].astype(np.float32)
            else:
                g = f.reformat(width=f.width // shrink, height=f.height // shrink,
                               format="gray").to_ndarray().astype(np.float32)
            frames.append(g)
            times.append(t)
    with av.open(path) as c:
        if c.streams.audio:
            for f in c.decode(c.streams.audio[0]):
                a = f.to_ndarray().astype(np.float32)
                audio.append(a.mean(axis=0) if a.ndim > 1 else a)
                rate = f.sample_rate
    if not frames:
        raise ValueError(f"{path} has no video frames")
    if not audio:
        raise ValueError(f"{path} has no audio track")
    return np.stack(frames), np.array(times), np.concatenate(audio), rate


def envelope(audio: np.ndarray, rate: int, hop_s: float = 0.001, win_s: float = 0.03):
    """Loudness (RMS, dB-compressed) every hop_s seconds, centred windows."""
    hop, win = max(1, int(rate * hop_s)), max(1, int(rate * win_s))
    sq = np.concatenate([[0.0], np.cumsum(audio.astype(np.float64) ** 2)])
    centers = np.arange(0, len(audio), hop)
    a, b = np.clip(centers - win // 2, 0, len(audio)), np.clip(centers + win // 2, 0, len(audio))
    rms = np.sqrt((sq[b] - sq[a]) / np.maximum(1, b - a))
    return centers / rate, np.log1p(rms * 200.0)


def block_signals(frames: np.ndarray, block: int = 8):
    t, h, w = frames.shape
    hb, wb = h // block, w // block
    x = frames[:, :hb * block, :wb * block].reshape(t, hb, block, wb, block).mean(axis=(2, 4))
    dev = np.abs(x - np.median(x, axis=0, keepdims=True))
    return dev.reshape(t, hb * wb)


def _corr(a, b):
    a, b = a - a.mean(), b - b.mean()
    d = np.sqrt((a * a).sum() * (b * b).sum())
    return float((a * b).sum() / d) if d > 0 else 0.0


def measure(path: str, roi=None, max_lag_ms: float = 300.0, top: int = 6) -> dict:
    """{"offset_ms", "corr", "frames", "in_window"}: offset > 0 means audio ahead."""
    frames, times, audio, rate = read(path, roi)
    et, ev = envelope(audio, rate)
    sig = block_signals(frames)
    lags = np.arange(-max_lag_ms, max_lag_ms + 0.1, 2.0) / 1000.0
    env_at = lambda L: np.interp(times + L, et, ev)   # noqa: E731 (envelope L seconds after each frame)
    active = sig.std(axis=0) > 1e-3
    if not active.any():
        raise ValueError("nothing moves in the picture; is the avatar in this recording?")
    idx = np.flatnonzero(active)
    E = np.stack([env_at(L) for L in lags])                        # lags x T
    Ez = (E - E.mean(axis=1, keepdims=True)) / (E.std(axis=1, keepdims=True) + 1e-9)
    S = sig[:, idx]
    Sz = (S - S.mean(axis=0)) / (S.std(axis=0) + 1e-9)
    C = Ez @ Sz / len(times)                                        # lags x blocks
    best = np.argsort(-C.max(axis=0))[:top]
    curve = C[:, best].mean(axis=1)
    k = int(np.argmax(curve))
    lag = lags[k]
    if 0 < k < len(lags) - 1:                                       # parabolic peak refinement
        y0, y1, y2 = curve[k - 1], curve[k], curve[k + 1]
        den = y0 - 2 * y1 + y2
        if den < 0:
            lag += 0.5 * (y0 - y2) / den * (lags[1] - lags[0])
    offset = -lag * 1000.0       # the picture matches sound heard `lag` later: sound is behind
    return {"offset_ms": round(float(offset), 1), "corr": round(float(curve[k]), 3), "frames": len(times),
            "in_window": WINDOW_MS[0] <= offset <= WINDOW_MS[1]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="run.py avsync", description=__doc__.split("\n\n")[0])
    ap.add_argument("mp4")
    ap.add_argument("--roi", help="x,y,w,h: look only there (default: the whole picture)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    roi = tuple(int(v) for v in args.roi.split(",")) if args.roi else None
    try:
        r = measure(args.mp4, roi)
    except (ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(r))
    else:
        print(f"A/V offset {r['offset_ms']:+.1f} ms (positive: audio ahead), correlation {r['corr']:.2f}, "
              f"{r['frames']} frames; BT.1359 window {WINDOW_MS[1]:+.0f}/{WINDOW_MS[0]:+.0f} ms: "
              f"{'inside' if r['in_window'] else 'OUTSIDE'}")
    return 0 if r["in_window"] else 1


if __name__ == "__main__":
    sys.exit(main())
