"""Per-input QoS queues (bus/runtime/inbox.py) and the launch-file overrides."""
import threading

import pytest

from bus import messages as m
from bus.node import Node, ParamError, QoS, input_qos
from bus.runtime.inbox import Inbox


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
