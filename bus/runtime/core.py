"""The node runtime: one process, one I/O thread that owns every socket.

Threads: the I/O thread runs the receive loop and is the only one to touch a socket. `setup()`
runs on a setup thread; inputs in `blocking` run on one worker thread. Both hand what they need
sent (publish, interrupt, health, errors, finished messages) to the I/O thread through `Calls`,
which wakes the loop at once.

Each loop turn: control first (commands, interrupts, heartbeats of others), handed-over calls,
subscription changes on our XPUB, then the data socket drained into per-input QoS queues; then
up to DISPATCH queued messages are handled, and control is checked again before each of them.
"""
from __future__ import annotations

import collections
import logging
import os
import signal
import threading
import time
import traceback
from typing import Any, Callable, Optional

import zmq
from zmq import zmq_poll

from bus import messages as m
from bus.node import ParamError, input_qos, load_class, parse_params
from bus.runtime.calls import Calls
from bus.runtime.control import Control
from bus.runtime.dispatch import Dispatch
from bus.runtime.handover import Handover
from bus.runtime.inbox import Inbox
from bus.runtime.intake import Intake
from bus.runtime.outbox import Outbox, origin_of
from bus.runtime.status import Reporting
from bus.sockets import load_curve
from bus.transport import HEARTBEAT_S, INTERRUPT, MARKER_PREFIX, BusAddress, Client, topic_frame

log = logging.getLogger("runtime")
DISPATCH = 64          # messages handled (and drained) per loop turn; control is checked before each
DRAIN_S = 0.005
BACKPRESSURE = 1024    # queued messages past which the data socket is left alone
ACK_S = 0.05
POLLIN = int(zmq.POLLIN)   # a plain int: `&` with the enum flag runs Python code


