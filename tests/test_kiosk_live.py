"""The kiosk's conversation core end to end on a real bus (transcripts in, replies, alerts and a
masked log out), and the technicians' command `python run.py launch/kiosk.yaml` as written."""
import re
import sqlite3
import time

import pytest

from bus import messages as m
from bus.publisher import Publisher
from bus.transport import BusAddress, Client
from tests.procs import PY, ROOT, Graph, free_port_pair

pytestmark = pytest.mark.timeout(120)


class CoreCommand(Graph):
    """`python run.py launch/core.yaml` (the graph kiosk.yaml includes), on a port of its own."""

    def __init__(self, tmp_path, *args):
        import subprocess
        self.port = free_port_pair()
        self.bus = f"127.0.0.1:{self.port}"
        self.log = open(tmp_path / "launch.log", "w+")
        self.proc = subprocess.Popen([PY, "run.py", "launch/core.yaml", *args, "--bus", self.bus], cwd=ROOT,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        self.client = None


def test_kiosk_graph_end_to_end(tmp_path):
    log = tmp_path / "conv.sqlite"
    with CoreCommand(tmp_path, f"log:={log}") as g:
        names = ["moderation", "dialogue", "subtitles", "staff_pager"]
        g.wait_for(lambda st: all(n in st and st[n].state == "ok" for n in names), timeout=60, what="kiosk up")
        r = g.cli("param", "set", "dialogue", "idle_timeout_s", "5")        # a live param takes effect
        assert r.returncode == 0 and g.cli("param", "get", "dialogue", "idle_timeout_s").stdout.strip() == "idle_timeout_s: 5.0"
        r = g.cli("param", "set", "dialogue", "kb", "/nope")                # it would crash-loop: refused
        assert r.returncode == 1 and "needs a restart" in r.stderr
        r = g.cli("node", "restart", "dialogue", "--param", "kb=/nope", timeout=60)
        assert r.returncode == 1 and "kb '/nope' is not a directory" in r.stderr
        r = g.cli("param", "set", "dialog", "idle_timeout_s", "5")
        assert "no such node 'dialog'; running: dialogue, moderation, staff_pager, subtitles" in r.stderr
        watch = Client(BusAddress.parse(g.bus), "_test_watch", data=True)
        for t in ("dialogue/reply", "moderation/alert", "dialogue/alert", "moderation/moderated"):
            watch.want(t)
        seen = []
        try:
            with Publisher(BusAddress.parse(g.bus), {"ext/transcript": "transcript"}) as pub:
                assert pub.wait_for_consumers(10)
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline and not (
                        watch.attached_to_all() and all(watch.directory.producers(t) for t in watch.wanted)):
                    watch.gather(0.1)
                    pub.pump()
                said = ["노인일자리 하고 싶어요", "그럼 어디서 신청해요?", "숨을 못 쉬겠어요 가슴이 아파요",
                        "제 전화번호는 010-2345-6789 이에요", "직원 불러 주세요"]
                for i, text in enumerate(said):   # after a crisis the session waits for staff: ask in another
                    pub.send("ext/transcript", m.Transcript(text, session="s" if i < 4 else "s2"))
                    time.sleep(0.2)
                deadline = time.monotonic() + 20
                while time.monotonic() < deadline and (sum(t == "dialogue/reply" for t, _ in seen) < len(said)
                                                       or sum(t.endswith("/alert") for t, _ in seen) < 2):
                    pub.pump()
                    if watch.data_sub.poll(100):
                        topic, _, msg = m.decode(watch.data_sub.recv_multipart())
                        seen.append((topic, msg))
                    watch.gather(0)
        finally:
            watch.close()
    replies = [msg for t, msg in seen if t == "dialogue/reply"]
    assert [r.kind for r in replies] == ["answer", "answer", "crisis", replies[3].kind, "escalate"]
    assert replies[0].topic == "senior_jobs" and replies[1].topic == "senior_jobs"
    assert replies[2].hotline == "119"
    alerts = [msg for t, msg in seen if t.endswith("/alert")]
    assert {a.reason for a in alerts} == {"crisis", "staff_call"}
    assert all("2345-6789" not in vars(msg).__repr__() for _, msg in seen)
    rows = sqlite3.connect(log).execute("select * from turns").fetchall()
    assert len(rows) == 5 and "2345-6789" not in repr(rows)
    assert "2345-6789" not in g.output()
    assert len(re.findall(r"graph 'core' ready: 4 nodes in [0-9.]+ s", g.output())) == 1


def test_check_loads_the_knowledge_base(tmp_path):
    """`--check` lets the dialogue node load its KB: an empty or broken folder fails with the reason."""
    import subprocess
    (tmp_path / "empty").mkdir()
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "t.yaml").write_text("id: [broken\n")
    ok = subprocess.run([PY, "run.py", "launch/kiosk.yaml", "--check"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0 and "ok (10 nodes" in ok.stdout, ok.stderr
    for kb in ("empty", "broken"):
        r = subprocess.run([PY, "run.py", "launch/kiosk.yaml", f"kb:={tmp_path / kb}", "--check"], cwd=ROOT,
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 2 and "node 'dialogue': kb: " in r.stderr and "Traceback" not in r.stderr, r.stderr
