"""The node interface. Nodes never import zmq: the runtime (bus.runtime) or the fake bus
(bus.testing) drives them through the small `Port` interface below.

A node declares its typed inputs and outputs, a Params dataclass, and one handler `on_<input>`
per input:

    class Upper(Node):
        '''Upper-cases text. in: text (Text)  out: text (Text)'''
        inputs = {"text": Text}
        outputs = {"text": Text}

        @dataclass
        class Params:
            suffix: str = ""

        def on_text(self, msg: Text):
            self.publish("text", Text(msg.text.upper() + self.params.suffix))

Handlers run on the receive loop and must be quick. Inputs named in `blocking` are handled on one
worker thread, in order; a handler there should check `self.cancelled()` now and then, which turns
true when an Interrupt arrives. `on_interrupt` runs on the receive loop at once, ahead of any
queued data.
"""
from __future__ import annotations

import dataclasses
import logging
import typing
from dataclasses import dataclass
from typing import Any, Callable, ClassVar, Optional

from bus.messages import Header, Interrupt, type_error


class Port(typing.Protocol):
    """What a node may ask of whoever runs it."""

    def publish(self, output: str, msg: Any, turn: Optional[int]) -> None: ...
    def interrupt(self, reason: str, turn: int) -> None: ...
    def add_timer(self, period_s: float, fn: Callable[[], None]) -> None: ...
    def set_health(self, state: str, reason: str) -> None: ...
    def current_header(self) -> Optional[Header]: ...
    def cancelled(self) -> bool: ...


class Node:
    inputs: ClassVar[dict[str, type]] = {}
    outputs: ClassVar[dict[str, type]] = {}
    blocking: ClassVar[frozenset[str]] = frozenset()
    optional: ClassVar[frozenset[str]] = frozenset()   # inputs a graph may leave unconnected
    qos: ClassVar[dict[str, "QoS"]] = {}               # per input; the launch file may override

    @dataclass
    class Params:
        pass

    def __init__(self, node_id: str, params: Any, port: Port):
        self.id = node_id
        self.params = params
        self.log = logging.getLogger(node_id)
        self._port = port

    # --- overridden by nodes ---
    @classmethod
    def check(cls, params: Any) -> list[str]:
        """Problems an operator can fix before launch (a model path that does not exist, say).
        Runs when the graph is validated, in the launcher's process: cheap, no model loading."""
        return []

    def setup(self) -> None:
        """Load models, open devices. Runs once, before any message is handled."""

    def teardown(self) -> None:
        """Release devices. Runs on stop; keep it under a second."""

    def on_interrupt(self, msg: Interrupt) -> None:
        """Stop the current turn. Runs on the receive loop: quick, thread-safe."""

    def on_param(self, key: str, value: Any) -> None:
        """A param was changed live (already validated and set on self.params)."""

    # --- used by nodes ---
    def publish(self, output: str, msg: Any, turn: Optional[int] = None) -> None:
        """Send on one of `outputs`. The message inherits the turn of the message being handled;
        a source that begins a turn passes `turn=new_turn()` (bus.messages)."""
        self._port.publish(output, msg, turn)

    def interrupt(self, reason: str, turn: Optional[int] = None) -> None:
        """Tell every node that turn `turn` (default: a new one) has begun, so everything of
        older turns stops now (barge-in)."""
        from bus.messages import new_turn
        self._port.interrupt(reason, turn if turn is not None else new_turn())

    def every(self, period_s: float, fn: Callable[[], None]) -> None:
        """Call fn every period_s seconds on the receive loop (register in setup)."""
        self._port.add_timer(period_s, fn)

    def set_health(self, state: str, reason: str = "") -> None:
        """ok | degraded | error, with a reason an operator can act on."""
        self._port.set_health(state, reason)

    @property
    def header(self) -> Optional[Header]:
        """Header of the message being handled (None in timers)."""
        return self._port.current_header()

    def cancelled(self) -> bool:
        """True once an Interrupt arrived after the current blocking handler started."""
        return self._port.cancelled()


