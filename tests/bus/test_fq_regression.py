"""The `Assertion failed: !_more (src/fq.cpp:80)` abort seen under load (docs/bus.md).

A SUB that polls has already taken the first frame of the next message off one producer's pipe
(xsub has_in prefetches it). Disconnecting that producer then (a stopped producer expiring from
the directory while messages wait) leaves the fair-queue mid-message on a dead pipe, and the next
recv aborts the process. The first test shows libzmq doing it; the second that our Client, in the
same sequence, defers the disconnect until the socket is drained and loses nothing."""
import subprocess
import sys
import textwrap

from tests.procs import ROOT

RAW = """
import time, zmq
ctx = zmq.Context()
pub = ctx.socket(zmq.XPUB); pub.bind("ipc://{d}/p.sock")
sub = ctx.socket(zmq.SUB); sub.setsockopt(zmq.SUBSCRIBE, b""); sub.connect("ipc://{d}/p.sock")
pub.recv()                                    # the subscription arrived
pub.send_multipart([b"topic\\0", b"head"])
time.sleep(0.2)
assert sub.poll(1000)                         # the poll takes frame 1 off the pipe
sub.disconnect("ipc://{d}/p.sock")            # the producer is gone from the directory
time.sleep(0.2)
print(sub.recv(), sub.recv(), flush=True)     # frame 2: its pipe is being terminated
"""

CLIENT = """
import time, zmq
from bus import messages as m
from bus.transport import BusAddress, Client
client = Client(BusAddress("127.0.0.1", 1), "consumer", data=True)
ctx = zmq.Context.instance()
pubs = []
for name in ("p", "q"):
    pub = ctx.socket(zmq.XPUB); pub.bind(f"ipc://{d}/{{name}}.sock"); pubs.append(pub)
    client.directory.update(m.NodeStatus(name, "1", "x", 1, "h", "ok", endpoint=f"ipc://{d}/{{name}}.sock",
                                         outputs={{f"{{name}}/out": "text"}}), time.monotonic())
client.want("p/out"); client.want("q/out")
for pub in pubs:
    while pub.poll(1000) and b"~sub" not in pub.recv():
        pass
for i in range(50):
    for name, pub in zip("pq", pubs):
        pub.send_multipart(m.encode(f"{{name}}/out", m.Text(f"{{name}}{{i}}"), name, "1", i + 1))
time.sleep(0.3)
assert client.poller.poll(1000)               # frame 1 of a message is taken off a pipe
del client.directory.nodes[("p", "1")]        # p stops and expires while its messages wait
client._attach()
got = []
while client.data_sub.poll(300):
    got += client.drain()
texts = sorted(m.decode(f)[2].text for f in got)
assert texts == sorted([f"p{{i}}" for i in range(50)] + [f"q{{i}}" for i in range(50)]), texts[:5]
assert not client.to_disconnect and "ipc://{d}/p.sock" not in client.connected
print("ok", len(texts), flush=True)
"""


def run(code: str, tmp_path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code).format(d=tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_libzmq_aborts_when_a_half_read_pipe_is_disconnected(tmp_path):
    r = run(RAW, tmp_path)
    assert r.returncode == -6, (r.returncode, r.stdout, r.stderr)          # SIGABRT
    assert "fq.cpp" in r.stderr and "!_more" in r.stderr


def test_client_disconnects_a_gone_producer_only_once_drained(tmp_path):
    r = run(CLIENT, tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok 100"
