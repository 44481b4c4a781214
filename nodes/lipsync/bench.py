"""`python run.py bench lipsync [--json]`: per backend at 720x1280 (and the screen's 720x520),
with the anchor the issue gives measured in the same run.

- fps: frames rendered per second, as fast as it goes (render + wire encoding).
- cpu_core_fraction: CPU time of the node's own thread per second while it runs at 25 fps,
  paced by a playback clock in real time (what it costs the kiosk).
- first_frame_ms: from handing the node an utterance's first chunk to its first frame
  (median and max over 20 utterances); it must be within one frame period.
- anchor_blend_256_ms: cv2.addWeighted of two 256x256 RGB mouth regions, the issue's anchor
  (0.33 ms on the reference machine), so figures can be compared across machines.
"""
from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np

from bus import messages as m
from bus.messages import Playback
from nodes.lipsync import synth


class _Port:
    """Runs a node without a bus; publishing costs what the runtime's encoding costs."""

    def __init__(self):
        self.count, self.timers, self.header = 0, [], None

    def publish(self, output, msg, turn):
        m.encode(f"bench/{output}", msg, "bench", "0", self.count, turn or 0)
        self.count += 1          # frames are not kept: holding them would measure page faults

    def interrupt(self, reason, turn):
        pass

    def add_timer(self, period_s, fn):
        self.timers.append((period_s, fn))

    def set_health(self, state, reason=""):
        pass

    def current_header(self):
        return self.header

    def cancelled(self):
        return False


def _node(backend: str, width: int, height: int, device: str, batch: int):
    from bus.node import parse_params
    from nodes.lipsync.node import LipsyncNode
    params, problems = parse_params(LipsyncNode, {"backend": backend, "width": width, "height": height,
                                                  "device": device, "batch": batch}, "bench")
    if problems:
        raise ValueError("; ".join(problems))
    port = _Port()
    node = LipsyncNode("bench", params, port)
    node.setup()
    return node, port


def anchor_ms(n: int = 2000) -> float:
    import cv2
    a, b = (np.random.randint(0, 255, (256, 256, 3), np.uint8) for _ in range(2))
    t = time.perf_counter()
    for _ in range(n):
        cv2.addWeighted(a, 0.5, b, 0.5, 0.0)
    return (time.perf_counter() - t) / n * 1000


def measure(backend: str, width: int, height: int, device: str = "cpu", batch: int = 8,
            seconds: float = 4.0) -> dict:
    node, port = _node(backend, width, height, device, batch)
    chunks = synth.chunks()
    rate = chunks[0].rate
    for c in chunks:
        node.on_speech(c)
    utt = node.utts["u1"]
    fps = node.params.fps
    n = int(utt.duration * fps)
    # throughput: the best of three passes (the machine is shared)
    for k in range(5):
        node.renderer.render(utt, k / fps, k / fps)
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        for k in range(n):
            img = node.renderer.render(utt, k / fps, k / fps)
            port.publish("frame", m.VideoFrame(img, pts=k / fps, utterance="u1"), 0)
        best = min(best, time.perf_counter() - t)
    throughput = n / best
    # real time at 25 fps, paced by a playback clock
    node.renderer.forget("u1")
    node.utts.clear()
    for c in chunks:
        node.on_speech(c)
    start = time.monotonic()
    cpu0, frames0 = time.thread_time(), port.count
    period = 1.0 / fps
    next_tick = start
    while (now := time.monotonic()) - start < seconds:
        pos = (now - start) % max(period, utt.duration - 0.3)
        node.on_playback(Playback("u1", int(pos * rate), now, rate, True))
        node.tick()
        next_tick += period
        time.sleep(max(0.0, next_tick - time.monotonic()))
    wall = time.monotonic() - start
    cpu = time.thread_time() - cpu0
    realtime_frames = port.count - frames0
    # first frame after the first chunk
    first = []
    for i in range(20):
        c = synth.chunks(utterance=f"first{i}")[0]
        t = time.perf_counter()
        before = port.count
        node.on_speech(c)
        if port.count > before:
            first.append((time.perf_counter() - t) * 1000)
    out = {"backend": backend, "size": f"{width}x{height}", "fps": round(throughput, 1),
           "cpu_core_fraction": round(cpu / wall, 3), "realtime_fps": round(realtime_frames / wall, 1),
           "first_frame_ms": round(statistics.median(first), 2), "first_frame_ms_max": round(max(first), 2),
           "frame_period_ms": round(1000 / fps, 1),
           "first_frame_within_period": statistics.median(first) <= 1000 / fps}
    out.update({k: v for k, v in node.renderer.stats().items()})
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="run.py bench lipsync", description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--backends", default="viseme,wav2lip")
    ap.add_argument("--device", default="cpu", help="wav2lip: cpu or cuda")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=4.0, help="real-time run per backend")
    args = ap.parse_args(argv)
    import os
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    try:
        import torch
        torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    except ImportError:
        pass
    anchor = anchor_ms()
    rows = []
    for name in args.backends.split(","):
        sizes = [(720, 1280), (720, 520)] if name == "viseme" else [(720, 1280)]
        for w, h in sizes:
            try:
                r = measure(name, w, h, args.device, args.batch, args.seconds)
            except ImportError as e:
                r = {"backend": name, "size": f"{w}x{h}", "error": f"{e} (install requirements-ml.txt)"}
            if "fps" in r:
                r["ms_per_frame_vs_anchor"] = round(1000 / r["fps"] / anchor, 2)
            rows.append(r)
    result = {"anchor_blend_256_ms": round(anchor, 3), "results": rows}
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    print(f"anchor: blending a 256 px mouth region takes {anchor:.3f} ms here (0.33 ms on the reference machine)")
    for r in rows:
        if "error" in r:
            print(f"{r['backend']:8s} {r['size']:9s} error: {r['error']}")
            continue
        extra = ""
        if r["backend"] == "wav2lip":
            extra = (f"  model frames {r['model']}, fallback {r['fallback']}, batch {r['batch_ms']} ms"
                     f"{' (random weights)' if r['random_weights'] else ''}")
        print(f"{r['backend']:8s} {r['size']:9s} {r['fps']:7.1f} fps ({r['ms_per_frame_vs_anchor']}x anchor)  "
              f"cpu {r['cpu_core_fraction']:.3f} core at {r['realtime_fps']} fps  first frame "
              f"{r['first_frame_ms']} ms (max {r['first_frame_ms_max']}, period {r['frame_period_ms']}){extra}")
    return 0
