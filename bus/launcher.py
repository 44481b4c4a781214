"""`python run.py launch FILE.yaml`: one OS process per node, restart policies, live swap.

The launcher owns the control-plane broker, starts every node (consumers first), watches their
processes and heartbeats, respawns per policy, and serves `_ctl/launcher` commands from the CLI:
list, restart, stop, swap. Ctrl-C (or SIGTERM) stops everything: sources first, SIGKILL after 3 s.
"""
from __future__ import annotations

import collections
import dataclasses
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Optional

from bus import messages as m
from bus.broker import Broker
from bus.graph import Graph, NodeSpec
from bus.graphcheck import node_check
from bus.node import load_class, parse_params
from bus.transport import EVENT, Client

log = logging.getLogger("launch")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SETUP_GRACE_S = 120.0   # a node still in setup may be silent this long before it counts as hung


@dataclass
class Proc:
    spec: NodeSpec
    popen: Optional[subprocess.Popen] = None
    inc: str = ""
    started: float = 0.0
    failures: collections.deque = field(default_factory=collections.deque)
    next_start: Optional[float] = None
    state: str = "running"          # running | backoff | failed | stopped | swapping
    last_seen: float = 0.0          # last heartbeat of this incarnation
    served: bool = False            # this incarnation reached ok (a crash-loop never does)
    quick_failures: int = 0         # deaths in a row without reaching ok: they set the back-off


