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

Holes: W never passes a sequence number that did not arrive (a hole between the lowest and the
highest seen). Acknowledging "everything up to W" across a hole would make the producer discard
what never reached us. Instead the consumer asks the producer to send the hole again (`resends`,
a `resend` command; bus.runtime.outbox), every RESEND_S, at most RESEND_TRIES times while the hole
does not shrink; then the hole is passed, counted (`holes_passed`, messages) and logged.
"""
from __future__ import annotations

import collections
import logging
from typing import Optional

log = logging.getLogger("runtime")
WINDOW = 1 << 16         # sequence numbers this far below the newest are too old to be new; origins kept per topic
ACK_HOLD_S = 0.2
RESEND_S = 0.5           # between two requests for the same hole
RESEND_TRIES = 4         # requests for a hole that does not shrink before it is passed


class Stream:
    __slots__ = ("seen", "low", "high", "count", "inflight", "first", "acked", "contig", "asked", "tries")

    def __init__(self, seq: int, now: float):
        self.seen: set[int] = set()
        self.low = self.high = seq
        self.contig = seq - 1    # everything in [low, contig] arrived (or was passed)
        self.count = 0
        self.inflight: collections.Counter = collections.Counter()
        self.first = now
        self.acked = 0
        self.asked = (0, 0.0)    # (contig when we last asked for the hole above it, when)
        self.tries = 0

    def add(self, seq: int) -> None:
        self.seen.add(seq)
        self.count += 1
        if seq == self.contig + 1 and seq > self.high:   # the next one, in order (nothing seen above it)
            self.contig = self.high = seq
            return
        if seq < self.low:
            if seq < self.low - 1:     # older ones still missing between seq and the old low
                self.contig = seq - 1
            self.low = seq
        self.high = max(self.high, seq)
        while self.contig + 1 in self.seen:
            self.contig += 1

    def hole(self) -> Optional[tuple[int, int]]:
        """The lowest run of sequence numbers that never arrived, [lo, hi], if any."""
        if self.contig >= self.high:
            return None
        hi = self.contig + 1
        while hi + 1 not in self.seen:
            hi += 1
        return self.contig + 1, hi


class Intake:
    def __init__(self):
        self.streams: dict[tuple, Stream] = {}
        self.origins: dict[str, collections.OrderedDict] = collections.defaultdict(collections.OrderedDict)
        self.behind: dict[tuple, list] = collections.defaultdict(list)   # (key, seq) -> repeats held behind it
        self.asked = 0           # resend requests sent
        self.passed = 0          # messages of holes given up on
        self.warned = -1.0

    def accept(self, key: tuple, seq: int, now: float, origin: int = 0) -> Optional[str]:
        """None if the message is new; else why not: duplicate | stale | repeat."""
        s = self.streams.get(key)
        if s is None:
            s = self.streams[key] = Stream(seq, now)
        elif seq in s.seen:
            return "duplicate"
        elif seq <= s.high - WINDOW:
            return "stale"
        s.add(seq)
        if len(s.seen) > 2 * WINDOW:
            s.seen = {x for x in s.seen if x > s.high - WINDOW}
            s.contig = max(s.contig, s.high - WINDOW)
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
        """{(producer, inc): [[topic, W], ...]} for streams whose W moved. W stops below a hole."""
        out: dict[tuple[str, str], list[list]] = collections.defaultdict(list)
        for (topic, src, inc), s in self.streams.items():
            if now - s.first < ACK_HOLD_S:
                continue
            w = min(min(s.inflight) - 1, s.contig) if s.inflight else s.contig
            if w > s.acked:
                s.acked = w
                out[(src, inc)].append([topic, w])
        return out

    def resends(self, now: float) -> dict[tuple[str, str], list[list]]:
        """{(producer, inc): [[topic, lo, hi], ...]}: holes to ask for again. A hole that has not
        shrunk after RESEND_TRIES requests is passed (counted in `passed`, logged)."""
        out: dict[tuple[str, str], list[list]] = collections.defaultdict(list)
        for (topic, src, inc), s in self.streams.items():
            if now - s.first < ACK_HOLD_S or s.contig >= s.high:
                continue
            last_contig, last_at = s.asked
            if last_contig == s.contig and now - last_at < RESEND_S:
                continue
            if last_contig != s.contig:
                s.tries = 0
            lo, hi = s.hole()
            if s.tries >= RESEND_TRIES:
                n = hi - lo + 1
                self.passed += n
                if now - self.warned >= 1.0:   # at most once a second (a producer dropping at its high-water mark)
                    self.warned = now
                    log.warning("%s from %s/%s: seq %d-%d (%d message(s)) never arrived, though asked for %d "
                                "times; passed (%d so far)", topic, src, inc, lo, hi, n, s.tries, self.passed)
                s.contig = hi
                while s.contig + 1 in s.seen:
                    s.contig += 1
                s.tries, s.asked = 0, (s.contig, now)
                continue
            s.tries += 1
            s.asked = (s.contig, now)
            self.asked += 1
            out[(src, inc)].append([topic, lo, hi])
        return out

    def forget(self, src: str, inc: str) -> None:
        """A producer incarnation is gone for good."""
        for key in [k for k in self.streams if k[1:] == (src, inc) and not self.streams[k].inflight]:
            del self.streams[key]
