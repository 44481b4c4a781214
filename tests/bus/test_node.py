from dataclasses import dataclass

import pytest

from bus.messages import Interrupt, Text, Tick
from bus.node import Node, ParamError, parse_params, set_param
from bus.testing import Harness
from nodes.demo import Relay, Say, Ticker, Upper


def test_handler_publishes_and_keeps_turn():
    h = Harness(Upper, {"suffix": "!"})
    out = h.send("text", Text("hi"), turn=17)
    assert out == [("text", Text("HI!"), 17)]


def test_timer_source():
    h = Harness(Ticker, {"rate_hz": 10.0, "count": 3})
    h.advance(1.0)
    assert [t.n for t in h.outputs("tick")] == [1, 2, 3]


def test_params_are_validated():
    with pytest.raises(ParamError, match="unknown param 'sufix'"):
        Harness(Upper, {"sufix": "!"})
    _, problems = parse_params(Ticker, {"rate_hz": "fast", "count": 1.5}, "f.yaml: node 't'")
    assert len(problems) == 2 and all(p.startswith("f.yaml: node 't'") for p in problems)
    params, _ = parse_params(Ticker, {"rate_hz": 3}, "x")
    assert params.rate_hz == 3.0 and isinstance(params.rate_hz, float)
    set_param(params, "count", 4)
    with pytest.raises(ParamError):
        set_param(params, "count", "four")


def test_wrong_output_is_an_error():
    class Bad(Node):
        inputs = {"tick": Tick}
        outputs = {"text": Text}

        @dataclass
        class Params:
            pass

        def on_tick(self, msg):
            self.publish("text", msg)   # wrong type

    with pytest.raises(TypeError):
        Harness(Bad).send("tick", Tick(1))


class Speaker(Node):
    """A blocking node: speaks word by word until interrupted."""
    inputs = {"text": Text}
    outputs = {"text": Text}
    blocking = frozenset({"text"})

    @dataclass
    class Params:
        pass

    def setup(self):
        self.stopped = 0
        self.interrupt_next = False

    def on_text(self, msg):
        for word in msg.text.split():
            if self.cancelled():
                return
            self.publish("text", Text(word))
            if self.interrupt_next:
                self._port.interrupt_now()

    def on_interrupt(self, msg: Interrupt):
        self.stopped += 1
        self.interrupt_next = False


def test_interrupt_cancels_blocking_work():
    h = Harness(Speaker)
    h.node.interrupt_next = True
    out = h.send("text", Text("기초연금은 매달 받습니다"))
    assert [o[1].text for o in out] == ["기초연금은"]
    assert h.node.stopped == 1
    assert len(h.send("text", Text("다시 말씀드릴게요"))) == 2


def test_relay_and_say():
    h = Harness(Relay, {"label": "x"})
    assert h.send("tick", Tick(5))[0][1] == Tick(5, "x")
    h = Harness(Say, {"every": 2})
    assert h.send("tick", Tick(1)) == []
    assert "2번째" in h.send("tick", Tick(2))[0][1].text
