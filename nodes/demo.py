"""Small nodes for the demo graph, tests and benchmarks.

Ticker  -> tick (Tick)                   counts at rate_hz
Relay   tick (Tick) -> tick (Tick)       passes ticks on (the node swapped in tests)
Upper   text (Text) -> text (Text)       upper-cases
Say     tick (Tick) -> text (Text)       turns ticks into Korean sentences
Sink    tick (Tick)                      logs ticks; with `record`, appends "n inc" lines to a file
Printer text (Text)                      logs text
Script  -> transcript (Transcript)       says scripted lines, as if a senior spoke them
"""
from __future__ import annotations

from dataclasses import dataclass

from dataclasses import field

from bus.messages import Text, Tick, Transcript, new_turn
from bus.node import Node


class Ticker(Node):
    outputs = {"tick": Tick}

    @dataclass
    class Params:
        rate_hz: float = 2.0
        count: int = 0          # stop counting after this many (0 = forever)

    def setup(self):
        self.n = 0
        self.every(1.0 / self.params.rate_hz, self.tick)

    def tick(self):
        if self.params.count and self.n >= self.params.count:
            return
        self.n += 1
        self.publish("tick", Tick(self.n, f"tick {self.n}"))


class Relay(Node):
    inputs = {"tick": Tick}
    outputs = {"tick": Tick}
    live_params = frozenset({"label"})   # read on every tick, so `param set` takes effect at once

    @dataclass
    class Params:
        label: str = ""

    def on_tick(self, msg: Tick):
        self.publish("tick", Tick(msg.n, self.params.label or msg.text))


class Say(Node):
    inputs = {"tick": Tick}
    outputs = {"text": Text}

    @dataclass
    class Params:
        every: int = 1

    def on_tick(self, msg: Tick):
        if msg.n % self.params.every == 0:
            self.publish("text", Text(f"안녕하세요. {msg.n}번째 인사입니다."))


class Upper(Node):
    inputs = {"text": Text}
    outputs = {"text": Text}
    live_params = frozenset({"suffix"})

    @dataclass
    class Params:
        suffix: str = ""

    def on_text(self, msg: Text):
        self.publish("text", Text(msg.text.upper() + self.params.suffix))


class Sink(Node):
    inputs = {"tick": Tick}

    @dataclass
    class Params:
        record: str = ""        # file to append "n src inc" lines to (tests)

    @classmethod
    def check(cls, params) -> list[str]:
        import os
        folder = os.path.dirname(params.record)
        if params.record and folder and not os.path.isdir(folder):
            return [f"record '{params.record}': folder '{folder}' does not exist"]
        return []

    def setup(self):
        self.out = open(self.params.record, "a", buffering=1) if self.params.record else None

    def on_tick(self, msg: Tick):
        if self.out:
            self.out.write(f"{msg.n} {self.header.src} {self.header.inc}\n")
        else:
            self.log.info("tick %d (%s)", msg.n, msg.text)

    def teardown(self):
        if self.out:
            self.out.close()


class Printer(Node):
    inputs = {"text": Text}

    @dataclass
    class Params:
        pass

    def on_text(self, msg: Text):
        self.log.info("%s", msg.text)


class Script(Node):
    """Launch it with `start: after_ready` (launch/demo.yaml): the launcher starts it once the rest
    of the graph is ready, and the runtime holds its first line until its consumers are attached,
    so no fixed delay has to guess how long models take to load on a busy machine."""
    outputs = {"transcript": Transcript}

    @dataclass
    class Params:
        lines: list[str] = field(default_factory=list)
        interval_s: float = 2.5
        delay_s: float = 0.2

    def setup(self):
        self.todo = list(self.params.lines)
        self.every(self.params.delay_s, self.start)
        self.started = False

    def start(self):
        if not self.started:
            self.started = True
            self.every(self.params.interval_s, self.say)
            self.say()

    def say(self):
        if self.todo:
            line = self.todo.pop(0)
            self.log.info("🧓 %s", line)
            self.publish("transcript", Transcript(line, session="demo", source="injected"), turn=new_turn())


class Stall(Node):
    """Passes ticks on, but its receive loop freezes at tick `stall_at` (tests hang detection)."""
    inputs = {"tick": Tick}
    outputs = {"tick": Tick}

    @dataclass
    class Params:
        stall_at: int = 0

    def on_tick(self, msg: Tick):
        if msg.n == self.params.stall_at:
            import time
            time.sleep(3600)
        self.publish("tick", msg)


class Slow(Node):
    """Blocking work that an Interrupt cuts short (tests barge-in through the real runtime)."""
    inputs = {"text": Text}
    outputs = {"text": Text}
    blocking = frozenset({"text"})
    live_params = frozenset({"work_s"})

    @dataclass
    class Params:
        work_s: float = 2.0

    def on_text(self, msg: Text):
        import time
        for _ in range(20):
            if self.cancelled():
                self.log.info("stopped working on %s", msg.text)
                return
            time.sleep(self.params.work_s / 20)
        self.publish("text", Text(f"done: {msg.text}"))

    def on_interrupt(self, msg):
        self.log.info("interrupted (%s)", msg.reason)
