"""--watch swaps in edited code; bags record and play back; graph pictures."""
import json
import os
import shutil
import subprocess
import time

import pytest

from tests.procs import PY, ROOT, Graph

pytestmark = pytest.mark.timeout(120)

NODE_SRC = '''
from dataclasses import dataclass
from bus.messages import Tick
from bus.node import Node

VERSION = "{v}"

class Stamp(Node):
    inputs = {{"tick": Tick}}
    outputs = {{"tick": Tick}}

    @dataclass
    class Params:
        pass

    def on_tick(self, msg):
        self.publish("tick", Tick(msg.n, VERSION))
'''


def test_watch_swaps_a_node_saved_by_atomic_rename(tmp_path):
    pkg = tmp_path / "devnodes"
    pkg.mkdir()
    (pkg / "stamp.py").write_text(NODE_SRC.format(v="v1"))
    env = dict(os.environ, PYTHONPATH=str(pkg))
    with Graph(tmp_path, """
        bus: {port: PORT}
        nodes:
          - {id: ticker, node: "nodes.demo:Ticker", params: {rate_hz: 20.0}}
          - {id: stamp, node: "stamp:Stamp", inputs: {tick: ticker/tick}}
          - {id: sink, node: "nodes.demo:Sink", inputs: {tick: stamp/tick}}
    """, extra_args=["--watch"], env=env) as g:
        first = g.wait_for(lambda st: st.get("stamp") if st.get("stamp") and st["stamp"].state == "ok"
                           and st.get("sink") and st["sink"].state == "ok" else None)
        ticker_inc = g.wait_for(lambda st: st.get("ticker")).inc
        time.sleep(0.5)
        assert json.loads(g.cli("topic", "echo", "stamp/tick", "-n", "1", "--duration", "10").stdout)["msg"]["text"] == "v1"
        tmp = pkg / ".stamp.py.swp"           # how vim-like editors save: write aside, rename over
        tmp.write_text(NODE_SRC.format(v="v2"))
        os.replace(tmp, pkg / "stamp.py")
        g.wait_for(lambda st: st.get("stamp") and st["stamp"].inc != first.inc and st["stamp"].state == "ok",
                   timeout=30, what="swap after edit")
        time.sleep(0.3)
        out = g.cli("topic", "echo", "stamp/tick", "-n", "1", "--duration", "10").stdout
        assert json.loads(out)["msg"]["text"] == "v2"
        now = g.wait_for(lambda st: st)
        assert now["ticker"].inc == ticker_inc, "the rest of the graph kept running"
        assert "source of stamp changed" in g.output()


def test_bag_record_and_play(tmp_path):
    bag = tmp_path / "t.bag"
    rec = tmp_path / "sink.txt"
    with Graph(tmp_path, f"""
        bus: {{port: PORT}}
        nodes:
          - {{id: ticker, node: "nodes.demo:Ticker", params: {{rate_hz: 50.0, count: 2000}}}}
          - {{id: sink, node: "nodes.demo:Sink", params: {{record: "{rec}"}}, inputs: {{tick: ticker/tick}}}}
          - {{id: upper, node: "nodes.demo:Upper", inputs: {{text: ext/said}}}}
          - {{id: printer, node: "nodes.demo:Printer", inputs: {{text: upper/text}}}}
    """) as g:
        g.wait_for(lambda st: st.get("sink") and st["sink"].state == "ok")
        r = g.cli("bag", "record", "ticker/tick", "-o", str(bag), "-n", "10", "--duration", "20")
        assert r.returncode == 0 and "recorded 10" in r.stdout, r.stderr
        info = subprocess.run([PY, "run.py", "bag", "info", str(bag)], cwd=ROOT, capture_output=True, text=True)
        assert "ticker/tick  tick  10 message(s)" in info.stdout
        # a text bag with personal data: recorded masked, played back into the graph
        pub = g.cli("topic", "pub", "ext/said", "text", "{text: '제 번호는 010-1234-5678 이에요'}", "-n", "1")
        assert pub.returncode == 0, pub.stderr
        time.sleep(0.5)
        assert "010-****-****" in g.output() and "1234-5678" not in g.output(), "logs must be masked"
        bag2 = tmp_path / "said.bag"
        rec_proc = subprocess.Popen([PY, "run.py", "bag", "record", "ext/said", "-o", str(bag2), "-n", "3",
                                     "--duration", "20", "--bus", g.bus], cwd=ROOT)
        time.sleep(1.5)
        g.cli("topic", "pub", "ext/said", "text", "{text: '주민번호 800101-1234567 입니다'}", "-n", "3", "--rate", "5")
        rec_proc.wait(30)
        raw = bag2.read_bytes()
        assert "입니다".encode() in raw and b"800101-1234567" not in raw and b"1234567" not in raw
        n_before = g.output().count("입니다")
        play = g.cli("bag", "play", str(bag2), "--rate", "4")
        assert play.returncode == 0 and "played 3" in play.stdout
        time.sleep(1.0)
        assert g.output().count("입니다") >= n_before + 3


def test_graph_picture(tmp_path):
    out = tmp_path / "g.dot"
    r = subprocess.run([PY, "run.py", "graph", "launch/pipeline.yaml", "-o", str(out)], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0
    dot = out.read_text()
    assert '"ticker" -> "say"' in dot and '"relay" -> "sink"' in dot
    if shutil.which("dot"):
        svg = tmp_path / "g.svg"
        subprocess.run([PY, "run.py", "graph", "launch/pipeline.yaml", "-o", str(svg)], cwd=ROOT, check=True)
        assert svg.read_text().lstrip().startswith("<?xml")
