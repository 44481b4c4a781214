"""Helpers for tests that start real processes on a real bus."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time

from bus.transport import BusAddress, Client

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = sys.executable


def free_port_pair() -> int:
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port < 65000:
            try:
                with socket.socket() as s2:
                    s2.bind(("127.0.0.1", port + 1))
                return port
            except OSError:
                continue


class Graph:
    """`run.py launch` of a YAML text in a subprocess, with a bus port of its own."""

    def __init__(self, tmp_path, yaml_text: str, extra_args=(), env=None):
        self.port = free_port_pair()
        self.bus = f"127.0.0.1:{self.port}"
        self.path = tmp_path / "graph.yaml"
        self.path.write_text(textwrap.dedent(yaml_text).replace("PORT", str(self.port)))
        self.log = open(tmp_path / "launch.log", "w+")
        self.proc = subprocess.Popen([PY, "run.py", "launch", str(self.path), *extra_args], cwd=ROOT,
                                     stdout=self.log, stderr=subprocess.STDOUT, env=env)
        self.client = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def connect(self) -> Client:
        if self.client is None:
            deadline = time.monotonic() + 10
            while True:
                try:
                    self.client = Client(BusAddress.parse(self.bus), f"_test/{os.getpid()}")
                    self.client.handshake(timeout_s=1.0)
                    break
                except ConnectionError:
                    self.client.close()
                    self.client = None
                    if time.monotonic() > deadline:
                        raise
        return self.client

    def wait_for(self, pred, timeout: float = 15.0, what: str = "condition"):
        """Poll heartbeats until pred(statuses by node) returns something truthy."""
        c = self.connect()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            c.gather(0.1)
            c.expire()
            got = pred({s.node: s for s in c.directory.statuses()})
            if got:
                return got
        raise AssertionError(f"timed out waiting for {what}; launcher log:\n{self.output()[-3000:]}")

    def cli(self, *args, timeout: float = 30) -> subprocess.CompletedProcess:
        return subprocess.run([PY, "run.py", *args, "--bus", self.bus], cwd=ROOT, capture_output=True,
                              text=True, timeout=timeout)

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self) -> int:
        if self.client:
            self.client.close()
            self.client = None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        return self.proc.returncode
