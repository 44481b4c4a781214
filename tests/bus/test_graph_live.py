"""Real processes on a real bus: a graph from YAML, introspection, swap, respawn, bad input."""
import json
import os
import signal
import time

import pytest

from tests.procs import Graph

pytestmark = pytest.mark.timeout(120)

PIPELINE = """
    bus: {port: PORT}
    nodes:
      - {id: ticker, node: "nodes.demo:Ticker", params: {rate_hz: 100.0}}
      - {id: relay, node: "nodes.demo:Relay", inputs: {tick: ticker/tick},
         restart: {policy: on-failure, max_restarts: 3, backoff_s: 0.2}}
      - {id: sink, node: "nodes.demo:Sink", params: {record: "RECORD"}, inputs: {tick: relay/tick}}
"""


def all_ok(names):
    return lambda st: all(n in st and st[n].state == "ok" for n in names)


def read_record(path):
    with open(path) as f:
        return [int(line.split()[0]) for line in f if line.strip()]


def test_three_node_graph_with_topic_tools(tmp_path):
    rec = tmp_path / "sink.txt"
    with Graph(tmp_path, PIPELINE.replace("RECORD", str(rec))) as g:
        g.wait_for(all_ok(["ticker", "relay", "sink"]), what="three nodes ok")
        listing = g.cli("topic", "list").stdout
        assert "ticker/tick" in listing and "relay/tick" in listing and "sink" in listing
        echo = g.cli("topic", "echo", "relay/tick", "-n", "3", "--duration", "10")
        lines = [json.loads(l) for l in echo.stdout.splitlines()]
        assert len(lines) == 3 and lines[0]["type"] == "tick" and lines[0]["src"] == "relay"
        hz = g.cli("topic", "hz", "ticker/tick", "--duration", "3.5").stdout
        rates = [float(l.split("average rate ")[1].split()[0]) for l in hz.splitlines() if "average rate" in l]
        assert rates and 70 < rates[-1] < 130, hz
        nodes = g.cli("node", "list").stdout
        assert all(n in nodes for n in ("ticker", "relay", "sink"))
        assert g.cli("param", "set", "relay", "label", "바뀜").returncode == 0
        assert "바뀜" in g.cli("param", "get", "relay", "label").stdout
        assert g.cli("param", "set", "relay", "label", "119: 안녕").returncode == 0   # text stays text
        assert "label: '119: 안녕'" in g.cli("param", "get", "relay", "label").stdout
        bad = g.cli("param", "set", "ticker", "rate_hz", "fast")
        assert bad.returncode == 1 and "expected float" in bad.stderr
    assert read_record(rec)


def test_swap_loses_nothing_and_duplicates_nothing(tmp_path):
    rec = tmp_path / "sink.txt"
    with Graph(tmp_path, PIPELINE.replace("RECORD", str(rec))) as g:
        g.wait_for(all_ok(["ticker", "relay", "sink"]), what="graph up")
        old = g.wait_for(lambda st: st.get("relay"))
        time.sleep(1.0)
        for i in range(2):
            res = g.cli("node", "swap", "relay", "--param", f"label=v{i}")
            assert res.returncode == 0, res.stdout + res.stderr
            time.sleep(0.7)
        new = g.wait_for(lambda st: st.get("relay") if st.get("relay") and st["relay"].inc != old.inc else None)
        assert new.params["label"] == "v1"
        time.sleep(1.0)
    ns = read_record(rec)
    assert len(ns) > 300
    assert len(ns) == len(set(ns)), "duplicates downstream"
    assert sorted(ns) == list(range(1, max(ns) + 1)), "messages lost downstream"


def test_sigkilled_node_is_respawned(tmp_path):
    with Graph(tmp_path, PIPELINE.replace("RECORD", str(tmp_path / "r.txt"))) as g:
        first = g.wait_for(lambda st: st.get("relay") if all_ok(["relay", "sink"])(st) else None)
        os.kill(first.pid, signal.SIGKILL)
        again = g.wait_for(lambda st: st.get("relay") if st.get("relay") and st["relay"].pid != first.pid
                           and st["relay"].state == "ok" else None, what="respawn")
        assert again.inc != first.inc
        assert g.wait_for(lambda st: st["ticker"].state == "ok" and st["sink"].state == "ok")
        assert "killed by SIGKILL; restarting" in g.output()


def test_sigterm_stops_a_node_within_two_seconds(tmp_path):
    with Graph(tmp_path, PIPELINE.replace("RECORD", str(tmp_path / "r.txt"))) as g:
        st = g.wait_for(lambda st: st.get("sink") if all_ok(["sink"])(st) else None)
        t0 = time.monotonic()
        os.kill(st.pid, signal.SIGTERM)
        while time.monotonic() - t0 < 5:
            try:
                os.kill(st.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.02)
        assert time.monotonic() - t0 < 2.0
    assert g.proc.returncode == 0


def test_ctrl_c_stops_the_whole_graph(tmp_path):
    g = Graph(tmp_path, PIPELINE.replace("RECORD", str(tmp_path / "r.txt")))
    pids = [s.pid for s in g.wait_for(lambda st: list(st.values()) if all_ok(["ticker", "relay", "sink"])(st) else None)]
    t0 = time.monotonic()
    assert g.stop() == 0
    assert time.monotonic() - t0 < 5
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_invalid_graph_is_refused_before_anything_starts(tmp_path):
    g = Graph(tmp_path, """
        bus: {port: PORT}
        nodes:
          - {id: a, node: "nodes.demo:Upper"}
          - {id: b, node: "nodes.demo:Ghost"}
    """)
    assert g.proc.wait(30) == 2
    out = g.output()
    assert "2 problem(s)" in out and "not connected" in out and "Ghost" in out
