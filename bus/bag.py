"""Bags: selected topics recorded to a file and played back into a running graph.

File: the line `KIOSKBAG 1`, then one msgpack record per message: [seconds since start, topic,
[frames...]]. Every string field is masked for personal data before it is written.
"""
from __future__ import annotations

import time
from typing import Optional

import msgpack

from bus import messages as m
from bus.transport import BusAddress, Client

MAGIC = b"KIOSKBAG 1\n"


def record(client: Client, path: str, topics: list[str], duration: float = 0, count: int = 0) -> int:
    from bus.cli import masked
    for t in topics:
        client.want(t)
    n, t0 = 0, time.monotonic()
    with open(path, "wb") as f:
        f.write(MAGIC)
        try:
            while not (duration and time.monotonic() - t0 > duration) and not (count and n >= count):
                for frames in client.receive(100):
                    try:
                        topic, h, msg = m.decode(frames)
                    except m.BadMessage:
                        continue
                    for k, v in vars(msg).items():
                        setattr(msg, k, masked(v))
                    out = m.encode(topic, msg, h.src, h.inc, h.seq, h.turn)
                    f.write(msgpack.packb([time.monotonic() - t0, topic,
                                           [bytes(memoryview(x).cast("B")) for x in out]]))
                    n += 1
                    if count and n >= count:
                        break
        except KeyboardInterrupt:
            pass
    return n


def read(path: str):
    with open(path, "rb") as f:
        if f.read(len(MAGIC)) != MAGIC:
            raise ValueError(f"{path} is not a kiosk bag (it does not start with {MAGIC!r})")
        yield from msgpack.Unpacker(f, raw=False, max_buffer_size=1 << 30)


def info(path: str) -> dict[str, tuple[int, str, float]]:
    out: dict[str, list] = {}
    for t, topic, frames in read(path):
        _, h, _ = m.decode(frames)
        rec = out.setdefault(topic, [0, h.type, t, t])
        rec[0] += 1
        rec[3] = t
    return {k: (v[0], v[1], v[3] - v[2]) for k, v in out.items()}


def play(addr: BusAddress, path: str, rate: float = 1.0, topics: Optional[list[str]] = None, **curve) -> int:
    from bus.publisher import Publisher
    records = [r for r in read(path) if not topics or r[1] in topics]
    tags = {}
    for _, topic, frames in records:
        tags.setdefault(topic, m.decode(frames)[1].type)
    with Publisher(addr, tags, name="_bag", **curve) as pub:
        pub.wait_for_consumers(timeout_s=5.0)
        t_start = time.monotonic()
        for t, topic, frames in records:
            delay = t / rate - (time.monotonic() - t_start)
            if delay > 0:
                time.sleep(delay)
            _, h, msg = m.decode(frames)
            pub.send(topic, msg, turn=h.turn)
    return len(records)
