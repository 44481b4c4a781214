"""ZeroMQ plumbing shared by node processes, the launcher and the CLI.

Two planes (README, "Transport"):
- control plane: every process connects a PUB and a SUB to the broker's XSUB/XPUB proxy (owned by
  the launcher). Status heartbeats, commands, events and interrupts travel here, so they are never
  queued behind bulk data.
- data plane: every node binds one XPUB; consumers connect a SUB straight to the producers of the
  topics they need, found through the status heartbeats (discovery). One hop, no proxy.
"""
from __future__ import annotations

import logging
import os
import socket
import time
from dataclasses import dataclass
from typing import Any, Callable, Optional

import zmq

from bus import messages as m
from bus.sockets import Curve, Sockets

log = logging.getLogger("bus")

STATUS = "_sys/status"
EVENT = "_sys/event"
INTERRUPT = "_int"
LIVENESS_S = 3.0          # a node unheard of for this long is gone
HEARTBEAT_S = 0.5
_POLLIN = int(zmq.POLLIN)      # plain ints on the data path: `&` with an enum flag runs Python code
_NOBLOCK = int(zmq.NOBLOCK)


@dataclass(frozen=True)
class BusAddress:
    host: str = "127.0.0.1"
    port: int = 7600

    @classmethod
    def parse(cls, text: str) -> "BusAddress":
        host, _, port = text.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"bus address '{text}' must look like HOST:PORT, e.g. 127.0.0.1:7600")
        return cls(host, int(port))

    @property
    def ctl_in(self) -> str:     # processes publish here (broker XSUB)
        return f"tcp://{self.host}:{self.port}"

    @property
    def ctl_out(self) -> str:    # processes subscribe here (broker XPUB)
        return f"tcp://{self.host}:{self.port + 1}"

    @property
    def rundir(self) -> str:     # ipc endpoints of local nodes
        return f"/tmp/kiosk-bus-{self.port}"

    def __str__(self):
        return f"{self.host}:{self.port}"


def topic_frame(topic: str) -> bytes:
    return topic.encode() + b"\0"


# A SUB socket sends its subscriptions to a new producer in byte order, and the producer's XPUB
# applies them in that order. '~' sorts after every topic name, so when a producer sees a
# consumer's marker, that consumer's topic subscriptions are already in force: nothing published
# after the marker is filtered out. ("_sub/" sorted first and lost a message now and then.)
MARKER_PREFIX = "~sub/"


def marker(node: str, inc: str) -> str:
    """Subscribed by every consumer on every producer: tells the producer who is attached."""
    return f"{MARKER_PREFIX}{node}/{inc}"


class Directory:
    """Live nodes as seen from their heartbeats."""

    def __init__(self):
        self.nodes: dict[tuple[str, str], tuple[m.NodeStatus, float]] = {}

    def update(self, status: m.NodeStatus, now: float) -> bool:
        """Stopped nodes are kept until they expire: their last data may still be in flight,
        and disconnecting a pipe mid-message trips libzmq."""
        key = (status.node, status.inc)
        new = key not in self.nodes and status.state != "stopped"
        self.nodes[key] = (status, now)
        return new

    def touch(self, node: str, inc: str, now: float) -> None:
        """Data from a known node: it lives, even if its heartbeat is late."""
        entry = self.nodes.get((node, inc))
        if entry is not None and entry[1] < now:
            self.nodes[(node, inc)] = (entry[0], now)

    def expire(self, now: float) -> list[m.NodeStatus]:
        gone = [s for s, seen in self.nodes.values() if now - seen > LIVENESS_S]
        for s in gone:
            del self.nodes[(s.node, s.inc)]
        return gone

    def statuses(self, stopped: bool = False) -> list[m.NodeStatus]:
        return [s for s, _ in self.nodes.values() if stopped or s.state != "stopped"]

    def producers(self, topic: str) -> list[m.NodeStatus]:
        return [s for s in self.statuses() if topic in s.outputs and s.endpoint]

    def find(self, node: str) -> list[m.NodeStatus]:
        return [s for s in self.statuses() if s.node == node]


