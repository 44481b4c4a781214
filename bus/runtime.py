"""Runs one node in its own process: `python -m bus.runtime SPEC_JSON` (the launcher does this).

The receive loop, in priority order each turn: control messages (commands, interrupts, heartbeats
of others), subscription changes on our XPUB, results from the worker thread, a bounded batch of
data, timers, our own heartbeat. Bad frames are dropped, counted and logged (rate-limited).

Make-before-break handover (README, "Swap"): the new incarnation starts in `standby`, attaches to
its producers and buffers what arrives. The launcher sends it `handover`; it tells the old one to
`retire`, with the first sequence number it buffered from each stream. The old one keeps taking
data until it has reached those (it may lag), stops, drains its worker, and sends the new one
`activate` with the last sequence number it took from each stream; the new one replays its buffer
past those and goes live. Nothing lost, nothing twice.
"""
from __future__ import annotations

import collections
import itertools
import json
import logging
import os
import queue
import signal
import sys
import threading
import time
import traceback
from dataclasses import asdict
from typing import Any, Callable, Optional

import zmq

from bus import log as buslog
from bus import messages as m
from bus.node import ParamError, load_class, parse_params, set_param
from bus.transport import (EVENT, HEARTBEAT_S, INTERRUPT, MARKER_PREFIX, STATUS, BusAddress, Client, hostname)

log = logging.getLogger("runtime")
DATA_BATCH = 256
STANDBY_BUFFER = 100_000


