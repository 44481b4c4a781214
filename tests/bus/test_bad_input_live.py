"""10,000 malformed messages at a live node: it stays up and counts every one."""
import random
import time

import msgpack
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bus import messages as m
from bus.publisher import Publisher
from bus.transport import BusAddress
from tests.procs import Graph

pytestmark = pytest.mark.timeout(180)

GRAPH = """
    bus: {port: PORT, max_message_bytes: 4096}
    nodes:
      - {id: victim, node: "nodes.demo:Printer", inputs: {text: ext/junk}}
"""
TOPIC = b"ext/junk\0"


def junk(kind: str, rng: random.Random) -> list:
    head = lambda tag, body: msgpack.packb([tag, rng.randint(1, 10**6), "x", "y", 0.0, 0.0, 0, body])
    if kind == "undecodable":
        return [TOPIC, b"\xc1" + rng.randbytes(rng.randint(0, 40))]
    if kind == "short":
        return [TOPIC]
    if kind == "bad_header":
        return [TOPIC, msgpack.packb([rng.random(), "text"])]
    if kind == "unknown_type":
        return [TOPIC, head(f"no_such_{rng.randint(0, 99)}", {})]
    if kind == "bad_field":
        return [TOPIC, head("text", {"text": rng.choice([1, 2.5, None, [1], {"a": 1}, b"x"])})]
    if kind == "oversized":
        return [TOPIC, head("text", {"text": "가" * 2000})]
    if kind == "bad_array":
        return [TOPIC, head("video_frame", {"image": msgpack.ExtType(1, msgpack.packb([0, "|u1", [9, 9, 3]]))}), b"x"]
    if kind == "wrong_type":
        junk.seq = getattr(junk, "seq", 0) + 1   # a valid, fresh stream position: only the type is wrong
        return m.encode("ext/junk", m.Tick(rng.randint(0, 100)), "w", "w", junk.seq)
    raise ValueError(kind)


KINDS = ["undecodable", "short", "bad_header", "unknown_type", "bad_field", "oversized", "bad_array", "wrong_type"]


def counters(g):
    return g.wait_for(lambda st: st.get("victim"), what="victim status").counters


def test_ten_thousand_malformed_messages(tmp_path):
    rng = random.Random(7)
    with Graph(tmp_path, GRAPH) as g:
        before = g.wait_for(lambda st: st.get("victim") if st.get("victim") and st["victim"].state == "ok" else None)
        sent = {k: 0 for k in KINDS}
        with Publisher(BusAddress.parse(g.bus), {"ext/junk": "text"}) as pub:
            assert pub.wait_for_consumers(10)
            for i in range(10_000):
                kind = KINDS[i % len(KINDS)]
                pub.pub.send_multipart(junk(kind, rng))
                sent[kind] += 1
                if i % 500 == 499:
                    pub.pump()
                    time.sleep(0.01)
            for i in range(5):
                pub.send("ext/junk", m.Text(f"아직 살아 있어요 {i}"))
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                pub.pump()
                c = counters(g)
                if c.get("rx", 0) >= 5 and c.get("dropped", 0) >= 10_000:
                    break
        after = g.wait_for(lambda st: st.get("victim"))
        assert after.pid == before.pid and after.inc == before.inc, "the node restarted"
        c = after.counters
        assert c["dropped"] == 10_000
        for kind in KINDS:
            assert c.get(f"dropped_{kind}", 0) == sent[kind], kind
        assert c["rx"] == 5
        assert "아직 살아 있어요 4" in g.output()
        assert g.output().count("dropped a message") < 100, "drop logging is not rate-limited"


frames_strategy = st.one_of(
    st.lists(st.binary(max_size=80), min_size=0, max_size=3),
    st.tuples(st.sampled_from(sorted(m.REGISTRY)),
              st.dictionaries(st.sampled_from(["text", "n", "pcm", "image", "label", "x"]),
                              st.one_of(st.none(), st.integers(-5, 5), st.text(max_size=5), st.binary(max_size=5),
                                        st.lists(st.integers(0, 3), max_size=2)), max_size=3))
    .map(lambda tb: [msgpack.packb([tb[0], 1, "s", "i", 0.0, 0.0, 0, tb[1]])]),
)


def test_property_random_frames_at_a_live_node(tmp_path):
    """Hypothesis throws random bytes and well-formed-but-wrong messages at a running node."""
    with Graph(tmp_path, GRAPH) as g:
        g.wait_for(lambda st: st.get("victim") and st["victim"].state == "ok")
        pid = g.wait_for(lambda st: st.get("victim")).pid
        expected = {"dropped": 0, "rx": 0}
        seq = [10**7]
        # Draw the frames first, then send them: on a fresh checkout Hypothesis builds its Unicode
        # tables during the first draws (seconds), and a publisher silent that long looks gone to
        # the graph, which then stops reading it (an ad-hoc publisher has no retention).
        batch = []

        @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(frames_strategy)
        def draw(body_frames):
            batch.append([TOPIC, *body_frames])

        draw()
        with Publisher(BusAddress.parse(g.bus), {"ext/junk": "text"}) as pub:
            assert pub.wait_for_consumers(10)
            for frames in batch:
                try:
                    _, _, msg = m.decode(frames, 4096)
                    ok = isinstance(msg, m.Text)
                except m.BadMessage:
                    ok = False
                if ok:  # a valid message: give it a fresh sequence number so it is not a duplicate
                    seq[0] += 1
                    frames = m.encode("ext/junk", msg, "hyp", "h", seq[0])
                expected["rx" if ok else "dropped"] += 1
                pub.pub.send_multipart(frames)
                pub.pump()
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                pub.pump()
                c = counters(g)
                if c.get("dropped", 0) + c.get("rx", 0) >= expected["dropped"] + expected["rx"]:
                    break
        st_ = g.wait_for(lambda st: st.get("victim"))
        assert st_.pid == pid and st_.state in ("ok", "degraded")
        assert st_.counters.get("dropped", 0) == expected["dropped"]
        assert st_.counters.get("rx", 0) == expected["rx"]


def test_garbage_on_the_control_plane_is_counted_not_fatal(tmp_path):
    with Graph(tmp_path, GRAPH) as g:
        before = g.wait_for(lambda st: st.get("victim") if st.get("victim") and st["victim"].state == "ok" else None)
        c = g.connect()
        for i in range(500):   # straight into the broker, on topics every node reads
            c.ctl_pub.send_multipart([b"_ctl/all\0", b"\xc1garbage"] if i % 2 else [b"_int\0"])
        after = g.wait_for(lambda st: st.get("victim") if st.get("victim") and
                           st["victim"].counters.get("dropped_control", 0) >= 500 else None, what="control drops")
        assert after.pid == before.pid and after.counters["dropped_control"] == 500
