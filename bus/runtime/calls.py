"""Work that other threads (the worker, setup) hand to the I/O thread, which owns every socket.

A deque plus a wake-up pipe registered in the I/O thread's poller: `put` from any thread wakes the
receive loop at once (an interrupt raised on the worker goes out within a loop turn, not at the
next poll timeout), and no zmq socket is ever touched by two threads.
"""
from __future__ import annotations

import collections
import os


class Calls:
    def __init__(self):
        self.fd, self._w = os.pipe()
        os.set_blocking(self.fd, False)
        os.set_blocking(self._w, False)
        self.items: collections.deque = collections.deque()
        self.pending = False

    def put(self, fn, *args) -> None:
        """Run fn(*args) on the I/O thread soon (thread-safe)."""
        self.items.append((fn, args))
        if not self.pending:
            self.pending = True
            try:
                os.write(self._w, b"\0")
            except BlockingIOError:   # the pipe is full of wake-ups already
                pass

    def run(self) -> None:
        """On the I/O thread: run what was handed over so far."""
        if self.pending:
            self.pending = False
            try:
                os.read(self.fd, 4096)
            except BlockingIOError:
                pass
        for _ in range(len(self.items)):
            fn, args = self.items.popleft()
            fn(*args)

    def close(self) -> None:
        for fd in (self.fd, self._w):
            try:
                os.close(fd)
            except OSError:
                pass
