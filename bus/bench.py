"""`python run.py bench bus [--json]`: the project's bus against raw pyzmq, in one run.

Each phase runs a fresh sender and receiver process pair, with raw pyzmq PUB/SUB over ipc
(baseline) and as two real node processes on the bus (runtime, discovery, encoding, checks).
One-way latency uses time.perf_counter(), which is CLOCK_MONOTONIC and so shared by processes.
Every phase counts what was sent and what arrived (`lost`), never silently.

The latency phases run in `--rounds` rounds. In each, the baseline pair and the bus pair run at
the same time but take turns on the shared monotonic clock: the baseline sends only in even
100 ms slots, the bus only in odd ones, so only one of them is active at any moment and both see
the same load within a tenth of a second. Run one after the other, a few seconds apart, the
ratio for the same code swung from 1.1 to 1.7 under a test suite's load, because the load moves
within seconds. A phase's p50 and p99 are the medians over its rounds; its ratio is the median of
the rounds' own ratios.

The `video` phase (bus only) sends 720x1280 RGB frames at 25 fps to a consumer that takes 60 ms
a frame, on an input with keep-latest QoS (depth 1): it reports each frame's age when handled, the
frames dropped as stale (by design, counted) and the consumer's memory growth.
"""
from __future__ import annotations

import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

import numpy as np
import zmq

from bus.messages import BenchBlob
from bus.node import Node

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FRAME_SHAPE = (480, 640, 3)
VIDEO_SHAPE = (1280, 720, 3)   # a portrait 720x1280 screen
VIDEO = ("video", "video", -2, 250, 0.04)   # 10 s at 25 fps
SLOT_S = 0.1   # latency phases: the baseline sends in even slots of the monotonic clock, the bus in odd ones
PHASES = [  # name, mode, payload bytes, count, interval s
    ("lat_64B", "latency", 64, 3000, 0.001),
    ("lat_4KB", "latency", 4096, 3000, 0.001),
    ("lat_frame", "latency", -1, 400, 0.005),
    ("throughput_64B", "blast", 64, 100_000, 0.0),
    ("frames", "blast", -1, 1500, 0.0),
]


# --- the bus side: two real nodes -----------------------------------------------------------
class BenchSource(Node):
    outputs = {"blob": BenchBlob}

    @dataclass
    class Params:
        mode: str = "latency"
        size: int = 64
        count: int = 1000
        interval_s: float = 0.001
        delay_s: float = 1.0
        slot_s: float = 0.0         # > 0: send only in odd slots of this length (the baseline has the even ones)

    def setup(self):
        self.n = 0
        shape = VIDEO_SHAPE if self.params.size == -2 else FRAME_SHAPE
        self.image = np.random.randint(0, 255, shape, dtype=np.uint8)
        self.data = bytes(max(0, self.params.size - 24))
        self.started = False
        self.every(self.params.delay_s, self.begin)

    def begin(self):
        if self.started:
            return
        self.started = True
        if self.params.mode in ("latency", "video"):
            self.every(self.params.interval_s, self.send_one)
        else:
            self.every(0.0005, self.burst)

    def _blob(self):
        self.n += 1
        if self.params.size < 0:   # -1: a 640x480 frame, -2: a 720x1280 video frame
            return BenchBlob(self.n, time.perf_counter(), image=self.image)
        return BenchBlob(self.n, time.perf_counter(), data=self.data)

    def send_one(self):
        slot = self.params.slot_s
        if slot and int(time.perf_counter() / slot) % 2 == 0:
            return   # the baseline's turn
        if self.n < self.params.count:
            self.publish("blob", self._blob())

    def burst(self):
        for _ in range(200 if self.params.size >= 0 else 4):
            if self.n >= self.params.count:
                return
            self.publish("blob", self._blob())


class BenchSink(Node):
    inputs = {"blob": BenchBlob}

    @dataclass
    class Params:
        count: int = 1000
        out: str = ""

    def setup(self):
        self.lat, self.first, self.last = [], 0.0, 0.0
        self.every(0.2, self.write_when_done)

    def on_blob(self, msg: BenchBlob):
        now = time.perf_counter()
        if not self.lat:
            self.first = now
        self.last = now
        self.lat.append(now - msg.t)

    def write_when_done(self):   # not `check`: that is Node's launch-time classmethod
        if self.lat and (len(self.lat) >= self.params.count or time.perf_counter() - self.last > 2.0):
            _write(self.params.out, self.lat, self.first, self.last)
            self.lat = []


