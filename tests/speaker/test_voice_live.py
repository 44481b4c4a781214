"""launch/voice.yaml on a real bus: a Reply published from outside is spoken into a WAV file and
the speaker's Playback clock runs at 50 Hz or more while it plays."""
import json
import subprocess
import wave

import pytest

from tests.procs import PY, ROOT, Graph, free_port_pair

pytestmark = pytest.mark.timeout(180)


class Voice(Graph):
    def __init__(self, tmp_path, *args):
        self.port = free_port_pair()
        self.bus = f"127.0.0.1:{self.port}"
        self.log = open(tmp_path / "launch.log", "w+")
        self.proc = subprocess.Popen([PY, "run.py", "launch", "launch/voice.yaml", *args, "--bus", self.bus],
                                     cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        self.client = None


def test_voice_graph_speaks_a_reply(tmp_path):
    wav = tmp_path / "said.wav"
    with Voice(tmp_path, "sink:=wav", f"path:={wav}", "cache:=''") as g:
        g.wait_for(lambda st: all(n in st and st[n].state == "ok" for n in ("tts", "speaker")), timeout=60,
                   what="voice graph up")
        echo = subprocess.Popen([PY, "run.py", "topic", "echo", "speaker/playback", "--duration", "8", "--bus", g.bus],
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        pub = g.cli("topic", "pub", "ext/reply", "reply", "{kind: answer, text: 안녕하세요. 주민센터에서 신청하세요., id: r1}")
        assert pub.returncode == 0, pub.stderr
        out, _ = echo.communicate(timeout=30)
    clock = [json.loads(line) for line in out.splitlines() if line.strip()]
    clock = [c.get("msg", c) for c in clock]
    playing = [c for c in clock if c["playing"]]
    assert playing and {c["reply"] for c in playing} == {"r1"}
    assert len({c["utterance"] for c in playing}) == 2
    span = playing[-1]["mono"] - playing[0]["mono"]
    assert (len(playing) - 1) / span >= 50
    with wave.open(str(wav)) as w:
        assert w.getnframes() / w.getframerate() > 2.0
