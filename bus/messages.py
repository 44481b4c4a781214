"""Every message type on the kiosk bus, and how it travels.

A message is a frozen-shape dataclass registered under a stable tag. On the wire it is a ZeroMQ
multipart message:

    frame 0   topic, UTF-8, followed by a NUL byte (so "a/b" never prefix-matches "a/bc")
    frame 1   msgpack [tag, seq, src, inc, wall, mono, turn, body, origin]
    frame 2+  raw buffers of the numpy fields of body, in field order (zero-copy)

`body` is a dict keyed by field name; numpy fields are replaced by msgpack ext type 1 holding
[frame index, dtype, shape]. Encoding and decoding are derived from the dataclass fields, so the
two can never drift, and decoding checks every field's type: a bad message raises `BadMessage`
with a reason, never anything else.

Topics: a data topic is "<producer node id>/<output name>". Control-plane topics start with "_".
"""
from __future__ import annotations

import dataclasses
import os
import threading
import time
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Optional, Union

import msgpack
import numpy as np

_ND_EXT = 1
REGISTRY: dict[str, type] = {}
_HINTS: dict[type, dict[str, Any]] = {}


class BadMessage(ValueError):
    """A frame set that is not a valid message; `reason` is a short counter key."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass
class Header:
    type: str
    seq: int
    src: str          # node id of the publisher
    inc: str          # incarnation of that node (changes on every restart or swap)
    wall: float       # time.time() at publish
    mono: float       # time.monotonic() at publish (same clock across processes on one host)
    turn: int         # conversation turn (new_turn()); inherited by everything it causes; 0: none
    origin: int = 0   # what this message is, kept when a new incarnation publishes it again (bus.runtime.intake); 0: unknown


def message(tag: str):
    """Register a dataclass as a bus message under a stable wire tag."""
    def wrap(cls):
        cls = dataclass(cls)
        if tag in REGISTRY:
            raise ValueError(f"message tag {tag!r} registered twice")
        cls.TAG = tag
        REGISTRY[tag] = cls
        return cls
    return wrap


def hints(cls) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls, include_extras=True)
    return _HINTS[cls]


@dataclass(frozen=True)
class Array:
    """Declares a numpy field's dtype and shape, checked on decode and on publish:
    `pcm: Annotated[np.ndarray, Array("int16", (None,))]`; None in a shape is any length."""
    dtype: str
    shape: tuple

    def error(self, v: Any) -> Optional[str]:
        if not isinstance(v, np.ndarray):
            return f"expected an ndarray, got {type(v).__name__}"
        if v.dtype != np.dtype(self.dtype):
            return f"expected dtype {self.dtype}, got {v.dtype}"
        if len(v.shape) != len(self.shape) or any(w is not None and w != n for w, n in zip(self.shape, v.shape)):
            want = "x".join("N" if w is None else str(w) for w in self.shape)
            return f"expected shape ({want}), got {v.shape}"
        return None


def array(dtype: str, *shape) -> Any:
    """Annotation for a numpy field: array("int16", None) is a 1-D int16 array of any length."""
    return typing.Annotated[np.ndarray, Array(dtype, tuple(shape))]


# --- type checking shared by messages and node params ---------------------------------------

def type_error(value: Any, hint: Any) -> Optional[str]:
    """None if `value` fits the annotation `hint`, else a short description of the mismatch."""
    check = _CHECKERS.get(hint)
    if check is None:
        check = _CHECKERS[hint] = _compile(hint)
    return check(value)


_CHECKERS: dict[Any, Any] = {}


def _compile(hint: Any):
    """A fast checker for one annotation, built once (decoding is on the hot path)."""
    if hint is Any:
        return lambda v: None
    if typing.get_origin(hint) is typing.Annotated:
        spec = next((a for a in hint.__metadata__ if isinstance(a, Array)), None)
        return spec.error if spec else _compile(typing.get_args(hint)[0])
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        subs = [_compile(h) for h in typing.get_args(hint)]
        if len(subs) == 2 and type(None) in typing.get_args(hint):
            other = subs[0] if typing.get_args(hint)[1] is type(None) else subs[1]
            return lambda v: None if v is None else other(v)
        msg = f"expected {_name(hint)}"
        return lambda v: None if any(c(v) is None for c in subs) else f"{msg}, got {type(v).__name__}"
    if origin is typing.Literal:
        choices = typing.get_args(hint)
        return lambda v: None if v in choices else f"expected one of {list(choices)}, got {v!r}"
    if hint is type(None):
        return lambda v: None if v is None else f"expected None, got {type(v).__name__}"
    if hint is float:
        return lambda v: None if type(v) in (float, int) else f"expected float, got {type(v).__name__}"
    if hint is int:
        return lambda v: None if type(v) is int else f"expected int, got {type(v).__name__}"
    if hint in (str, bytes, bool):
        return lambda v: None if type(v) is hint else f"expected {hint.__name__}, got {type(v).__name__}"
    if origin in (list, tuple):
        args = typing.get_args(hint)
        item = _compile(args[0]) if args else (lambda v: None)

        def check_list(v):
            if not isinstance(v, (list, tuple)):
                return f"expected a list, got {type(v).__name__}"
            for i, x in enumerate(v):
                err = item(x)
                if err:
                    return f"item {i}: {err}"
            return None
        return check_list
    if origin is dict:
        args = typing.get_args(hint)
        kc, vc = (_compile(args[0]), _compile(args[1])) if args else (lambda v: None, lambda v: None)

        def check_dict(v):
            if not isinstance(v, dict):
                return f"expected a mapping, got {type(v).__name__}"
            for k, x in v.items():
                err = kc(k) or vc(x)
                if err:
                    return f"key {k!r}: {err}"
            return None
        return check_dict
    return lambda v: None if isinstance(v, hint) else f"expected {_name(hint)}, got {type(v).__name__}"


def _name(hint: Any) -> str:
    return getattr(hint, "__name__", None) or str(hint).replace("typing.", "")


# --- wire format ------------------------------------------------------------------------------

class _Packer(threading.local):
    """One msgpack Packer per thread, kept: `msgpack.packb` makes (and allocates) a new one on
    every call. `buffers` collects the current message's numpy arrays."""

    def __init__(self):
        self.buffers: list = []
        self.packer = msgpack.Packer(default=self.default, use_bin_type=True)

    def default(self, obj):
        if isinstance(obj, np.ndarray):
            arr = np.ascontiguousarray(obj)
            self.buffers.append(arr)
            return msgpack.ExtType(_ND_EXT, msgpack.packb([len(self.buffers) - 1, arr.dtype.str, arr.shape]))
        raise TypeError(f"cannot encode {type(obj).__name__}")


