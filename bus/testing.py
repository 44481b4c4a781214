"""A fake bus to unit-test a node without processes or sockets.

    h = Harness(Upper, {"suffix": "!"})
    h.send("text", Text("hi"))
    assert h.outputs("text") == [Text("HI!")]

Blocking handlers run synchronously; `advance(s)` fires timers; `interrupt()` delivers an
Interrupt as the runtime would (ahead of anything queued).
"""
from __future__ import annotations

from typing import Any, Optional

from bus import messages as m
from bus.node import ParamError, parse_params


class Harness:
    def __init__(self, node_cls: type, params: Optional[dict] = None, node_id: str = "test", setup: bool = True):
        parsed, problems = parse_params(node_cls, params or {}, f"test node '{node_id}'")
        if problems:
            raise ParamError("\n".join(problems))
        self.cls = node_cls
        self.published: list[tuple[str, Any, int]] = []
        self.interrupts: list[m.Interrupt] = []
        self.timers: list[list] = []
        self.now = 0.0
        self.health = ("ok", "")
        self._header: Optional[m.Header] = None
        self._epoch = 0
        self._seq = 0
        self.node = node_cls(node_id, parsed, self)
        if setup:
            self.node.setup()

    # --- Port ---
    def publish(self, output: str, msg: Any, turn: Optional[int] = None) -> None:
        if output not in self.cls.outputs:
            raise KeyError(f"no output '{output}' (outputs: {sorted(self.cls.outputs)})")
        if not isinstance(msg, self.cls.outputs[output]):
            raise TypeError(f"output '{output}' carries {self.cls.outputs[output].__name__}, not {type(msg).__name__}")
        frames = m.encode(f"test/{output}", msg, "test", "0", 1)   # must survive the wire
        m.decode([bytes(memoryview(f).cast("B")) for f in frames])
        turn = turn if turn is not None else (self._header.turn if self._header else 0)
        self.published.append((output, msg, turn))

    def interrupt(self, reason: str, turn: int) -> None:
        self.interrupts.append(m.Interrupt(reason, turn))

    def add_timer(self, period_s: float, fn) -> None:
        self.timers.append([self.now + period_s, period_s, fn])

    def set_health(self, state: str, reason: str = "") -> None:
        self.health = (state, reason)

    def current_header(self) -> Optional[m.Header]:
        return self._header

    def cancelled(self) -> bool:
        return getattr(self, "_started_epoch", self._epoch) != self._epoch

    # --- driving ---
    def send(self, input_name: str, msg: Any, turn: int = 1) -> list[tuple[str, Any, int]]:
        """Deliver one message to an input; returns what the node published in response."""
        if input_name not in self.cls.inputs:
            raise KeyError(f"no input '{input_name}' (inputs: {sorted(self.cls.inputs)})")
        if not isinstance(msg, self.cls.inputs[input_name]):
            raise TypeError(f"input '{input_name}' takes {self.cls.inputs[input_name].__name__}")
        self._seq += 1
        self._header = m.Header(msg.TAG, self._seq, "peer", "0", 0.0, self.now, turn)
        self._started_epoch = self._epoch
        before = len(self.published)
        try:
            getattr(self.node, f"on_{input_name}")(msg)
        finally:
            self._header = None
        return self.published[before:]

    def advance(self, seconds: float) -> None:
        end = self.now + seconds
        while self.timers:
            t = min(self.timers, key=lambda x: x[0])
            if t[0] > end:
                break
            self.now = t[0]
            t[0] += t[1]
            t[2]()
        self.now = end

    def interrupt_now(self, reason: str = "barge_in", turn: int = 0) -> None:
        self._epoch += 1
        self.node.on_interrupt(m.Interrupt(reason, turn))

    def outputs(self, output: str) -> list[Any]:
        return [msg for o, msg, _ in self.published if o == output]