@dataclass(frozen=True)
class QoS:
    """How an input queues while its handler is busy (bus.runtime.inbox). `keep: latest` keeps
    only the newest `depth` messages (video, the playback clock); older ones are superseded,
    counted but not logged. `keep: all` queues up to `depth` messages and `max_bytes`, and counts
    and logs whatever it must drop beyond that. The launch file may override each field per input:
    `qos: {frame: {depth: 1, keep: latest}}`."""
    depth: int = 10_000
    keep: str = "all"              # all | latest
    max_bytes: int = 64 << 20


class ParamError(ValueError):
    pass


def input_qos(cls: type, overrides: Optional[dict]) -> dict[str, QoS]:
    """The node class's QoS per input, with the launch file's overrides (spec["qos"])."""
    out = {}
    overrides = dict(overrides or {})
    for name in overrides:
        if name not in cls.inputs:
            raise ParamError(f"qos for '{name}': {cls.__name__} has no such input (inputs: {sorted(cls.inputs)})")
    for name in cls.inputs:
        base = cls.qos.get(name, QoS())
        o = overrides.get(name) or {}
        unknown = set(o) - {"depth", "keep", "max_bytes"}
        if unknown:
            raise ParamError(f"qos for '{name}': unknown key(s) {sorted(unknown)} (known: depth, keep, max_bytes)")
        q = QoS(int(o.get("depth", base.depth)), str(o.get("keep", base.keep)), int(o.get("max_bytes", base.max_bytes)))
        if q.keep not in ("all", "latest") or q.depth < 1 or q.max_bytes < 1:
            raise ParamError(f"qos for '{name}': keep is all or latest, depth and max_bytes at least 1 (got {q})")
        out[name] = q
    return out


def parse_params(node_cls: type, values: Optional[dict], where: str) -> tuple[Any, list[str]]:
    """Build node_cls.Params from a mapping. Returns (params or None, problems); every unknown,
    missing or mistyped key is one problem naming `where` (file and node) and the key."""
    cls = node_cls.Params
    values = dict(values or {})
    hints = typing.get_type_hints(cls)
    problems = []
    for key in values:
        if key not in hints:
            known = ", ".join(sorted(hints)) or "none"
            problems.append(f"{where}: unknown param '{key}' (known: {known})")
    for f in dataclasses.fields(cls):
        if f.name in values:
            value = values[f.name]
            if hints[f.name] is float and isinstance(value, int) and not isinstance(value, bool):
                values[f.name] = value = float(value)
            err = type_error(value, hints[f.name])
            if err:
                problems.append(f"{where}: param '{f.name}': {err}")
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            problems.append(f"{where}: param '{f.name}' is required")
    if problems:
        return None, problems
    return cls(**{k: v for k, v in values.items() if k in hints}), []


def set_param(params: Any, key: str, value: Any) -> None:
    """Validate and set one param live; raises ParamError with a clear message."""
    hints = typing.get_type_hints(type(params))
    if key not in hints:
        raise ParamError(f"unknown param '{key}' (known: {', '.join(sorted(hints))})")
    if hints[key] is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    err = type_error(value, hints[key])
    if err:
        raise ParamError(f"param '{key}': {err}")
    setattr(params, key, value)


def load_class(path: str) -> type:
    """'package.module:ClassName' -> the Node subclass; raises ImportError/TypeError clearly."""
    import importlib
    module_name, sep, cls_name = path.partition(":")
    if not sep or not cls_name:
        raise ImportError(f"node class '{path}' must look like 'package.module:ClassName'")
    module = importlib.import_module(module_name)
    cls = getattr(module, cls_name, None)
    if cls is None:
        raise ImportError(f"module '{module_name}' has no class '{cls_name}'")
    if not (isinstance(cls, type) and issubclass(cls, Node)):
        raise TypeError(f"'{path}' is not a subclass of bus.node.Node")
    return cls
