import dataclasses
import typing

import msgpack
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bus import messages as m


def sample(hint):
    """A plausible value for an annotation (used to build one of every message type)."""
    origin = typing.get_origin(hint)
    if origin is typing.Annotated:
        spec = hint.__metadata__[0]
        shape = tuple(3 if n is None else n for n in spec.shape)
        return np.arange(int(np.prod(shape))).astype(spec.dtype).reshape(shape)
    if origin is typing.Literal:
        return typing.get_args(hint)[0]
    if origin is typing.Union or str(origin) == "<class 'types.UnionType'>":
        return sample(typing.get_args(hint)[0])
    return {int: 7, float: 0.25, str: "주민센터", bool: True, bytes: b"\x00\x01",
            typing.Any: {"a": 1}}.get(hint) if origin is None and hint is not np.ndarray else (
        np.arange(12, dtype=np.int16).reshape(6, 2) if hint is np.ndarray else
        [sample(typing.get_args(hint)[0])] if origin is list else
        {"k": sample(typing.get_args(hint)[1])} if origin is dict else None)


@pytest.mark.parametrize("tag", sorted(m.REGISTRY))
def test_every_type_round_trips(tag):
    cls = m.REGISTRY[tag]
    hints = m.hints(cls)
    msg = cls(**{f.name: sample(hints[f.name]) for f in dataclasses.fields(cls)})
    frames = m.encode("node/out", msg, "node", "inc1", 42, 1796400000123456)
    topic, header, back = m.decode([bytes(memoryview(f).cast("B")) for f in frames])
    assert topic == "node/out"
    assert (header.type, header.seq, header.src, header.inc, header.turn) == (tag, 42, "node", "inc1", 1796400000123456)
    for f in dataclasses.fields(cls):
        a, b = getattr(msg, f.name), getattr(back, f.name)
        if isinstance(a, np.ndarray):
            assert np.array_equal(a, b) and a.dtype == b.dtype
        else:
            assert a == b, f.name


def test_arrays_travel_as_raw_frames_not_lists():
    img = np.random.randint(0, 255, (480, 640, 3), dtype=np.uint8)
    frames = m.encode("cam/frame", m.VideoFrame(img, 3), "cam", "i", 1)
    assert len(frames) == 3 and len(frames[1]) < 200          # header stays small
    assert memoryview(frames[2]).nbytes == img.nbytes
    _, _, back = m.decode(frames)
    assert np.array_equal(back.image, img)


def _bad(frames):
    with pytest.raises(m.BadMessage) as e:
        m.decode(frames)
    return e.value.reason


def _head(tag="text", body=None, **kw):
    h = [tag, 1, "src", "inc", 1.0, 2.0, 0, body if body is not None else {"text": "hi"}]
    return msgpack.packb(h)


def test_bad_messages_have_reasons():
    assert _bad([b"t\0"]) == "short"
    assert _bad([b"t", _head()]) == "bad_topic"
    assert _bad([b"t\0", b"\xc1\xc1"]) == "undecodable"
    assert _bad([b"t\0", msgpack.packb([1, 2])]) == "bad_header"
    assert _bad([b"t\0", _head(tag="nope")]) == "unknown_type"
    assert _bad([b"t\0", _head(body={"text": 5})]) == "bad_field"
    assert _bad([b"t\0", _head(body={"text": "a", "extra": 1})]) == "bad_field"
    assert _bad([b"t\0", _head(tag="tick", body={"text": "a"})]) == "bad_field"   # n missing
    with pytest.raises(m.BadMessage) as e:
        m.decode([b"t\0", _head(), b"x" * 100], max_bytes=64)
    assert e.value.reason == "oversized"


def test_array_with_lying_shape_is_rejected():
    frames = m.encode("a/b", m.VideoFrame(np.zeros((2, 2, 3), np.uint8)), "a", "i", 1)
    head = msgpack.unpackb(frames[1], raw=False, ext_hook=lambda c, d: msgpack.ExtType(c, d))
    head[7]["image"] = msgpack.ExtType(1, msgpack.packb([0, "|u1", [99, 99, 3]]))
    assert _bad([frames[0], msgpack.packb(head), frames[2]]) == "bad_array"
    head[7]["image"] = msgpack.ExtType(1, msgpack.packb([0, "|O", [12]]))
    assert _bad([frames[0], msgpack.packb(head), frames[2]]) == "bad_array"


