"""Launch files: load a YAML graph (args, includes, namespaces) and validate all of it at once.

    graph: demo                      # name
    args: {rate: 2}                  # defaults; `run.py launch FILE rate:=5` overrides
    bus: {host: 127.0.0.1, port: 7600, transport: ipc}
    env: {OMP_NUM_THREADS: "1"}      # for every node process
    include:
      - {file: other.yaml, namespace: extra, args: {rate: 1}}
    nodes:
      - id: ticker
        node: nodes.demo:Ticker      # package.module:Class
        params: {rate_hz: $(arg rate)}
        restart: {policy: on-failure, max_restarts: 5, backoff_s: 0.5, window_s: 60}
        required: true
        machine: local
      - id: relay
        node: nodes.demo:Relay
        inputs: {tick: ticker/tick}  # input -> PRODUCER/OUTPUT ("/x/y" is absolute; "ext/..." is external)

Every problem (unknown keys, classes that do not import, bad params, unconnected inputs, type
mismatches) is collected and reported together, each naming the file and node.
"""
from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, field
from typing import Any, Optional

import yaml

from bus.graphcheck import check_curve, check_qos, node_check
from bus.node import load_class, parse_params
from bus.transport import BusAddress

ID_RE = re.compile(r"^[a-z][a-z0-9_]*(/[a-z][a-z0-9_]*)*$")
ARG_RE = re.compile(r"\$\(arg ([A-Za-z_][A-Za-z0-9_]*)\)")
TOP_KEYS = {"graph", "args", "bus", "env", "include", "nodes", "description"}
NODE_KEYS = {"id", "node", "params", "inputs", "restart", "required", "machine", "env", "log_level", "hwm",
             "qos", "ready_timeout_s", "start"}
BUS_KEYS = {"host", "port", "transport", "max_message_bytes", "curve", "keys"}
POLICIES = ("never", "on-failure", "always")
STARTS = ("at_once", "after_ready")   # after_ready: a source (a scripted senior) waits for the rest of the graph
BUILTIN_ARGS = {"out": "var/out"}    # every graph knows these; `run.py launch FILE --out DIR` sets `out`


class GraphError(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(f"  - {p}" for p in problems))


@dataclass
class RestartPolicy:
    policy: str = "on-failure"
    max_restarts: int = 5
    backoff_s: float = 0.5
    max_backoff_s: float = 30.0
    window_s: float = 60.0
    hang_timeout_s: float = 15.0     # no heartbeat for this long from a live process: kill it (0: never)


@dataclass
class NodeSpec:
    id: str
    cls: str
    params: dict = field(default_factory=dict)
    inputs: dict = field(default_factory=dict)       # input name -> topic
    restart: RestartPolicy = field(default_factory=RestartPolicy)
    required: bool = False
    machine: str = "local"
    env: dict = field(default_factory=dict)
    log_level: str = "INFO"
    hwm: int = 1000
    qos: dict = field(default_factory=dict)          # input -> {depth, keep, max_bytes}: class QoS + launch file
    ready_timeout_s: float = 5.0                     # how long outputs wait for the declared consumers
    start: str = "at_once"
    where: str = ""

    def outputs(self) -> dict[str, str]:
        return {o: f"{self.id}/{o}" for o in load_class(self.cls).outputs}


