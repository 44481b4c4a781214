"""The producer side: sequence numbers, retention for declared consumers, and redelivery.

Sequence numbers are taken here, on the I/O thread, as each message is sent, so they leave in the
order they are numbered whichever thread published.

Every output the graph declares consumers for (spec["consumers"]) keeps what it sent until each of
those consumers has acknowledged it (bus.runtime.intake), up to `retain_bytes` per output. When a
consumer attaches (its marker `~sub/<node>/<inc>` arrives on our XPUB) in an incarnation we have
not seen, everything it has not acknowledged is sent again. So a consumer that starts late, or is
killed mid-turn and respawned, loses nothing; other consumers drop the repeats by sequence number.
What falls out of the retention bound is counted (`unprotected`) and logged: it was sent, but
would not survive a consumer restart.

A message published while a handler ran names its cause, the input message being handled. The
runtime holds that input unacknowledged (bus.runtime.intake) until the message is acknowledged by
every declared consumer; `release(cause)` is called then (or when it falls out of the retention
bound). So acknowledgements travel back from the end of a chain: a node killed with outputs its
consumers have not finished leaves its inputs unacknowledged upstream, and they are redelivered to
its next incarnation.

Each message carries an origin (header field): for an output of a handler, a hash of the input's
origin, the topic and how many the handler had published there before; otherwise a hash of our
node, incarnation and topic plus the sequence number (`own_origin`). A new incarnation that handles a redelivered input
again publishes the same origins, and consumers drop the repeats (bus.runtime.intake).

The XPUB never drops silently (XPUB_NODROP): when a subscriber's pipe is full (it is slower than
us, past the high-water mark), sends wait in a backlog, in order, retried every loop turn, up to
`backlog_bytes`; beyond that the oldest are dropped, counted (`dropped_hwm`) and logged. Before,
such messages vanished at the tail of a burst, where the consumer's sequence check cannot see them.
"""
from __future__ import annotations

import collections
import hashlib
import logging
import time
from typing import Any, Callable, Optional

import zmq

from bus import messages as m
from bus.transport import INTERRUPT

log = logging.getLogger("runtime")


_MORE_NB = int(zmq.SNDMORE | zmq.NOBLOCK)   # plain ints: an enum's `|` runs Python code on every send
_NB = int(zmq.NOBLOCK)
_ORIGIN_MASK = (1 << 63) - 1


