"""Issue #8, no lost turn: a node killed with work its consumers have not finished loses nothing.

Chain a -> b -> c of real node processes (`python -m bus.runtime`) on a real broker. a (a Ticker)
sends N ticks, b (a Relay) handles them, b is SIGKILLed, a new b starts, and c records every tick it
handles. Every step waits for what the nodes' heartbeats report, never for a fixed time; a test ends
only once every node has acknowledged everything, so nothing more can arrive.
"""
import json
import os
import signal
import subprocess
import time

import pytest

from bus.broker import Broker
from bus.transport import BusAddress, Client
from tests.procs import PY, ROOT, free_port_pair

pytestmark = pytest.mark.timeout(180)
N = 40


class Chain:
    def __init__(self, tmp_path):
        self.addr = BusAddress("127.0.0.1", free_port_pair())
        self.broker = Broker(self.addr).start()
        self.client = Client(self.addr, f"_test/{os.getpid()}")
        self.client.handshake(5)
        self.procs: list[subprocess.Popen] = []
        self.record, self.gate = tmp_path / "c.txt", tmp_path / "c.gate"

    def start(self, node_id: str, cls: str, **spec) -> subprocess.Popen:
        spec = dict(spec, id=node_id, cls=cls, bus=str(self.addr), parent_pid=os.getpid())
        p = subprocess.Popen([PY, "-m", "bus.runtime", json.dumps(spec)], cwd=ROOT, env=dict(os.environ, PYTHONPATH=ROOT))
        self.procs.append(p)
        return p

    def a(self):
        return self.start("a", "nodes.demo:Ticker", params={"rate_hz": 50.0, "count": N}, consumers={"tick": ["b"]})

    def b(self):
        return self.start("b", "nodes.demo:Relay", inputs={"tick": "a/tick"}, consumers={"tick": ["c"]})

    def c(self, gated: bool = False):
        return self.start("c", "tests.bus.helper_nodes:Gated", inputs={"tick": "b/tick"},
                          params={"record": str(self.record), "gate": str(self.gate) if gated else ""})

    def wait(self, pred, what: str, timeout: float = 60.0) -> dict:
        """Until pred({node: counters of its live incarnation, ...}) holds; returns that mapping."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.client.gather(0.1)
            self.client.expire()
            live = {s.node: s for s in self.client.directory.statuses() if s.state in ("starting", "ok")
                    and any(p.pid == s.pid and p.poll() is None for p in self.procs)}
            counters = {n: dict(s.counters, state=s.state, inc=s.inc) for n, s in live.items()}
            if pred(counters):
                return counters
        raise AssertionError(f"timed out waiting for {what}; last counters: {counters}")

    def handled(self) -> list[tuple[int, str]]:
        text = self.record.read_text() if self.record.exists() else ""
        return [(int(n), inc) for n, inc in (line.split() for line in text.splitlines())]

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
            p.wait()
        self.client.close()
        self.broker.stop()


@pytest.fixture
def chain(tmp_path):
    ch = Chain(tmp_path)
    yield ch
    ch.close()


def all_acknowledged(c):
    return all(n in c for n in "abc") and not c["a"].get("unacked") and not c["b"].get("unacked") \
        and not c["c"].get("queued")


def test_a_relay_killed_before_its_consumer_started_loses_nothing(chain):
    first_b = chain.b()
    chain.a()
    chain.wait(lambda c: "b" in c and c["b"].get("rx") == N and c["b"].get("unacked") == N, "b handled all N")
    # b published N messages that c (not running) has not acknowledged, so b acknowledged none of its
    # inputs: a still holds all N (the hop-by-hop runtime had acknowledged them and lost them with b)
    chain.wait(lambda c: c["a"].get("unacked") == N, "a holding all N")
    first_b.send_signal(signal.SIGKILL)
    first_b.wait()
    chain.b()                                           # a redelivers all N to the new b
    chain.wait(lambda c: "b" in c and c["b"].get("rx") == N and c["b"].get("unacked") == N, "the new b handled all N")
    chain.c()
    chain.wait(all_acknowledged, "c handled everything and every hop acknowledged it")
    assert sorted(n for n, _ in chain.handled()) == list(range(1, N + 1))


def test_a_relay_killed_while_its_consumer_loads_is_not_handled_twice(chain):
    """c is attached but still in setup, so b's first outputs wait in c; the new b handles the
    redelivered inputs again and publishes them again (new incarnation, new sequence numbers, the
    same origins): c handles each tick once, from the first b, and acknowledges the repeats only
    after that."""
    chain.c(gated=True)
    first_b = chain.b()
    chain.a()
    # nothing acknowledged anywhere: c has all N queued, b holds its N outputs and a all N inputs
    chain.wait(lambda c: "c" in c and c["c"]["state"] == "starting" and c["c"].get("rx") == N
               and c["b"].get("unacked") == N and c["a"].get("unacked") == N, "c holding all N while loading")
    first_b.send_signal(signal.SIGKILL)
    first_b.wait()
    chain.b()
    again = chain.wait(lambda c: "b" in c and c["b"].get("rx") == N
                       and c["c"].get("rx", 0) + c["c"].get("dropped_repeat", 0) == 2 * N, "c got the new b's N")
    assert again["c"]["rx"] == N and again["c"]["dropped_repeat"] == N   # recognised as repeats
    chain.gate.touch()                                  # c's model is loaded
    chain.wait(all_acknowledged, "c handled everything and every hop acknowledged it")
    got = chain.handled()
    assert sorted(n for n, _ in got) == list(range(1, N + 1))   # each once
    assert len({inc for _, inc in got}) == 1                   # all from the first b