@dataclass
class Graph:
    name: str
    file: str
    bus: BusAddress
    transport: str = "ipc"
    max_bytes: int = 64 << 20
    env: dict = field(default_factory=dict)
    nodes: list[NodeSpec] = field(default_factory=list)
    curve: str = ""                                  # CurveZMQ key directory (absolute) when on, else ""
    args: dict = field(default_factory=dict)         # the launch args in force (top file)

    def node(self, node_id: str) -> NodeSpec:
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(f"no such node '{node_id}' in {self.file}; nodes: {', '.join(n.id for n in self.nodes)}")

    def consumers(self, node_id: str) -> dict[str, list[str]]:
        """output name -> ids of the nodes wired to it."""
        out: dict[str, list[str]] = {}
        for n in self.nodes:
            for topic in n.inputs.values():
                producer, _, output = topic.rpartition("/")
                if producer == node_id:
                    out.setdefault(output, []).append(n.id)
        return out

    def runtime_spec(self, n: NodeSpec, inc: str, standby: bool = False) -> dict:
        return {"id": n.id, "cls": n.cls, "params": n.params, "inputs": n.inputs,
                "consumers": self.consumers(n.id), "bus": str(self.bus), "inc": inc,
                "standby": standby, "transport": self.transport, "max_bytes": self.max_bytes,
                "where": n.where, "log_level": n.log_level, "hwm": n.hwm, "parent_pid": os.getpid(),
                "qos": n.qos, "ready_timeout_s": n.ready_timeout_s, "curve": self.curve}

    def start_order(self) -> list[NodeSpec]:
        """Consumers before producers, so first messages find their readers (cycles tolerated)."""
        order, seen = [], set()

        def visit(n: NodeSpec, stack: set):
            if n.id in seen or n.id in stack:
                return
            stack.add(n.id)
            for c in self.nodes:
                if any(t.rpartition("/")[0] == n.id for t in c.inputs.values()):
                    visit(c, stack)
            seen.add(n.id)
            order.append(n)

        for n in self.nodes:
            visit(n, set())
        return order


def load(path: str, args: Optional[dict] = None, deep: bool = False) -> Graph:
    """Load and validate a launch file. `args` are `name:=value` overrides; each must be declared
    under the file's `args:` (or be a built-in such as `out`). `deep` (launch --check) lets each
    node's check load what its params name (a knowledge base, a model), which may take seconds."""
    problems: list[str] = []
    raw_nodes: list[tuple[dict, str, str]] = []   # (node dict, namespace, file)
    top = _load_file(path, dict(args or {}), "", problems, raw_nodes, stack=[])
    bus_cfg = top.get("bus") or {}
    if not isinstance(bus_cfg, dict):
        problems.append(f"{path}: 'bus' must be a mapping with host/port/transport")
        bus_cfg = {}
    for k in set(bus_cfg) - BUS_KEYS:
        problems.append(f"{path}: bus: unknown key '{k}' (known: {', '.join(sorted(BUS_KEYS))})")
    transport = bus_cfg.get("transport", "ipc")
    if transport not in ("ipc", "tcp"):
        problems.append(f"{path}: bus.transport must be ipc or tcp, not {transport!r}")
    graph = Graph(name=str(top.get("graph") or os.path.splitext(os.path.basename(path))[0]), file=path,
                  bus=BusAddress(str(bus_cfg.get("host", "127.0.0.1")), int(bus_cfg.get("port", 7600))),
                  transport=transport, max_bytes=int(bus_cfg.get("max_message_bytes", 64 << 20)),
                  env={str(k): str(v) for k, v in (top.get("env") or {}).items()},
                  curve=check_curve(bus_cfg, path, problems), args=top.get("_args", {}))
    ids: dict[str, str] = {}
    for raw, ns, file in raw_nodes:
        spec = _node_spec(raw, ns, file, problems, deep)
        if spec is None:
            continue
        if spec.id in ids:
            problems.append(f"{file}: node id '{spec.id}' is used twice (also in {ids[spec.id]})")
            continue
        ids[spec.id] = file
        graph.nodes.append(spec)
    if not graph.nodes and not problems:
        problems.append(f"{path}: the graph has no nodes")
    _check_wiring(graph, problems)
    if problems:
        raise GraphError(problems)
    return graph


