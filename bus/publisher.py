"""A transient producer for tools (`topic pub`, `bag play`): binds a data XPUB, announces its
topics in status heartbeats like a node, and waits until the graph's readers are attached."""
from __future__ import annotations

import itertools
import os
import time
from typing import Any, Optional

from bus import messages as m
from bus.sockets import Curve
from bus.transport import HEARTBEAT_S, MARKER_PREFIX, STATUS, BusAddress, Client, hostname


class Publisher:
    """Single-threaded: use it from the thread that made it."""

    def __init__(self, addr: BusAddress, topics: dict[str, str], name: str = "", curve: Optional[Curve] = None):
        self.name = name or f"_pub/{os.getpid()}"
        self.client = Client(addr, self.name, curve=curve)
        self.client.handshake(timeout_s=3.0)
        self.topics = topics
        self.pub = self.client.sockets.data_pub(100_000)
        os.makedirs(addr.rundir, exist_ok=True)
        self.endpoint = f"ipc://{addr.rundir}/{self.name.replace('/', '.')}-{self.client.inc}.sock"
        self.pub.bind(self.endpoint)
        self.subscribers: set[str] = set()
        self.seq = itertools.count(1)
        self.last_status = 0.0
        self.t0 = time.monotonic()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def pump(self, state: str = "ok") -> None:
        while self.pub.poll(0):
            raw = self.pub.recv()
            topic = raw[1:].rstrip(b"\0").decode(errors="replace")
            if topic.startswith(MARKER_PREFIX):
                (self.subscribers.add if raw[0] == 1 else self.subscribers.discard)(topic[len(MARKER_PREFIX):])
        while self.client.ctl_sub.poll(0):
            self.client.recv_ctl()
        now = time.monotonic()
        if now - self.last_status >= HEARTBEAT_S or state == "stopped":
            self.last_status = now
            self.client.send_ctl(STATUS, m.NodeStatus(
                node=self.name, inc=self.client.inc, cls="bus.publisher:Publisher", pid=os.getpid(),
                host=hostname(), state=state, endpoint=self.endpoint, outputs=dict(self.topics),
                subscribers=sorted(self.subscribers), uptime=now - self.t0))

    def readers(self) -> set[str]:
        return {s.node for s in self.client.directory.statuses() if set(s.inputs.values()) & set(self.topics)}

    def wait_for_consumers(self, timeout_s: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout_s
        self.last_status = 0.0
        while time.monotonic() < deadline:
            self.pump()
            readers = self.readers()
            if readers and readers <= {s.rsplit("/", 1)[0] for s in self.subscribers}:
                return True
            time.sleep(0.02)
        return False

    def send(self, topic: str, msg: Any, turn: int = 0) -> None:
        """Publish; a message with no turn begins a new one (a typed utterance is a turn)."""
        self.pump()
        self.pub.send_multipart(m.encode(topic, msg, self.name, self.client.inc, next(self.seq),
                                         turn or m.new_turn()), copy=False)

    def close(self) -> None:
        self.pump(state="stopped")
        self.pub.close(linger=1000)
        self.client.close()
        try:
            os.unlink(self.endpoint[len("ipc://"):])
        except OSError:
            pass
