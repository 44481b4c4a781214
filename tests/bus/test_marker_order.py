"""The readiness marker must reach a producer after the consumer's topic subscriptions, or the
producer may open its gate and publish before the topic filter is in force (a lost message)."""
import time

import zmq

from bus.transport import marker, topic_frame


def test_marker_arrives_after_every_topic_subscription():
    ctx = zmq.Context.instance()
    xpub = ctx.socket(zmq.XPUB)
    xpub.setsockopt(zmq.XPUB_VERBOSE, 1)
    port = xpub.bind_to_random_port("tcp://127.0.0.1")
    sub = ctx.socket(zmq.SUB)
    try:
        sub.setsockopt(zmq.SUBSCRIBE, topic_frame(marker("sink", "abc123")))   # set first, as Client does
        for topic in ("relay/tick", "ext/transcript", "zz/last", "moderation/moderated"):
            sub.setsockopt(zmq.SUBSCRIBE, topic_frame(topic))
        sub.connect(f"tcp://127.0.0.1:{port}")
        seen, deadline = [], time.monotonic() + 5
        while len(seen) < 5 and time.monotonic() < deadline:
            if xpub.poll(100):
                seen.append(xpub.recv()[1:].rstrip(b"\0").decode())
        assert len(seen) == 5
        assert seen[-1] == marker("sink", "abc123"), seen
    finally:
        sub.close(linger=0)
        xpub.close(linger=0)