def origin_of(*parts) -> int:
    """A stable 63-bit id for what a message is (the same in every process)."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return (int.from_bytes(digest, "big") >> 1) or 1


def frame_sender(sock) -> Callable:
    """`sock.send`; for a plain pyzmq socket, the compiled send under pyzmq's Python wrapper (which
    only adds routing_id and group, unused here). Any other class (the thread checker of
    bus.sockets, a test's fake) keeps its own."""
    return zmq.backend.Socket.send.__get__(sock) if type(sock) is zmq.Socket else sock.send


def send_frames(send: Callable, frames: list) -> None:
    """`send_multipart(frames, flags=NOBLOCK, copy=False)` through `send` (frame_sender), without
    send_multipart's per-call type checks and enum arithmetic (a few microseconds a message).
    Raises zmq.Again, with nothing sent, when a subscriber is past its high-water mark: libzmq
    checks the mark on the first frame of a message only."""
    if len(frames) == 2:   # topic and header: most messages
        send(frames[0], _MORE_NB, copy=False)
        send(frames[1], _NB, copy=False)
        return
    last = len(frames) - 1
    for i in range(last):
        send(frames[i], _MORE_NB, copy=False)
    send(frames[last], _NB, copy=False)


class Outbox:
    def __init__(self, node: str, inc: str, pub, topics: list[str], consumers: dict[str, set[str]],
                 retain_bytes: int, counters: collections.Counter, backlog_bytes: int = 64 << 20,
                 release: Callable[[tuple], None] = lambda cause: None):
        self.node, self.inc, self.pub = node, inc, pub
        self.send_frame = frame_sender(pub)
        self.backlog: collections.deque = collections.deque()
        self.backlog_held = 0
        self.backlog_bytes = backlog_bytes
        self.hwm_warned = 0.0
        self.seq_int = 0
        self.seq = dict.fromkeys(topics, 0)
        self.retain_bytes = retain_bytes
        self.counters = counters
        self.retained: dict[str, collections.OrderedDict] = {t: collections.OrderedDict() for t in consumers}
        self.held = dict.fromkeys(consumers, 0)
        self.acked = {t: dict.fromkeys(cs, 0) for t, cs in consumers.items()}
        self.seen_incs: dict[str, set[str]] = collections.defaultdict(set)
        self.warned = 0.0
        self.release = release
        self.origin_base = {t: origin_of(node, inc, t) for t in topics}

    def own_origin(self, topic: str, seq: int) -> int:
        """The origin of a message not caused by an input (a timer's, setup's, a source's): our
        stream's base, origin_of(node, inc, topic), plus seq. Distinct within the stream; two
        streams collide only if their bases lie closer than their message counts (about 1e-13
        for a million messages, less than for a hash per message), and no hash per send."""
        return ((self.origin_base[topic] + seq) & _ORIGIN_MASK) or 1

    def retains(self, topic: str) -> bool:
        """Whether `topic` has declared consumers (what is sent there waits for their acks)."""
        return topic in self.retained

    def send(self, topic: str, msg: Any, turn: int, origin: int = 0, cause: Optional[tuple] = None) -> None:
        """Number and send one message. With a cause (held by the caller), `release(cause)` once
        every declared consumer has acknowledged it."""
        seq = self.seq[topic] = self.seq[topic] + 1
        frames = m.encode(topic, msg, self.node, self.inc, seq, turn,
                          origin or ((self.origin_base[topic] + seq) & _ORIGIN_MASK) or 1)   # own_origin
        nbytes = len(frames[0]) + len(frames[1]) if len(frames) == 2 else \
            len(frames[0]) + len(frames[1]) + sum(a.nbytes for a in frames[2:])
        self._out(frames, nbytes, topic)   # first: what follows is bookkeeping on this thread, not on the wire
        kept = self.retained.get(topic)
        if kept is not None:
            kept[seq] = (frames, nbytes, cause)
            held = self.held[topic] = self.held[topic] + nbytes
            while held > self.retain_bytes and len(kept) > 1:
                old_seq, (_, old_bytes, old_cause) = kept.popitem(last=False)
                held = self.held[topic] = held - old_bytes
                self._unprotected(topic, old_seq)
                self._release(old_cause)

    def _release(self, cause: Optional[tuple]) -> None:
        if cause is not None:
            self.release(cause)

    def _out(self, frames: list, nbytes: int, topic: str) -> None:
        if not self.backlog:
            try:
                if len(frames) == 2:   # topic and header: most messages (send_frames, one call less)
                    send = self.send_frame
                    send(frames[0], _MORE_NB, copy=False)
                    send(frames[1], _NB, copy=False)
                else:
                    send_frames(self.send_frame, frames)
                self.counters["tx"] += 1
                return
            except zmq.Again:
                self.counters["hwm_waits"] += 1
        self.backlog.append((frames, nbytes, topic))
        self.backlog_held += nbytes
        while self.backlog_held > self.backlog_bytes and len(self.backlog) > 1:
            _, old_bytes, old_topic = self.backlog.popleft()
            self.backlog_held -= old_bytes
            self.counters["dropped_hwm"] += 1
            now = time.monotonic()
            if now - self.hwm_warned >= 1.0:
                self.hwm_warned = now
                log.warning("%s: a subscriber is not keeping up (high-water mark reached and %d bytes waiting); "
                            "dropped the oldest waiting message (%d so far)", old_topic, self.backlog_bytes,
                            self.counters["dropped_hwm"])

    def flush(self) -> None:
        """Retry what waits for a full subscriber (every loop turn)."""
        while self.backlog:
            frames, nbytes, _ = self.backlog[0]
            try:
                send_frames(self.send_frame, frames)
            except zmq.Again:
                return
            self.backlog.popleft()
            self.backlog_held -= nbytes
            self.counters["tx"] += 1

    def _unprotected(self, topic: str, seq: int) -> None:
        self.counters["unprotected"] += 1
        late = sorted(c for c, w in self.acked[topic].items() if w < seq)
        now = time.monotonic()
        if now - self.warned >= 1.0:
            self.warned = now
            log.warning("%s: %s have not acknowledged seq %d and it no longer fits in retain_bytes "
                        "(%d bytes); it will not be redelivered if they restart (%d so far)",
                        topic, late, seq, self.retain_bytes, self.counters["unprotected"])

    def interrupt(self, msg: m.Interrupt) -> None:
        """Our node began a new turn: tell our consumers in band, in order with our data."""
        self.seq_int += 1
        frames = m.encode(INTERRUPT, msg, self.node, self.inc, self.seq_int, msg.turn)
        self._out(frames, sum(len(f) for f in frames), INTERRUPT)

    def on_marker(self, node: str, inc: str) -> None:
        """A consumer incarnation attached: send it what its node has not acknowledged. Also when
        the same incarnation attaches again (its data connection to us was closed and opened again,
        e.g. after it missed our heartbeats): what we sent meanwhile never reached it."""
        again = inc in self.seen_incs[node]
        self.seen_incs[node].add(inc)
        for topic, acked in self.acked.items():
            if node in acked:
                self._again(topic, node, inc, acked[node] + 1, None, "attached again" if again else "")

    def resend(self, node: str, inc: str, topic: str, lo: int, hi: int) -> int:
        """A consumer found a hole [lo, hi] in what it received from us (bus.runtime.intake): send
        what we still retain of it again. Only for declared consumers (the others keep nothing)."""
        acked = self.acked.get(topic)
        if acked is None or node not in acked or not isinstance(lo, int) or not isinstance(hi, int):
            return 0
        return self._again(topic, node, inc, max(lo, acked[node] + 1), hi, "asked for a hole")

    def _again(self, topic: str, node: str, inc: str, lo: int, hi: Optional[int], why: str) -> int:
        n = 0
        for seq, (frames, nbytes, _) in self.retained[topic].items():
            if seq >= lo and (hi is None or seq <= hi):
                self._out(frames, nbytes, topic)
                n += 1
        if n:
            self.counters["redelivered"] += n
            log.info("%s: sent %d unacknowledged message(s) again for %s/%s%s", topic, n, node, inc,
                     f" ({why})" if why else "")
        return n

    def on_ack(self, node: str, acks: list) -> None:
        for topic, w in acks:
            acked = self.acked.get(topic)
            if acked is None or node not in acked or not isinstance(w, int) or w <= acked[node]:
                continue
            acked[node] = w
            floor = min(acked.values())
            kept = self.retained[topic]
            while kept:
                seq = next(iter(kept))
                if seq > floor:
                    break
                _, nbytes, cause = kept.pop(seq)
                self.held[topic] -= nbytes
                self._release(cause)

    def unacked(self) -> int:
        return sum(len(k) for k in self.retained.values())