class Runtime(Reporting, Handover, Control, Dispatch):
    def __init__(self, spec: dict):
        self.spec = spec
        self.id: str = spec["id"]
        self.inc: str = spec.get("inc") or os.urandom(4).hex()
        self.cls = load_class(spec["cls"])
        params, problems = parse_params(self.cls, spec.get("params"), spec.get("where", self.id))
        if problems:
            raise ParamError("\n".join(problems))
        self.qos = input_qos(self.cls, spec.get("qos"))
        self.max_bytes = int(spec.get("max_bytes", 64 << 20))
        addr = BusAddress.parse(spec.get("bus", "127.0.0.1:7600"))
        self.client = Client(addr, self.id, self.inc, max_bytes=self.max_bytes, data=True, curve=load_curve(spec.get("curve")),
                             ctl_topics=(f"_ctl/{self.id}", f"_ctl/{self.id}/{self.inc}", "_ctl/all", INTERRUPT))
        self.pub = self.client.sockets.data_pub(int(spec.get("hwm", 1000)))
        if spec.get("transport", "ipc") == "tcp":
            port = self.pub.bind_to_random_port(f"tcp://{spec.get('bind_host', '127.0.0.1')}")
            self.endpoint = f"tcp://{spec.get('advertise_host', spec.get('bind_host', '127.0.0.1'))}:{port}"
        else:
            os.makedirs(addr.rundir, exist_ok=True)
            self.endpoint = f"ipc://{addr.rundir}/{self.id.replace('/', '.')}-{self.inc}.sock"
            self.pub.bind(self.endpoint)
        self.out_topics = {o: f"{self.id}/{o}" for o in self.cls.outputs}
        self.out_types = {o: (t, self.cls.outputs[o]) for o, t in self.out_topics.items()}
        self.in_map: dict[str, list[str]] = collections.defaultdict(list)
        for name, topic in spec.get("inputs", {}).items():
            self.in_map[topic].append(name)
            self.client.want(topic)
        if self.in_map:   # producers' interrupts, in band ("_int" sorts before the marker)
            self.client.data_sub.setsockopt(zmq.SUBSCRIBE, topic_frame(INTERRUPT))
        self.calls = Calls()
        self.poller = self.client.poller
        self.poller.register(self.pub, zmq.POLLIN)
        self.poller.register(self.calls.fd, zmq.POLLIN)
        self.client.on_status = self._on_status

        self.counters: collections.Counter = collections.Counter()
        declared = {self.out_topics[o]: set(c) for o, c in spec.get("consumers", {}).items() if c and o in self.out_topics}
        self.outbox = Outbox(self.id, self.inc, self.pub, list(self.out_topics.values()), declared,
                             int(spec.get("retain_bytes", 32 << 20)), self.counters,
                             int(spec.get("backlog_bytes", 64 << 20)), release=lambda cause: self.intake.done(*cause))
        self.intake = Intake()
        self.inbox = Inbox(self.qos)
        self.loop_inputs = [n for n in self.cls.inputs if n not in self.cls.blocking]
        self.work_inputs = [n for n in self.cls.inputs if n in self.cls.blocking]
        self.loop_set = frozenset(self.loop_inputs)
        self.keep_all = frozenset(n for n in self.loop_inputs if self.qos[n].keep != "latest")
        self.subscribers: set[str] = set()
        self.state = "standby" if spec.get("standby") else "starting"
        self.health, self.health_reason, self.error_until = "ok", "", 0.0
        self.turn_floor = 0                 # messages of older turns (not 0) are dropped
        self.epoch = 0                      # interrupts so far (cancels work of turn 0)
        self.seen_interrupts: collections.deque = collections.deque(maxlen=256)
        self.standby_buf: list = []
        self.retire_to: Optional[str] = None
        self.retire_first: dict = {}
        self.retire_caught_up = False
        self.handover_from: Optional[tuple[str, float]] = None
        self.handed: dict = {}
        self.retire_deadline = 0.0
        self.stop_requested = False
        self.timers: list[list] = []
        self.io_thread = threading.get_ident()
        self.local = threading.local()
        self.worker: Optional[threading.Thread] = None
        self.worker_busy = False
        self.drop_log: dict[str, tuple[float, int]] = {}
        self.last_status = self.last_ack = self.drained = 0.0
        self.data_polled = True
        self.started = time.monotonic()
        self.setup_done = threading.Event()
        self.setup_error: Optional[tuple] = None
        self.parent = int(spec.get("parent_pid", 0))   # stop when the launcher dies
        self.node = self.cls(self.id, params, self)
        missing = [f"on_{n}" for n in self.cls.inputs if not callable(getattr(self.node, f"on_{n}", None))]
        if missing:
            raise TypeError(f"{spec['cls']} declares inputs without handlers: define {', '.join(missing)}")
        self.handlers = {n: getattr(self.node, f"on_{n}") for n in self.cls.inputs}

    # --- Port: what the node may call, from any of its threads --------------------------------
    def publish(self, output: str, msg: Any, turn: Optional[int] = None) -> None:
        out = self.out_types.get(output)
        if out is None:
            raise KeyError(f"node '{self.id}' has no output '{output}' (outputs: {sorted(self.out_topics)})")
        topic, expected = out
        if not isinstance(msg, expected):
            raise TypeError(f"output '{output}' carries {expected.__name__}, not {type(msg).__name__}")
        local = self.local
        if turn is None:   # a reply keeps its cause's turn
            h = getattr(local, "header", None)
            turn = h.turn if h else 0
        origin, held = 0, None
        cause = getattr(local, "cause", None)
        if cause is not None:   # published while handling an input: held until acknowledged, origin derived
            key, seq, in_origin, counts = cause
            n = counts[topic] = counts.get(topic, 0) + 1
            origin, held = origin_of(in_origin, topic, n), (key, seq)
        if threading.get_ident() == self.io_thread:
            self._send(topic, msg, turn, origin, held)
        else:              # numbered and sent on the I/O thread, in the order published
            self.calls.put(self._send, topic, msg, turn, origin, held)

    def interrupt(self, reason: str, turn: int) -> None:
        self.turn_floor = max(self.turn_floor, turn)   # our own blocking work sees cancelled() now
        self.epoch += 1
        msg = m.Interrupt(reason, turn)
        if threading.get_ident() == self.io_thread:
            self._raise_interrupt(msg)
        else:
            self.calls.put(self._raise_interrupt, msg)

    def add_timer(self, period_s: float, fn: Callable[[], None]) -> None:
        self.timers.append([time.monotonic() + period_s, period_s, fn])

    def set_health(self, state: str, reason: str = "") -> None:
        if state not in ("ok", "degraded", "error"):
            raise ValueError("health is ok, degraded or error")
        changed = (state, reason) != (self.health, self.health_reason)
        self.health, self.health_reason = state, reason
        if changed:
            self.on_io(self._status, True)

    def current_header(self) -> Optional[m.Header]:
        return getattr(self.local, "header", None)

    def cancelled(self) -> bool:
        h = self.current_header()
        if h is None:
            return False
        if h.turn:
            return h.turn < self.turn_floor
        return getattr(self.local, "epoch", self.epoch) != self.epoch

    def on_io(self, fn, *args) -> None:
        """Run fn on the I/O thread: now if we are on it, else as soon as it wakes."""
        if threading.get_ident() == self.io_thread:
            fn(*args)
        else:
            self.calls.put(fn, *args)

    # --- sending (I/O thread) -----------------------------------------------------------------
    def _old(self, turn: int) -> bool:
        return bool(turn) and turn < self.turn_floor

    def _send(self, topic: str, msg: Any, turn: int, origin: int = 0, cause: Optional[tuple] = None) -> None:
        if turn and turn < self.turn_floor:
            self.counters["dropped_old_turn_out"] += 1
            return
        if cause is not None and self.outbox.retains(topic):
            self.intake.begin(*cause)   # the input stays unacknowledged until our consumers have this
        else:
            cause = None
        self.outbox.send(topic, msg, turn, origin, cause)

    # --- receive loop -----------------------------------------------------------------------
    def run(self) -> int:
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        self.client.handshake(timeout_s=float(self.spec.get("connect_timeout_s", 10.0)))
        self.standby = self.state == "standby"
        self.state = "starting"
        self._status(force=True)
        threading.Thread(target=self._setup, name=f"{self.id}-setup", daemon=True).start()
        while not self.stop_requested:
            now = time.monotonic()
            wait_s = 0.0 if self._dispatching() and self.inbox.ready(self.loop_inputs) else 0.05
            if self.timers and self.state == "ok":
                wait_s = max(0.0, min(wait_s, min(t[0] for t in self.timers) - now))
            if self.outbox.backlog:
                self.outbox.flush()
                wait_s = min(wait_s, 0.001)
            take = not (self.retire_caught_up or self.inbox.size() >= BACKPRESSURE)
            if take != self.data_polled:   # data we will not read must not wake the poll (a spin)
                self.data_polled = take
                self.poller.modify(self.client.data_sub, zmq.POLLIN if take else 0)
            if wait_s >= 0.001:   # zmq_poll on the Poller's own list: its poll() only adds argument handling
                events = dict(zmq_poll(self.poller.sockets, int(wait_s * 1000)))
            else:
                events = dict(zmq_poll(self.poller.sockets, 0))
                if not events and wait_s > 0:
                    time.sleep(wait_s)   # zmq_poll counts whole milliseconds: sleep the rest rather than spin
            self._service(events)
            if self.state == "starting" and self.setup_done.is_set() and not self._become_ready():
                self._close()
                return 3
            if self._dispatching() and self.inbox.ready(self.loop_inputs):
                for _ in range(DISPATCH):
                    item = self.inbox.take(self.loop_inputs)
                    if item is None:
                        break
                    self._handle(item)
                    self._service(None)
                    self._status()   # a heartbeat is due even while a backlog is worked off
            self._periodic(time.monotonic())
        return self._shutdown()

    def _dispatching(self) -> bool:
        return self.state in ("ok", "stopping") and not self.stop_requested

    def _service(self, events: Optional[dict]) -> None:
        """After a poll (`events`): control, handed-over calls, subscriptions, the data socket into
        the queues. Between two messages (None): control and calls, and data if some waits and
        the last drain is DRAIN_S old (so a keep-latest input stays fresh behind slow handlers).
        Each drain takes at most DISPATCH messages, none while BACKPRESSURE messages are queued:
        a backlog stays in the socket and pushes back on its producer (which holds and counts,
        bus.runtime.outbox) rather than overflowing our queues."""
        ctl, data = self.client.ctl_sub, self.client.data_sub
        if ctl in events if events is not None else ctl.get(zmq.EVENTS) & POLLIN:
            self._pump_control()
        if self.calls.items or self.calls.pending:
            self.calls.run()
        if events is not None and self.pub in events:
            while self.pub.get(zmq.EVENTS) & POLLIN:
                self._on_subscription(self.pub.recv())
        if self.retire_caught_up or self.inbox.size() >= BACKPRESSURE:
            return   # enough waits here: the rest stays in the socket and slows the producer down
        if events is not None:
            if data not in events:
                return
        elif time.monotonic() - self.drained < DRAIN_S or not data.get(zmq.EVENTS) & POLLIN:
            return
        self.drained = time.monotonic()
        limit, ready = DISPATCH, True    # just seen readable, by the poll or the check
        if events is not None:
            # After a poll, the first message is read without asking whether more wait (a system
            # call) and handled at once when nothing is queued ahead of it and nothing that may
            # wait behind it could supersede it (_ingest). Control and handed-over calls are then
            # checked again before the rest, as before every queued message.
            first = self.client.recv_ready()
            if first is None:
                return
            if self._ingest(first, direct=True):
                self._pump_control()
                if self.calls.items or self.calls.pending:
                    self.calls.run()
                if self.retire_caught_up or self.inbox.size() >= BACKPRESSURE:
                    return
            limit, ready = DISPATCH - 1, False
        for frames in self.client.drain(limit, ready=ready):
            self._ingest(frames)

    def data_pending(self) -> bool:
        return bool(self.client.data_sub.getsockopt(zmq.EVENTS) & POLLIN)

    def _periodic(self, now: float) -> None:
        if self.state == "ok":
            for t in self.timers:
                if now >= t[0]:
                    t[0] = max(t[0] + t[1], now)
                    self._call(t[2], None, None)
        if self.handover_from is not None:
            self._send_retire(now)
        if self.retire_to is not None:
            self._retiring(now)
        if now - self.last_ack >= ACK_S:
            self.last_ack = now
            for (src, inc), acks in self.intake.acks(now).items():
                if not src.startswith("_"):   # tools (topic pub, bag play) keep nothing to redeliver
                    self.client.send_ctl(f"_ctl/{src}/{inc}", m.Command("ack", {"node": self.id, "acks": acks}))
            for (src, inc), holes in self.intake.resends(now).items():
                if not src.startswith("_"):
                    self.client.send_ctl(f"_ctl/{src}/{inc}", m.Command("resend", {"node": self.id, "inc": self.inc,
                                                                                   "holes": holes}))
        if now - self.last_status >= HEARTBEAT_S:
            if self.parent and os.getppid() != self.parent:
                log.error("the launcher (pid %d) is gone: stopping", self.parent)
                self.stop_requested = True
            # Liveness is judged as of `checked`, after every heartbeat that came before it has been
            # read: a stall of this process (a model loading on the setup thread holds the GIL for
            # seconds) must not make a live producer look silent. Its data counts as a sign of life
            # too (_ingest). Expiring a live producer closes our data connection to it.
            checked = time.monotonic()
            if self._pump_control():
                for gone in self.client.expire(checked):
                    self.intake.forget(gone.node, gone.inc)
            self._status()

    def _setup(self) -> None:
        """Load models off the receive loop, so the node attaches to its producers (and their
        messages queue for it) while it loads."""
        try:
            self.node.setup()
        except Exception as e:
            log.error("setup failed: %s\n%s", e, traceback.format_exc())
            self.setup_error = ("error", "setup_failed", f"{type(e).__name__}: {e}")
        self.setup_done.set()

    def _become_ready(self) -> bool:
        if self.setup_error:
            self.health, self.health_reason = "error", f"setup failed: {self.setup_error[2]}"
            self._event(*self.setup_error)
            self.state = "error"
            self.last_status = 0
            self._status(force=True)
            time.sleep(0.2)
            return False
        if self.work_inputs:
            self.worker = threading.Thread(target=self._work_loop, name=f"{self.id}-worker", daemon=True)
            self.worker.start()
        self.state = "standby" if self.standby else "ok"
        log.info("ready (setup took %.1f s, %d message(s) waiting)", time.monotonic() - self.started, self.inbox.size())
        self._status(force=True)
        return True

    def _on_signal(self, signum, frame) -> None:
        self.stop_requested = True

    def _on_subscription(self, raw: bytes) -> None:
        if not raw:
            return
        sub, topic = raw[0] == 1, raw[1:].rstrip(b"\0").decode(errors="replace")
        if not topic.startswith(MARKER_PREFIX):
            return
        who = topic[len(MARKER_PREFIX):]
        (self.subscribers.add if sub else self.subscribers.discard)(who)
        if sub and "/" in who:
            self.outbox.on_marker(*who.rsplit("/", 1))
        self._status(force=True)

    def _on_status(self, status: m.NodeStatus, new: bool) -> None:
        if new:  # a newcomer: tell it about us now rather than at the next heartbeat
            self._status(force=True, min_gap=0.05)

    # --- stopping -----------------------------------------------------------------------------
    def _shutdown(self) -> int:
        self.state = "stopping"
        self._status(force=True)
        self.inbox.close()
        try:
            self.node.teardown()
        except Exception as e:
            log.error("teardown failed: %s", e)
        self.calls.run()   # what the worker published last still goes out
        self.state = "stopped"
        self.last_status = 0
        self._status(force=True)
        self._close()
        return 0

    def _close(self) -> None:
        self.inbox.close()
        self.pub.close(linger=1000)
        self.client.close()
        self.calls.close()
        if self.endpoint.startswith("ipc://"):
            try:
                os.unlink(self.endpoint[len("ipc://"):])
            except OSError:
                pass
