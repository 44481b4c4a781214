"""Node lifecycle through the CLI: stop, restart, a failing required node, the running graph's picture."""
import pytest

from tests.procs import Graph

pytestmark = pytest.mark.timeout(120)

GRAPH = """
    bus: {port: PORT}
    nodes:
      - {id: ticker, node: "nodes.demo:Ticker", params: {rate_hz: 20.0}}
      - {id: relay, node: "nodes.demo:Relay", inputs: {tick: ticker/tick}}
      - {id: sink, node: "nodes.demo:Sink", inputs: {tick: relay/tick}}
"""


def test_stop_and_restart_a_node(tmp_path):
    with Graph(tmp_path, GRAPH) as g:
        g.wait_for(lambda st: all(n in st and st[n].state == "ok" for n in ("ticker", "relay", "sink")))
        r = g.cli("node", "stop", "relay")
        assert r.returncode == 0 and "stopped" in r.stdout
        g.wait_for(lambda st: "relay" not in st, what="relay gone")
        listing = g.cli("node", "list").stdout
        assert "relay" in listing and "stopped" in listing            # the launcher still knows it
        assert g.cli("node", "restart", "relay").returncode == 0
        g.wait_for(lambda st: st.get("relay") and st["relay"].state == "ok", what="relay back")
        picture = tmp_path / "live.dot"
        assert g.cli("graph", "-o", str(picture)).returncode == 0
        dot = picture.read_text()
        assert '"ticker" -> "relay"' in dot and "[ok]" in dot


def test_required_node_that_cannot_start_stops_the_graph(tmp_path):
    lex = tmp_path / "lexicons"
    lex.mkdir()
    (lex / "abuse.yaml").write_text("categories: [this is not a mapping\n")
    g = Graph(tmp_path, """
        bus: {port: PORT}
        nodes:
          - {id: ticker, node: "nodes.demo:Ticker"}
          - id: moderation
            node: nodes.moderation.node:ModerationNode
            params: {lexicon_dir: LEX}
            inputs: {transcript: ext/transcript}
            required: true
            restart: {policy: on-failure, max_restarts: 1, backoff_s: 0.1}
    """.replace("LEX", str(lex)))
    assert g.proc.wait(60) == 1
    out = g.output()
    assert "setup failed" in out and "abuse.yaml" in out
    assert "gave up after 1 restarts" in out and "required node moderation" in out


def test_swap_to_a_broken_class_keeps_the_old_node(tmp_path):
    with Graph(tmp_path, GRAPH) as g:
        before = g.wait_for(lambda st: st.get("relay") if st.get("relay") and st["relay"].state == "ok" else None)
        r = g.cli("node", "swap", "relay", "--node", "nodes.demo:Upper")
        assert r.returncode == 1 and "other inputs/outputs" in r.stdout + r.stderr
        r = g.cli("node", "swap", "relay", "--param", "label=5")
        assert r.returncode == 1 and "expected str" in r.stdout + r.stderr
        after = g.wait_for(lambda st: st.get("relay"))
        assert after.inc == before.inc and after.state == "ok"


def test_a_node_whose_loop_hangs_is_killed_and_respawned(tmp_path):
    with Graph(tmp_path, """
        bus: {port: PORT}
        nodes:
          - {id: ticker, node: "nodes.demo:Ticker", params: {rate_hz: 10.0}}
          - {id: stall, node: "nodes.demo:Stall", params: {stall_at: 5}, inputs: {tick: ticker/tick},
             restart: {policy: on-failure, hang_timeout_s: 2.0, backoff_s: 0.1}}
    """) as g:
        first = g.wait_for(lambda st: st.get("stall") if st.get("stall") and st["stall"].state == "ok" else None)
        again = g.wait_for(lambda st: st.get("stall") if st.get("stall") and st["stall"].pid != first.pid
                           and st["stall"].state == "ok" else None, timeout=20, what="respawn after hang")
        assert again.inc != first.inc
        assert "sent no heartbeat for 2 s: killing it" in g.output()


def test_interrupt_cuts_blocking_work_and_drops_the_queued_turn(tmp_path):
    import time
    with Graph(tmp_path, """
        bus: {port: PORT}
        nodes:
          - {id: slow, node: "nodes.demo:Slow", params: {work_s: 6.0}, inputs: {text: ext/in}}
          - {id: printer, node: "nodes.demo:Printer", inputs: {text: slow/text}}
    """) as g:
        g.wait_for(lambda st: all(n in st and st[n].state == "ok" for n in ("slow", "printer")))
        assert g.cli("topic", "pub", "ext/in", "text", "{text: 첫째}", "-n", "3").returncode == 0
        time.sleep(0.6)
        r = g.cli("interrupt", "barge_in")
        assert r.returncode == 0
        g.wait_for(lambda st: st.get("slow") if st.get("slow") and st["slow"].counters.get("interrupts") else None)
        g.wait_for(lambda st: "stopped working on 첫째" in g.output(), what="the turn stopped")
        assert g.cli("topic", "pub", "ext/in", "text", "{text: 둘째}").returncode == 0
        g.wait_for(lambda st: "done: 둘째" in g.output(), timeout=30, what="the next turn")
        c = g.wait_for(lambda st: st.get("slow")).counters
        out = g.output()
        assert "interrupted (barge_in)" in out and "stopped working on 첫째" in out
        assert "done: 첫째" not in out
        assert c["dropped_interrupted"] == 2
