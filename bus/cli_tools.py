"""Data-plane tools of run.py: `topic list|echo|hz|bw|pub` (look at topics, or feed one by hand),
`graph` (a picture of a launch file or of the running graph) and `bag record|play|info`."""
from __future__ import annotations

import json
import statistics
import sys
import time

from bus import messages as m
from bus.cli import _client, _print_table, _show, curve_kw
from bus.opcheck import BodyError, parse_body
from bus.transport import BusAddress


def cmd_topic(args) -> int:
    if args.action == "pub":
        return _topic_pub(args)
    c = _client(args, data=args.action != "list")
    try:
        if args.action == "list":
            statuses = c.gather(1.2)
            topics: dict[str, dict] = {}
            for s in statuses:
                for t, tag in s.outputs.items():
                    topics.setdefault(t, {"type": tag, "pub": set(), "sub": set()})["pub"].add(s.node)
            for s in statuses:
                for t in s.inputs.values():
                    topics.setdefault(t, {"type": "?", "pub": set(), "sub": set()})["sub"].add(s.node)
            _print_table([[t, d["type"], ",".join(sorted(d["pub"])) or "-", ",".join(sorted(d["sub"])) or "-"]
                          for t, d in sorted(topics.items())], ["topic", "type", "publishers", "subscribers"])
            return 0
        c.want(args.topic)
        c.gather(0.3)
        t0 = time.monotonic()
        stamps, sizes, n = [], [], 0
        last_print = t0
        while True:
            now = time.monotonic()
            if args.duration and now - t0 > args.duration:
                break
            for frames in c.receive(100):
                try:
                    topic, h, msg = m.decode(frames)
                except m.BadMessage as e:
                    print(f"(undecodable message: {e})")
                    continue
                n += 1
                if args.action == "echo":
                    print(json.dumps({"topic": topic, "type": h.type, "src": h.src, "seq": h.seq,
                                      "turn": h.turn, "msg": _show(msg)}, ensure_ascii=False), flush=True)
                    if args.count and n >= args.count:
                        return 0
                stamps.append(time.monotonic())
                sizes.append(sum(len(f.buffer) if hasattr(f, "buffer") else len(f) for f in frames))
            if args.action in ("hz", "bw") and time.monotonic() - last_print >= 1.0:
                last_print = time.monotonic()
                window = [i for i, t in enumerate(stamps) if last_print - t <= args.window]
                if len(window) < 2:
                    print(f"{args.topic}: no messages yet", flush=True)
                    continue
                ts = [stamps[i] for i in window]
                gaps = [b - a for a, b in zip(ts, ts[1:])]
                if args.action == "hz":
                    rate = (len(ts) - 1) / (ts[-1] - ts[0])
                    print(f"{args.topic}: average rate {rate:.2f} Hz  min {min(gaps)*1e3:.1f} ms  "
                          f"max {max(gaps)*1e3:.1f} ms  std {statistics.pstdev(gaps)*1e3:.2f} ms  "
                          f"window {len(ts)}", flush=True)
                else:
                    total = sum(sizes[i] for i in window)
                    span = max(ts[-1] - ts[0], 1e-6)
                    print(f"{args.topic}: {total / span / 1024:.1f} KiB/s  mean {total / len(ts):.0f} B  "
                          f"window {len(ts)}", flush=True)
        if args.action == "echo" and n == 0:
            print(f"no message on {args.topic} within {args.duration} s", file=sys.stderr)
            return 1
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        c.close()


def _topic_pub(args) -> int:
    from bus.publisher import Publisher
    cls = m.REGISTRY.get(args.type)
    if cls is None:
        print(f"unknown message type '{args.type}' (types: {', '.join(sorted(m.REGISTRY))})", file=sys.stderr)
        return 2
    try:
        msg = parse_body(cls, args.data)
    except BodyError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    with Publisher(BusAddress.parse(args.bus), {args.topic: cls.TAG}, **curve_kw(args)) as pub:
        attached = pub.wait_for_consumers(timeout_s=3.0)
        if not attached:
            print(f"warning: no running node reads {args.topic}", file=sys.stderr)
        for i in range(args.count):
            pub.send(args.topic, msg)
            if args.rate and i + 1 < args.count:
                time.sleep(1.0 / args.rate)
        print(f"published {args.count} {cls.TAG} message(s) on {args.topic}")
    return 0


# --- graph picture ---------------------------------------------------------------------------
def cmd_graph(args) -> int:
    from bus.graph import GraphError, load
    from bus.graphviz import render, to_dot
    if args.file:
        try:
            g = load(args.file)
        except GraphError as e:
            print(f"{args.file}: the graph is not valid:\n{e}", file=sys.stderr)
            return 2
        dot = to_dot(g.name, [(n.id, n.cls, n.inputs, list(n.outputs().values()), "declared") for n in g.nodes])
    else:
        c = _client(args)
        try:
            live = [s for s in c.gather(1.2) if not s.node.startswith(("_", "launcher"))]
        finally:
            c.close()
        dot = to_dot("running graph", [(s.node, s.cls, s.inputs, list(s.outputs), s.state) for s in live])
    print(render(dot, args.output))
    return 0


# --- bag ------------------------------------------------------------------------------------
def cmd_bag(args) -> int:
    from bus import bag
    if args.action == "record":
        c = _client(args, data=True)
        try:
            n = bag.record(c, args.output, args.topics, args.duration, args.count)
        finally:
            c.close()
        print(f"recorded {n} message(s) to {args.output}")
        return 0
    if args.action == "info":
        for topic, (n, tag, span) in sorted(bag.info(args.file).items()):
            print(f"{topic}  {tag}  {n} message(s) over {span:.2f} s")
        return 0
    n = bag.play(BusAddress.parse(args.bus), args.file, args.rate, args.topics, **curve_kw(args))
    print(f"played {n} message(s) from {args.file}")
    return 0
