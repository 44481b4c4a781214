"""What a consumer received from each stream (producer topic and incarnation): de-duplication,
gaps, and the acknowledgements it sends back.

De-duplication, twice:
- by sequence number, per stream, over a sliding window (not a high-water mark: after a consumer
  restarts, its producer redelivers what was not acknowledged, and a live message sent just after
  the consumer connected may arrive before those older ones);
- by origin, per topic: a producer's new incarnation that handles a redelivered message again
  publishes its outputs again, under new sequence numbers but with the same origins (derived from
  the input's origin, bus.runtime.outbox). The second is a `repeat`: not handled, and acknowledged
  only once the first is finished here, so a repeat never releases what the first still holds.

An acknowledgement says "everything of this stream up to W is finished here": handled (blocking
handlers only after they return) and whatever the handler published acknowledged by its declared
consumers, or dropped on purpose and counted (QoS, an older turn, a duplicate). W is just below
the oldest message not finished. A stream is acknowledged only after it has been seen for
ACK_HOLD_S, so redelivered older messages overtaken by a live one are in flight by then.
"""
from __future__ import annotations

import collections
from typing import Optional

WINDOW = 1 << 16         # sequence numbers this far below the newest are too old to be new; origins kept per topic
ACK_HOLD_S = 0.2


class Stream:
    __slots__ = ("seen", "low", "high", "count", "inflight", "first", "acked")

    def __init__(self, seq: int, now: float):
        self.seen: set[int] = set()
        self.low = self.high = seq
        self.count = 0
        self.inflight: collections.Counter = collections.Counter()
        self.first = now
        self.acked = 0


class Intake:
    def __init__(self):
        self.streams: dict[tuple, Stream] = {}
        self.origins: dict[str, collections.OrderedDict] = collections.defaultdict(collections.OrderedDict)
        self.behind: dict[tuple, list] = collections.defaultdict(list)   # (key, seq) -> repeats held behind it

    def accept(self, key: tuple, seq: int, now: float, origin: int = 0) -> Optional[str]:
        """None if the message is new; else why not: duplicate | stale | repeat."""
        s = self.streams.get(key)
        if s is None:
            s = self.streams[key] = Stream(seq, now)
        elif seq in s.seen:
            return "duplicate"
        elif seq <= s.high - WINDOW:
            return "stale"
        s.seen.add(seq)
        s.count += 1
        s.high, s.low = max(s.high, seq), min(s.low, seq)
        if len(s.seen) > 2 * WINDOW:
            s.seen = {x for x in s.seen if x > s.high - WINDOW}
        if not origin:
            return None
        seen = self.origins[key[0]]
        first = seen.get(origin)
        if first is None:
            seen[origin] = (key, seq)
            if len(seen) > WINDOW:
                seen.popitem(last=False)
            return None
        f = self.streams.get(first[0])
        if f is not None and first[1] in f.inflight:   # finished here only when the first one is
            self.begin(key, seq)
            self.behind[first].append((key, seq))
        return "repeat"

    def begin(self, key: tuple, seq: int, n: int = 1) -> None:
        self.streams[key].inflight[seq] += n

    def done(self, key: tuple, seq: int) -> None:
        s = self.streams.get(key)
        if s is None:
            return
        s.inflight[seq] -= 1
        if s.inflight[seq] <= 0:
            del s.inflight[seq]
            for held in self.behind.pop((key, seq), ()):
                self.done(*held)

    def last(self, key: tuple) -> int:
        s = self.streams.get(key)
        return s.high if s else 0

    def gaps(self) -> int:
        """Messages never received: holes in the sequence of each stream (producer high-water mark)."""
        return sum(s.high - s.low + 1 - s.count for s in self.streams.values())

    def acks(self, now: float) -> dict[tuple[str, str], list[list]]:
        """{(producer, inc): [[topic, W], ...]} for streams whose W moved."""
        out: dict[tuple[str, str], list[list]] = collections.defaultdict(list)
        for (topic, src, inc), s in self.streams.items():
            if now - s.first < ACK_HOLD_S:
                continue
            w = min(s.inflight) - 1 if s.inflight else s.high
            if w > s.acked:
                s.acked = w
                out[(src, inc)].append([topic, w])
        return out

    def forget(self, src: str, inc: str) -> None:
        """A producer incarnation is gone for good."""
        for key in [k for k in self.streams if k[1:] == (src, inc) and not self.streams[k].inflight]:
            del self.streams[key]
