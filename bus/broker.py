"""The control-plane broker: an XSUB/XPUB proxy, so any process can come and go.

The launcher runs one in a thread; `python run.py broker` runs one alone (for graphs split
across launchers). Data never passes through it. Its two sockets are made here and then used only
by the broker thread; `stop()` asks that thread to end through a control pair (never by closing
its sockets from another thread). With CurveZMQ on (bus.sockets), both are CURVE servers and only
processes holding the graph's key can talk through it.
"""
from __future__ import annotations

import os
import threading
from typing import Optional

import zmq

from bus.sockets import Curve, Sockets
from bus.transport import BusAddress


class BrokerError(RuntimeError):
    pass


class Broker:
    def __init__(self, addr: BusAddress, curve: Optional[Curve] = None):
        self.addr = addr
        sockets = Sockets(curve)
        self.xsub, self.xpub = sockets.broker_pair()
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
        self._ctl_ep = f"inproc://broker-{addr.port}-{os.urandom(3).hex()}"
        self._ctl = sockets.ctx.socket(zmq.PAIR)     # ours; its peer belongs to the broker thread
        self._ctl.bind(self._ctl_ep)
        self.thread = threading.Thread(target=self._run, name="broker", daemon=True)

    def start(self) -> "Broker":
        self.thread.start()
        return self

    def _run(self) -> None:
        ctl = self.xsub.context.socket(zmq.PAIR)
        ctl.connect(self._ctl_ep)
        try:
            zmq.proxy_steerable(self.xsub, self.xpub, None, ctl)
        except (zmq.ContextTerminated, zmq.ZMQError):
            pass
        finally:
            for s in (ctl, self.xsub, self.xpub):
                s.close(linger=0)

    def stop(self, timeout_s: float = 2.0) -> None:
        """End the proxy and close its sockets (from the broker thread)."""
        if self.thread.is_alive():
            self._ctl.send(b"TERMINATE")
            self.thread.join(timeout_s)
        elif not self.thread.ident:
            self.xsub.close(linger=0)
            self.xpub.close(linger=0)
        self._ctl.close(linger=0)
