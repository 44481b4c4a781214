"""Nodes for the live bus tests (imported by node processes as tests.bus.helper_nodes:Class)."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass

from bus.messages import BenchBlob, Text, Tick
from bus.node import Node, QoS


class SlowStart(Node):
    """Records each tick to a file; its setup takes `setup_s` (a model that loads slowly)."""
    inputs = {"tick": Tick}

    @dataclass
    class Params:
        setup_s: float = 10.0
        record: str = ""

    def setup(self):
        time.sleep(self.params.setup_s)
        self.out = open(self.params.record, "a", buffering=1)

    def on_tick(self, msg: Tick):
        self.out.write(f"{msg.n} {self.header.inc}\n")


class Gated(Node):
    """Records each tick with the incarnation that sent it; its setup waits until the file `gate`
    exists (a model that loads until the test says so). No gate: ready at once."""
    inputs = {"tick": Tick}

    @dataclass
    class Params:
        gate: str = ""
        record: str = ""

    def setup(self):
        while self.params.gate and not os.path.exists(self.params.gate):
            time.sleep(0.02)
        self.out = open(self.params.record, "a", buffering=1)

    def on_tick(self, msg: Tick):
        self.out.write(f"{msg.n} {self.header.inc}\n")


class SlowWorker(Node):
    """Blocking work per tick; a tick is recorded only once its work is done."""
    inputs = {"tick": Tick}
    blocking = frozenset({"tick"})

    @dataclass
    class Params:
        work_s: float = 0.05
        record: str = ""

    def setup(self):
        self.out = open(self.params.record, "a", buffering=1)

    def on_tick(self, msg: Tick):
        time.sleep(self.params.work_s)
        self.out.write(f"{msg.n}\n")


class Faulty(Node):
    """Its blocking handler fails on every odd tick; it can also interrupt from the worker."""
    inputs = {"text": Text}
    outputs = {"text": Text}
    blocking = frozenset({"text"})

    @dataclass
    class Params:
        pass

    def on_text(self, msg: Text):
        if msg.text == "fail":
            raise RuntimeError("일부러 낸 오류")
        if msg.text == "interrupt":
            self.interrupt("barge_in")
            self.publish("text", Text("after interrupt"))   # of the old turn: dropped on the way out
            return
        if msg.text == "wait":
            t0 = time.monotonic()
            while not self.cancelled() and time.monotonic() - t0 < 5:
                time.sleep(0.001)
            self.publish("text", Text(f"cancelled after {1000 * (time.monotonic() - t0):.0f} ms"), turn=0)
            return
        self.publish("text", Text(f"done: {msg.text}"))


class LatestFrame(Node):
    """A slow consumer of frames that only wants the newest (keep latest)."""
    inputs = {"tick": Tick}
    qos = {"tick": QoS(depth=1, keep="latest")}

    @dataclass
    class Params:
        work_s: float = 0.06
        record: str = ""

    def setup(self):
        self.out = open(self.params.record, "a", buffering=1)

    def on_tick(self, msg: Tick):
        self.out.write(f"{msg.n} {1000 * (time.monotonic() - self.header.mono):.1f}\n")
        time.sleep(self.params.work_s)


class Blast(Node):
    """Publishes `count` blobs (64 B, or 640x480 frames when size < 0) as fast as it can."""
    outputs = {"blob": BenchBlob}

    @dataclass
    class Params:
        size: int = 64
        count: int = 1000

    def setup(self):
        import numpy as np
        self.n = 0
        self.image = np.zeros((480, 640, 3), np.uint8) if self.params.size < 0 else None
        self.every(0.0005, self.burst)

    def burst(self):
        for _ in range(200 if self.image is None else 4):
            if self.n >= self.params.count:
                return
            self.n += 1
            self.publish("blob", BenchBlob(self.n, time.perf_counter(), data=b"x" * 40, image=self.image))


class Count(Node):
    """Takes blobs and does nothing else (its status counters tell what arrived)."""
    inputs = {"blob": BenchBlob}

    @dataclass
    class Params:
        pass

    def on_blob(self, msg: BenchBlob):
        pass


class Busy(Node):
    """Uses the Port from every thread: setup (health, publish) and the worker (publish, health,
    an error, an interrupt). Run with KIOSK_BUS_CHECK_THREADS=1 to prove no socket is shared."""
    inputs = {"text": Text}
    outputs = {"text": Text}
    blocking = frozenset({"text"})

    @dataclass
    class Params:
        pass

    def setup(self):
        self.set_health("degraded", "loading")
        self.publish("text", Text("from setup"), turn=0)
        self.set_health("ok")

    def on_text(self, msg: Text):
        self.set_health("degraded", "busy")
        self.publish("text", Text(f"worker: {msg.text}"))
        self.set_health("ok")
        if msg.text == "fail":
            raise RuntimeError("boom")
        if msg.text == "interrupt":
            self.interrupt("barge_in")
