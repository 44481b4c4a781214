"""Status heartbeats, operator events and counted drops (a mixin of Runtime; I/O thread only)."""
from __future__ import annotations

import logging
import os
import time
from dataclasses import asdict

from bus import messages as m
from bus.transport import EVENT, HEARTBEAT_S, STATUS, hostname

log = logging.getLogger("runtime")
QUIET_DROPS = frozenset({"duplicate", "repeat", "superseded"})   # expected: redelivery, re-publication, keep-latest


class Reporting:
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
        counters = dict(self.counters)
        for key, value in (("dropped_control", self.client.dropped_ctl), ("gaps", self.intake.gaps()),
                           ("unacked", self.outbox.unacked()), ("queued", self.inbox.size()),
                           ("resend_asked", self.intake.asked), ("holes_passed", self.intake.passed)):
            if value:
                counters[key] = value
        self.client.send_ctl(STATUS, m.NodeStatus(
            node=self.id, inc=self.inc, cls=self.spec["cls"], pid=os.getpid(), host=hostname(),
            state=self._state(), reason=reason, endpoint=self.endpoint,
            outputs={t: self.cls.outputs[o].TAG for o, t in self.out_topics.items()},
            inputs=dict(self.spec.get("inputs", {})), subscribers=sorted(self.subscribers),
            ready=self.client.attached_to_all(), params=params, counters=counters,
            uptime=now - self.started))

    def _event(self, level: str, kind: str, text: str) -> None:
        self.client.send_ctl(EVENT, m.NodeEvent(self.id, level, kind, text))

    def _handler_error(self, name: str, e: BaseException, trace: str) -> None:
        self.counters["handler_errors"] += 1
        log.error("%s failed: %s\n%s", name, e, trace)
        self.error_until = time.monotonic() + 30
        self.health_reason = f"{name}: {type(e).__name__}: {e}"[:200]
        self._event("error", "handler_error", self.health_reason)
        self._status(force=True)

    def _count(self, key: str, n: int = 1) -> None:
        self.counters[key] += n

    def _drop(self, reason: str, detail: str) -> None:
        self.counters["dropped"] += 1
        self.counters[f"dropped_{reason}"] += 1
        if reason in QUIET_DROPS:
            return
        now = time.monotonic()
        last, quiet = self.drop_log.get(reason, (0.0, 0))
        if now - last >= 1.0:
            more = f" (+{quiet} more since last report)" if quiet else ""
            log.warning("dropped a message: %s: %s%s", reason, detail[:200], more)
            self.drop_log[reason] = (now, 0)
        else:
            self.drop_log[reason] = (last, quiet + 1)
