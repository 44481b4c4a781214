"""The fake bus (bus/testing.py) keeps the runtime's rules: turns, interrupts, QoS."""
from dataclasses import dataclass

from bus import messages as m
from bus.node import Node, QoS
from bus.testing import Harness


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
