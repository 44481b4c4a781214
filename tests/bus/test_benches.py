"""The benches measure what they claim: their arithmetic on known events, and a quick live run of
each (figures are printed by the benches, never asserted as timings here)."""
import json
import subprocess
from types import SimpleNamespace

import pytest

from bus import bench_interrupt, bench_soak
from tests.procs import PY, ROOT


def test_interrupt_bench_measures_the_last_stale_event():
    streamer = [{"ev": "int", "turn": 10, "mono": 1.000}, {"ev": "int", "turn": 20, "mono": 2.000}]
    events = [{"ev": "start", "turn": 5, "mono": 0.990},    # before the first interrupt: fine
              {"ev": "end", "turn": 5, "mono": 1.004},      # stopped 4 ms after it
              {"ev": "start", "turn": 5, "mono": 1.012},    # a stale queued chunk still started
              {"ev": "end", "turn": 5, "mono": 1.020},
              {"ev": "got", "turn": 10, "mono": 1.500},     # current turn: not stale
              {"ev": "got", "turn": 10, "mono": 2.025},     # stale output delivered 25 ms after the 2nd
              {"ev": "start", "turn": 0, "mono": 2.5}]      # turn 0 is never stale
    res = bench_interrupt.summarise(streamer, events)
    assert res["interrupts"] == 2
    assert res["stop_ms"]["max"] == pytest.approx(25.0, abs=0.01)
    assert res["stop_ms"]["p50"] == pytest.approx(22.5, abs=0.01)
    assert res["stale_started"] == 1 and res["stale_delivered"] == 1


def test_soak_bench_counts_lost_duplicates_crises_and_crashes():
    sent = [{"i": i, "turn": 100 + i, "mono": float(i), "crisis": i % 7 == 0} for i in range(1, 15)]
    got = [{"what": "reply", "kind": "answer", "turn": 100 + i, "mono": i + 0.05} for i in range(1, 15) if i != 3]
    got.append({"what": "reply", "kind": "answer", "turn": 105, "mono": 5.2})          # a duplicate
    got += [{"what": "reply", "kind": "smalltalk", "turn": 0, "mono": 99.0}] * 2       # idle goodbyes: no turn
    got.append({"what": "alert", "kind": "crisis", "turn": 107, "mono": 7.01})         # turn 14's crisis unalerted
    events = [(1.0, SimpleNamespace(kind="restart", node="dialogue", text="killed by SIGKILL; restart in 0.5 s")),
              (2.0, SimpleNamespace(kind="restart", node="moderation", text="killed by SIGABRT; restart in 0.5 s")),
              (3.0, SimpleNamespace(kind="restart", node="dialogue", text="killed by SIGKILL; restart in 1.0 s"))]
    kills = [{"t": 0.9, "node": "dialogue", "pid": 1}]
    args = SimpleNamespace(turns=14, interval=1.0, kill_every=20, burners=2, seed=1)
    res = bench_soak.summarise(sent, got, kills, events, 12.3, args)
    assert (res["turns_sent"], res["turns_answered"], res["turns_lost"]) == (14, 13, 1)
    assert res["duplicates"] == 1 and res["lost_turns"] == [3] and res["other_replies"] == {"smalltalk": 2}
    assert [d["i"] for d in res["duplicate_turns"]] == [5]
    assert (res["crises_sent"], res["crises_alerted"]) == (2, 1)
    assert res["crashes"] == 2 and any("SIGABRT" in c for c in res["crash_log"])   # the 2nd SIGKILL was not ours
    assert res["latency_ms"]["p50"] == pytest.approx(50.0, abs=0.1)
    assert not res["targets"]["turns_lost_0"] and not res["targets"]["every_crisis_alerted"]


def test_bench_nodes_keep_the_launch_time_check_of_node():
    """A bench node in a launch file is checked like any node (bus.graphcheck calls cls.check);
    a method of the same name on the node would be called with the params as `self`."""
    from bus import bench
    from bus.node import Node
    for module in (bench, bench_soak, bench_interrupt):
        for cls in vars(module).values():
            if isinstance(cls, type) and issubclass(cls, Node) and cls.__module__ == module.__name__:
                assert cls.check(cls.Params()) == [], cls


def test_scripted_turns_include_crises_every_seventh():
    lines = [bench_soak.line_for(i, 7) for i in range(1, 29)]
    assert [i + 1 for i, (_, c) in enumerate(lines) if c] == [7, 14, 21, 28]
    assert [t for t, c in lines if c][:3] == ["숨을 못 쉬겠어요", "가슴이 너무 아파요", "죽고 싶어요"]


@pytest.mark.timeout(200)
def test_interrupt_bench_live():
    r = subprocess.run([PY, "run.py", "bench", "interrupt", "--interrupts", "8", "--json"], cwd=ROOT,
                       capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    assert res["interrupts"] == 8 and res["handled"] > 50 and res["delivered"] > 0
    assert set(res["stop_ms"]) == {"p50", "p95", "max"}
    # a chunk already on its way when the interrupt is raised may still start (that is what stop_ms
    # measures); the queue of older chunks (about 8 per interrupt here) must not
    assert res["stale_started"] <= res["interrupts"] and res["stale_delivered"] <= res["interrupts"], res


@pytest.mark.timeout(420)
def test_soak_bench_quick_mode_live():
    """30 turns with one CPU burner and kiosk nodes killed whatever they are doing: nothing lost,
    nothing twice, every crisis alerted."""
    r = subprocess.run([PY, "run.py", "bench", "soak", "--turns", "30", "--interval", "0.4", "--kill-every", "4",
                        "--burners", "1", "--json"], cwd=ROOT, capture_output=True, text=True, timeout=400)
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    assert res["turns_sent"] == 30 and res["crises_sent"] == 4
    assert [k for k in res["kills"] if k["node"]], "the bench killed no node"
    assert res["turns_lost"] == 0, res["lost_turns"]
    # a node killed after it answered but before its input was acknowledged answers that turn again
    # on respawn; the consumer drops that repeat by its origin (bus/runtime/intake.py)
    assert res["duplicates"] == 0, res["duplicate_turns"]
    assert res["crises_alerted"] == res["crises_sent"]
