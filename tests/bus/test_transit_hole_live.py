"""Issue #8, run 6 of the soak: messages that vanish in transit to a live consumer are sent again.

A consumer that stops hearing a producer's heartbeats for LIVENESS_S closes its data connection
to it, and opens it again at the next heartbeat: the same consumer incarnation attaches again.
What the producer publishes in between never reaches the consumer. Before the fix the producer
redelivered only to a new incarnation, and the consumer's next cumulative acknowledgement ("all
up to W") covered the hole, so the producer discarded those messages: lost without a trace.

Here the control plane (a broker in its own process) and the producer a are stopped with SIGSTOP
until the consumer c has given a up; a is resumed first, so its ticks flow while c's connection
to it is closed, and only then the broker. Real `python -m bus.runtime` processes; every step
waits for what the processes report (c's log and record file, a's ticks on our own subscriber,
heartbeats), never for a fixed time.
"""
import json
import os
import signal
import subprocess
import sys
import time

import pytest
import zmq

from bus import messages as m
from bus.transport import BusAddress, Client, topic_frame
from tests.procs import PY, ROOT, free_port_pair

pytestmark = pytest.mark.timeout(240)
N = 400
BROKER = ("import sys, threading\n"
          "from bus.broker import Broker\n"
          "from bus.transport import BusAddress\n"
          "Broker(BusAddress('127.0.0.1', int(sys.argv[1]))).start()\n"
          "threading.Event().wait()\n")


def until(pred, what: str, timeout: float = 90.0, step: float = 0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = pred()
        if got:
            return got
        time.sleep(step)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def bus(tmp_path):
    port = free_port_pair()
    procs: list[subprocess.Popen] = []
    env = dict(os.environ, PYTHONPATH=ROOT)
    procs.append(subprocess.Popen([PY, "-c", BROKER, str(port)], cwd=ROOT, env=env))
    addr = BusAddress("127.0.0.1", port)
    client = Client(addr, f"_test/{os.getpid()}")
    client.handshake(30)

    def start(node_id: str, cls: str, **spec) -> subprocess.Popen:
        spec = dict(spec, id=node_id, cls=cls, bus=str(addr), parent_pid=os.getpid())
        err = open(tmp_path / f"{node_id}.log", "ab")
        p = subprocess.Popen([PY, "-m", "bus.runtime", json.dumps(spec)], cwd=ROOT, env=env, stderr=err)
        procs.append(p)
        return p

    yield procs[0], client, start
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGCONT)
            p.kill()
        p.wait()
    client.close()


def counters(client: Client, node: str) -> dict:
    client.gather(0.1)
    client.expire()
    live = [s for s in client.directory.statuses() if s.node == node and s.state in ("starting", "ok")]
    return dict(live[0].counters, inc=live[0].inc, endpoint=live[0].endpoint) if live else {}


def test_ticks_sent_while_a_consumer_reconnects_are_sent_again(bus, tmp_path):
    broker, client, start = bus
    record = tmp_path / "c.txt"
    c_log = tmp_path / "c.log"

    def handled() -> list[int]:
        text = record.read_text() if record.exists() else ""
        return [int(line.split()[0]) for line in text.split("\n")[:-1]]   # whole lines only

    start("c", "tests.bus.helper_nodes:Gated", inputs={"tick": "a/tick"}, params={"record": str(record)})
    a = start("a", "nodes.demo:Ticker", params={"rate_hz": 20.0, "count": N}, consumers={"tick": ["c"]})
    a_status = until(lambda: counters(client, "a").get("endpoint") and counters(client, "a"), "a running")
    until(lambda: len(handled()) >= 20, "c handling ticks")

    # our own subscriber on a's data: it shows which ticks a publishes while c is away
    sub = zmq.Context.instance().socket(zmq.SUB)
    sub.setsockopt(zmq.SUBSCRIBE, topic_frame("a/tick"))
    sub.connect(a_status["endpoint"])
    until(lambda: sub.poll(10), "our subscriber attached to a")
    seen = []

    def read_sub() -> int:
        while sub.poll(0):
            seen.append(m.decode(sub.recv_multipart())[2].n)
        return max(seen, default=0)

    broker.send_signal(signal.SIGSTOP)      # no heartbeats reach anyone
    a.send_signal(signal.SIGSTOP)           # and a is silent
    until(lambda: f"a/{a_status['inc']} is gone" in c_log.read_text(), "c giving a up")
    a.send_signal(signal.SIGCONT)           # a's ticks flow again, c's connection to a is being closed
    # c reads what was on its way and closes the connection: its record stops at some tick j while
    # a goes on; wait until a has published 10 ticks past j (lost to c, unless sent again)
    until(lambda: read_sub() >= max(handled()) + 10, "a publishing while c is not connected")
    broker.send_signal(signal.SIGCONT)      # heartbeats again: c connects to a again (same incarnation)

    def done():
        ca, cc = counters(client, "a"), counters(client, "c")
        return ca and cc and read_sub() >= N and not ca.get("unacked") and not cc.get("queued") and (ca, cc)

    ca, cc = until(done, "a's last tick acknowledged by c", timeout=120, step=0.0)
    got = handled()
    missing = sorted(set(range(1, N + 1)) - set(got))
    assert not missing, f"c never handled {len(missing)} tick(s): {missing[:20]}"
    assert len(got) == N                    # each once
    assert ca.get("redelivered", 0) > 0     # recovered by sending them again, not by luck
    sub.close(linger=0)