_packer = _Packer()


def encode(topic: str, msg: Any, src: str, inc: str, seq: int, turn: int = 0, origin: int = 0) -> list:
    """Frames for one message. numpy arrays become separate zero-copy frames."""
    names, name_set = _FIELD_NAMES.get(type(msg)) or _field_names(type(msg))
    body = getattr(msg, "__dict__", None)
    if body is None or body.keys() != name_set:   # holding just its fields (as __init__ sets them), it goes as it is
        body = {n: getattr(msg, n) for n in names}
    p = _packer
    p.buffers = buffers = []
    head = p.packer.pack([msg.TAG, seq, src, inc, time.time(), time.monotonic(), turn, body, origin])
    return [_TOPIC_FRAMES.get(topic) or topic_frame(topic), head, *buffers]


_TOPIC_FRAMES: dict[str, bytes] = {}


def topic_frame(topic: str) -> bytes:
    """The wire form of a topic: UTF-8 and a NUL byte."""
    frame = topic.encode() + b"\0"
    if len(_TOPIC_FRAMES) < 4096:
        _TOPIC_FRAMES[topic] = frame
    return frame


def decode(frames: list, max_bytes: int = 64 << 20) -> tuple[str, Header, Any]:
    """(topic, header, message) from raw frames (bytes, memoryview or zmq.Frame)."""
    if len(frames) < 2:
        raise BadMessage("short", f"{len(frames)} frame(s)")
    # the two small frames as bytes (cheapest for msgpack); array frames stay zero-copy views
    topic_b, head_b = frames[0], frames[1]
    if type(topic_b) is not bytes:
        topic_b = topic_b.bytes if hasattr(topic_b, "bytes") else bytes(topic_b)
    if type(head_b) is not bytes:
        head_b = head_b.bytes if hasattr(head_b, "bytes") else bytes(head_b)
    rest = ()
    if len(frames) > 2:
        rest = [f.buffer if hasattr(f, "buffer") else memoryview(f) for f in frames[2:]]
        size = len(topic_b) + len(head_b) + sum(r.nbytes for r in rest)
    else:
        size = len(topic_b) + len(head_b)
    if size > max_bytes:
        raise BadMessage("oversized", f"{size} bytes > limit {max_bytes}")
    topic = _TOPICS.get(topic_b)   # only well-formed topics are kept there
    try:
        if topic is None:
            topic = _topic(topic_b)
        head = _unpackb(head_b, ext_hook=_ext_hook)   # raw=False, strict_map_key=True: msgpack's defaults
    except BadMessage:
        raise
    except Exception as e:  # msgpack raises a zoo of types on garbage
        raise BadMessage("undecodable", f"{type(e).__name__}: {e}") from None
    if type(head) is list and [*map(type, head)] == _HEAD_TYPES:   # a current header with every field's type right
        tag, seq, src, inc, wall, mono, turn, body, origin = head
        cls = REGISTRY.get(tag)
        if cls is None:
            raise BadMessage("unknown_type", repr(tag)[:80])
    else:
        tag, seq, src, inc, wall, mono, turn, body, origin, cls = _check_header(head)
    kinds = tuple(map(type, body.values()))
    if rest or _NdRef in kinds:
        body = {k: (v.resolve(rest) if type(v) is _NdRef else v) for k, v in body.items()}
        msg = build(cls, body, BadMessage)
    else:
        plan = _PLANS.get(cls) or _plan(cls)
        if kinds in plan[2] and tuple(body) == plan[3]:   # checked before: passes on the types alone
            msg = cls(**body)
        else:
            msg = build(cls, body, BadMessage)
    return topic, Header(tag, seq, src, inc, wall, mono, turn, origin), msg


