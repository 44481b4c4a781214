"""launch/hearing.yaml on a real bus: the mic plays a real recording (looped), the STT node
publishes its transcript, and `topic echo` shows it."""
import json

import pytest

from tests.mic.audio import CLEAN, cer, transcripts
from tests.procs import PY, ROOT, Graph, free_port_pair

pytestmark = pytest.mark.timeout(240)


class Hearing(Graph):
    def __init__(self, tmp_path, *args):
        import subprocess
        self.port = free_port_pair()
        self.bus = f"127.0.0.1:{self.port}"
        self.log = open(tmp_path / "launch.log", "w+")
        self.proc = subprocess.Popen([PY, "run.py", "launch", "launch/hearing.yaml", *args, "--bus", self.bus],
                                     cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        self.client = None


def test_hearing_graph_transcribes_a_recording(tmp_path):
    with Hearing(tmp_path, "source:=wav", f"files:=[{CLEAN}]", "loop:=true") as g:
        g.wait_for(lambda st: all(n in st and st[n].state == "ok" for n in ("mic", "stt")), timeout=120,
                   what="hearing up")
        out = g.cli("topic", "echo", "stt/transcript", "-n", "1", "--duration", "120", timeout=150)
        assert out.returncode == 0, out.stderr + g.output()[-2000:]
        msg = json.loads(out.stdout.strip().splitlines()[-1])
        body = msg.get("msg", msg)
        assert cer(transcripts()["ko_male_support_fund.wav"], body["text"]) <= 0.10, body
        assert body["final"] is True and body["utterance"]
