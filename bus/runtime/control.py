"""Control-plane handling (a mixin of Runtime; I/O thread only): commands, acknowledgements from
consumers, and interrupts scoped to a turn.

`Interrupt(reason, turn)` says turn `turn` has begun: queued messages of older turns are dropped
(and later ones on the way in and out), blocking handlers on older turns see `cancelled()` at once.
An interrupt with turn 0 (an operator's `run.py interrupt`) means "a turn begins now".
"""
from __future__ import annotations

import logging
import time
from dataclasses import asdict
from typing import Any

import zmq

from bus import messages as m
from bus.node import ParamError, set_param
from bus.transport import INTERRUPT, STATUS

log = logging.getLogger("runtime")
POLLIN = int(zmq.POLLIN)


class Control:
    def _pump_control(self) -> bool:
        """Handle up to 1000 waiting control messages; True when none is left waiting."""
        sock = self.client.ctl_sub
        for _ in range(1000):
            if not sock.getsockopt(zmq.EVENTS) & POLLIN:
                return True
            topic, header, msg = self.client.recv_ctl()
            if topic is not None and topic != STATUS:
                self._on_control(topic, header, msg)
        return not sock.getsockopt(zmq.EVENTS) & POLLIN

    def _raise_interrupt(self, msg: m.Interrupt) -> None:
        """Our node interrupted: apply it here now, and tell everyone: in band to our own
        consumers (one hop, ahead of the new turn's data, behind the old turn's) and on the control
        plane to all."""
        self.seen_interrupts.append((self.id, self.inc, msg.turn))
        self.outbox.interrupt(msg)
        self.client.send_ctl(INTERRUPT, msg, msg.turn)
        self._apply_interrupt(msg, None)

    def _apply_interrupt(self, msg: m.Interrupt, header) -> None:
        turn = msg.turn or time.time_ns() // 1000
        self.turn_floor = max(self.turn_floor, turn)
        self.epoch += 1
        self.counters["interrupts"] += 1
        for item in self.inbox.purge(lambda it: self._old(it.header.turn) or (msg.turn == 0 and not it.header.turn
                                                                              and it.name in self.work_inputs)):
            self.counters["dropped_interrupted"] += 1
            self.intake.done(item.key, item.header.seq)
        self._call(self.node.on_interrupt, header, msg)

    def _on_control(self, topic: str, header: m.Header, msg: Any) -> None:
        if isinstance(msg, m.Interrupt):
            if msg.turn:   # it comes both in band and on the control plane: apply it once
                key = (header.src, header.inc, msg.turn)
                if key in self.seen_interrupts:
                    return
                self.seen_interrupts.append(key)
            return self._apply_interrupt(msg, header)
        if not isinstance(msg, m.Command) or msg.op == "ping":
            return
        if msg.op == "ack":
            return self.outbox.on_ack(str(msg.args.get("node", "")), msg.args.get("acks") or [])
        if msg.op == "resend":   # a consumer found a hole in a stream of ours (bus.runtime.intake)
            for hole in msg.args.get("holes") or []:
                if isinstance(hole, (list, tuple)) and len(hole) == 3:
                    self.outbox.resend(str(msg.args.get("node", "")), str(msg.args.get("inc", "")), *hole)
            return None
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
            elif msg.op == "handover":
                text = self._on_handover(msg.args)
            elif msg.op == "retire":
                text = self._on_retire(msg.args)
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