class Launcher:
    def __init__(self, graph: Graph, watch: bool = False, duration: Optional[float] = None):
        self.graph, self.watch, self.duration = graph, watch, duration
        self.procs: dict[str, Proc] = {}
        self.lock = threading.RLock()
        self.stopping = False
        self.exit_code = 0
        self.last_states: dict[str, str] = {}
        self.status: dict[str, m.NodeStatus] = {}   # latest heartbeat of each node's current incarnation
        self.t0 = time.monotonic()
        self.ready_at: Optional[float] = None        # when the whole graph was first ready
        self.deferred = [n for n in graph.start_order() if n.start == "after_ready"]
        self.curve_kw = {}
        if graph.curve:   # CurveZMQ: the broker and every client of ours use the graph's keys
            from bus.sockets import load_curve
            self.curve_kw = {"curve": load_curve(graph.curve)}

    def _client(self, name: str, **kw) -> Client:
        return Client(self.graph.bus, name, **kw, **self.curve_kw)

    # --- processes -------------------------------------------------------------------------
    def spawn(self, spec: NodeSpec, standby: bool = False) -> tuple[subprocess.Popen, str]:
        inc = os.urandom(4).hex()
        env = dict(os.environ)
        env.update(self.graph.env)
        env.update(spec.env)
        env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
        env.setdefault("PYTHONUNBUFFERED", "1")
        args = [sys.executable, "-m", "bus.runtime", json.dumps(self.graph.runtime_spec(spec, inc, standby))]
        popen = subprocess.Popen(args, cwd=ROOT, env=env, start_new_session=True)
        return popen, inc

    def start(self, spec: NodeSpec) -> None:
        popen, inc = self.spawn(spec)
        with self.lock:
            proc = self.procs.setdefault(spec.id, Proc(spec))
            proc.spec, proc.popen, proc.inc, proc.started = spec, popen, inc, time.monotonic()
            proc.state, proc.next_start, proc.last_seen, proc.served = "running", None, 0.0, False
        log.info("started %s (%s) pid %d", spec.id, spec.cls, popen.pid)

    def check_processes(self) -> None:
        now = time.monotonic()
        with self.lock:
            for node_id, p in self.procs.items():
                if p.state == "backoff" and p.next_start is not None and now >= p.next_start:
                    self.start(p.spec)
                    continue
                if p.state != "running" or p.popen is None:
                    continue
                hang = p.spec.restart.hang_timeout_s
                st = self.status.get(node_id)
                if st is not None and st.inc == p.inc and st.state == "starting":
                    hang = hang and max(hang, SETUP_GRACE_S)   # loading models on a busy machine is not a hang
                if p.popen.poll() is None and hang and now - max(p.last_seen, p.started) > max(hang, 1.0) \
                        and p.last_seen:   # heard from once, then silent: its receive loop is stuck
                    log.error("%s sent no heartbeat for %.0f s: killing it (pid %d)", node_id, hang, p.popen.pid)
                    p.popen.kill()
                    p.popen.wait()
                if p.popen.poll() is None:
                    continue
                code = p.popen.returncode
                how = f"killed by {signal.Signals(-code).name}" if code < 0 else f"exited with code {code}"
                policy = p.spec.restart
                if policy.policy == "never" or (policy.policy == "on-failure" and code == 0):
                    p.state = "stopped"
                    log.warning("%s %s; restart policy '%s': not restarting", node_id, how, policy.policy)
                    self._required_gone(p, how)
                    continue
                while p.failures and now - p.failures[0] > policy.window_s:
                    p.failures.popleft()
                p.failures.append(now)
                if len(p.failures) > policy.max_restarts:
                    p.state = "failed"
                    log.error("%s %s; gave up after %d restarts in %.0f s", node_id, how,
                              policy.max_restarts, policy.window_s)
                    self._event(node_id, "error", "gave_up", how)
                    self._required_gone(p, how)
                    continue
                # back off exponentially while it dies before serving; a node that had been serving
                # (killed, or one crash) comes back at once, or a soak's kills would add up to minutes
                p.quick_failures = 1 if p.served else p.quick_failures + 1
                delay = min(policy.backoff_s * 2 ** (p.quick_failures - 1), policy.max_backoff_s)
                p.state, p.next_start = "backoff", now + delay
                log.warning("%s %s; restarting in %.1f s (%d/%d)", node_id, how, delay,
                            len(p.failures), policy.max_restarts)
                self._event(node_id, "warning", "restart", f"{how}; restart in {delay:.1f} s")

    def _required_gone(self, p: Proc, how: str) -> None:
        if p.spec.required and not self.stopping:
            if how == "exited with code 0" and p.state == "stopped":   # it finished its job (a demo script)
                log.info("required node %s finished: stopping the graph", p.spec.id)
            else:
                log.error("required node %s %s: stopping the graph", p.spec.id, how)
                self.exit_code = 1
            self.stopping = True

    def _event(self, node: str, level: str, kind: str, text: str) -> None:
        self.client.send_ctl(EVENT, m.NodeEvent(node, level, kind, text))

    # --- swap (make-before-break) -----------------------------------------------------------
    def swap(self, node_id: str, cls: Optional[str] = None, params: Optional[dict] = None,
             timeout_s: float = 60.0) -> tuple[bool, str]:
        """Start the replacement in standby, wait until it is attached both ways, hand over."""
        with self.lock:
            p = self.procs.get(node_id)
            if p is None:
                return False, self.no_such(node_id)
            if p.state == "swapping":
                return False, f"{node_id} is already being swapped"
            old_state, old_popen, old_inc = p.state, p.popen, p.inc
            same = not cls or cls == p.spec.cls   # another class starts from its own defaults
            spec = dataclasses.replace(p.spec, cls=cls or p.spec.cls,
                                       params={**(p.spec.params if same else {}), **(params or {})})
            problem = self._check_replacement(p.spec, spec)
            if problem:
                return False, problem
            p.state = "swapping"
        client = self._client("launcher-swap")
        try:
            client.handshake()
            popen, inc = self.spawn(spec, standby=old_state == "running")
            want = {c for cs in self.graph.consumers(node_id).values() for c in cs}
            ok = self._wait(client, lambda s: s.inc == inc and s.ready and s.state in ("standby", "ok")
                            and want <= {x.rsplit("/", 1)[0] for x in s.subscribers}, timeout_s, popen)
            if not ok:
                popen.kill()
                with self.lock:
                    p.state = old_state
                return False, (f"replacement for {node_id} did not become ready within {timeout_s:.0f} s "
                               f"(exit code {popen.poll()}); the old node keeps running")
            if old_state == "running" and old_popen.poll() is None:
                client.request(f"_ctl/{node_id}/{inc}", "handover", {"predecessor": old_inc}, timeout_s=3)
            live = lambda s: s.inc == inc and s.state in ("ok", "degraded")
            if old_state == "running" and not self._wait(client, live, 6.0, popen):
                log.warning("%s: the old incarnation did not hand over; activating the new one anyway", node_id)
                client.send_ctl(f"_ctl/{node_id}/{inc}", m.Command("activate", {"last": []}))
                self._wait(client, live, 3.0, popen)
            if old_popen is not None:
                try:
                    old_popen.wait(3)
                except subprocess.TimeoutExpired:
                    old_popen.kill()
            with self.lock:
                p.spec, p.popen, p.inc, p.started, p.state = spec, popen, inc, time.monotonic(), "running"
                p.failures.clear()
            log.info("swapped %s: %s pid %d is live", node_id, spec.cls, popen.pid)
            self._event_from(client, node_id, "info", "swap", f"now {spec.cls} pid {popen.pid}")
            return True, f"{node_id} swapped to {spec.cls} (pid {popen.pid})"
        finally:
            client.close()

    def _check_replacement(self, old: NodeSpec, new: NodeSpec) -> str:
        try:
            cls, old_cls = load_class(new.cls), load_class(old.cls)
        except Exception as e:
            return f"{new.cls} does not load: {type(e).__name__}: {e}"
        parsed, problems = parse_params(cls, new.params, f"{new.id}")
        if problems:
            return "; ".join(problems)
        problems = node_check(cls, parsed, deep=True)   # off the main loop: it may load a knowledge base
        if problems:
            return f"refused, {new.id} would not start with these params: " + "; ".join(problems)
        if {k: v.TAG for k, v in cls.inputs.items()} != {k: v.TAG for k, v in old_cls.inputs.items()} or \
           {k: v.TAG for k, v in cls.outputs.items()} != {k: v.TAG for k, v in old_cls.outputs.items()}:
            return f"{new.cls} has other inputs/outputs than {old.cls}; a swap must keep the node's ports"
        return ""

    def _wait(self, client: Client, pred, timeout_s: float, popen: subprocess.Popen) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if popen.poll() is not None:
                return False
            if client.ctl_sub.poll(50):
                _, _, msg = client.recv_ctl()
                if isinstance(msg, m.NodeStatus) and pred(msg):
                    return True
        return False

    @staticmethod
    def _event_from(client: Client, node: str, level: str, kind: str, text: str) -> None:
        client.send_ctl(EVENT, m.NodeEvent(node, level, kind, text))

    def no_such(self, node_id: str) -> str:
        return f"no such node '{node_id}'; running: {', '.join(sorted(self.procs))}"

    def stop_node(self, node_id: str) -> tuple[bool, str]:
        with self.lock:
            p = self.procs.get(node_id)
            if p is None:
                return False, self.no_such(node_id)
            p.state = "stopped"
            if p.popen and p.popen.poll() is None:
                p.popen.terminate()
        return True, f"{node_id} stopped (it stays stopped; `node restart {node_id}` brings it back)"

    # --- commands from the CLI ------------------------------------------------------------------
    def on_command(self, cmd: m.Command) -> None:
        def reply(ok: bool, text: str, data: Optional[dict] = None, client: Optional[Client] = None):
            if cmd.req_id:
                (client or self.client).send_ctl(f"_sys/result/{cmd.req_id}",
                                                 m.CommandResult(cmd.req_id, ok, text, data or {}))
        node = str(cmd.args.get("node", ""))
        if cmd.op == "list":
            with self.lock:
                data = {k: {"state": p.state, "pid": p.popen.pid if p.popen else 0, "cls": p.spec.cls,
                            "restarts": len(p.failures), "inc": p.inc} for k, p in self.procs.items()}
            reply(True, "ready" if self.ready_at else "starting", data)
        elif cmd.op == "stop":
            reply(*self.stop_node(node))
        elif cmd.op in ("swap", "restart"):
            def work():
                with self.lock:
                    p = self.procs.get(node)
                    dead = p is not None and p.state in ("stopped", "failed", "backoff")
                params = cmd.args.get("params") or {}
                if dead and cmd.op == "restart":
                    spec = dataclasses.replace(p.spec, params={**p.spec.params, **params})
                    problem = self._check_replacement(p.spec, spec)
                    res = (False, problem) if problem else (True, f"{node} started again")
                    if not problem:
                        self.start(spec)
                else:
                    res = self.swap(node, cmd.args.get("cls"), params)
                c = self._client("launcher-reply")
                try:
                    c.handshake()
                    reply(*res, client=c)
                finally:
                    c.close()
            threading.Thread(target=work, daemon=True).start()
        else:
            reply(False, f"unknown launcher op '{cmd.op}'")

    # --- watch mode --------------------------------------------------------------------------
    def _watch_loop(self) -> None:
        from bus.watch import watch_sources
        watch_sources(self)

    # --- main loop ---------------------------------------------------------------------------
    def run(self) -> int:
        self.broker = Broker(self.graph.bus, **self.curve_kw).start()
        rundir = self.graph.bus.rundir
        if os.path.isdir(rundir):  # sockets left by killed nodes of an earlier run on this port
            for name in os.listdir(rundir):
                if name.endswith(".sock"):
                    os.unlink(os.path.join(rundir, name))
        self.client = self._client("launcher", ctl_topics=("_ctl/launcher", EVENT))
        self.client.handshake()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: setattr(self, "stopping", True))
        log.info("graph '%s' from %s: %d node(s), bus %s", self.graph.name, self.graph.file,
                 len(self.graph.nodes), self.graph.bus)
        self.t0 = time.monotonic()
        for spec in self.graph.start_order():
            if spec.start != "after_ready":
                self.start(spec)
        self._watch_stop = threading.Event()
        if self.watch:
            threading.Thread(target=self._watch_loop, daemon=True).start()
        # --duration counts from the moment the graph is ready (loading models on a busy machine
        # must not eat a demo's time), or from the start if it never gets ready
        t_end = time.monotonic() + self.duration + SETUP_GRACE_S if self.duration else None
        last_expire = 0.0
        while not self.stopping:
            if self.client.ctl_sub.poll(50):
                for _ in range(1000):
                    topic, _, msg = self.client.recv_ctl()
                    if isinstance(msg, m.Command) and topic == "_ctl/launcher":
                        self.on_command(msg)
                    elif isinstance(msg, m.NodeStatus):
                        self._note_state(msg)
                    elif isinstance(msg, m.NodeEvent) and msg.kind not in ("restart", "gave_up", "swap", "graph_ready"):
                        log.log(logging.ERROR if msg.level == "error" else logging.INFO,
                                "%s: %s: %s", msg.node, msg.kind, msg.text)
                    if not self.client.ctl_sub.poll(0):
                        break
            self.check_processes()
            self._check_ready()
            now = time.monotonic()
            if now - last_expire > 1.0:
                last_expire = now
                self.client.expire()
            if t_end and self.ready_at and t_end > self.ready_at + self.duration:
                t_end = self.ready_at + self.duration
            if t_end and now > t_end:
                log.info("--duration reached")
                break
        return self.shutdown()

    def _note_state(self, s: m.NodeStatus) -> None:
        if s.node.startswith("_") or s.node.startswith("launcher"):
            return
        with self.lock:  # params set live survive a respawn
            p = self.procs.get(s.node)
            if p is not None and p.inc == s.inc:
                p.last_seen = time.monotonic()
                p.served = p.served or s.state in ("ok", "degraded")
                self.status[s.node] = s
                if s.params:
                    p.spec.params = dict(s.params)
        prev = self.last_states.get(s.node)
        if prev != s.state and s.state != "stopped":
            self.last_states[s.node] = s.state
            if s.state in ("degraded", "error"):
                log.warning("%s is %s: %s", s.node, s.state, s.reason)
            elif prev in ("degraded", "error") and s.state == "ok":
                log.info("%s is ok again", s.node)

    # --- readiness ---------------------------------------------------------------------------
    def _node_ready(self, node_id: str, among: set) -> bool:
        """Its current incarnation runs, is attached to its producers, and every consumer the
        graph declares for it (among the started nodes) is attached to it."""
        s, p = self.status.get(node_id), self.procs.get(node_id)
        if s is None or p is None or p.inc != s.inc or s.state not in ("ok", "degraded") or not s.ready:
            return False
        want = {c for cs in self.graph.consumers(node_id).values() for c in cs} & among
        return want <= {x.rsplit("/", 1)[0] for x in s.subscribers}

    def _check_ready(self) -> None:
        if self.ready_at is not None:
            return
        with self.lock:
            started = set(self.procs)
            core_ready = all(self._node_ready(n, started) for n in started)
        if self.deferred and (core_ready or time.monotonic() - self.t0 > 120):
            if not core_ready:
                log.warning("the graph is not ready after 120 s: starting %s anyway",
                            ", ".join(n.id for n in self.deferred))
            for spec in self.deferred:
                self.start(spec)
            self.deferred = []
            return
        if core_ready and not self.deferred and len(started) == len(self.graph.nodes):
            self.ready_at = time.monotonic()
            text = f"graph '{self.graph.name}' ready: {len(started)} nodes in {self.ready_at - self.t0:.1f} s"
            log.info("%s", text)
            self._event("launcher", "info", "graph_ready", text)

    def shutdown(self) -> int:
        self._watch_stop.set()
        log.info("stopping %d node(s)", len(self.procs))
        with self.lock:
            procs = [self.procs[s.id] for s in reversed(self.graph.start_order()) if s.id in self.procs]
            for p in procs:
                p.state = "stopped"
                if p.popen and p.popen.poll() is None:
                    p.popen.terminate()
        deadline = time.monotonic() + 3.0
        for p in procs:
            if p.popen:
                try:
                    p.popen.wait(max(0.0, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    log.warning("%s did not stop within 3 s: killing it", p.spec.id)
                    p.popen.kill()
        self.client.close()
        log.info("stopped")
        return self.exit_code
