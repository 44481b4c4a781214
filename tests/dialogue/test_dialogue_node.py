import sqlite3

from bus.messages import Moderated, Presence
from bus.testing import Harness
from nodes.dialogue.node import DialogueNode


def replies(out):
    return [m for o, m, _ in out if o == "reply"]


def test_answer_followup_and_staff_call(tmp_path):
    log = tmp_path / "conv.sqlite"
    h = Harness(DialogueNode, {"log_path": str(log)})
    r = replies(h.send("moderated", Moderated("노인일자리 하고 싶어요", "allow", session="a")))[0]
    assert r.kind == "answer" and r.topic == "senior_jobs" and r.sources and r.session == "a"
    r = replies(h.send("moderated", Moderated("그럼 어디서 신청해요?", "allow", session="a")))[0]
    assert r.topic == "senior_jobs" and r.kind == "answer"
    out = h.send("moderated", Moderated("직원 불러 주세요", "allow", session="a"))
    assert replies(out)[0].kind == "escalate"
    assert [o for o, _, _ in out].count("alert") == 1
    rows = sqlite3.connect(log).execute("select count(*) from turns").fetchone()[0]
    assert rows == 3


def test_crisis_verdict_gets_the_hotline_first():
    h = Harness(DialogueNode, {"log_path": ""})
    r = replies(h.send("moderated", Moderated("죽고 싶어요", "crisis", categories=["suicide"], hotline="109")))[0]
    assert r.kind == "crisis" and "109" in r.text.split(".")[0]


def test_presence_greets_and_idle_resets():
    h = Harness(DialogueNode, {"log_path": "", "idle_timeout_s": 5.0})
    r = replies(h.send("presence", Presence(True, 1, session="b")))[0]
    assert r.kind == "smalltalk" and r.text
    h.send("moderated", Moderated("노인일자리 하고 싶어요", "allow", session="b"))
    import time
    h.node.dialogue.tick(time.monotonic() + 60)          # idle long past the timeout
    r = replies(h.send("moderated", Moderated("그럼 어디서 신청해요?", "allow", session="b")))[0]
    assert r.topic != "senior_jobs"                      # the old topic is forgotten
