"""`python run.py bench interrupt [--json]`: how fast a barge-in stops the work of older turns.

A producer streams 20 ms AudioChunks in real time (50 a second) to a consumer whose blocking
handler takes longer than that (30 ms a chunk, checking `cancelled()` every 5 ms), so work queues
up, as it does behind a busy speech recogniser. Every ~0.5 s the producer raises an Interrupt that
begins a new turn and streams on in it. The consumer notes when each handler starts and ends and
what it publishes; a recorder downstream notes what reached it. For each interrupt, `stop_ms` is
the time from the interrupt to the last event of an older turn: a handler still running, a queued
stale chunk handled, a stale output delivered (0 when nothing stale happened after it).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

import numpy as np

from bus import messages as m
from bus.bench_soak import free_port, read_jsonl, start_burners, stop_all
from bus.node import Node

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RATE = 16000


class AudioStreamer(Node):
    """20 ms chunks in real time; an Interrupt (a new turn) every ~interrupt_every_s."""
    outputs = {"audio": m.AudioChunk}

    @dataclass
    class Params:
        interrupts: int = 40
        interrupt_every_s: float = 0.5
        chunk_ms: int = 20
        out: str = ""

    def setup(self):
        self.rng = random.Random(7)
        self.log_file = open(self.params.out, "a", buffering=1)
        self.pcm = (np.sin(np.arange(RATE * self.params.chunk_ms // 1000) / 8) * 3000).astype(np.int16)
        self.turn = m.new_turn()
        self.sample = 0
        self.done = 0
        self.t0 = time.monotonic()
        self.sent = 0
        self.next_int = self.t0 + 1.0
        self.every(self.params.chunk_ms / 1000 / 2, self.tick)

    def tick(self):
        now = time.monotonic()
        if self.done >= self.params.interrupts:
            return
        while self.sent < (now - self.t0) * 1000 / self.params.chunk_ms:   # real time, catching up
            self.sent += 1
            self.publish("audio", m.AudioChunk(self.pcm, RATE, stream="mic", sample=self.sample), turn=self.turn)
            self.sample += len(self.pcm)
        if now >= self.next_int:
            self.turn = m.new_turn()
            self.log_file.write(json.dumps({"ev": "int", "turn": self.turn, "mono": time.monotonic()}) + "\n")
            self.interrupt("bench", self.turn)
            self.done += 1
            self.next_int = now + self.params.interrupt_every_s * self.rng.uniform(0.8, 1.2)
            if self.done >= self.params.interrupts:
                self.log_file.write(json.dumps({"ev": "done", "mono": time.monotonic() + 1.0}) + "\n")


class SlowAudioConsumer(Node):
    """A blocking handler slower than real time, which stops at once when cancelled."""
    inputs = {"audio": m.AudioChunk}
    outputs = {"audio": m.AudioChunk}
    blocking = frozenset({"audio"})

    @dataclass
    class Params:
        work_s: float = 0.03
        step_s: float = 0.005
        out: str = ""

    def setup(self):
        self.log_file = open(self.params.out, "a", buffering=1)

    def _note(self, ev: str, turn: int) -> None:
        self.log_file.write(json.dumps({"ev": ev, "turn": turn, "mono": time.monotonic()}) + "\n")

    def on_audio(self, msg: m.AudioChunk):
        turn = self.header.turn
        self._note("start", turn)
        end = time.monotonic() + self.params.work_s
        while time.monotonic() < end:
            if self.cancelled():
                self._note("end", turn)
                return
            time.sleep(self.params.step_s)
        self._note("pub", turn)
        self.publish("audio", msg)
        self._note("end", turn)


class AudioRecorder(Node):
    inputs = {"audio": m.AudioChunk}

    @dataclass
    class Params:
        out: str = ""

    def setup(self):
        self.log_file = open(self.params.out, "a", buffering=1)

    def on_audio(self, msg: m.AudioChunk):
        self.log_file.write(json.dumps({"ev": "got", "turn": self.header.turn, "mono": time.monotonic()}) + "\n")


def graph_yaml(tmp: str, port: int, args) -> str:
    return f"""