class BenchVideoSink(Node):
    """A display that takes `work_s` a frame; only the newest frame is worth showing."""
    inputs = {"blob": BenchBlob}
    blocking = frozenset({"blob"})

    @dataclass
    class Params:
        count: int = 250
        work_s: float = 0.06
        out: str = ""

    def setup(self):
        self.lat, self.first, self.last, self.rss = [], 0.0, 0.0, []
        self.every(0.2, self.write_when_done)

    def on_blob(self, msg: BenchBlob):
        now = time.perf_counter()
        if not self.lat:
            self.first = now
        self.last = now
        self.lat.append(now - msg.t)
        self.rss.append(_rss_mb())
        time.sleep(self.params.work_s)

    def write_when_done(self):   # the source stops after `count` frames: write once the stream is over
        if self.lat and time.perf_counter() - self.last > 2.0:
            _write(self.params.out, self.lat, self.first, self.last, rss=self.rss)
            self.lat = []


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _write(path: str, lat: list, first: float, last: float, **extra) -> None:
    with open(path + ".tmp", "w") as f:
        json.dump({"lat": lat, "first": first, "last": last, **extra}, f)
    os.replace(path + ".tmp", path)


# --- the raw baseline ------------------------------------------------------------------------
def raw_send(ep: str, mode: str, size: int, count: int, interval: float, slot: float = 0.0) -> None:
    ctx = zmq.Context()
    pub = ctx.socket(zmq.PUB)
    pub.setsockopt(zmq.SNDHWM, 1000)
    pub.bind(ep)
    time.sleep(1.0)  # slow joiner
    image = np.random.randint(0, 255, FRAME_SHAPE, dtype=np.uint8)
    pad = bytes(max(0, size - 8))
    next_t = time.perf_counter()
    for _ in range(count):
        if mode == "latency":
            if slot and int(next_t / slot) % 2 == 1:   # the bus's turn: wait for the next even slot
                next_t = (int(next_t / slot) + 1) * slot
            while time.perf_counter() < next_t:
                time.sleep(max(0.0, next_t - time.perf_counter() - 0.0002))
            next_t += interval
        stamp = struct.pack("d", time.perf_counter())
        if size < 0:
            pub.send_multipart([b"blob\0", stamp, image], copy=False)
        else:
            pub.send_multipart([b"blob\0", stamp + pad])
    time.sleep(1.0)
    pub.close(linger=2000)


def raw_recv(ep: str, count: int, out: str) -> None:
    ctx = zmq.Context()
    sub = ctx.socket(zmq.SUB)
    sub.setsockopt(zmq.RCVHWM, 1000)
    sub.setsockopt(zmq.SUBSCRIBE, b"blob\0")
    sub.connect(ep)
    lat, first, last = [], 0.0, 0.0
    while len(lat) < count:
        if not sub.poll(2000 if lat else 15000):
            break
        frames = sub.recv_multipart(copy=False)
        now = time.perf_counter()
        if not lat:
            first = now
        last = now
        lat.append(now - struct.unpack("d", frames[1].bytes[:8])[0])
    _write(out, lat, first, last)


# --- orchestration ---------------------------------------------------------------------------
def _py(*args) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait_file(path: str, procs: list, timeout: float, client=None) -> dict:
    """The phase's result file; with a control-plane client, also where the runtime counted drops
    (the nodes' `dropped*` counters from their last heartbeats)."""
    deadline = time.monotonic() + timeout
    drops: dict = {}
    try:
        while time.monotonic() < deadline:
            if client is not None:
                for st in client.gather(0.05):
                    drops[st.node] = {k: v for k, v in st.counters.items() if k.startswith("dropped") and v}
            if os.path.exists(path):
                with open(path) as f:
                    result = json.load(f)
                if client is not None:
                    result["drops"] = {n: d for n, d in drops.items() if d}
                return result
            time.sleep(0.05)
        raise TimeoutError(f"benchmark phase produced no result in {timeout:.0f} s")
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(3)
            except subprocess.TimeoutExpired:
                p.kill()


def run_raw(tmp: str, name: str, mode: str, size: int, count: int, interval: float, slot: float = 0.0) -> dict:
    ep, out = f"ipc://{tmp}/raw-{name}.sock", f"{tmp}/raw-{name}.json"
    recv = _py("-m", "bus.bench", "_raw_recv", ep, str(count), out)
    send = _py("-m", "bus.bench", "_raw_send", ep, mode, str(size), str(count), str(interval), str(slot))
    return _wait_file(out, [send, recv], 120)