_HEAD_TYPES = [str, int, str, str, float, float, int, dict, int]
_TOPICS: dict[bytes, str] = {}
_unpackb = msgpack.unpackb


def _topic(topic_b: bytes) -> str:
    if not topic_b.endswith(b"\0"):
        raise BadMessage("bad_topic", "topic frame lacks NUL terminator")
    topic = topic_b[:-1].decode()
    if len(_TOPICS) < 4096:   # a graph has a few dozen; garbage must not grow it without bound
        _TOPICS[topic_b] = topic
    return topic


def _check_header(head: Any) -> tuple:
    """The header's fields and message class, or BadMessage saying what is wrong with it."""
    if type(head) is not list:
        raise BadMessage("bad_header", "not an 8- or 9-item list")
    if len(head) == 9:
        tag, seq, src, inc, wall, mono, turn, body, origin = head
    elif len(head) == 8:   # before origin (old bags)
        tag, seq, src, inc, wall, mono, turn, body = head
        origin = 0
    else:
        raise BadMessage("bad_header", "not an 8- or 9-item list")
    if not (type(tag) is str and type(seq) is int and type(src) is str and type(inc) is str
            and type(wall) is float and type(mono) is float and type(turn) is int and type(origin) is int):
        raise BadMessage("bad_header", "header fields have wrong types")
    cls = REGISTRY.get(tag)
    if cls is None:
        raise BadMessage("unknown_type", repr(tag)[:80])
    if type(body) is not dict:
        raise BadMessage("bad_body", "body is not a mapping")
    return tag, seq, src, inc, wall, mono, turn, body, origin, cls


_FIELD_NAMES: dict[type, tuple[tuple[str, ...], frozenset]] = {}


def _field_names(cls) -> tuple[tuple[str, ...], frozenset]:
    names = tuple(f.name for f in dataclasses.fields(cls))
    entry = _FIELD_NAMES[cls] = (names, frozenset(names))
    return entry


def _ext_hook(code, data):
    if code != _ND_EXT:
        raise BadMessage("bad_field", f"unknown ext type {code}")
    return _NdRef(*msgpack.unpackb(data))


def build(cls, values: dict, error=ValueError):
    """Instantiate a dataclass from a mapping, checking names and types of every field."""
    plan = _PLANS.get(cls) or _plan(cls)
    names, fields, plain_kinds, order = plan
    if not values.keys() <= names:
        unknown = sorted(set(values) - names)
        raise error("bad_field", f"{cls.__name__}: unknown field(s) {unknown}")
    get = values.get
    plain = True   # every value passed on its type alone (exact, or None where None is allowed)
    for name, required, exact, check in fields:
        v = get(name, _MISSING)
        if type(v) is exact:   # a plain type that the field's check would pass (decoding is on the hot path)
            continue
        if v is _MISSING:
            if required:
                raise error("bad_field", f"{cls.__name__}.{name} is missing")
            continue
        err = check(v)
        if err:
            raise error("bad_field", f"{cls.__name__}.{name}: {err}")
        if v is not None:
            plain = False
    if plain and len(plain_kinds) < 64 and tuple(values) == order:
        plain_kinds.add(tuple(map(type, values.values())))   # decode: the same field types pass at once
    return cls(**values)