def _load_file(path: str, args: dict, ns: str, problems: list, raw_nodes: list, stack: list) -> dict:
    if path in stack:
        problems.append(f"{path}: include cycle: {' -> '.join(stack + [path])}")
        return {}
    try:
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
    except FileNotFoundError:
        problems.append(f"{path}: no such launch file")
        return {}
    except yaml.YAMLError as e:
        problems.append(f"{path}: not valid YAML: {e}")
        return {}
    if not isinstance(doc, dict):
        problems.append(f"{path}: a launch file is a mapping with a 'nodes:' list")
        return {}
    for k in set(doc) - TOP_KEYS:
        problems.append(f"{path}: unknown top-level key '{k}' (known: {', '.join(sorted(TOP_KEYS))})")
    declared = doc.get("args") or {}
    if not isinstance(declared, dict):
        problems.append(f"{path}: 'args' must be a mapping of name: default")
        declared = {}
    values = {**BUILTIN_ARGS, **declared}
    for name in sorted(set(args) - set(values)):
        where = f"{stack[-1]}: include of {path}" if stack else path
        problems.append(f"{where}: unknown launch argument '{name}' (known: {', '.join(sorted(values))})")
    values.update((k, v) for k, v in args.items() if k in values)
    doc = _substitute(doc, values, path, problems)
    doc["_args"] = values
    nodes = doc.get("nodes") or []
    if not isinstance(nodes, list):
        problems.append(f"{path}: 'nodes' must be a list of nodes")
        nodes = []
    for i, n in enumerate(nodes):
        if not isinstance(n, dict):
            problems.append(f"{path}: nodes[{i}] must be a mapping with id and node")
            continue
        raw_nodes.append((n, ns, path))
    for inc in doc.get("include") or []:
        if not isinstance(inc, dict) or "file" not in inc:
            problems.append(f"{path}: each include needs 'file' (and optionally namespace, args)")
            continue
        child = os.path.join(os.path.dirname(path), inc["file"])
        child_ns = "/".join(p for p in (ns, inc.get("namespace") or "") if p)
        child_args = {k: values[k] for k in BUILTIN_ARGS}   # built-ins reach every included file
        child_args.update(inc.get("args") or {})
        _load_file(child, child_args, child_ns, problems, raw_nodes, stack + [path])
    return doc


def _substitute(value: Any, args: dict, path: str, problems: list, top: bool = True) -> Any:
    if isinstance(value, dict):   # a file's own `args:` are defaults, not substituted; an include's are
        return {k: (v if top and k == "args" else _substitute(v, args, path, problems, False))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, args, path, problems, False) for v in value]
    if isinstance(value, str) and "$(" in value:
        whole = ARG_RE.fullmatch(value)
        for name in ARG_RE.findall(value):
            if name not in args:
                problems.append(f"{path}: $(arg {name}) has no value; add it under 'args:' or pass {name}:=VALUE")
                return value
        if whole:
            return args[whole.group(1)]
        return ARG_RE.sub(lambda mt: str(args[mt.group(1)]), value)
    return value


