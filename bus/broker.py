"""The control-plane broker: an XSUB/XPUB proxy, so any process can come and go.

The launcher runs one in a thread; `python run.py broker` runs one alone (for graphs split
across launchers). Data never passes through it.
"""
from __future__ import annotations

import threading

import zmq

from bus.transport import BusAddress


class BrokerError(RuntimeError):
    pass


class Broker:
    def __init__(self, addr: BusAddress):
        self.addr = addr
        ctx = zmq.Context.instance()
        self.xsub = ctx.socket(zmq.XSUB)
        self.xpub = ctx.socket(zmq.XPUB)
        for s in (self.xsub, self.xpub):
            s.setsockopt(zmq.LINGER, 0)
            s.setsockopt(zmq.SNDHWM, 100_000)
            s.setsockopt(zmq.RCVHWM, 100_000)
        try:
            self.xsub.bind(addr.ctl_in)
            self.xpub.bind(addr.ctl_out)
        except zmq.ZMQError as e:
            self.xsub.close()
            self.xpub.close()
            raise BrokerError(
                f"cannot open the bus on {addr.host} ports {addr.port}-{addr.port + 1}: {e}. "
                f"Another graph may be running (python run.py node list --bus {addr}); stop it, "
                f"or give this graph another port (bus: {{port: N}} in the launch file).") from None
        self.thread = threading.Thread(target=self._run, name="broker", daemon=True)

    def start(self) -> "Broker":
        self.thread.start()
        return self

    def _run(self) -> None:
        try:
            zmq.proxy(self.xsub, self.xpub)
        except zmq.ContextTerminated:
            pass
        except zmq.ZMQError:
            pass