def _plan(cls) -> tuple:
    """names; per field: (name, required, a type that passes at once or None, its check); the
    tuples of value types seen to pass on their types alone, with every field present in field
    order (filled by build); the field names in order."""
    hint = hints(cls)
    fields = []
    for f in dataclasses.fields(cls):
        h = hint[f.name]
        args = typing.get_args(h)
        if typing.get_origin(h) in (Union, types.UnionType) and len(args) == 2 and type(None) in args:
            h = args[0] if args[1] is type(None) else args[1]   # Optional[T]: a T passes at once, None is checked
        exact = h if h in (int, float, str, bytes, bool) else None
        fields.append((f.name, f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING,
                       exact, _compile(hint[f.name])))
    plan = _PLANS[cls] = (frozenset(f[0] for f in fields), tuple(fields), set(), tuple(f[0] for f in fields))
    return plan


_PLANS: dict[type, tuple] = {}
_MISSING = object()


class _NdRef:
    def __init__(self, index, dtype, shape):
        self.index, self.dtype, self.shape = index, dtype, shape

    def resolve(self, rest):
        try:
            dtype = np.dtype(self.dtype)
            if dtype.hasobject:
                raise TypeError("object arrays are not allowed")
            shape = tuple(int(s) for s in self.shape)
            return np.frombuffer(rest[int(self.index)], dtype=dtype).reshape(shape)
        except Exception as e:
            raise BadMessage("bad_array", f"{type(e).__name__}: {e}") from None


_last_turn = 0


