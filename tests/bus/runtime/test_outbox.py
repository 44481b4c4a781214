"""Sequence numbers, retention, redelivery and the no-drop backlog (bus/runtime/outbox.py)."""
import collections

import zmq

from bus import messages as m
from bus.runtime.outbox import Outbox, origin_of


class FakePub:
    """Takes what Outbox sends frame by frame (bus.runtime.outbox.send_frames) as whole messages."""

    def __init__(self):
        self.sent, self.parts = [], []

    def send(self, frame, flags=0, copy=True):
        self.parts.append(frame)
        if not flags & zmq.SNDMORE:
            frames, self.parts = self.parts, []
            self.on_message(frames)

    def on_message(self, frames):
        self.sent.append(m.decode(frames)[1].seq)


def test_retention_redelivery_and_byte_bound():
    pub, counters = FakePub(), collections.Counter()
    box = Outbox("p", "1", pub, ["p/out"], {"p/out": {"c"}}, retain_bytes=10_000, counters=counters)
    for i in range(5):
        box.send("p/out", m.Text(f"말 {i}"), 0)
    assert pub.sent == [1, 2, 3, 4, 5]                 # sequence numbers taken at send
    box.on_marker("c", "inc1")                         # the consumer attaches late: all again
    assert pub.sent[5:] == [1, 2, 3, 4, 5]
    box.on_ack("c", [["p/out", 3]])
    assert box.unacked() == 2
    box.on_marker("c", "inc1")                         # the same incarnation attached again: what
    assert pub.sent[10:] == [4, 5]                     # was sent while it was away may be lost
    box.on_marker("c", "inc2")                         # a new incarnation: what was not acked
    assert pub.sent[12:] == [4, 5] and counters["redelivered"] == 9
    for i in range(200):
        box.send("p/out", m.Text("가" * 100), 0)
    assert counters["unprotected"] > 0 and box.held["p/out"] <= 10_000


def test_a_full_subscriber_makes_the_producer_wait_or_count_never_drop_silently(tmp_path):
    import time
    import zmq
    from bus.sockets import Sockets
    s = Sockets()
    pub = s.data_pub(hwm=5)
    pub.bind(f"ipc://{tmp_path}/p.sock")
    sub = s.make(zmq.SUB, server=False, rcvhwm=5)
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    sub.connect(f"ipc://{tmp_path}/p.sock")
    pub.recv()                                         # the subscription arrived
    counters = collections.Counter()
    box = Outbox("p", "1", pub, ["p/out"], {}, retain_bytes=0, counters=counters, backlog_bytes=1000)
    for i in range(100):
        box.send("p/out", m.Text(f"{i:03d}"), 0)
    assert box.backlog and counters["hwm_waits"] == 1  # the subscriber's pipe is full: held, in order
    got, deadline = [], time.monotonic() + 10
    while len(got) + counters["dropped_hwm"] < 100 and time.monotonic() < deadline:
        box.flush()
        while sub.poll(10):
            got.append(m.decode(sub.recv_multipart())[2].text)
    assert counters["dropped_hwm"] > 0 and len(got) + counters["dropped_hwm"] == 100   # all counted
    assert got == sorted(got) and got[-1] == "099"                                     # newest kept
    sub.close(0)
    pub.close(0)


def test_a_cause_is_released_once_every_declared_consumer_has_acknowledged():
    pub, released = FakePub(), []
    box = Outbox("p", "1", pub, ["p/out", "p/log"], {"p/out": {"c", "d"}}, retain_bytes=10_000,
                 counters=collections.Counter(), release=released.append)
    assert box.retains("p/out") and not box.retains("p/log")
    box.send("p/out", m.Text("가"), 0, cause=("in", 1))
    box.send("p/out", m.Text("나"), 0, cause=("in", 2))
    box.on_ack("c", [["p/out", 2]])
    assert released == []                              # d has not acknowledged yet
    box.on_ack("d", [["p/out", 1]])
    assert released == [("in", 1)]
    box.on_ack("d", [["p/out", 2]])
    assert released == [("in", 1), ("in", 2)] and box.unacked() == 0


def test_origins_are_stable_across_incarnations_and_distinct_per_message():
    a, b = [], []
    for inc, out in (("1", a), ("2", b)):
        pub = FakePub()
        pub.on_message = lambda frames, out=out: out.append(m.decode(frames)[1].origin)
        box = Outbox("p", inc, pub, ["p/out"], {}, retain_bytes=0, counters=collections.Counter())
        box.send("p/out", m.Text("a"), 0, origin=origin_of(42, "p/out", 1))   # the output of input 42
        box.send("p/out", m.Text("b"), 0)                                     # a timer's: our own
    assert a[0] == b[0] and a[1] != b[1] and len({a[0], a[1], origin_of(42, "p/out", 2)}) == 3
    # own origins: a per-stream base plus seq, the same in any process, distinct per seq and stream
    boxes = [Outbox("node/x", inc, FakePub(), ["node/x/out", "node/x/log"], {}, retain_bytes=0,
                    counters=collections.Counter()) for inc in ("ab12", "ab12", "cd34")]
    seqs = (1, 2, 9, 10, 12345, 2**40)
    assert [boxes[0].own_origin("node/x/out", s) for s in seqs] == [boxes[1].own_origin("node/x/out", s) for s in seqs]
    mine = {(box.inc, t, s): box.own_origin(t, s) for box in boxes[1:] for t in box.seq for s in seqs}
    assert len(set(mine.values())) == len(mine) and all(0 < o < 2**63 for o in mine.values())
    again = Outbox("p", "2", FakePub(), ["p/out"], {}, retain_bytes=0, counters=collections.Counter())
    assert b[1] == again.own_origin("p/out", 2)        # what incarnation 2 sent as seq 2 (a timer's)


def test_a_hole_a_consumer_asks_for_is_sent_again_if_retained():
    pub, counters = FakePub(), collections.Counter()
    box = Outbox("p", "1", pub, ["p/out", "p/free"], {"p/out": {"c"}}, retain_bytes=10_000, counters=counters)
    for i in range(6):
        box.send("p/out", m.Text(f"말 {i}"), 0)
    box.on_ack("c", [["p/out", 2]])
    del pub.sent[:]
    assert box.resend("c", "inc1", "p/out", 1, 4) == 2     # 1 and 2 are acknowledged: gone
    assert pub.sent == [3, 4]
    assert box.resend("x", "inc1", "p/out", 3, 4) == 0     # not a declared consumer
    assert box.resend("c", "inc1", "p/free", 1, 1) == 0    # nothing retained there
    assert box.resend("c", "inc1", "p/out", "3", None) == 0   # malformed
    assert pub.sent == [3, 4]
