"""Runs one node in its own process: `python -m bus.runtime SPEC_JSON` (the launcher does this).

Parts: `core` (sockets and the receive loop), `control` (commands, acks, turn-scoped interrupts),
`inbox` (per-input QoS queues), `intake` (de-duplication, gaps, acknowledgements), `outbox`
(sequence numbers, retention and redelivery), `handover` (make-before-break swap), `status`
(heartbeats, events, counted drops), `calls` (hand-off from other threads to the I/O thread).
docs/bus.md describes the design.
"""
from __future__ import annotations

import json
import logging
import sys

from bus import log as buslog
from bus.node import ParamError, input_qos
from bus.runtime.core import Runtime
from bus.sockets import KeysMissing

__all__ = ["Runtime", "input_qos", "main"]
log = logging.getLogger("runtime")


def main(argv: list[str]) -> int:
    spec = json.loads(argv[0])
    buslog.setup(spec["id"], spec.get("log_level", "INFO"))
    try:
        runtime = Runtime(spec)
    except (ImportError, ParamError, TypeError, ConnectionError, KeysMissing) as e:
        log.error("cannot start: %s", e)
        return 2
    try:
        return runtime.run()
    except ConnectionError as e:
        log.error("%s", e)
        return 2