class Client:
    """A control-plane participant (and optionally a data consumer): used by the node runtime,
    the launcher and CLI tools. Single-threaded: call `poll()` from the thread that made it."""

    def __init__(self, addr: BusAddress, name: str, inc: Optional[str] = None,
                 ctl_topics: tuple[str, ...] = (), data: bool = False, max_bytes: int = 64 << 20,
                 curve: Optional[Curve] = None):
        self.addr, self.name = addr, name
        self.inc = inc or os.urandom(4).hex()
        self.max_bytes = max_bytes
        self.sockets = Sockets(curve)
        self.ctx = self.sockets.ctx
        self.ctl_pub = self.sockets.ctl_pub()
        self.ctl_pub.connect(addr.ctl_in)
        self.ctl_sub = self.sockets.ctl_sub()
        for t in (STATUS, f"_sys/ping/{name}/{self.inc}", "_sys/result/", *ctl_topics):
            self.ctl_sub.setsockopt(zmq.SUBSCRIBE, topic_frame(t) if not t.endswith("/") else t.encode())
        self.ctl_sub.connect(addr.ctl_out)
        self.directory = Directory()
        self.data_sub = None
        self.wanted: set[str] = set()
        self.connected: dict[str, tuple[str, str]] = {}   # endpoint -> (node, inc)
        self.to_disconnect: set[str] = set()
        if data:
            self.data_sub = self.sockets.data_sub()
            self.data_sub.setsockopt(zmq.SUBSCRIBE, topic_frame(marker(name, self.inc)))
        self.poller = zmq.Poller()
        self.poller.register(self.ctl_sub, zmq.POLLIN)
        if self.data_sub is not None:
            self.poller.register(self.data_sub, zmq.POLLIN)
        self.on_status: Optional[Callable[[m.NodeStatus, bool], None]] = None
        self._seq = 0
        self.dropped_ctl = 0

    # --- control plane ---
    def handshake(self, timeout_s: float = 5.0) -> None:
        """Block until our own ping comes back through the broker: both control paths work and
        our subscriptions have reached it."""
        deadline = time.monotonic() + timeout_s
        topic = f"_sys/ping/{self.name}/{self.inc}"
        while time.monotonic() < deadline:
            self.send_ctl(topic, m.Command("ping"))
            if self.ctl_sub.poll(50):
                t, _, _ = self.recv_ctl()
                if t == topic:
                    return
                while self.ctl_sub.poll(0):
                    if self.recv_ctl()[0] == topic:
                        return
        raise ConnectionError(
            f"no control-plane broker answers at {self.addr}. Start the graph first "
            f"(python run.py launch launch/FILE.yaml) or pass --bus HOST:PORT.")

    def send_ctl(self, topic: str, msg: Any, turn: int = 0) -> None:
        self._seq += 1
        self.ctl_pub.send_multipart(m.encode(topic, msg, self.name, self.inc, self._seq, turn))

    def recv_ctl(self) -> tuple[Optional[str], Optional[m.Header], Any]:
        """One control message; statuses also update the directory. Bad frames -> (None,...)."""
        frames = self.ctl_sub.recv_multipart(copy=False)
        try:
            topic, header, msg = m.decode(frames, self.max_bytes)
        except m.BadMessage as e:
            self.dropped_ctl += 1
            if self.dropped_ctl == 1 or self.dropped_ctl % 1000 == 0:
                log.warning("dropped a bad control message (%d so far): %s", self.dropped_ctl, e)
            return None, None, None
        if isinstance(msg, m.NodeStatus):
            new = self.directory.update(msg, time.monotonic())
            self._attach()
            if self.on_status:
                self.on_status(msg, new)
        return topic, header, msg

    def request(self, topic: str, op: str, args: Optional[dict] = None,
                timeout_s: float = 10.0) -> m.CommandResult:
        """Send a Command and wait for its CommandResult."""
        req_id = os.urandom(6).hex()
        self.send_ctl(topic, m.Command(op, args or {}, req_id))
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.ctl_sub.poll(50):
                _, _, msg = self.recv_ctl()
                if isinstance(msg, m.CommandResult) and msg.req_id == req_id:
                    return msg
        return m.CommandResult(req_id, False, f"no answer from {topic} within {timeout_s:.0f} s")

    def gather(self, seconds: float) -> list[m.NodeStatus]:
        """Listen for heartbeats for a while; returns the live nodes."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.ctl_sub.poll(20):
                self.recv_ctl()
        return self.directory.statuses()

    # --- data plane (consumers) ---
    def want(self, topic: str) -> None:
        if self.data_sub is None:
            raise RuntimeError("client made without data=True")
        if topic not in self.wanted:
            self.wanted.add(topic)
            self.data_sub.setsockopt(zmq.SUBSCRIBE, topic_frame(topic))
            self._attach()

    def _attach(self) -> None:
        """Connect to new producers of wanted topics at once; disconnect gone ones only once the
        data socket is drained (`drain`). A SUB that polls has already read the first frame of the
        next message from one producer's pipe: disconnecting that pipe then makes the next recv
        abort the process (libzmq `Assertion failed: !_more (src/fq.cpp:80)`) or glue two
        producers' frames together. docs/bus.md, "The fq.cpp assertion"."""
        if self.data_sub is None:
            return
        live = {}
        for s in self.directory.statuses(stopped=True):
            if s.endpoint and (s.node, s.inc) != (self.name, self.inc) and self.wanted & set(s.outputs):
                live[s.endpoint] = (s.node, s.inc)
        for ep in set(self.connected) - set(live):
            node, inc = self.connected.pop(ep)
            self.to_disconnect.add(ep)
            log.info("data: %s/%s is gone (no heartbeat for %.0f s); closing the connection to it", node, inc, LIVENESS_S)
        for ep, key in live.items():
            if ep not in self.connected:
                if ep in self.to_disconnect:   # back before the old connection was closed: keep that one
                    self.to_disconnect.discard(ep)
                else:
                    self.data_sub.connect(ep)
                self.connected[ep] = key

    def drain(self, limit: int = 1000, ready: bool = False) -> list[list]:
        """Read up to `limit` whole data messages (topic and header as bytes, array frames
        zero-copy). `ready`: a poll has just seen the data socket readable, so the first read needs
        no check (each check of ZMQ_EVENTS is a system call). Pending disconnects happen only when
        nothing is left half-read."""
        out = []
        sock = self.data_sub
        while len(out) < limit and (ready or sock.get(zmq.EVENTS) & _POLLIN):
            if ready:   # without a check: NOBLOCK, in case the poll's news is stale
                ready = False
                try:
                    f = sock.recv(_NOBLOCK, copy=False)
                except zmq.Again:
                    continue
            else:
                f = sock.recv(copy=False)
            parts = [f.bytes]
            while f.more:
                f = sock.recv(copy=False)
                parts.append(f.bytes if len(parts) < 2 else f)
            out.append(parts)
        if self.to_disconnect and not sock.get(zmq.EVENTS) & _POLLIN:
            for ep in self.to_disconnect:
                try:
                    sock.disconnect(ep)
                except zmq.ZMQError:
                    pass
            self.to_disconnect.clear()
        return out

    def recv_ready(self) -> Optional[list]:
        """One whole data message, as `drain(1, ready=True)` reads it, or None when the poll's news
        was stale (the first message after a poll: one loop and one list fewer)."""
        sock = self.data_sub
        try:
            f = sock.recv(_NOBLOCK, copy=False)
        except zmq.Again:   # stale news: as drain does, ask the socket once more
            got = self.drain(1)
            return got[0] if got else None
        parts = [f.bytes]
        while f.more:
            f = sock.recv(copy=False)
            parts.append(f.bytes if len(parts) < 2 else f)
        if self.to_disconnect:
            self.drain(0)   # applies pending disconnects when nothing is left half-read
        return parts

    def receive(self, timeout_ms: int = 100) -> list[list]:
        """Wait up to timeout_ms; handle control traffic; return the data messages (raw frames)."""
        events = dict(self.poller.poll(timeout_ms))
        if self.ctl_sub in events:
            while self.ctl_sub.getsockopt(zmq.EVENTS) & zmq.POLLIN:
                self.recv_ctl()
        if self.data_sub is None:
            return []
        out = []
        while True:
            got = self.drain()
            out.extend(got)
            if len(got) < 1000:
                return out

    def expire(self, now: Optional[float] = None) -> list[m.NodeStatus]:
        gone = self.directory.expire(time.monotonic() if now is None else now)
        if gone:
            self._attach()
        return gone

    def attached_to_all(self) -> bool:
        """Every live producer of every wanted topic lists our marker among its subscribers."""
        me = f"{self.name}/{self.inc}"
        for topic in self.wanted:
            for s in self.directory.producers(topic):
                if me not in s.subscribers:
                    return False
        return True

    def close(self) -> None:
        for s in (self.ctl_pub, self.ctl_sub, self.data_sub):
            if s is not None:
                s.close(linger=200 if s is self.ctl_pub else 0)


def hostname() -> str:
    return socket.gethostname()
