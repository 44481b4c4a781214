import sqlite3

import time
from types import SimpleNamespace

import pytest

from bus.messages import Moderated, Presence, StaffAction, Touch
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


def alerts(out):
    return [m for o, m, _ in out if o == "alert"]


@pytest.fixture(scope="module")
def node():
    return Harness(DialogueNode, {"log_path": "", "idle_timeout_s": 5.0})


def test_crisis_waits_for_staff_with_no_idle_goodbye_until_cleared(node):
    h = node
    r = replies(h.send("moderated", Moderated("성폭력 당했는데 어떻게 하죠?", "crisis", categories=["sexual_violence"],
                                              hotline="1366", session="c")))[0]
    assert r.kind == "crisis" and r.hotline == "1366" and "1366" in r.detail
    assert "직원이 곧" in r.text and "전화해 주세요" not in r.text and r.id
    assert h.node.dialogue.in_crisis("c") == "sexual_violence"
    # long past the idle timeout: still waiting for staff, no goodbye
    assert h.node.dialogue.tick(time.monotonic() + 600) == []
    r = replies(h.send("moderated", Moderated("기초연금 얼마예요", "allow", session="c")))[0]
    assert r.kind == "crisis" and r.topic is None and r.hotline == "1366"
    h.send("presence", Presence(False, 0, session="c"))          # walking off does not end it either
    assert h.node.dialogue.in_crisis("c")
    out = h.send("staff", StaffAction("clear", session="c", by="cli"))
    assert replies(out) and replies(out)[0].session == "c"
    assert h.node.dialogue.in_crisis("c") is None
    r = replies(h.send("moderated", Moderated("기초연금 얼마예요", "allow", session="c")))[0]
    assert (r.kind, r.topic) == ("answer", "basic_pension")


def test_medical_crisis_never_tells_the_person_to_dial(node):
    r = replies(node.send("moderated", Moderated("가슴이 너무 아파요", "crisis", categories=["medical"],
                                                 hotline="119", session="m")))[0]
    assert r.kind == "crisis" and r.hotline == "119" and "119" not in r.text and "직원" in r.text
    node.send("staff", StaffAction("clear"))                      # no session: every crisis is cleared
    assert node.node.dialogue.in_crisis("m") is None


def test_lost_senior_gets_a_person_and_a_calm_reply(node):
    out = node.send("moderated", Moderated("집에 가고싶은데 어떻게해요?", "allow", session="l"))
    r = replies(out)[0]
    assert r.kind == "crisis" and r.topic is None and "직원" in r.text and "곧" in r.text
    assert [(a.reason, a.session) for a in alerts(out)] == [("lost", "l")]
    # a second lost turn while waiting raises no second alert
    assert alerts(node.send("moderated", Moderated("여기가 어디예요", "allow", session="l"))) == []
    node.send("staff", StaffAction("clear", session="l"))


def test_touch_buttons(node):
    first = replies(node.send("moderated", Moderated("노인일자리 하고 싶어요", "allow", session="t")))[0]
    r = replies(node.send("touch", Touch("repeat", session="t")))[0]
    assert r.text == first.text and r.rate < 1.0
    out = node.send("touch", Touch("staff", session="t"))
    assert replies(out)[0].kind == "escalate" and alerts(out)[0].reason == "staff_call"
    r = replies(node.send("touch", Touch("home", session="t")))[0]
    assert r.kind == "smalltalk" and r.text.startswith("안녕하세요")
    r = replies(node.send("touch", Touch("ask", text="기초연금 얼마예요", session="t")))[0]
    assert r.topic == "basic_pension"


def test_idle_timeout_param_takes_effect_live(node):
    node.node.params.idle_timeout_s = 5.0
    node.node.on_param("idle_timeout_s", 5.0)
    assert node.node.dialogue.params.idle_timeout_s == 5.0
    node.node.params.idle_timeout_s = 1000.0
    node.node.on_param("idle_timeout_s", 1000.0)
    node.send("moderated", Moderated("기초연금 얼마예요", "allow", session="p"))
    assert node.node.dialogue.tick(time.monotonic() + 60) == []
    node.node.on_param("idle_timeout_s", 5.0)
    assert "p" in [sid for sid, _ in node.node.dialogue.tick(time.monotonic() + 60)]


def test_check_refuses_a_missing_empty_or_broken_kb(tmp_path):
    p = lambda kb: SimpleNamespace(kb=str(kb))  # noqa: E731
    assert "not a directory" in DialogueNode.check(p(tmp_path / "nope"))[0]
    assert DialogueNode.check(p(tmp_path)) == []                   # shallow: the folder exists
    assert "no topic files" in DialogueNode.check(p(tmp_path), deep=True)[0]
    (tmp_path / "x.yaml").write_text("id: [broken", encoding="utf-8")
    assert "invalid YAML" in DialogueNode.check(p(tmp_path), deep=True)[0]
    assert DialogueNode.check(p(""), deep=True) == []              # the shipped KB
    assert "idle_timeout_s" in DialogueNode.live_params and "kb" not in DialogueNode.live_params


def test_presence_greets_and_idle_resets():
    h = Harness(DialogueNode, {"log_path": "", "idle_timeout_s": 5.0})
    r = replies(h.send("presence", Presence(True, 1, session="b")))[0]
    assert r.kind == "smalltalk" and r.text
    h.send("moderated", Moderated("노인일자리 하고 싶어요", "allow", session="b"))
    import time
    h.node.dialogue.tick(time.monotonic() + 60)          # idle long past the timeout
    r = replies(h.send("moderated", Moderated("그럼 어디서 신청해요?", "allow", session="b")))[0]
    assert r.topic != "senior_jobs"                      # the old topic is forgotten
