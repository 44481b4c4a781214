"""A graph launched with CurveZMQ on (`bus: {curve: true, keys: DIR}` from `run.py keys DIR`):
the operator's tools work with --keys DIR and get nothing without it."""
import json
import subprocess

import pytest

from tests.procs import PY, ROOT, Graph

pytestmark = pytest.mark.timeout(120)


def test_curve_graph_and_the_cli(tmp_path):
    keys = tmp_path / "keys"
    assert subprocess.run([PY, "run.py", "keys", str(keys)], cwd=ROOT, capture_output=True, timeout=60).returncode == 0
    with Graph(tmp_path, f"""
        graph: sec
        bus: {{port: PORT, curve: true, keys: {keys}}}
        nodes:
          - {{id: ticker, node: "nodes.demo:Ticker", params: {{rate_hz: 20.0}}}}
          - {{id: relay, node: "nodes.demo:Relay", inputs: {{tick: ticker/tick}}}}
    """) as g:
        def cli(*args):
            return subprocess.run([PY, "run.py", *args, "--bus", g.bus, "--keys", str(keys)], cwd=ROOT,
                                  capture_output=True, text=True, timeout=60)
        deadline_ok = False
        for _ in range(60):
            listing = cli("node", "list")
            if listing.returncode == 0 and "relay" in listing.stdout and " ok " in listing.stdout.split("relay", 1)[1][:20]:
                deadline_ok = True
                break
        assert deadline_ok, g.output()[-2000:]
        echo = cli("topic", "echo", "relay/tick", "-n", "1", "--duration", "10")
        assert json.loads(echo.stdout)["src"] == "relay"
        bare = g.cli("node", "list")              # no keys: the broker does not answer
        assert bare.returncode == 2 and "answers only to --keys DIR" in bare.stderr
    assert "graph 'sec' ready: 2 nodes" in g.output()
