"""What an operator types, checked before it reaches the graph: message bodies for `topic pub`,
node names, and `param set` (validated like launch params, and refused unless the node can take
the change live).

Live params: a node lists the params it applies while running, and implements `on_param` for them:

    class DialogueNode(Node):
        live_params = frozenset({"idle_timeout_s", "stt_min_confidence"})

Any other param is refused with the command that applies it safely instead: `run.py node restart
NAME --param KEY=VALUE`, a make-before-break restart that first validates the new params with the
node's own `check(params, deep=True)` (so `kb=/nope` is refused, and the running node keeps going).
"""
from __future__ import annotations

import dataclasses
import re
import typing
from typing import Any, Optional

import yaml

from bus import messages as m


class BodyError(ValueError):
    """One line that says what is wrong with a `topic pub` body and how to write it."""


def parse_body(cls: type, text: str) -> Any:
    """A message of type `cls` from what was typed: a YAML mapping (`{text: 기초연금 받을 수 있어요?}`,
    Korean punctuation welcome), or a bare string for a type with one required text field."""
    fields = {f.name: f for f in dataclasses.fields(cls)}
    hint = m.hints(cls)
    example = _example(cls)
    try:
        values = yaml.safe_load(text)
    except yaml.YAMLError:
        values = None
    stripped = text.strip()
    if isinstance(values, dict) and not stripped.startswith("{") and not set(values) & set(fields):
        values = None   # `안내: 네, 그래요` is a sentence with a colon, not a mapping of our fields
    if isinstance(values, dict):   # `{text: 119}`: a number typed into a text field is text
        values = {k: (str(v) if hint.get(k) is str and type(v) in (int, float) else v) for k, v in values.items()}
    else:
        if stripped.startswith("{") and stripped.endswith("}"):
            values = _loose_mapping(stripped[1:-1], fields, hint)
        else:
            text_field = _sole_text_field(cls)
            if text_field is None:
                raise BodyError(f"{cls.TAG} needs a mapping of its fields, e.g. {example}")
            values = {text_field: text}
    if not values:
        raise BodyError(f"empty {cls.TAG} body; write it as {example}")
    try:
        return m.build(cls, values, error=lambda reason, detail: BodyError(detail))
    except BodyError as e:
        raise BodyError(f"bad {cls.TAG}: {e}; e.g. {example}") from None
    except TypeError as e:    # a field's value the dataclass itself refuses
        raise BodyError(f"bad {cls.TAG}: {e}; e.g. {example}") from None


def _loose_mapping(inner: str, fields: dict, hint: dict) -> dict:
    """`text: 네: 그래요?, confidence: 0.4`: split at the message's own field names, so the text may
    hold any character YAML's flow syntax would reject."""
    names = "|".join(re.escape(n) for n in sorted(fields, key=len, reverse=True))
    marks = list(re.finditer(rf"(?:^|,)\s*({names})\s*:\s?", inner))
    if not marks or inner[:marks[0].start()].strip():
        raise BodyError(f"cannot read {{{inner}}}: name the fields, e.g. {{text: 안녕하세요}}")
    out = {}
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(inner)
        raw = inner[mark.end():end].strip()
        if hint[mark.group(1)] is str:
            if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
                raw = raw[1:-1]
            out[mark.group(1)] = raw
        else:
            try:
                out[mark.group(1)] = yaml.safe_load(raw)
            except yaml.YAMLError:
                raise BodyError(f"field '{mark.group(1)}': cannot read {raw!r}") from None
    return out


def _sole_text_field(cls: type) -> Optional[str]:
    required = [f for f in dataclasses.fields(cls)
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    hint = m.hints(cls)
    if len(required) == 1 and hint[required[0].name] is str:
        return required[0].name
    return None


def _example(cls: type) -> str:
    parts = []
    for f in dataclasses.fields(cls):
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            h = m.hints(cls)[f.name]
            sample = {str: "안녕하세요", int: "1", float: "1.0", bool: "true"}.get(h)
            if sample is None and typing.get_origin(h) is typing.Literal:
                sample = str(typing.get_args(h)[0])
            parts.append(f"{f.name}: {sample or '...'}")
    return "'{" + ", ".join(parts) + "}'"


def no_such_node(name: str, running: list[str]) -> str:
    return f"no such node '{name}'; running: {', '.join(sorted(running)) or 'none'}"


def param_value(cls_path: str, key: str, raw: str) -> Any:
    """What `param set` was given: YAML (5, 0.5, true, [a, b]), but the raw text for a text param,
    so `param set relay label "안녕: 반가워요"` or `... 119` sets that very text."""
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError:
        value = raw
    try:
        from bus.node import load_class
        hint = typing.get_type_hints(load_class(cls_path).Params).get(key)
    except Exception:
        hint = None
    return raw if hint is str and not isinstance(value, str) and not raw.strip().startswith(("'", '"')) else value


def check_param_set(node: str, cls_path: str, current: dict, key: str, value: Any) -> Optional[str]:
    """None if `param set NODE KEY VALUE` may go to the node, else why not (one paragraph)."""
    from bus.graphcheck import node_check
    from bus.node import load_class, parse_params
    try:
        cls = load_class(cls_path)
    except Exception:   # a class this machine cannot import (another host): the node checks it
        return None
    hints = typing.get_type_hints(cls.Params)
    if key not in hints:
        return f"{node}: unknown param '{key}' (known: {', '.join(sorted(hints)) or 'none'})"
    parsed, problems = parse_params(cls, {**{k: v for k, v in current.items() if k in hints}, key: value}, node)
    if problems:
        return "; ".join(p.split(": ", 1)[1] if p.startswith(f"{node}: ") else p for p in problems)
    live = getattr(cls, "live_params", frozenset())
    if key not in live:
        shown = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True).strip().removesuffix("...").strip()
        return (f"{node}: '{key}' cannot change while the node runs (live params: "
                f"{', '.join(sorted(live)) or 'none'}); it needs a restart: "
                f"`python run.py node restart {node} --param {key}={shown}`")
    problems = node_check(cls, parsed)
    if problems:
        return f"{node}: refused: " + "; ".join(problems)
    return None
