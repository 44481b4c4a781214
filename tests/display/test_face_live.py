"""launch/face.yaml on a real bus, as separate processes: a synthetic TTS and speaker feed the
lip-sync and display nodes in real time; the display records; the MP4 is in sync."""
import os
import signal
import time

import pytest

from bus import messages as m
from bus.publisher import Publisher
from bus.transport import BusAddress
from nodes.display import avsync
from nodes.lipsync import synth
from tests.procs import PY, ROOT, Graph, free_port_pair

pytestmark = pytest.mark.timeout(120)


class FaceGraph(Graph):
    def __init__(self, tmp_path, *args):
        import subprocess
        self.port = free_port_pair()
        self.bus = f"127.0.0.1:{self.port}"
        self.log = open(tmp_path / "launch.log", "w+")
        self.proc = subprocess.Popen([PY, "run.py", "launch/face.yaml", *args, "--bus", self.bus], cwd=ROOT,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        self.client = None


def test_face_graph_records_a_synced_session(tmp_path):
    rec = tmp_path / "rec"
    with FaceGraph(tmp_path, "driver:=dummy", f"record:={rec}") as g:
        g.wait_for(lambda st: all(n in st and st[n].state == "ok" for n in ("lipsync", "display")),
                   timeout=60, what="face up")
        topics = {"ext/speech": "speech_chunk", "ext/playback": "playback", "ext/reply": "reply"}
        with Publisher(BusAddress.parse(g.bus), topics) as pub:
            deadline = time.monotonic() + 15
            while not (pub.wait_for_consumers(1) and pub.readers() >= {"lipsync", "display"}):
                assert time.monotonic() < deadline, f"readers: {pub.readers()}"
            chunks = synth.chunks()
            rate = chunks[0].rate
            total = sum(len(c.pcm) for c in chunks) / rate
            pub.send("ext/reply", m.Reply(kind="answer", text=chunks[0].text, id="r1"))
            for c in chunks:
                pub.send("ext/speech", c)
            end = time.monotonic() + 1.0
            while time.monotonic() < end:
                pub.pump()
                time.sleep(0.02)
            start = time.monotonic()
            while (now := time.monotonic()) < start + total + 1.0:        # the speaker, at 50 Hz
                playing = now - start < total
                pos = now - start if playing else 0.0
                pub.send("ext/playback", m.Playback("u1" if playing else "", int(pos * rate), now, rate, playing))
                pub.pump()
                time.sleep(0.02)
        g.proc.send_signal(signal.SIGINT)
        g.proc.wait(timeout=20)
    mp4 = rec / "session.mp4"
    assert mp4.exists(), g.output()[-2000:]
    r = avsync.measure(str(mp4))
    # the +/-40 ms aim is checked on the simulated clock (test_recording.py); separate processes on
    # a shared 2-core machine must stay inside the detectability window
    assert r["in_window"] and r["corr"] > 0.3 and r["frames"] > 60, r
    assert any(f.startswith("snap_") and "speaking" in f for f in os.listdir(rec))