def new_turn() -> int:
    """A new conversation-turn id: microseconds of wall-clock time, strictly increasing within a
    process, so ids made by different processes (mic, CLI, touch screen) order by when the turn
    began. Made where an utterance begins; everything the utterance causes inherits it."""
    global _last_turn
    _last_turn = max(_last_turn + 1, time.time_ns() // 1000)
    return _last_turn


def new_id() -> str:
    """A short random id (utterances, replies)."""
    return os.urandom(6).hex()


# ============================================================================================
# Message types. Each says who publishes it and who consumes it.
# ============================================================================================

# --- control plane (travels through the broker; never queued behind bulk data) ---------------

@message("node_status")
class NodeStatus:
    """Heartbeat of every node, ~2 Hz and on every change. Topic `_sys/status`.
    Consumed by every node (discovery of data endpoints), the launcher (liveness, handover) and
    the CLI (node list/info, topic list)."""
    node: str
    inc: str
    cls: str
    pid: int
    host: str
    state: str                 # starting | standby | ok | degraded | error | stopping | stopped
    reason: str = ""
    endpoint: str = ""         # where its data XPUB is bound
    outputs: dict[str, str] = field(default_factory=dict)   # topic -> message tag
    inputs: dict[str, str] = field(default_factory=dict)    # input name -> topic
    subscribers: list[str] = field(default_factory=list)    # "node/inc" of attached consumers
    ready: bool = False        # all live producers of its inputs have seen its subscriptions
    counters: dict[str, int] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    uptime: float = 0.0


@message("command")
class Command:
    """A request to one node (`_ctl/<node>` or `_ctl/<node>/<inc>`), to all (`_ctl/all`) or to the
    launcher (`_ctl/launcher`). Published by the CLI, the launcher and nodes during a handover.
    ops: param_set, handover, activate, stop, ping; launcher: restart, stop, swap, list."""
    op: str
    args: dict[str, Any] = field(default_factory=dict)
    req_id: str = ""


@message("command_result")
class CommandResult:
    """Answer to a Command with a req_id, on `_sys/result/<req_id>`."""
    req_id: str
    ok: bool
    message: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@message("node_event")
class NodeEvent:
    """Something an operator should see: a handler error, a restart, a drop burst.
    Topic `_sys/event`; the launcher logs them."""
    node: str
    level: str                 # info | warning | error
    kind: str                  # handler_error | restart | gave_up | dropped | swap ...
    text: str


@message("interrupt")
class Interrupt:
    """Barge-in: turn `turn` has begun, so everything of older turns stops now. Topic `_int`,
    control plane, so it overtakes queued audio. The runtime drops older turns' messages on the way
    in and on the way out, and wakes blocking handlers (`cancelled()`). Published by whoever detects
    it (the mic on sustained speech over the kiosk, a touch button, the CLI)."""
    reason: str
    turn: int = 0


# --- data plane: demo, test and benchmark payloads -------------------------------------------

@message("text")
class Text:
    """Free text (demo graphs, CLI `topic pub`)."""
    text: str


@message("tick")
class Tick:
    """A counter; demo and test graphs. Published by nodes.demo.Ticker."""
    n: int
    text: str = ""


@message("bench_blob")
class BenchBlob:
    """Benchmark payload: `t` is the sender's time.perf_counter() (system-wide on Linux)."""
    n: int
    t: float
    data: bytes = b""
    image: Optional[np.ndarray] = None


# --- data plane: live media ------------------------------------------------------------------
#
# Clocks. Audio positions are sample indices: `sample` counts from the start of a stream (the
# microphone's capture) or of an utterance (what the kiosk says). The speaker's `Playback` says
# which utterance and sample is being heard at which time.monotonic(): the master clock that the
# face and the subtitles follow. Every message also carries the turn id in its header.

@message("audio_chunk")
class AudioChunk:
    """Mono 16-bit PCM. The mic publishes capture (`stream` "mic", `utterance` "" between
    utterances); consumers: monitoring, barge-in, STT partials."""
    pcm: array("int16", None)
    rate: int
    stream: str = ""           # which stream: "mic", or a TTS voice
    utterance: str = ""        # the utterance this audio belongs to ("" when none)
    sample: int = 0            # index of pcm[0] in its stream (or utterance)
    final: bool = False        # last chunk of the utterance


@message("voice_activity")
class VoiceActivity:
    """Speech began or ended at the microphone. Published by the mic; a new turn begins at
    `start` (the header's turn is the new turn). Consumers: STT, dialogue, display."""
    event: typing.Literal["start", "end"]
    utterance: str
    sample: int                # stream sample where speech began / ended
    rate: int = 16000
    mono: float = 0.0          # time.monotonic() of that sample


@message("utterance")
class Utterance:
    """One whole user utterance (VAD-trimmed, with pre-roll). Published by the mic, consumed by STT."""
    pcm: array("int16", None)
    rate: int
    utterance: str
    sample: int = 0            # stream sample of pcm[0]
    end_mono: float = 0.0      # time.monotonic() when speech ended (end-of-turn latency is measured from it)
    reason: str = ""           # why the turn ended: end_of_turn | max_wait | max_length | flush


@message("transcript")
class Transcript:
    """What the senior said. Published by STT, consumed by moderation only (it is unmasked).
    `final` False marks a partial hypothesis while the senior is still speaking (for subtitles)."""
    text: str
    confidence: float = 1.0    # 0..1; exp(avg_logprob) for Whisper
    final: bool = True
    lang: str = "ko"
    audio_sec: float = 0.0
    session: str = ""
    utterance: str = ""
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0
    low_confidence: bool = False   # the dialogue should ask the senior to say it again
    segments: list[dict[str, Any]] = field(default_factory=list)   # {start, end, text} in seconds
    source: str = "stt"        # stt | typed | injected (a demo turn with no recording)


@message("moderated")
class Moderated:
    """Moderation verdict on one utterance; `text` is already masked. Published by moderation,
    consumed by dialogue and the display. Every downstream node sees only masked text."""
    text: str
    label: str                 # allow | abuse | crisis
    categories: list[str] = field(default_factory=list)
    hotline: Optional[str] = None
    pii: list[str] = field(default_factory=list)
    spans: list[dict[str, Any]] = field(default_factory=list)   # {start, end, category, text}
    score: float = 0.0
    by_model: bool = False     # the label rests on the classifier alone (no rule or lexicon word)
    stt_confidence: float = 1.0
    session: str = ""
    low_confidence: bool = False
    utterance: str = ""
    source: str = "stt"


@message("staff_alert")
class StaffAlert:
    """Call a person now (crisis, or the senior asked for staff). Published by moderation and
    dialogue; consumed by the staff pager / operator console and the display."""
    reason: str                # crisis | staff_call
    category: str = ""
    hotline: Optional[str] = None
    text: str = ""             # masked
    session: str = ""


@message("staff_action")
class StaffAction:
    """A member of staff acted: `clear` ends a crisis (the session leaves the crisis state),
    `ack` says someone is on the way. Published by the CLI (`run.py staff clear`) or the staff
    touch screen; consumed by dialogue and the display."""
    action: typing.Literal["clear", "ack"]
    session: str = ""
    by: str = ""


@message("touch")
class Touch:
    """A senior pressed a button on the screen. Published by the display; consumed by dialogue
    (and TTS for `slower`). A press begins a new turn.
    actions: repeat (다시 듣기), slower (천천히), staff (직원 호출), home (처음으로),
    bigger_text (글자 크게), ask (a suggestion button; `text` is its question)."""
    action: typing.Literal["repeat", "slower", "staff", "home", "bigger_text", "ask"]
    text: str = ""
    session: str = ""


@message("reply")
class Reply:
    """What the counsellor says and shows. Published by dialogue; consumed by TTS and display.
    `text` is spoken (short: at most about two sentences); `detail` is on screen only."""
    kind: str                  # answer | clarify | ood | escalate | crisis | abuse | smalltalk
    text: str                  # spoken, exactly
    topic: Optional[str] = None
    title: str = ""
    detail: str = ""           # on-screen detail (big subtitles)
    sources: list[str] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    hotline: Optional[str] = None
    rate: float = 1.0          # speaking rate; < 1 means slower
    session: str = ""
    id: str = ""               # SpeechChunk.reply refers to it (new_id())
    url: str = ""              # official page of the answer (QR code on screen)


@message("speech_chunk")
class SpeechChunk:
    """Synthesised speech: ~100-200 ms of mono PCM plus its timeline. Published by TTS; consumed
    by the speaker (plays it), the lip-sync face and the display (word-timed subtitles).

    All sample positions count from the start of the utterance (one spoken sentence or reply).
    Timeline arrays cover this chunk's span: phone k is `phones[ph_id[k]]` from sample
    ph_start[k] to ph_end[k]. Words: word k ends at character `word_end_char[k]` of `text` and is
    heard from word_start[k] to word_end[k] (samples)."""
    reply: str                 # Reply.id
    utterance: str             # id of this spoken utterance (one per sentence)
    pcm: array("int16", None)
    rate: int
    sample: int                # utterance sample of pcm[0]
    final: bool = False        # last chunk of the utterance
    last: bool = False         # last chunk of the whole reply
    text: str = ""             # the sentence as shown (original text, not normalised)
    voice: str = ""            # backend that made it (espeak, jets, cache:..)
    phones: list[str] = field(default_factory=list)
    ph_id: array("int16", None) = field(default_factory=lambda: np.zeros(0, np.int16))
    ph_start: array("int32", None) = field(default_factory=lambda: np.zeros(0, np.int32))
    ph_end: array("int32", None) = field(default_factory=lambda: np.zeros(0, np.int32))
    word_start: array("int32", None) = field(default_factory=lambda: np.zeros(0, np.int32))
    word_end: array("int32", None) = field(default_factory=lambda: np.zeros(0, np.int32))
    word_end_char: array("int32", None) = field(default_factory=lambda: np.zeros(0, np.int32))


@message("playback")
class Playback:
    """The master clock: which utterance and sample the senior hears at time.monotonic() `mono`.
    Published by the speaker at least 50 times a second while it plays (and at 5 Hz when idle,
    with utterance ""). Consumers: lip-sync, display, mic (echo guard)."""
    utterance: str
    sample: int
    mono: float
    rate: int = 16000
    playing: bool = False
    reply: str = ""


@message("presence")
class Presence:
    """Someone is (or is no longer) in front of the kiosk. Published by the camera node."""
    present: bool
    faces: int = 0
    session: str = ""


@message("video_frame")
class VideoFrame:
    """One picture, presented on the audio clock: show it when `Playback` reaches (`utterance`,
    `pts`). For idle frames (`utterance` "") `pts` is a time.monotonic() time. Published by the
    lip-sync face (and a camera); consumed by the display, which drops a late frame."""
    image: array("uint8", None, None, None)    # (h, w, channels)
    pts: float = 0.0           # seconds on the utterance's audio clock (sample / rate)
    utterance: str = ""
    format: typing.Literal["rgb24", "bgr24", "rgba"] = "rgb24"
    index: int = 0
