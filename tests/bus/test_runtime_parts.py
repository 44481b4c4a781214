"""The runtime's parts on their own: QoS queues, de-duplication and acks, retention and redelivery,
the hand-off to the I/O thread, the Harness's turns and QoS."""
import collections
import select
import threading
from dataclasses import dataclass

import pytest

from bus import messages as m
from bus.node import Node, ParamError, QoS, input_qos
from bus.runtime.calls import Calls
from bus.runtime.inbox import Inbox
from bus.runtime.intake import ACK_HOLD_S, Intake
from bus.runtime.outbox import Outbox
from bus.testing import Harness


def header(seq, turn=0):
    return m.Header("tick", seq, "p", "1", 0.0, 0.0, turn)


def test_keep_latest_supersedes_and_keep_all_counts_overflow():
    box = Inbox({"frame": QoS(depth=1, keep="latest"), "text": QoS(depth=2, keep="all", max_bytes=100)})
    superseded = [box.put("frame", ("f",), header(i), i, 10) for i in range(1, 6)]
    assert [len(d) for d in superseded] == [0, 1, 1, 1, 1] and superseded[1][0][1] == "superseded"
    assert box.put("text", ("t",), header(1), "a", 60) == []
    assert box.put("text", ("t",), header(2), "b", 60)[0][1] == "overflow"        # bytes
    assert box.put("text", ("t",), header(3), "c", 10) == []
    assert box.put("text", ("t",), header(4), "d", 1)[0][1] == "overflow"         # depth
    order = [box.take(["frame", "text"]).msg for _ in range(3)]
    assert order == [5, "a", "c"] and box.take(["frame", "text"]) is None          # arrival order; newest frame


def test_inbox_purge_and_worker_wait():
    box = Inbox({"a": QoS()})
    for i in range(1, 5):
        box.put("a", ("k",), header(i, turn=i), i, 1)
    gone = box.purge(lambda it: it.header.turn < 3)
    assert [g.msg for g in gone] == [1, 2] and box.size() == 2
    got = []
    t = threading.Thread(target=lambda: got.append(box.take(["a"], wait_s=2.0)))
    box.take(["a"]), box.take(["a"])
    t.start()
    box.put("a", ("k",), header(9), 9, 1)
    t.join(3)
    assert got and got[0].msg == 9


def test_qos_overrides_from_the_launch_file():
    class N(Node):
        inputs = {"frame": m.VideoFrame, "text": m.Text}
        qos = {"frame": QoS(depth=1, keep="latest")}
    q = input_qos(N, {"text": {"depth": 5, "max_bytes": 1000}})
    assert q["frame"] == QoS(1, "latest") and q["text"] == QoS(5, "all", 1000)
    with pytest.raises(ParamError, match="no such input"):
        input_qos(N, {"audio": {"depth": 1}})
    with pytest.raises(ParamError, match="keep is all or latest"):
        input_qos(N, {"frame": {"keep": "newest"}})


def test_dedup_is_not_a_high_water_mark():
    intake = Intake()
    k = ("p/out", "p", "1")
    assert intake.accept(k, 10, 0.0) is None          # a live message overtook the redelivered ones
    assert [intake.accept(k, s, 0.0) for s in (7, 8, 9)] == [None, None, None]
    assert intake.accept(k, 8, 0.0) == "duplicate"
    assert intake.gaps() == 0
    intake.accept(k, 12, 0.0)
    assert intake.gaps() == 1                          # 11 never came


def test_acks_wait_for_handlers_and_hold_briefly():
    intake = Intake()
    k = ("p/out", "p", "1")
    for s in (1, 2, 3):
        intake.accept(k, s, 0.0)
        intake.begin(k, s)
    assert intake.acks(ACK_HOLD_S / 2) == {}           # too early: redeliveries may still come
    intake.done(k, 1)
    intake.done(k, 3)
    assert intake.acks(1.0) == {("p", "1"): [["p/out", 1]]}   # 2 is still being handled
    intake.done(k, 2)
    assert intake.acks(1.1) == {("p", "1"): [["p/out", 3]]}


class FakePub:
    def __init__(self):
        self.sent = []

    def send_multipart(self, frames, flags=0, copy=True):
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
    box.on_marker("c", "inc1")                         # same incarnation: nothing
    box.on_marker("c", "inc2")                         # a new incarnation: what was not acked
    assert pub.sent[10:] == [4, 5] and counters["redelivered"] == 7
    for i in range(200):
        box.send("p/out", m.Text("가" * 100), 0)
    assert counters["unprotected"] > 0 and box.held["p/out"] <= 10_000


def test_calls_wake_the_io_thread():
    calls, seen = Calls(), []
    t = threading.Thread(target=calls.put, args=(seen.append, "from the worker"))
    t.start()
    t.join()
    assert select.select([calls.fd], [], [], 1.0)[0] == [calls.fd]
    calls.run()
    assert seen == ["from the worker"] and not select.select([calls.fd], [], [], 0)[0]
    calls.close()


class Echo(Node):
    inputs = {"text": m.Text, "frame": m.Tick}
    outputs = {"text": m.Text}
    blocking = frozenset({"text"})
    qos = {"frame": QoS(depth=1, keep="latest")}

    @dataclass
    class Params:
        pass

    def on_text(self, msg):
        if msg.text == "barge":
            self.interrupt("barge_in")
        self.publish("text", m.Text(msg.text))
        self.seen_cancelled = self.cancelled()

    def on_frame(self, msg):
        self.publish("text", m.Text(f"frame {msg.n}"))


def test_harness_turns_interrupts_and_qos():
    h = Harness(Echo)
    first = h.send("text", m.Text("하나"))
    assert first[0][2] > 0                              # a new turn, inherited by the reply
    old_turn = first[0][2]
    h.interrupt_now("barge_in")                         # a newer turn began elsewhere
    assert h.send("text", m.Text("늦은 말"), turn=old_turn) == [] and h.counters["dropped_old_turn"] == 1
    assert h.send("text", m.Text("새 말"))[0][1].text == "새 말"
    out = h.send("text", m.Text("barge"))              # the node interrupts its own turn
    assert out == [] and h.node.seen_cancelled and h.counters["dropped_old_turn_out"] == 1
    for i in range(5):
        h.queue("frame", m.Tick(i))
    h.queue("text", m.Text("큐"))
    assert [o[1].text for o in h.run_queued()] == ["frame 4", "큐"] and h.counters["superseded"] == 4
    h.queue("text", m.Text("끊길 말"))
    h.interrupt_now()
    assert h.run_queued() == [] and h.counters["dropped_interrupted"] == 1


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