def _node_spec(raw: dict, ns: str, file: str, problems: list, deep: bool = False) -> Optional[NodeSpec]:
    local_id = raw.get("id")
    where = f"{file}: node '{local_id}'"
    for k in set(raw) - NODE_KEYS:
        problems.append(f"{where}: unknown key '{k}' (known: {', '.join(sorted(NODE_KEYS))})")
    if not isinstance(local_id, str) or not ID_RE.match(local_id):
        problems.append(f"{where}: 'id' must be snake_case letters, digits and _ (got {local_id!r})")
        return None
    node_id = f"{ns}/{local_id}" if ns else local_id
    cls_path = raw.get("node")
    if not isinstance(cls_path, str):
        problems.append(f"{where}: 'node' must name a class as package.module:Class")
        return None
    try:
        cls = load_class(cls_path)
    except Exception as e:
        problems.append(f"{where}: node class '{cls_path}' does not load: {type(e).__name__}: {e}")
        return None
    params = raw.get("params") or {}
    if not isinstance(params, dict):
        problems.append(f"{where}: 'params' must be a mapping")
        params = {}
    parsed, errs = parse_params(cls, params, where)
    problems.extend(errs)
    if parsed is not None:
        problems.extend(f"{where}: {p}" for p in node_check(cls, parsed, deep))
    restart = RestartPolicy()
    rcfg = raw.get("restart") or {}
    if isinstance(rcfg, str):
        rcfg = {"policy": rcfg}
    known = {f.name for f in dataclasses.fields(RestartPolicy)}
    for k, v in rcfg.items():
        if k not in known:
            problems.append(f"{where}: restart: unknown key '{k}' (known: {', '.join(sorted(known))})")
        else:
            setattr(restart, k, v)
    if restart.policy not in POLICIES:
        problems.append(f"{where}: restart.policy must be one of {', '.join(POLICIES)}")
    machine = raw.get("machine", "local")
    if machine != "local":
        problems.append(f"{where}: machine '{machine}': only 'local' placement is available in this version")
    inputs = {}
    for name, topic in (raw.get("inputs") or {}).items():
        if not isinstance(topic, str) or "/" not in topic:
            problems.append(f"{where}: input '{name}' must be wired to PRODUCER/OUTPUT, got {topic!r}")
            continue
        if topic.startswith("/"):
            topic = topic[1:]
        elif ns and not topic.startswith("ext/"):
            topic = f"{ns}/{topic}"
        inputs[name] = topic
    start = raw.get("start", "at_once")
    if start not in STARTS:
        problems.append(f"{where}: start must be one of {', '.join(STARTS)}, not {start!r}")
    ready_timeout = raw.get("ready_timeout_s", 5.0)
    if type(ready_timeout) not in (int, float) or ready_timeout <= 0:
        problems.append(f"{where}: ready_timeout_s must be a positive number of seconds, not {ready_timeout!r}")
        ready_timeout = 5.0
    return NodeSpec(id=node_id, cls=cls_path, params=dict(params),
                    inputs=inputs, restart=restart, required=bool(raw.get("required", False)),
                    machine=machine, env={str(k): str(v) for k, v in (raw.get("env") or {}).items()},
                    log_level=str(raw.get("log_level", "INFO")), hwm=int(raw.get("hwm", 1000)), where=where,
                    qos=check_qos(cls, raw.get("qos"), where, problems), ready_timeout_s=float(ready_timeout),
                    start=start)


def _check_wiring(graph: Graph, problems: list) -> None:
    by_id = {n.id: n for n in graph.nodes}
    for n in graph.nodes:
        cls = load_class(n.cls)
        for name in n.inputs:
            if name not in cls.inputs:
                problems.append(f"{n.where}: wires input '{name}', but {n.cls} has inputs: "
                                f"{', '.join(cls.inputs) or 'none'}")
        for name, want in cls.inputs.items():
            topic = n.inputs.get(name)
            if topic is None and name in cls.optional:
                continue
            if topic is None:
                problems.append(f"{n.where}: input '{name}' ({want.TAG}) is not connected; "
                                f"add inputs: {{{name}: PRODUCER/OUTPUT}}")
                continue
            if topic.startswith("ext/"):
                continue
            producer_id, _, output = topic.rpartition("/")
            producer = by_id.get(producer_id)
            if producer is None:
                problems.append(f"{n.where}: input '{name}' is wired to '{topic}', but there is no node "
                                f"'{producer_id}' (use ext/... for topics from outside the graph)")
                continue
            outs = load_class(producer.cls).outputs
            if output not in outs:
                problems.append(f"{n.where}: input '{name}' is wired to '{topic}', but '{producer_id}' has "
                                f"outputs: {', '.join(outs) or 'none'}")
            elif outs[output] is not want:
                problems.append(f"{n.where}: type mismatch: '{topic}' carries {outs[output].TAG}, "
                                f"input '{name}' takes {want.TAG}")
