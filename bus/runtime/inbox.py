"""Per-input queues with their QoS (bus.node.QoS), shared by the receive loop and the worker.

The receive loop drains the data socket eagerly into these queues, so what a slow handler cannot
keep up with is decided here, per input, and counted:
- `keep: latest` (video, the playback clock): only the newest `depth` messages wait; older ones are
  superseded (counted, not logged: that is the point of the input).
- `keep: all`: up to `depth` messages and `max_bytes` wait; beyond that a new message is dropped,
  counted and logged.
Messages leave in arrival order across the inputs a taker asks for.
"""
from __future__ import annotations

import collections
import itertools
import threading
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Optional

from bus.messages import Header
from bus.node import QoS


@dataclass
class Item:
    order: int
    name: str            # input
    key: tuple           # stream: (topic, src, inc)
    header: Header
    msg: Any
    nbytes: int


class Inbox:
    def __init__(self, qos: dict[str, QoS]):
        self.qos = qos
        self.queues = {n: collections.deque() for n in qos}
        self.bytes = dict.fromkeys(qos, 0)
        self.cond = threading.Condition()
        self.order = itertools.count()
        self.closed = False

    def put(self, name: str, key: tuple, header: Header, msg: Any, nbytes: int) -> list[tuple[Item, str]]:
        """Queue one message; returns what QoS dropped, with the reason (superseded | overflow)."""
        qos, q = self.qos[name], self.queues[name]
        item = Item(next(self.order), name, key, header, msg, nbytes)
        dropped = []
        with self.cond:
            if qos.keep == "latest":
                q.append(item)
                self.bytes[name] += nbytes
                while len(q) > qos.depth or (len(q) > 1 and self.bytes[name] > qos.max_bytes):
                    old = q.popleft()
                    self.bytes[name] -= old.nbytes
                    dropped.append((old, "superseded"))
            elif len(q) >= qos.depth or (q and self.bytes[name] + nbytes > qos.max_bytes):
                dropped.append((item, "overflow"))
            else:
                q.append(item)
                self.bytes[name] += nbytes
            self.cond.notify()
        return dropped

    def take(self, names: Iterable[str], wait_s: float = 0.0) -> Optional[Item]:
        """The oldest waiting message of `names`; waits up to wait_s for one (the worker)."""
        with self.cond:
            while True:
                best = None
                for n in names:
                    q = self.queues[n]
                    if q and (best is None or q[0].order < best[0].order):
                        best = q
                if best is not None:
                    item = best.popleft()
                    self.bytes[item.name] -= item.nbytes
                    return item
                if wait_s <= 0 or self.closed:
                    return None
                self.cond.wait(wait_s)
                wait_s = 0.0

    def ready(self, names: Iterable[str]) -> bool:
        queues = self.queues
        for n in names:
            if queues[n]:
                return True
        return False

    def size(self, names: Optional[Iterable[str]] = None) -> int:
        if names is None:
            return sum(map(len, self.queues.values()))
        return sum(len(self.queues[n]) for n in names)

    def purge(self, pred: Callable[[Item], bool]) -> list[Item]:
        """Remove and return every queued item for which pred is true (an interrupted turn)."""
        out = []
        with self.cond:
            for name, q in self.queues.items():
                keep = collections.deque()
                for item in q:
                    if pred(item):
                        out.append(item)
                        self.bytes[name] -= item.nbytes
                    else:
                        keep.append(item)
                self.queues[name] = keep
        return out

    def close(self) -> None:
        with self.cond:
            self.closed = True
            self.cond.notify_all()
