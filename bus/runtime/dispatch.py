"""Data in and handlers (a mixin of Runtime): decode and check each message, de-duplicate it,
drop it if its turn is over, queue it by its input's QoS, and run handlers, on the receive loop
or, for `blocking` inputs, on the worker thread. Whatever a handler causes on a socket goes
through the I/O thread (`on_io`).
"""
from __future__ import annotations

import time
import traceback
from typing import Any, Optional

from bus import messages as m
from bus.runtime.inbox import Item
from bus.runtime.outbox import origin_of
from bus.transport import INTERRUPT

STANDBY_BUFFER = 100_000


class Dispatch:
    def _ingest(self, frames: list, direct: bool = False) -> Optional[bool]:
        """Decode, check and queue one message. `direct`: the first message read after a poll;
        it is handled at once, and True returned, when its input is one of the loop's, nothing is
        queued ahead of it, and nothing behind it could supersede it: its input keeps all (what
        follows queues behind it, in order), or keeps the latest and no other message waits."""
        try:
            topic, h, msg = m.decode(frames, self.max_bytes)
        except m.BadMessage as e:
            return self._drop(e.reason, str(e))
        names = self.in_map.get(topic)
        if not names:
            if topic == INTERRUPT and isinstance(msg, m.Interrupt):
                return self._on_control(topic, h, msg)
            return self._drop("unexpected_topic", topic)
        if len(names) > 1 or not isinstance(msg, self.cls.inputs[names[0]]):
            names = [n for n in names if isinstance(msg, self.cls.inputs[n])]
        if not names:
            name = self.in_map[topic][0]
            return self._drop("wrong_type", f"{topic} carries {h.type}; input '{name}' takes {self.cls.inputs[name].TAG}")
        key = (topic, h.src, h.inc)
        now = time.monotonic()
        why = self.intake.accept(key, h.seq, now, h.origin)
        if why:
            self.client.directory.touch(h.src, h.inc, now)   # its data says it lives, late heartbeats or not
            return self._drop(why, f"{topic} seq {h.seq} from {h.src}")
        self.counters["rx"] += 1
        if h.turn and h.turn < self.turn_floor:
            self.client.directory.touch(h.src, h.inc, now)
            return self._drop("old_turn", f"{topic} seq {h.seq} of turn {h.turn}")
        if direct and len(names) == 1 and self.state == "ok" and names[0] in self.loop_set \
                and not self.handed and not self.inbox.ready(self.loop_inputs) \
                and (names[0] in self.keep_all or not self.data_pending()):
            self._call(self.handlers[names[0]], h, msg, key)   # finished before the next ack is made
            self.client.directory.touch(h.src, h.inc, now)     # after the handler: bookkeeping, as of arrival
            return True
        self.client.directory.touch(h.src, h.inc, now)
        nbytes = sum(len(f) if isinstance(f, bytes) else len(f.buffer) for f in frames)
        if self.state == "standby":
            self.intake.begin(key, h.seq, len(names))
            self.standby_buf.append((names, key, h, msg, nbytes))
            if len(self.standby_buf) > STANDBY_BUFFER:   # a handover that never comes
                names, key, h, _, _ = self.standby_buf.pop(0)
                for _ in names:
                    self.intake.done(key, h.seq)
                self._drop("standby_overflow", f"more than {STANDBY_BUFFER} messages buffered in standby")
            return
        if self.handed and h.seq <= self.handed.get(key, 0):
            self.counters["taken_by_predecessor"] += 1   # it arrived here later than there
            return
        self._enqueue(names, key, h, msg, nbytes)

    def _enqueue(self, names: list, key: tuple, h: m.Header, msg: Any, nbytes: int, begun: bool = False) -> None:
        if not begun:
            self.intake.begin(key, h.seq, len(names))
        for name in names:
            for item, why in self.inbox.put(name, key, h, msg, nbytes):
                self._drop(f"{why}_{name}" if why == "overflow" else why,
                           f"input '{name}' is full ({self.qos[name]}); the node cannot keep up")
                self.intake.done(item.key, item.header.seq)

    def _handle(self, item: Item) -> None:
        if self._old(item.header.turn):
            self.on_io(self._count, "dropped_interrupted")
        else:
            self._call(self.handlers[item.name], item.header, item.msg, item.key)
        self.on_io(self.intake.done, item.key, item.header.seq)

    def _call(self, fn, h: Optional[m.Header], msg: Any, key: Optional[tuple] = None) -> None:
        """Run a handler (key: the input stream of `msg`, which becomes the cause of what it
        publishes: bus.runtime.outbox), a timer or on_interrupt; errors are reported, never raised."""
        self.local.header, self.local.epoch = h, self.epoch
        if key is not None:
            self.local.cause = (key, h.seq, h.origin or origin_of(h.src, h.inc, key[0], h.seq), {})
        try:
            fn() if msg is None else fn(msg)
        except Exception as e:
            self.on_io(self._handler_error, getattr(fn, "__name__", "handler"), e, traceback.format_exc(limit=6))
        finally:
            self.local.header = self.local.cause = None

    def _work_loop(self) -> None:
        while not self.stop_requested:
            item = self.inbox.take(self.work_inputs, wait_s=0.2)
            if item is None:
                continue
            self.worker_busy = True
            try:
                self._handle(item)
            finally:
                self.worker_busy = False