@settings(max_examples=500, deadline=None)
@given(st.lists(st.binary(max_size=64), min_size=0, max_size=4))
def test_random_bytes_only_ever_raise_bad_message(frames):
    try:
        m.decode([b"x/y\0", *frames])
    except m.BadMessage:
        pass


json_like = st.recursive(st.none() | st.booleans() | st.integers(-2**63, 2**64 - 1) | st.floats(allow_nan=False) | st.text(max_size=8),
                         lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3),
                         max_leaves=8)


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(sorted(m.REGISTRY)), st.dictionaries(st.text(max_size=10), json_like, max_size=5))
def test_well_formed_but_wrong_bodies_raise_bad_message(tag, body):
    try:
        m.decode([b"x/y\0", msgpack.packb([tag, 1, "s", "i", 0.0, 0.0, 0, body])])
    except m.BadMessage:
        pass


def test_array_fields_declare_dtype_and_shape():
    ok = m.AudioChunk(np.zeros(320, np.int16), 16000, "mic", "", 0)
    m.decode(m.encode("mic/audio", ok, "mic", "i", 1))
    for bad in (np.zeros((320, 2), np.int16), np.zeros(320, np.float32)):
        with pytest.raises(m.BadMessage, match="AudioChunk.pcm"):
            m.decode(m.encode("mic/audio", m.AudioChunk(bad, 16000), "mic", "i", 1))
    with pytest.raises(m.BadMessage, match="VideoFrame.image: expected dtype uint8"):
        m.decode(m.encode("face/frame", m.VideoFrame(np.zeros((4, 4, 3), np.float32)), "face", "i", 1))


def test_turn_ids_increase():
    a, b = m.new_turn(), m.new_turn()
    assert 0 < a < b


def test_the_origin_travels_in_the_header_and_old_headers_decode_without_one():
    frames = m.encode("p/out", m.Text("가"), "p", "1", 3, turn=9, origin=2**62 + 5)
    _, h, _ = m.decode(frames)
    assert (h.seq, h.turn, h.origin) == (3, 9, 2**62 + 5)
    old = msgpack.packb(["text", 3, "p", "1", 0.0, 0.0, 9, {"text": "가"}])   # a bag recorded before origins
    _, h, msg = m.decode([b"p/out\0", old])
    assert h.origin == 0 and msg.text == "가"


def test_types_that_passed_before_pass_at_once_but_a_wrong_type_never_does():
    """decode skips the per-field checks for a body whose field types passed before; a body with
    the same fields but another type of value is still checked and rejected."""
    good = m.encode("src/out", m.BenchBlob(1, 2.0, data=b"x"), "src", "i", 1)
    for _ in range(3):
        assert m.decode(good)[2] == m.BenchBlob(1, 2.0, data=b"x")
    h = ["bench_blob", 2, "src", "i", 1.0, 2.0, 0, {"n": "1", "t": 2.0, "data": b"x", "image": None}, 5]
    assert _bad([b"src/out\0", msgpack.packb(h, use_bin_type=True)]) == "bad_field"
    h[7] = {"n": 1, "t": 2.0, "data": b"x", "image": [1, 2]}
    assert _bad([b"src/out\0", msgpack.packb(h, use_bin_type=True)]) == "bad_field"
    h[7] = {"n": True, "t": 2.0, "data": b"x", "image": None}   # a bool is not an int
    assert _bad([b"src/out\0", msgpack.packb(h, use_bin_type=True)]) == "bad_field"
    h[7] = {"t": 2.0, "n": 1, "data": b"x", "image": None}      # other order: same message
    assert m.decode([b"src/out\0", msgpack.packb(h, use_bin_type=True)])[2] == m.BenchBlob(1, 2.0, data=b"x")


def test_a_topic_seen_before_is_still_checked_and_an_extra_attribute_is_not_sent():
    assert m.decode([b"a/b\0", _head()])[0] == "a/b"
    assert _bad([b"a/b", _head()]) == "bad_topic"
    msg = m.Tick(3)
    msg.note = "local only"   # not a field: never on the wire
    _, _, back = m.decode(m.encode("a/b", msg, "a", "i", 1))
    assert back == m.Tick(3) and not hasattr(back, "note")