class Runtime:
    def __init__(self, spec: dict):
        self.spec = spec
        self.id: str = spec["id"]
        self.inc: str = spec.get("inc") or os.urandom(4).hex()
        self.cls = load_class(spec["cls"])
        params, problems = parse_params(self.cls, spec.get("params"), spec.get("where", self.id))
        if problems:
            raise ParamError("\n".join(problems))
        self.max_bytes = int(spec.get("max_bytes", 64 << 20))
        addr = BusAddress.parse(spec.get("bus", "127.0.0.1:7600"))
        self.client = Client(addr, self.id, self.inc, max_bytes=self.max_bytes, data=True,
                             ctl_topics=(f"_ctl/{self.id}", f"_ctl/{self.id}/{self.inc}", "_ctl/all", INTERRUPT))
        ctx = self.client.ctx
        self.pub = ctx.socket(zmq.XPUB)
        self.pub.setsockopt(zmq.LINGER, 1000)
        self.pub.setsockopt(zmq.SNDHWM, int(spec.get("hwm", 1000)))
        if spec.get("transport", "ipc") == "tcp":
            port = self.pub.bind_to_random_port(f"tcp://{spec.get('bind_host', '127.0.0.1')}")
            self.endpoint = f"tcp://{spec.get('advertise_host', spec.get('bind_host', '127.0.0.1'))}:{port}"
        else:
            os.makedirs(addr.rundir, exist_ok=True)
            self.endpoint = f"ipc://{addr.rundir}/{self.id.replace('/', '.')}-{self.inc}.sock"
            self.pub.bind(self.endpoint)
        self.out_topics = {o: f"{self.id}/{o}" for o in self.cls.outputs}
        self.in_map: dict[str, list[str]] = collections.defaultdict(list)
        for name, topic in spec.get("inputs", {}).items():
            self.in_map[topic].append(name)
            self.client.want(topic)
        self.pull = ctx.socket(zmq.PULL)
        self.pull_ep = f"inproc://out-{self.inc}"
        self.pull.bind(self.pull_ep)
        self.client.poller.register(self.pub, zmq.POLLIN)
        self.client.poller.register(self.pull, zmq.POLLIN)
        self.client.on_status = self._on_status

        self.counters: collections.Counter = collections.Counter()
        self.seq = {t: itertools.count(1) for t in self.out_topics.values()}
        self.last_seq: dict[tuple[str, str, str], int] = {}
        self.subscribers: set[str] = set()
        consumers = spec.get("consumers", {})
        self.gates = {self.out_topics[o]: (set(c), collections.deque(maxlen=10_000))
                      for o, c in consumers.items() if c and o in self.out_topics}
        self.gate_deadline = time.monotonic() + float(spec.get("ready_timeout_s", 5.0))
        self.state = "standby" if spec.get("standby") else "starting"
        self.health, self.health_reason, self.error_until = "ok", "", 0.0
        self.standby_buf: collections.deque = collections.deque(maxlen=STANDBY_BUFFER)
        self.retire_to: Optional[str] = None
        self.retire_first: dict[tuple[str, str, str], int] = {}
        self.retire_caught_up = False
        self.handover_from: Optional[tuple[str, float]] = None
        self.handed: dict[tuple[str, str, str], int] = {}
        self.retire_deadline = 0.0
        self.stop_requested = False
        self.timers: list[list] = []
        self.io_thread = threading.get_ident()
        self.local = threading.local()
        self._epoch = 0
        self.work: queue.Queue = queue.Queue()
        self.worker: Optional[threading.Thread] = None
        self.drop_log: dict[str, tuple[float, int]] = {}
        self.local_interrupts: collections.deque = collections.deque()
        self.last_status = 0.0
        self.started = time.monotonic()
        self.setup_done = threading.Event()
        self._event_later = None
        self.parent = int(spec.get("parent_pid", 0))   # stop when the launcher dies
        self.node = self.cls(self.id, params, self)

    # --- Port: what the node may call -------------------------------------------------------
    def publish(self, output: str, msg: Any, turn: Optional[int] = None) -> None:
        topic = self.out_topics.get(output)
        if topic is None:
            raise KeyError(f"node '{self.id}' has no output '{output}' (outputs: {sorted(self.out_topics)})")
        expected = self.cls.outputs[output]
        if not isinstance(msg, expected):
            raise TypeError(f"output '{output}' carries {expected.__name__}, not {type(msg).__name__}")
        if turn is None:   # a reply keeps its cause's turn
            h = self.current_header()
            turn = h.turn if h else 0
        frames = m.encode(topic, msg, self.id, self.inc, next(self.seq[topic]), turn)
        if threading.get_ident() == self.io_thread:
            self._send(topic, frames)
        else:
            push = getattr(self.local, "push", None)
            if push is None:
                push = self.local.push = self.client.ctx.socket(zmq.PUSH)
                push.connect(self.pull_ep)
            push.send_multipart(frames, copy=False)

    def interrupt(self, reason: str, turn: int) -> None:
        msg = m.Interrupt(reason, turn)
        if threading.get_ident() == self.io_thread:
            self.client.send_ctl(INTERRUPT, msg, turn)
        else:  # the control socket belongs to the receive loop: hand it over
            self.local_interrupts.append(msg)

    def add_timer(self, period_s: float, fn: Callable[[], None]) -> None:
        self.timers.append([time.monotonic() + period_s, period_s, fn])

    def set_health(self, state: str, reason: str = "") -> None:
        if state not in ("ok", "degraded", "error"):
            raise ValueError("health is ok, degraded or error")
        changed = (state, reason) != (self.health, self.health_reason)
        self.health, self.health_reason = state, reason
        if changed:
            self._status(force=True)

    def current_header(self) -> Optional[m.Header]:
        return getattr(self.local, "header", None)

    def cancelled(self) -> bool:
        return getattr(self.local, "epoch", self._epoch) != self._epoch

    # --- sending ---------------------------------------------------------------------------
    def _send(self, topic: str, frames: list) -> None:
        gate = self.gates.get(topic)
        if gate is not None:
            gate[1].append(frames)
            return
        self.pub.send_multipart(frames, copy=False)
        self.counters["tx"] += 1

    def _open_gates(self, now: float) -> None:
        attached = {s.rsplit("/", 1)[0] for s in self.subscribers}
        for topic, (want, buf) in list(self.gates.items()):
            if want <= attached or now > self.gate_deadline:
                if not want <= attached:
                    log.warning("%s: consumers %s not attached after %.0f s; sending anyway",
                                topic, sorted(want - attached), self.spec.get("ready_timeout_s", 5.0))
                del self.gates[topic]
                for frames in buf:
                    self._send(topic, frames)

    # --- receive loop ----------------------------------------------------------------------
    def run(self) -> int:
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        self.client.handshake(timeout_s=float(self.spec.get("connect_timeout_s", 10.0)))
        self.standby = self.state == "standby"
        self.state = "starting"
        self.setup_error: Optional[str] = None
        self._status(force=True)
        threading.Thread(target=self._setup, name=f"{self.id}-setup", daemon=True).start()
        poller = self.client.poller
        while not self.stop_requested:
            now = time.monotonic()
            wait_s = 0.05
            if self.timers and self.state == "ok":
                wait_s = max(0.0, min(wait_s, min(t[0] for t in self.timers) - now))
            if wait_s >= 0.001:
                events = dict(poller.poll(int(wait_s * 1000)))
            else:  # zmq_poll counts whole milliseconds: sleep the rest rather than spin a core
                events = dict(poller.poll(0))
                if not events and wait_s > 0:
                    time.sleep(wait_s)
            if self.client.ctl_sub in events:
                for _ in range(1000):
                    topic, header, msg = self.client.recv_ctl()
                    if topic is not None and topic != STATUS:
                        self._on_control(topic, header, msg)
                    if not _pending(self.client.ctl_sub):
                        break
            while self.local_interrupts:
                self.client.send_ctl(INTERRUPT, self.local_interrupts.popleft())
            if self.pub in events:
                while _pending(self.pub):
                    self._on_subscription(self.pub.recv())
            if self.pull in events:
                while _pending(self.pull):
                    frames = self.pull.recv_multipart(copy=False)
                    self._send(frames[0].bytes[:-1].decode(), frames)
            if self.state == "starting" and self.setup_done.is_set():
                if self.setup_error:
                    self._event(*self._event_later)
                    self.state = "error"
                    self.last_status = 0
                    self._status(force=True)
                    time.sleep(0.2)
                    self._close()
                    return 3
                if self.cls.blocking:
                    self.worker = threading.Thread(target=self._work_loop, name=f"{self.id}-worker", daemon=True)
                    self.worker.start()
                self.state = "standby" if self.standby else "ok"
                log.info("ready (setup took %.1f s)", time.monotonic() - self.started)
                self._status(force=True)
            if self.client.data_sub in events and not self.retire_caught_up and self.state != "starting":
                for _ in range(DATA_BATCH):
                    self._on_data(_recv(self.client.data_sub))
                    if not _pending(self.client.data_sub):
                        break
            now = time.monotonic()
            if self.gates:
                self._open_gates(now)
            if self.state == "ok":
                for t in self.timers:
                    if now >= t[0]:
                        t[0] = max(t[0] + t[1], now)
                        self._call(t[2], None, None, self._epoch)
            if self.handover_from is not None:
                self._send_retire(now)
            if self.retire_to is not None:
                if not self.retire_caught_up:
                    self.retire_caught_up = now > self.retire_deadline or (
                        not _pending(self.client.data_sub) and all(
                            self.last_seq.get(k, 0) >= seq - 1 for k, seq in self.retire_first.items()))
                if self.retire_caught_up and (self.work.unfinished_tasks == 0 or now > self.retire_deadline + 1):
                    self._finish_handover()
            if now - self.last_status >= HEARTBEAT_S:
                if self.parent and os.getppid() != self.parent:
                    log.error("the launcher (pid %d) is gone: stopping", self.parent)
                    break
                self.client.expire()
                self._status()
        return self._shutdown()

    def _setup(self) -> None:
        """Load models off the receive loop, so the node attaches to its producers (and their
        messages queue for it) while it loads."""
        try:
            self.node.setup()
        except Exception as e:
            log.error("setup failed: %s\n%s", e, traceback.format_exc())
            self.health, self.health_reason = "error", f"setup failed: {e}"
            self.setup_error = str(e)
            self._event_later = ("error", "setup_failed", f"{type(e).__name__}: {e}")
        self.setup_done.set()

    def _on_signal(self, signum, frame) -> None:
        self.stop_requested = True

    def _on_data(self, frames: list) -> None:
        try:
            topic, h, msg = m.decode(frames, self.max_bytes)
        except m.BadMessage as e:
            return self._drop(e.reason, str(e))
        names = self.in_map.get(topic)
        if not names:
            return self._drop("unexpected_topic", topic)
        inputs = self.cls.inputs
        if not any(isinstance(msg, inputs[n]) for n in names):
            return self._drop("wrong_type", f"{topic} carries {h.type}; input '{names[0]}' takes {inputs[names[0]].TAG}")
        key = (topic, h.src, h.inc)
        last = self.last_seq.get(key, 0)
        if h.seq <= last:
            return self._drop("duplicate", f"{topic} seq {h.seq} from {h.src}")
        if last and h.seq > last + 1:
            self.counters["gaps"] += h.seq - last - 1
        self.last_seq[key] = h.seq
        self.counters["rx"] += 1
        if self.state == "standby":
            self.standby_buf.append((topic, h, msg))
            return
        if self.handed and h.seq <= self.handed.get(key, 0):
            self.counters["taken_by_predecessor"] += 1   # it arrived here later than there
            return
        self._dispatch(names, h, msg)

    def _dispatch(self, names: list[str], h: m.Header, msg: Any) -> None:
        for name in names:
            if not isinstance(msg, self.cls.inputs[name]):
                continue
            handler = getattr(self.node, f"on_{name}")
            if name in self.cls.blocking:
                self.work.put((self._epoch, handler, h, msg))
            else:
                self._call(handler, h, msg, self._epoch)

    def _call(self, fn, h: Optional[m.Header], msg: Any, epoch: int) -> None:
        self.local.header, self.local.epoch = h, epoch
        try:
            fn() if msg is None else fn(msg)
        except Exception as e:
            self.counters["handler_errors"] += 1
            name = getattr(fn, "__name__", "handler")
            log.error("%s failed: %s\n%s", name, e, traceback.format_exc(limit=6))
            self.error_until = time.monotonic() + 30
            self.health_reason = f"{name}: {type(e).__name__}: {e}"[:200]
            if threading.get_ident() == self.io_thread:
                self._event("error", "handler_error", self.health_reason)
        finally:
            self.local.header = None

    def _work_loop(self) -> None:
        while True:
            epoch, handler, h, msg = self.work.get()
            try:
                if epoch == self._epoch:
                    self._call(handler, h, msg, epoch)
                else:
                    self.counters["dropped_interrupted"] += 1
            finally:
                self.work.task_done()

    def _on_subscription(self, raw: bytes) -> None:
        if not raw:
            return
        sub, topic = raw[0] == 1, raw[1:].rstrip(b"\0").decode(errors="replace")
        if not topic.startswith(MARKER_PREFIX):
            return
        who = topic[len(MARKER_PREFIX):]
        (self.subscribers.add if sub else self.subscribers.discard)(who)
        self._status(force=True)

    def _on_status(self, status: m.NodeStatus, new: bool) -> None:
        if new:  # a newcomer: tell it about us now rather than at the next heartbeat
            self._status(force=True, min_gap=0.05)

    def _on_control(self, topic: str, header: m.Header, msg: Any) -> None:
        if isinstance(msg, m.Interrupt):
            self._epoch += 1
            self.counters["interrupts"] += 1
            while True:  # queued work of the interrupted turn is dropped
                try:
                    self.work.get_nowait()
                    self.work.task_done()
                    self.counters["dropped_interrupted"] += 1
                except queue.Empty:
                    break
            return self._call(self.node.on_interrupt, header, msg, self._epoch)
        if not isinstance(msg, m.Command) or msg.op == "ping":
            return
        ok, text, data = True, "", {}
        try:
            if msg.op == "param_set":
                key, value = msg.args.get("key"), msg.args.get("value")
                set_param(self.node.params, key, value)
                self.node.on_param(key, value)
                text = f"{self.id}: {key} = {value!r}"
                log.info("param %s set to %r", key, value)
            elif msg.op == "param_get":
                data = asdict(self.node.params)
            elif msg.op == "handover":   # to the new incarnation, from the launcher
                if self.state != "standby":
                    raise ValueError(f"handover needs a standby node; this one is {self.state}")
                self.handover_from = (str(msg.args["predecessor"]), time.monotonic() + 1.0)
                text = "handing over"
            elif msg.op == "retire":     # to the old incarnation, from the new one
                self.retire_to = str(msg.args["successor"])
                self.retire_first = {(t, s_, i): seq for t, s_, i, seq in msg.args.get("first", [])}
                self.retire_deadline = time.monotonic() + 2.0
                self.state = "stopping"
                text = "retiring"
            elif msg.op == "activate":
                self._activate(msg.args.get("last", []))
                text = "active"
            elif msg.op == "stop":
                self.stop_requested = True
            else:
                ok, text = False, f"unknown op '{msg.op}'"
        except (ParamError, KeyError, TypeError, ValueError) as e:
            ok, text = False, str(e)
        if msg.req_id:
            self.client.send_ctl(f"_sys/result/{msg.req_id}", m.CommandResult(msg.req_id, ok, text, data))
        self._status(force=True)

    def _send_retire(self, now: float) -> None:
        """Once a message of every live input stream is buffered (or after a second), tell the
        predecessor where our buffer starts, so it can catch up to there before it stops."""
        first: dict = {}
        for t, h, _ in self.standby_buf:
            first.setdefault((t, h.src, h.inc), h.seq)
        seen = {k[0] for k in first}
        live = {t for t in self.in_map if self.client.directory.producers(t)}
        predecessor, deadline = self.handover_from
        if live - seen and now < deadline:
            return
        self.handover_from = None
        self.client.send_ctl(f"_ctl/{self.id}/{predecessor}", m.Command(
            "retire", {"successor": self.inc, "first": [[*k, v] for k, v in first.items()]}))

    def _finish_handover(self) -> None:
        last = [[t, s, i, seq] for (t, s, i), seq in self.last_seq.items()]
        self.client.send_ctl(f"_ctl/{self.id}/{self.retire_to}", m.Command("activate", {"last": last}))
        log.info("handed over to %s after %d message(s)", self.retire_to, self.counters["rx"])
        self.stop_requested = True

    def _activate(self, last: list) -> None:
        if self.state != "standby":
            return
        done = {(t, s, i): seq for t, s, i, seq in last}
        self.handed = done
        self.state = "ok"
        replayed = 0
        for topic, h, msg in self.standby_buf:
            if h.seq > done.get((topic, h.src, h.inc), 0):
                self._dispatch(self.in_map[topic], h, msg)
                replayed += 1
        self.standby_buf.clear()
        log.info("active (replayed %d buffered message(s))", replayed)

    # --- status and events -------------------------------------------------------------------
    def _state(self) -> str:
        if self.state != "ok":
            return self.state
        if self.health == "ok" and time.monotonic() < self.error_until:
            return "degraded"
        return self.health

    def _status(self, force: bool = False, min_gap: float = 0.0) -> None:
        now = time.monotonic()
        if not force and now - self.last_status < HEARTBEAT_S:
            return
        if now - self.last_status < min_gap:
            return
        self.last_status = now
        reason = self.health_reason if self._state() != "ok" else ""
        try:
            params = asdict(self.node.params)
        except Exception:
            params = {}
        self.client.send_ctl(STATUS, m.NodeStatus(
            node=self.id, inc=self.inc, cls=self.spec["cls"], pid=os.getpid(), host=hostname(),
            state=self._state(), reason=reason, endpoint=self.endpoint,
            outputs={t: self.cls.outputs[o].TAG for o, t in self.out_topics.items()},
            inputs=dict(self.spec.get("inputs", {})), subscribers=sorted(self.subscribers),
            ready=self.client.attached_to_all(), params=params,
            counters=dict(self.counters, **({"dropped_control": self.client.dropped_ctl} if self.client.dropped_ctl else {})),
            uptime=now - self.started))

    def _event(self, level: str, kind: str, text: str) -> None:
        self.client.send_ctl(EVENT, m.NodeEvent(self.id, level, kind, text))

    def _drop(self, reason: str, detail: str) -> None:
        self.counters["dropped"] += 1
        self.counters[f"dropped_{reason}"] += 1
        now = time.monotonic()
        last, quiet = self.drop_log.get(reason, (0.0, 0))
        if now - last >= 1.0:
            more = f" (+{quiet} more since last report)" if quiet else ""
            log.warning("dropped a message: %s: %s%s", reason, detail[:200], more)
            self.drop_log[reason] = (now, 0)
        else:
            self.drop_log[reason] = (last, quiet + 1)

    def _shutdown(self) -> int:
        self.state = "stopping"
        self._status(force=True)
        try:
            self.node.teardown()
        except Exception as e:
            log.error("teardown failed: %s", e)
        for topic, (_, buf) in list(self.gates.items()):
            del self.gates[topic]
            for frames in buf:
                self._send(topic, frames)
        self.state = "stopped"
        self.last_status = 0
        self._status(force=True)
        self._close()
        return 0

    def _close(self) -> None:
        self.pub.close(linger=1000)
        self.pull.close(linger=0)
        self.client.close()
        if self.endpoint.startswith("ipc://"):
            try:
                os.unlink(self.endpoint[len("ipc://"):])
            except OSError:
                pass


def _recv(sock) -> list:
    """One multipart message: topic and header copied (small: cheapest as bytes), any array
    frames after them zero-copy."""
    parts = [sock.recv()]
    while sock.getsockopt(zmq.RCVMORE):
        parts.append(sock.recv(copy=len(parts) < 2))
    return parts


def _pending(sock) -> bool:
    """A message is waiting (cheaper than sock.poll(0), which builds a poller each call)."""
    return bool(sock.getsockopt(zmq.EVENTS) & zmq.POLLIN)


def main(argv: list[str]) -> int:
    spec = json.loads(argv[0])
    buslog.setup(spec["id"], spec.get("log_level", "INFO"))
    try:
        runtime = Runtime(spec)
    except (ImportError, ParamError, TypeError, ConnectionError) as e:
        log.error("cannot start: %s", e)
        return 2
    try:
        return runtime.run()
    except ConnectionError as e:
        log.error("%s", e)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