def run_bus(tmp: str, port: int, name: str, mode: str, size: int, count: int, interval: float,
            slot: float = 0.0) -> dict:
    from bus.broker import Broker, BrokerError
    from bus.transport import BusAddress
    addr = BusAddress("127.0.0.1", port)
    deadline = time.monotonic() + 5.0
    while True:   # the previous run's broker may still be closing its sockets (libzmq closes them in the background)
        try:
            broker = Broker(addr).start()
            break
        except BrokerError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    out = f"{tmp}/bus-{name}.json"
    base = {"bus": str(addr), "transport": "ipc", "hwm": 1000, "parent_pid": os.getpid()}
    sink = dict(base, id="sink", cls="bus.bench:BenchSink", inc="s" + name, inputs={"blob": "source/blob"},
                params={"count": count, "out": out})
    if mode == "video":   # keep-latest QoS on the display's input, as a launch file would set it
        sink.update(cls="bus.bench:BenchVideoSink", qos={"blob": {"depth": 1, "keep": "latest", "max_bytes": 64 << 20}})
    source = dict(base, id="source", cls="bus.bench:BenchSource", inc="p" + name, consumers={"blob": ["sink"]},
                  params={"mode": mode, "size": size, "count": count, "interval_s": interval, "slot_s": slot})
    procs = [_py("-m", "bus.runtime", json.dumps(sink)), _py("-m", "bus.runtime", json.dumps(source))]
    from bus.transport import Client
    client = Client(addr, f"_bench/{os.getpid()}")
    try:
        return _wait_file(out, procs, 120, client)
    finally:
        client.close()
        broker.stop()   # its sockets belong to the broker thread: never close them from here


def latency_rounds(tmp: str, port: int, name: str, size: int, count: int, interval: float,
                   rounds: int) -> tuple[dict, dict, list]:
    """(baseline, bus, per-round figures) of a latency phase run as `rounds` rounds, the baseline
    and the bus taking turns in the same minutes (SLOT_S)."""
    from concurrent.futures import ThreadPoolExecutor
    per = []
    for i in range(rounds):
        tag = f"{name}-{i}"
        with ThreadPoolExecutor(1) as pool:   # the baseline pair is only processes and a file to wait for
            raw = pool.submit(run_raw, tmp, tag, "latency", size, count, interval, SLOT_S)
            got = {"bus": summarise(run_bus(tmp, port, tag, "latency", size, count, interval, SLOT_S),
                                    "latency", count)}
            got["baseline"] = summarise(raw.result(), "latency", count)
        got["ratio"] = round(got["bus"]["p50_us"] / got["baseline"]["p50_us"], 2)
        per.append(got)

    def merged(side: str) -> dict:
        rs = [p[side] for p in per]
        out = {"p50_us": round(float(np.median([r["p50_us"] for r in rs])), 1),
               "p99_us": round(float(np.median([r["p99_us"] for r in rs])), 1),
               **{k: sum(r[k] for r in rs) for k in ("received", "sent", "lost")}}
        if side == "bus":
            drops: dict = {}
            for r in rs:
                for node, d in r.get("drops", {}).items():
                    for k, v in d.items():
                        drops.setdefault(node, {})[k] = drops.get(node, {}).get(k, 0) + v
            out["drops"] = drops
        return out
    rounds_out = [{"baseline_p50_us": p["baseline"]["p50_us"], "bus_p50_us": p["bus"]["p50_us"],
                   "ratio": p["ratio"]} for p in per]
    return merged("baseline"), merged("bus"), rounds_out


