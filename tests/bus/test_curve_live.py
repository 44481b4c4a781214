"""CurveZMQ on: a process without the graph's keys can neither read nor inject, on either plane."""
import json
import os
import subprocess
import sys
import time

import pytest

from bus import messages as m
from bus.broker import Broker
from bus.sockets import Curve, make_keys
from bus.transport import BusAddress, Client
from tests.procs import ROOT, free_port_pair

pytestmark = pytest.mark.timeout(120)

INTRUDER = """
import json, sys, time, zmq
from bus import messages as m
from bus.sockets import Curve, Sockets
from bus.transport import BusAddress, Client
bus, endpoint, keys = sys.argv[1], sys.argv[2], sys.argv[3]
addr = BusAddress.parse(bus)
curve = Curve.load(keys) if keys else None
out = {}
try:
    c = Client(addr, "_intruder", curve=curve)
    c.handshake(2.0)
    out["handshake"] = True
    c.close()
except ConnectionError:
    out["handshake"] = False
    c.close()
s = Sockets(curve)
pub, ctl, data = s.ctl_pub(), s.ctl_sub(), s.data_sub()
pub.connect(addr.ctl_in)
ctl.setsockopt(zmq.SUBSCRIBE, b""); ctl.connect(addr.ctl_out)
data.setsockopt(zmq.SUBSCRIBE, b""); data.connect(endpoint)
out["ctl_read"] = out["data_read"] = 0
t0 = time.monotonic()
while time.monotonic() - t0 < 2.5:
    pub.send_multipart(m.encode("_ctl/ticker", m.Command("stop"), "_intruder", "x", 1))
    for sock, key in ((ctl, "ctl_read"), (data, "data_read")):
        while sock.poll(0):
            sock.recv_multipart(); out[key] += 1
    time.sleep(0.05)
print(json.dumps(out), flush=True)
"""


def intruder(bus: str, endpoint: str, keys: str) -> dict:
    r = subprocess.run([sys.executable, "-c", INTRUDER, bus, endpoint, keys], cwd=ROOT, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_curve_keeps_out_a_process_without_the_keys(tmp_path):
    keys, other = str(tmp_path / "keys"), str(tmp_path / "other")
    make_keys(keys)
    make_keys(other)
    assert oct(os.stat(os.path.join(keys, "bus.key_secret")).st_mode & 0o777) == "0o600"
    curve = Curve.load(keys)
    addr = BusAddress("127.0.0.1", free_port_pair())
    broker = Broker(addr, curve).start()
    spec = {"id": "ticker", "cls": "nodes.demo:Ticker", "params": {"rate_hz": 20.0}, "bus": str(addr),
            "curve": keys, "parent_pid": os.getpid()}
    node = subprocess.Popen([sys.executable, "-m", "bus.runtime", json.dumps(spec)], cwd=ROOT)
    client = Client(addr, "_test", data=True, curve=curve)
    try:
        client.handshake(10)
        client.want("ticker/tick")
        deadline, ticks = time.monotonic() + 20, []
        while time.monotonic() < deadline and len(ticks) < 5:
            ticks += [m.decode(f)[2] for f in client.receive(100)]
        assert len(ticks) >= 5, "the graph's own processes talk over CURVE on both planes"
        status = client.directory.find("ticker")[0]

        for keys_held in ("", other):                    # no keys at all; somebody else's keys
            got = intruder(str(addr), status.endpoint, keys_held)
            assert got == {"handshake": False, "ctl_read": 0, "data_read": 0}, (keys_held, got)
            client.gather(1.0)
            alive = client.directory.find("ticker")
            assert node.poll() is None and alive and alive[0].pid == status.pid and alive[0].state == "ok"

        got = intruder(str(addr), status.endpoint, keys)   # control: with the keys, both work
        assert got["handshake"] and got["ctl_read"] > 0 and got["data_read"] > 0
        assert node.wait(10) == 0, "the stop command was authenticated and obeyed"
    finally:
        if node.poll() is None:
            node.kill()
        client.close()
        broker.stop()
