"""Operator edges on a live graph: the ready line, `topic pub` of typed Korean, misspelt node
names, `param set` that takes effect or is refused, `node restart --param`, `--out`."""
import re

import pytest

from tests.procs import Graph

pytestmark = pytest.mark.timeout(150)

OPS = """
    graph: ops
    bus: {port: PORT}
    nodes:
      - {id: ticker, node: "nodes.demo:Ticker", params: {rate_hz: 20.0}}
      - {id: relay, node: "nodes.demo:Relay", inputs: {tick: ticker/tick}}
      - {id: sink, node: "nodes.demo:Sink", params: {record: "$(arg out)/sink.txt"}, inputs: {tick: relay/tick}}
      - {id: upper, node: "nodes.demo:Upper", inputs: {text: ext/said}}
      - {id: printer, node: "nodes.demo:Printer", inputs: {text: upper/text}}
"""


def test_operator_edges(tmp_path):
    out = tmp_path / "out"
    with Graph(tmp_path, OPS, extra_args=["--out", str(out)]) as g:
        g.wait_for(lambda st: all(n in st and st[n].state == "ok" for n in ("ticker", "relay", "sink", "printer")))
        g.wait_for(lambda st: "graph 'ops' ready" in g.output(), what="the ready line")
        assert re.search(r"graph 'ops' ready: 5 nodes in [0-9.]+ s", g.output())

        # topic pub: any Korean text, a bare string, one clear line for a bad body
        r = g.cli("topic", "pub", "ext/said", "text", "{text: 기초연금 받을 수 있어요?}")
        assert r.returncode == 0, r.stderr
        r = g.cli("topic", "pub", "ext/said", "text", "hello: 네, 그래요")
        assert r.returncode == 0, r.stderr
        for bad in ("{txt: 안녕}", "{}", "{text: [1, 2]}"):
            r = g.cli("topic", "pub", "ext/said", "text", bad)
            assert r.returncode == 2 and "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
            assert r.stderr.startswith("error: ") and "text: 안녕하세요" in r.stderr
        r = g.cli("topic", "pub", "ext/said", "tick", "hello")
        assert r.returncode == 2 and "tick needs a mapping of its fields, e.g. '{n: 1}'" in r.stderr

        # a misspelt node name, for every command that takes one
        for cmd in (["param", "get", "relai"], ["param", "set", "relai", "label", "x"], ["node", "info", "relai"],
                    ["node", "restart", "relai"], ["node", "stop", "relai"], ["node", "swap", "relai"]):
            r = g.cli(*cmd)
            assert r.returncode == 1 and "no such node 'relai'; running: printer, relay, sink, ticker, upper" in r.stderr, (cmd, r.stderr)

        # param set: a live param takes effect, anything else is refused with the command that works
        r = g.cli("param", "set", "relay", "label", "바뀜")
        assert r.returncode == 0, r.stderr
        assert "바뀜" in g.cli("topic", "echo", "relay/tick", "-n", "1", "--duration", "10").stdout
        r = g.cli("param", "set", "ticker", "rate_hz", "fast")          # checked like a launch param first
        assert r.returncode == 1 and "param 'rate_hz': expected float, got str" in r.stderr
        r = g.cli("param", "set", "ticker", "rate_hz", "5")
        assert r.returncode == 1 and "needs a restart: `python run.py node restart ticker --param rate_hz=5`" in r.stderr
        r = g.cli("param", "set", "ticker", "colour", "red")
        assert r.returncode == 1 and "unknown param 'colour'" in r.stderr

        # node restart --param: validated by the node's check first; a refusal keeps the node running
        pid = g.wait_for(lambda st: st.get("sink")).pid
        r = g.cli("node", "restart", "sink", "--param", f"record={tmp_path}/nope/sink.txt", timeout=60)
        assert r.returncode == 1 and "would not start with these params" in r.stderr and "does not exist" in r.stderr
        assert g.wait_for(lambda st: st.get("sink")).pid == pid
        r = g.cli("node", "restart", "ticker", "--param", "rate_hz=50", timeout=90)
        assert r.returncode == 0, r.stderr
        assert g.wait_for(lambda st: st["ticker"].params["rate_hz"] == 50.0 and st["ticker"].state == "ok",
                          what="ticker restarted with rate 50")
    assert "기초연금 받을 수 있어요?" in g.output() and "HELLO: 네, 그래요" in g.output()
    assert (out / "sink.txt").read_text().strip(), "--out sets the launch arg `out`"
    assert g.output().count("graph 'ops' ready") == 1
