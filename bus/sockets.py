"""The one place that makes ZeroMQ sockets: high-water marks, linger, and CurveZMQ.

Every socket is used by exactly one thread (the thread that asks for it here). Other threads hand
their work to the owner through a queue and a wake-up pipe (bus.runtime.calls), never through a
shared socket.

CurveZMQ is switched on per graph by a key directory, written once by `make_keys(dir)` (`run.py
keys DIR`). The graph holds one key pair: every socket that binds is a CURVE server with it, every
socket that connects is a CURVE client with it, and each process that binds runs a ZAP handler
that admits only that public key. A process without the secret key can neither complete a
handshake with the broker (so it reads and injects no control command) nor with a node's data
socket. spec["curve"] (and the launcher's `bus: {curve: DIR}`) is the key directory, or empty.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Optional

import zmq

CTL_HWM = 100_000        # control plane, both directions: status, commands, acks, interrupts
DATA_SUB_HWM = 10_000    # a consumer's data SUB (it drains eagerly into its per-input queues)
DATA_PUB_HWM = 1000      # a producer's XPUB, per subscriber (launch file: hwm)
PUBLIC, SECRET = "bus.key", "bus.key_secret"


class KeysMissing(ValueError):
    pass


class CheckedSocket(zmq.Socket):
    """With KIOSK_BUS_CHECK_THREADS set (tests): a socket that stops the process when a second
    thread uses it (send, recv, get, connect, disconnect). Its owner is the first thread to use
    it, so a socket made in one thread and handed to another before first use is fine. With the
    value `raise` the offending call raises instead (unit tests of the checker itself)."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.__dict__["_owner"] = None

    def _check(self, what: str) -> None:
        me = threading.get_ident()
        if self._owner is None:
            self._owner = me
        elif self._owner != me:
            text = (f"zmq socket {self.socket_type} used by thread {threading.current_thread().name} "
                    f"({what}); it belongs to thread {self._owner}")
            if os.environ.get("KIOSK_BUS_CHECK_THREADS") == "raise":
                raise RuntimeError(text)
            os.write(2, f"FATAL: {text}\n".encode())
            os._exit(70)

    def send(self, *a, **k):
        self._check("send")
        return super().send(*a, **k)

    def recv(self, *a, **k):
        self._check("recv")
        return super().recv(*a, **k)

    def get(self, option):
        if option in (zmq.EVENTS, zmq.RCVMORE):
            self._check("get")
        return super().get(option)

    getsockopt = get

    def connect(self, addr):
        self._check("connect")
        return super().connect(addr)

    def disconnect(self, addr):
        self._check("disconnect")
        return super().disconnect(addr)


@dataclass(frozen=True)
class Curve:
    directory: str
    public: bytes
    secret: bytes

    @classmethod
    def load(cls, directory: str) -> "Curve":
        import zmq.auth
        secret_path = os.path.join(directory, SECRET)
        if not os.path.isfile(secret_path):
            raise KeysMissing(f"CurveZMQ is on but {secret_path} does not exist. Write the graph's keys "
                            f"with `python run.py keys {directory}`, or remove `curve` from the launch file.")
        public, secret = zmq.auth.load_certificate(secret_path)
        if not secret:
            raise KeysMissing(f"{secret_path} holds no secret key; write new keys with `python run.py keys {directory}`")
        return cls(directory, public, secret)


def make_keys(directory: str) -> tuple[str, str]:
    """Write the graph's key pair into `directory` (public bus.key, secret bus.key_secret, mode 0600).
    Returns both paths."""
    import zmq.auth
    os.makedirs(directory, exist_ok=True)
    for name in (PUBLIC, SECRET):
        try:
            os.unlink(os.path.join(directory, name))
        except FileNotFoundError:
            pass
    public, secret = zmq.auth.create_certificates(directory, "bus")
    os.chmod(secret, 0o600)
    return public, secret


def load_curve(value) -> Optional[Curve]:
    """spec["curve"]: a key directory, {"dir": DIR}, or empty for no encryption."""
    if isinstance(value, dict):
        value = value.get("dir", "")
    return Curve.load(str(value)) if value else None


class Sockets:
    """Makes a process's sockets. One per process (the ZAP handler, when CURVE is on, is too)."""

    _auth_lock = threading.Lock()
    _auth = None

    def __init__(self, curve: Optional[Curve] = None):
        self.ctx = zmq.Context.instance()
        self.curve = curve

    def _secure(self, sock: zmq.Socket, server: bool) -> None:
        if self.curve is None:
            return
        if server:
            self._start_auth()
            sock.curve_server = True
            sock.curve_secretkey = self.curve.secret
            sock.curve_publickey = self.curve.public
            sock.zap_domain = b"kiosk"
        else:
            sock.curve_serverkey = self.curve.public
            sock.curve_publickey = self.curve.public
            sock.curve_secretkey = self.curve.secret

    def _start_auth(self) -> None:
        """A ZAP handler (its own thread and socket) that admits only the graph's public key."""
        with Sockets._auth_lock:
            if Sockets._auth is not None:
                return
            from zmq.auth.thread import ThreadAuthenticator
            auth = ThreadAuthenticator(self.ctx)
            auth.start()
            auth.configure_curve(domain="kiosk", location=self.curve.directory)
            Sockets._auth = auth

    def make(self, kind: int, *, server: bool, sndhwm: int = 0, rcvhwm: int = 0, linger: int = 0) -> zmq.Socket:
        sock = CheckedSocket(self.ctx, kind) if os.environ.get("KIOSK_BUS_CHECK_THREADS") else self.ctx.socket(kind)
        sock.setsockopt(zmq.LINGER, linger)
        if sndhwm:
            sock.setsockopt(zmq.SNDHWM, sndhwm)
        if rcvhwm:
            sock.setsockopt(zmq.RCVHWM, rcvhwm)
        self._secure(sock, server)
        return sock

    # --- the kinds the bus uses ---
    def ctl_pub(self) -> zmq.Socket:
        return self.make(zmq.PUB, server=False, sndhwm=CTL_HWM, linger=200)

    def ctl_sub(self) -> zmq.Socket:
        return self.make(zmq.SUB, server=False, rcvhwm=CTL_HWM)

    def data_sub(self) -> zmq.Socket:
        return self.make(zmq.SUB, server=False, rcvhwm=DATA_SUB_HWM)

    def data_pub(self, hwm: int = DATA_PUB_HWM) -> zmq.Socket:
        sock = self.make(zmq.XPUB, server=True, sndhwm=hwm, rcvhwm=CTL_HWM, linger=1000)
        sock.setsockopt(zmq.XPUB_NODROP, 1)   # a full subscriber makes send fail (counted), not drop silently
        return sock

    def broker_pair(self) -> tuple[zmq.Socket, zmq.Socket]:
        xsub = self.make(zmq.XSUB, server=True, sndhwm=CTL_HWM, rcvhwm=CTL_HWM)
        xpub = self.make(zmq.XPUB, server=True, sndhwm=CTL_HWM, rcvhwm=CTL_HWM)
        return xsub, xpub