graph: interrupt_bench
bus: {{port: {port}}}
nodes:
  - id: consumer
    node: bus.bench_interrupt:SlowAudioConsumer
    inputs: {{audio: streamer/audio}}
    params: {{work_s: {args.work_ms / 1000}, out: {tmp}/consumer.jsonl}}
  - id: recorder
    node: bus.bench_interrupt:AudioRecorder
    inputs: {{audio: consumer/audio}}
    params: {{out: {tmp}/recorder.jsonl}}
  - id: streamer
    node: bus.bench_interrupt:AudioStreamer
    start: after_ready
    params: {{interrupts: {args.interrupts}, interrupt_every_s: {args.every}, out: {tmp}/streamer.jsonl}}
"""


def summarise(streamer: list, events: list) -> dict:
    ints = [(e["turn"], e["mono"]) for e in streamer if e["ev"] == "int"]
    stops, stale_started, stale_delivered = [], 0, 0
    for turn_k, t_k in ints:
        stale = [e for e in events if e["turn"] and e["turn"] < turn_k and e["mono"] >= t_k]
        stops.append(max((e["mono"] - t_k for e in stale), default=0.0) * 1e3)
    for e in events:   # what ran or arrived although a newer turn had begun before it
        newer = any(t > e["turn"] and mono <= e["mono"] for t, mono in ints) if e["turn"] else False
        stale_started += newer and e["ev"] == "start"
        stale_delivered += newer and e["ev"] == "got"
    arr = np.array(stops) if stops else np.zeros(1)
    return {"interrupts": len(ints),
            "stop_ms": {"p50": round(float(np.percentile(arr, 50)), 1), "p95": round(float(np.percentile(arr, 95)), 1),
                        "max": round(float(arr.max()), 1)},
            "stale_started": int(stale_started), "stale_delivered": int(stale_delivered),
            "handled": sum(1 for e in events if e["ev"] == "start"),
            "delivered": sum(1 for e in events if e["ev"] == "got")}


def run(args) -> dict:
    with tempfile.TemporaryDirectory(prefix="kiosk-int-") as tmp:
        path = os.path.join(tmp, "g.yaml")
        with open(path, "w") as f:
            f.write(graph_yaml(tmp, args.port or free_port(), args))
        burners = start_burners(args.burners)
        log = open(os.path.join(tmp, "launch.log"), "w+")
        launcher = subprocess.Popen([sys.executable, "run.py", "launch", path], cwd=ROOT, stdout=log,
                                    stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + args.timeout
            while time.monotonic() < deadline and launcher.poll() is None:
                if any(e["ev"] == "done" and time.monotonic() > e["mono"] for e in read_jsonl(f"{tmp}/streamer.jsonl")):
                    break
                time.sleep(0.2)
            else:
                log.seek(0)
                raise RuntimeError(f"the bench graph did not finish in {args.timeout:.0f} s:\n{log.read()[-3000:]}")
        finally:
            if launcher.poll() is None:
                launcher.send_signal(2)
                try:
                    launcher.wait(15)
                except subprocess.TimeoutExpired:
                    launcher.kill()
            stop_all(burners)
        events = read_jsonl(f"{tmp}/consumer.jsonl") + read_jsonl(f"{tmp}/recorder.jsonl")
        res = summarise(read_jsonl(f"{tmp}/streamer.jsonl"), events)
    res["setup"] = {"work_ms": args.work_ms, "chunk_ms": 20, "interrupt_every_s": args.every, "burners": args.burners}
    res["targets"] = {"stop_p95_at_most_30ms": res["stop_ms"]["p95"] <= 30}
    return res


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="run.py bench interrupt", description=__doc__.split("\n\n")[0])
    ap.add_argument("--interrupts", type=int, default=40)
    ap.add_argument("--every", type=float, default=0.5, help="seconds between interrupts (default %(default)s)")
    ap.add_argument("--work-ms", type=float, default=30.0, help="consumer's work per 20 ms chunk (default %(default)s)")
    ap.add_argument("--burners", type=int, default=0, help="CPU burner processes (default %(default)s)")
    ap.add_argument("--timeout", type=float, default=180.0)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)
    try:
        res = run(args)
    except RuntimeError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(res))
        return 0
    s = res["stop_ms"]
    print(f"interrupt: {res['interrupts']} interrupts, {args.burners} CPU burners; consumer handled "
          f"{res['handled']} chunks, {res['delivered']} delivered downstream")
    print(f"  stop after interrupt: p50 {s['p50']} / p95 {s['p95']} / max {s['max']} ms")
    print(f"  stale chunks started after an interrupt: {res['stale_started']}, stale outputs delivered: "
          f"{res['stale_delivered']}")
    for k, v in res["targets"].items():
        print(f"  {'MET ' if v else 'MISS'} {k}")
    return 0
