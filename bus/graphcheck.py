"""Checks of the launch-file parts that reach the node runtime: a node's own `check`, per-input
QoS overrides and the CurveZMQ switch. Each problem names the file, the node and the key."""
from __future__ import annotations

import inspect
import os
from typing import Any, Optional

QOS_KEYS = ("depth", "keep", "max_bytes")


def node_check(cls: type, params: Any, deep: bool = False) -> list[str]:
    """A node's own check of its params. With deep (launch --check, a restart with new params) a
    node whose check takes `deep` may load what its params name: `def check(cls, params, deep=False)`."""
    try:
        takes_deep = "deep" in inspect.signature(cls.check).parameters
        return list(cls.check(params, deep=deep) if takes_deep else cls.check(params))
    except Exception as e:   # a check that crashes is a problem to report, not a traceback
        return [f"check failed: {type(e).__name__}: {e}"]


def check_qos(cls: type, override: Any, where: str, problems: list) -> dict:
    """The class's declared QoS per input, overridden by the launch file's `qos: {input: {...}}`."""
    out = {name: {"depth": q.depth, "keep": q.keep, "max_bytes": q.max_bytes}
           for name, q in (getattr(cls, "qos", None) or {}).items()}
    if override is None:
        return out
    if not isinstance(override, dict):
        problems.append(f"{where}: qos must map input names to {{depth, keep, max_bytes}}")
        return out
    for name, q in override.items():
        if name not in cls.inputs:
            problems.append(f"{where}: qos: no input '{name}' (inputs: {', '.join(cls.inputs) or 'none'})")
            continue
        if not isinstance(q, dict):
            problems.append(f"{where}: qos.{name} must be a mapping with depth, keep, max_bytes")
            continue
        entry = dict(out.get(name) or {"depth": 1000, "keep": "all", "max_bytes": 64 << 20})
        for k, v in q.items():
            if k not in QOS_KEYS:
                problems.append(f"{where}: qos.{name}: unknown key '{k}' (known: {', '.join(QOS_KEYS)})")
            elif k == "keep" and v not in ("all", "latest"):
                problems.append(f"{where}: qos.{name}.keep must be all or latest, not {v!r}")
            elif k != "keep" and (type(v) is not int or v < 1):
                problems.append(f"{where}: qos.{name}.{k} must be a positive whole number, not {v!r}")
            else:
                entry[k] = v
        out[name] = entry
    return out


def check_curve(bus_cfg: dict, path: str, problems: list) -> str:
    """`bus: {curve: true, keys: DIR}` -> the absolute key directory ("" when off): spec["curve"] as
    bus.sockets.load_curve reads it. The keys come from `run.py keys DIR` (bus.sockets.make_keys)."""
    on, keys = bus_cfg.get("curve", False), bus_cfg.get("keys")
    if not isinstance(on, bool):
        problems.append(f"{path}: bus.curve must be true or false, not {on!r}")
        return ""
    if not on:
        if keys:
            problems.append(f"{path}: bus.keys is set but bus.curve is not true; add curve: true or drop keys")
        return ""
    if not isinstance(keys, str) or not keys:
        problems.append(f"{path}: bus.curve is on, so bus.keys must name the key directory "
                        f"(make one with `python run.py keys DIR`)")
        return ""
    keys = keys if os.path.isabs(keys) else os.path.join(os.path.dirname(os.path.abspath(path)), keys)
    if not os.path.isdir(keys):
        problems.append(f"{path}: bus.keys '{keys}' is not a directory; make the keys with `python run.py keys {keys}`")
        return ""
    return keys
