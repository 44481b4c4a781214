"""Make-before-break handover (a mixin of Runtime; I/O thread only). README, "Swap".

The new incarnation starts in `standby`, attaches to its producers and buffers what arrives. The
launcher sends it `handover`; it tells the old one to `retire`, with the first sequence number it
buffered from each stream. The old one keeps taking data until it has reached those (it may lag),
stops, drains its queues and worker, and sends the new one `activate` with the last sequence
number it took from each stream; the new one replays its buffer past those, in sequence order, and
goes live. Nothing lost, nothing twice.
"""
from __future__ import annotations

import logging
import time

from bus import messages as m

log = logging.getLogger("runtime")


class Handover:
    def _on_handover(self, args: dict) -> str:   # to the new incarnation, from the launcher
        if self.state != "standby":
            raise ValueError(f"handover needs a standby node; this one is {self.state}")
        self.handover_from = (str(args["predecessor"]), time.monotonic() + 1.0)
        return "handing over"

    def _on_retire(self, args: dict) -> str:     # to the old incarnation, from the new one
        self.retire_to = str(args["successor"])
        self.retire_first = {(t, s, i): seq for t, s, i, seq in args.get("first", [])}
        self.retire_deadline = time.monotonic() + 2.0
        self.state = "stopping"
        return "retiring"

    def _send_retire(self, now: float) -> None:
        """Once a message of every live input stream is buffered (or after a second), tell the
        predecessor where our buffer starts, so it can catch up to there before it stops."""
        first: dict = {}
        for _, key, h, _, _ in self.standby_buf:
            first[key] = min(first.get(key, h.seq), h.seq)
        seen = {k[0] for k in first}
        live = {t for t in self.in_map if self.client.directory.producers(t)}
        predecessor, deadline = self.handover_from
        if live - seen and now < deadline:
            return
        self.handover_from = None
        self.client.send_ctl(f"_ctl/{self.id}/{predecessor}", m.Command(
            "retire", {"successor": self.inc, "first": [[*k, v] for k, v in first.items()]}))

    def _retiring(self, now: float) -> None:
        if not self.retire_caught_up:
            self.retire_caught_up = now > self.retire_deadline or (
                not self.data_pending() and all(self.intake.last(k) >= seq - 1 for k, seq in self.retire_first.items()))
        # idle, and what we published acknowledged: the successor's acks will cover our inputs
        idle = self.inbox.size() == 0 and not self.worker_busy and not self.outbox.unacked()
        if self.retire_caught_up and (idle or now > self.retire_deadline + 1):
            last = [[t, s, i, st.high] for (t, s, i), st in self.intake.streams.items()]
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
        for names, key, h, msg, nbytes in sorted(self.standby_buf, key=lambda e: (e[2].mono, e[2].seq)):
            if h.seq > done.get(key, 0):
                self._enqueue(names, key, h, msg, nbytes, begun=True)
                replayed += 1
            else:
                self.intake.done(key, h.seq)
                self.counters["taken_by_predecessor"] += 1
        self.standby_buf.clear()
        log.info("active (replayed %d buffered message(s))", replayed)