def summarise(r: dict, mode: str, count: int) -> dict:
    lat = np.array(r["lat"]) * 1e6
    counts = {"received": len(r["lat"]), "sent": count, "lost": count - len(r["lat"])}
    if "drops" in r:   # bus runs: where the runtime counted what it dropped
        counts["drops"] = r["drops"]
    if mode == "latency":
        lat = lat[len(lat) // 10:]  # drop warm-up
        return {"p50_us": round(float(np.percentile(lat, 50)), 1), "p99_us": round(float(np.percentile(lat, 99)), 1),
                **counts}
    if mode == "video":   # frames not handled were replaced by newer ones (keep latest): dropped, not lost
        rss = r.get("rss") or [0.0]
        warm = rss[min(len(rss) - 1, 25):]   # after the first second
        return {"latency_ms": {"p50": round(float(np.percentile(lat, 50)) / 1e3, 1),
                               "p95": round(float(np.percentile(lat, 95)) / 1e3, 1),
                               "max": round(float(lat.max()) / 1e3, 1)},
                "rss_growth_mb": round(warm[-1] - warm[0], 1), "rss_mb": round(rss[-1], 1),
                "sent": count, "handled": len(r["lat"]), "dropped_stale": count - len(r["lat"]),
                "drops": r.get("drops", {})}
    span = max(r["last"] - r["first"], 1e-9)
    return {"per_s": round((len(r["lat"]) - 1) / span, 1), **counts}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="run.py bench bus")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--port", type=int, default=7680,
                    help="broker port for the bus runs (it uses PORT and PORT+1; each phase has a broker of its own, "
                         "stopped before the next one starts)")
    ap.add_argument("--quick", action="store_true", help="fewer messages (smoke test)")
    ap.add_argument("--only", choices=[p[0] for p in PHASES] + ["video"], help="run one phase")
    ap.add_argument("--rounds", type=int, default=5,
                    help="latency phases: rounds of baseline and bus taking turns, figures are their medians (default 5)")
    args = ap.parse_args(argv)
    results = {"baseline": {}, "bus": {}, "rounds": {}}
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as tmp:
        for name, mode, size, count, interval in PHASES:
            if args.only and args.only != name:
                continue
            if args.quick:
                count = max(100, count // 20)
            if mode == "latency":
                results["baseline"][name], results["bus"][name], results["rounds"][name] = latency_rounds(
                    tmp, args.port, name, size, count, interval, max(1, args.rounds))
            else:
                results["baseline"][name] = summarise(run_raw(tmp, name, mode, size, count, interval), mode, count)
                results["bus"][name] = summarise(run_bus(tmp, args.port, name, mode, size, count, interval), mode, count)
            if not args.json:
                print(f"  {name}: baseline {results['baseline'][name]}  bus {results['bus'][name]}", file=sys.stderr)
        if not args.only or args.only == "video":
            name, mode, size, count, interval = VIDEO
            count = 100 if args.quick else count
            results["video"] = summarise(run_bus(tmp, args.port, name, mode, size, count, interval), mode, count)
            if not args.json:
                print(f"  video: {results['video']}", file=sys.stderr)
    if args.only:
        print(json.dumps(results))
        return 0
    b, s = results["baseline"], results["bus"]
    lat_ratio = {n: round(float(np.median([r["ratio"] for r in rs])), 2) for n, rs in results["rounds"].items()}
    results["ratios"] = {
        "p50_64B": lat_ratio["lat_64B"],
        "p50_4KB": lat_ratio["lat_4KB"],
        "p50_frame": lat_ratio["lat_frame"],
        "throughput_64B": round(s["throughput_64B"]["per_s"] / b["throughput_64B"]["per_s"], 2),
        "frames_per_s": round(s["frames"]["per_s"] / b["frames"]["per_s"], 2),
    }
    results["targets"] = {
        "p50_64B_within_1.5x": results["ratios"]["p50_64B"] <= 1.5,
        "p99_64B_under_1ms": s["lat_64B"]["p99_us"] < 1000,
        "frames_at_least_300_per_s": s["frames"]["per_s"] >= 300,
        "beats_rclpy_404us_p50": s["lat_64B"]["p50_us"] < 404,
        "beats_dora_python_316us_p50": s["lat_64B"]["p50_us"] < 316,
        "video_age_p95_at_most_80ms": results["video"]["latency_ms"]["p95"] <= 80,
        "video_no_memory_growth": results["video"]["rss_growth_mb"] <= 20,
        "nothing_lost": all(r["lost"] == 0 for r in s.values()),
    }
    if args.json:
        print(json.dumps(results))
        return 0
    print(f"{'phase':<16}{'baseline':>26}{'bus':>26}{'ratio':>8}")
    for name, mode, *_ in PHASES:
        if mode == "latency":
            fmt = lambda r: f"p50 {r['p50_us']:.0f} / p99 {r['p99_us']:.0f} us"
            ratio = lat_ratio[name]
        else:
            fmt = lambda r: f"{r['per_s']:.0f} /s ({r['received']}/{r['sent']})"
            ratio = s[name]["per_s"] / b[name]["per_s"]
        print(f"{name:<16}{fmt(b[name]):>26}{fmt(s[name]):>26}{ratio:>8.2f}")
    for name, rs in results["rounds"].items():
        print(f"{name} rounds (baseline/bus p50 us, ratio): " +
              ", ".join(f"{r['baseline_p50_us']:.0f}/{r['bus_p50_us']:.0f} {r['ratio']:.2f}" for r in rs))
    for side, r in (("bus", s), ("baseline", b)):
        print(f"lost ({side}): " + ", ".join(f"{n} {r[n]['lost']}" for n in r))
    for n in s:
        if s[n].get("drops"):
            print(f"  {n}: counted by the runtime: {s[n]['drops']}")
    v = results["video"]
    print(f"video 720x1280 at 25 fps, 60 ms a frame, keep latest: age when handled p50 {v['latency_ms']['p50']} / "
          f"p95 {v['latency_ms']['p95']} ms; handled {v['handled']}/{v['sent']} ({v['dropped_stale']} replaced by "
          f"newer frames); consumer memory growth {v['rss_growth_mb']} MB")
    for k, v in results["targets"].items():
        print(f"  {'MET ' if v else 'MISS'} {k}")
    return 0


if __name__ == "__main__":
    role, rest = sys.argv[1], sys.argv[2:]
    if role == "_raw_send":
        raw_send(rest[0], rest[1], int(rest[2]), int(rest[3]), float(rest[4]), float(rest[5]) if rest[5:] else 0.0)
    elif role == "_raw_recv":
        raw_recv(rest[0], int(rest[1]), rest[2])
    else:
        sys.exit(main(sys.argv[1:]))
