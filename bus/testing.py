"""A fake bus to unit-test a node without processes or sockets.

    h = Harness(Upper, {"suffix": "!"})
    h.send("text", Text("hi"))
    assert h.outputs("text") == [Text("HI!")]

It keeps the runtime's rules, so a node author can test them:
- Turns: `send(input, msg)` begins a new turn unless `turn=` is given; what the node publishes
  inherits the turn of the message being handled.
- Interrupts: `interrupt_now(reason, turn)` says turn `turn` has begun (0: a new one). Messages of
  older turns are dropped on the way in and out (`counters`), queued ones too, and a blocking
  handler sees `cancelled()`.
- QoS: `queue(input, msg)` queues as if the node were busy, through the same per-input queues as
  the runtime (keep latest / keep all, depth, bytes; `qos=` overrides like a launch file);
  `run_queued()` then handles what was kept.
Blocking handlers run synchronously; `advance(s)` fires timers.
"""
from __future__ import annotations

import collections
from typing import Any, Optional

from bus import messages as m
from bus.node import ParamError, input_qos, parse_params
from bus.runtime.inbox import Inbox


class Harness:
    def __init__(self, node_cls: type, params: Optional[dict] = None, node_id: str = "test", setup: bool = True,
                 qos: Optional[dict] = None):
        parsed, problems = parse_params(node_cls, params or {}, f"test node '{node_id}'")
        if problems:
            raise ParamError("\n".join(problems))
        self.cls = node_cls
        self.published: list[tuple[str, Any, int]] = []
        self.interrupts: list[m.Interrupt] = []
        self.timers: list[list] = []
        self.now = 0.0
        self.health = ("ok", "")
        self.counters: collections.Counter = collections.Counter()
        self.inbox = Inbox(input_qos(node_cls, qos))
        self.turn_floor = 0
        self.last_turn = 0
        self._header: Optional[m.Header] = None
        self._epoch = 0
        self._started_epoch = 0
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
        if self._old(turn):
            self.counters["dropped_old_turn_out"] += 1
            return
        self.published.append((output, msg, turn))

    def interrupt(self, reason: str, turn: int) -> None:
        self.interrupts.append(m.Interrupt(reason, turn))
        self._apply(turn)

    def add_timer(self, period_s: float, fn) -> None:
        self.timers.append([self.now + period_s, period_s, fn])

    def set_health(self, state: str, reason: str = "") -> None:
        self.health = (state, reason)

    def current_header(self) -> Optional[m.Header]:
        return self._header

    def cancelled(self) -> bool:
        h = self._header
        if h is None:
            return False
        return self._old(h.turn) if h.turn else self._started_epoch != self._epoch

    # --- driving ---
    def new_turn(self) -> int:
        """A turn id as a source makes it (bus.messages.new_turn), later than any seen here."""
        self.last_turn = max(self.last_turn + 1, m.new_turn())
        return self.last_turn

    def _old(self, turn: int) -> bool:
        return bool(turn) and turn < self.turn_floor

    def _check(self, input_name: str, msg: Any) -> None:
        if input_name not in self.cls.inputs:
            raise KeyError(f"no input '{input_name}' (inputs: {sorted(self.cls.inputs)})")
        if not isinstance(msg, self.cls.inputs[input_name]):
            raise TypeError(f"input '{input_name}' takes {self.cls.inputs[input_name].__name__}")

    def _header_for(self, msg: Any, turn: Optional[int]) -> m.Header:
        turn = self.new_turn() if turn is None else turn
        self.last_turn = max(self.last_turn, turn)
        self._seq += 1
        return m.Header(msg.TAG, self._seq, "peer", "0", 0.0, self.now, turn)

    def send(self, input_name: str, msg: Any, turn: Optional[int] = None) -> list[tuple[str, Any, int]]:
        """Deliver one message to an input (a new turn unless `turn` is given); returns what the
        node published in response. A message of a turn older than the last interrupt is dropped."""
        self._check(input_name, msg)
        return self._deliver(input_name, self._header_for(msg, turn), msg)

    def _deliver(self, input_name: str, header: m.Header, msg: Any) -> list[tuple[str, Any, int]]:
        if self._old(header.turn):
            self.counters["dropped_old_turn"] += 1
            return []
        self._header, self._started_epoch = header, self._epoch
        before = len(self.published)
        try:
            getattr(self.node, f"on_{input_name}")(msg)
        finally:
            self._header = None
        return self.published[before:]

    def queue(self, input_name: str, msg: Any, turn: Optional[int] = None, nbytes: int = 0) -> None:
        """Queue a message as the runtime does while the node is busy (its input's QoS applies)."""
        self._check(input_name, msg)
        header = self._header_for(msg, turn)
        if self._old(header.turn):
            self.counters["dropped_old_turn"] += 1
            return
        for _, why in self.inbox.put(input_name, ("peer", header.src, header.inc), header, msg, nbytes):
            self.counters["superseded" if why == "superseded" else f"dropped_overflow_{input_name}"] += 1

    def run_queued(self) -> list[tuple[str, Any, int]]:
        """Handle everything queued, in arrival order; returns what was published."""
        before = len(self.published)
        while (item := self.inbox.take(self.cls.inputs)) is not None:
            if self._old(item.header.turn):
                self.counters["dropped_interrupted"] += 1
                continue
            self._deliver(item.name, item.header, item.msg)
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

    def _apply(self, turn: int) -> None:
        self.turn_floor = max(self.turn_floor, turn or self.new_turn())
        self.last_turn = max(self.last_turn, self.turn_floor)
        self._epoch += 1
        self.counters["dropped_interrupted"] += len(self.inbox.purge(lambda it: self._old(it.header.turn)))

    def interrupt_now(self, reason: str = "barge_in", turn: int = 0) -> None:
        """An Interrupt arrives from elsewhere: turn `turn` (0: a new one) has begun."""
        msg = m.Interrupt(reason, turn)
        self._apply(turn)
        self.node.on_interrupt(msg)

    def outputs(self, output: str) -> list[Any]:
        return [msg for o, msg, _ in self.published if o == output]
