"""The demo script: recorded questions pass through, the rest are injected one turn at a time,
each after the kiosk has finished answering; then it is done."""
from bus.messages import Playback, Reply, Transcript
from tests.display.sim import harness
from nodes.display.script import DemoScript


def answer(h, seconds=2.0):
    h.send("reply", Reply(kind="answer", text="네"))
    h.send("playback", Playback("u", 0, h.now, 16000, True))
    h.advance(seconds)
    h.send("playback", Playback("", 0, h.now, 16000, False))


def test_recorded_then_injected_turns_then_done():
    h = harness(DemoScript, {"recorded": 1, "lines": ["기초연금 받을 수 있어요?", "숨을 못 쉬겠어요"],
                             "stop_graph": False, "quiet_s": 1.0})
    h.send("stt", Transcript("어느 정류장에서", final=False))
    assert h.outputs("transcript") == []                       # partials are not passed on
    h.send("stt", Transcript("어느 정류장에서 타야 합니까?"), turn=7)
    (out, msg, turn), = h.published
    assert msg.text == "어느 정류장에서 타야 합니까?" and msg.source == "stt" and turn == 7
    h.advance(5.0)
    assert len(h.outputs("transcript")) == 1                  # waits for the answer
    answer(h)
    h.advance(0.5)
    assert len(h.outputs("transcript")) == 1                  # ... and for the quiet after it
    h.advance(1.0)
    first = h.outputs("transcript")[1]
    assert first.text == "기초연금 받을 수 있어요?" and first.source == "injected"
    assert h.published[-1][2] > 7                              # a new turn
    answer(h)
    h.advance(1.2)
    assert [t.text for t in h.outputs("transcript")][2] == "숨을 못 쉬겠어요"
    assert h.node.done_at is None
    answer(h)
    h.advance(1.2)
    assert h.node.done_at is not None and len(h.outputs("transcript")) == 3


def test_a_turn_without_an_answer_times_out():
    h = harness(DemoScript, {"lines": ["a", "b"], "stop_graph": False, "turn_timeout_s": 5.0, "start_s": 0.5})
    h.advance(1.0)
    assert [t.text for t in h.outputs("transcript")] == ["a"]
    h.advance(6.0)
    assert [t.text for t in h.outputs("transcript")] == ["a", "b"]


def test_an_answer_without_a_voice_counts_after_a_wait():
    h = harness(DemoScript, {"lines": ["a", "b"], "stop_graph": False, "start_s": 0.5, "voice_wait_s": 3.0})
    h.advance(1.0)
    h.send("reply", Reply(kind="answer", text="네"))
    h.advance(2.0)
    assert [t.text for t in h.outputs("transcript")] == ["a"]
    h.advance(1.5)
    assert [t.text for t in h.outputs("transcript")] == ["a", "b"]
