"""Command line of run.py: launch, ROS-style introspection (topic, node, param, graph, bag),
doctor, keys and the bus benches (`bench bus|soak|interrupt`). Each command is a small function.

Packages add their own commands: run.py finds every `nodes/<package>/cli.py` and reads its
`COMMANDS = {"stt": ("help line", "stt_main"), "bench stt": ("help line", "bench_main")}`; each
function takes the remaining argv and returns an exit code. The same file may hold
`DOCTOR = {"knowledge": ("help line", "doctor_kb")}`: functions that `run.py doctor` calls with no
arguments, each returning (status, detail, fix) or a list of them, status "OK", "WARN" or "FAIL".
Such a module must import quickly (heavy imports inside the functions). The bus itself knows
nothing of nodes/.

`param set` takes effect or is refused with the reason (see bus/opcheck.py: a node lists its
`live_params`; anything else goes through `node restart NAME --param KEY=VALUE`)."""
from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from typing import Any, Optional

import yaml

from bus import log as buslog
from bus import messages as m
from bus.opcheck import check_param_set, no_such_node, param_value
from bus.transport import BusAddress, Client

DEFAULT_BUS = "127.0.0.1:7600"


def curve_kw(args) -> dict:
    """{"curve": keys} when `--keys DIR` names the graph's CurveZMQ keys (bus: {curve: true})."""
    keys = getattr(args, "keys", None)
    if not keys:
        return {}
    from bus.sockets import load_curve
    return {"curve": load_curve(keys)}


def _client(args, data: bool = False) -> Client:
    c = Client(BusAddress.parse(args.bus), f"_cli/{os.getpid()}", data=data, **curve_kw(args))
    c.handshake(timeout_s=3.0)
    return c


def _print_table(rows: list[list[Any]], header: list[str]) -> None:
    rows = [[str(c) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)))


def masked(value: Any) -> Any:
    """Mask personal data in every string of a message before it is shown or recorded."""
    from bus.privacy import mask
    if isinstance(value, str):
        return mask(value)[0]
    if isinstance(value, list):
        return [masked(v) for v in value]
    if isinstance(value, dict):
        return {k: masked(v) for k, v in value.items()}
    return value


def _show(msg: Any) -> dict:
    out = {}
    for k, v in vars(msg).items():
        if hasattr(v, "shape") and hasattr(v, "dtype"):
            out[k] = f"<array {v.dtype} {tuple(v.shape)}>"
        elif isinstance(v, bytes):
            out[k] = f"<{len(v)} bytes>"
        else:
            out[k] = masked(v)
    return out


# --- launch --------------------------------------------------------------------------------
def cmd_launch(args) -> int:
    from bus.graph import GraphError, load
    from bus.launcher import Launcher
    buslog.setup("launch")
    overrides = {}
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        overrides["out"] = os.path.abspath(args.out)
    for item in args.overrides:
        key, sep, value = item.partition(":=")
        if not sep:
            print(f"error: '{item}' is not NAME:=VALUE", file=sys.stderr)
            return 2
        overrides[key] = yaml.safe_load(value)
    t0 = time.monotonic()
    try:
        graph = load(args.file, overrides, deep=args.check)
    except GraphError as e:
        print(f"{args.file}: the graph is not valid ({len(e.problems)} problem(s)):\n{e}", file=sys.stderr)
        return 2
    if args.bus:
        graph.bus = BusAddress.parse(args.bus)
    if args.check:
        print(f"{args.file}: ok ({len(graph.nodes)} nodes, checked in {time.monotonic() - t0:.1f} s)")
        return 0
    from bus.broker import BrokerError
    try:
        return Launcher(graph, watch=args.watch, duration=args.duration).run()
    except BrokerError as e:
        logging.getLogger("launch").error("%s", e)
        return 2


def cmd_interrupt(args) -> int:
    c = _client(args)
    turn = m.new_turn()   # a barge-in begins a new turn: everything of older turns stops
    try:
        c.send_ctl("_int", m.Interrupt(args.reason, turn), turn)
        time.sleep(0.2)   # let it leave before the socket closes
    finally:
        c.close()
    print(f"interrupt sent ({args.reason}, turn {turn})")
    return 0


# --- node / param ----------------------------------------------------------------------------
def _find_node(c: Client, name: str) -> Optional[m.NodeStatus]:
    """The running node NAME, or None after printing "no such node 'x'; running: ..."."""
    statuses = {s.node: s for s in c.gather(1.2) if not s.node.startswith(("_", "launcher"))}
    if name in statuses:
        return statuses[name]
    res = c.request("_ctl/launcher", "list", timeout_s=2)
    known = set(statuses) | set(res.data if res.ok else {})
    if name in known:   # the launcher knows it, but it is not running now (stopped, backing off)
        return m.NodeStatus(node=name, inc="", cls=res.data.get(name, {}).get("cls", ""), pid=0, host="",
                            state=res.data.get(name, {}).get("state", "stopped"))
    print(f"error: {no_such_node(name, sorted(known))}", file=sys.stderr)
    return None


def _kv(items: list[str]) -> dict:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"--param '{item}' is not KEY=VALUE")
        out[key] = yaml.safe_load(value)
    return out


def cmd_node(args) -> int:
    c = _client(args)
    try:
        if args.action == "list":
            statuses = {s.node: s for s in c.gather(1.2) if not s.node.startswith(("_", "launcher"))}
            res = c.request("_ctl/launcher", "list", timeout_s=2)
            procs = res.data if res.ok else {}
            rows = []
            for name in sorted(set(statuses) | set(procs)):
                s, p = statuses.get(name), procs.get(name, {})
                rows.append([name, s.state if s else p.get("state", "?"), s.pid if s else p.get("pid", "-"),
                             (s.cls if s else p.get("cls", "")), f"{s.uptime:.0f}s" if s else "-",
                             s.counters.get("rx", 0) if s else "-", s.counters.get("tx", 0) if s else "-",
                             s.counters.get("dropped", 0) if s else "-", p.get("restarts", "-"),
                             (s.reason if s else "")[:60]])
            _print_table(rows, ["node", "state", "pid", "class", "up", "rx", "tx", "dropped", "restarts", "reason"])
            return 0
        found = _find_node(c, args.name)
        if found is None:
            return 1
        if args.action == "info":
            print(yaml.safe_dump({k: v for k, v in vars(found).items()}, allow_unicode=True, sort_keys=False))
            return 0
        op_args: dict = {"node": args.name}
        if args.action in ("swap", "restart"):
            try:
                op_args["params"] = _kv(args.param)
            except ValueError as e:
                print(f"error: {e}", file=sys.stderr)
                return 2
        if args.action == "swap":
            op_args["cls"] = args.node
        res = c.request("_ctl/launcher", args.action, op_args, timeout_s=90)
        print(res.message, file=sys.stdout if res.ok else sys.stderr)
        return 0 if res.ok else 1
    finally:
        c.close()


def cmd_param(args) -> int:
    c = _client(args)
    try:
        found = _find_node(c, args.name)
        if found is None:
            return 1
        if args.action == "get":
            res = c.request(f"_ctl/{args.name}", "param_get", timeout_s=3)
            if not res.ok:
                print(res.message, file=sys.stderr)
                return 1
            data = res.data if not args.key else {args.key: res.data.get(args.key)}
            print(yaml.safe_dump(data, allow_unicode=True, sort_keys=False).strip())
            return 0
        value = param_value(found.cls, args.key, args.value)
        refused = check_param_set(args.name, found.cls, found.params, args.key, value)
        if refused:
            print(f"refused: {refused}", file=sys.stderr)
            return 1
        res = c.request(f"_ctl/{args.name}", "param_set", {"key": args.key, "value": value}, timeout_s=3)
        print(res.message, file=sys.stdout if res.ok else sys.stderr)
        return 0 if res.ok else 1
    finally:
        c.close()


# --- keys -------------------------------------------------------------------------------------
def cmd_keys(args) -> int:
    try:
        from bus.sockets import make_keys
    except ImportError as e:
        print(f"error: this version cannot make CurveZMQ keys (bus.sockets.make_keys: {e})", file=sys.stderr)
        return 2
    try:
        made = make_keys(args.dir)
    except (OSError, ValueError) as e:
        print(f"error: cannot write keys to {args.dir}: {e}", file=sys.stderr)
        return 2
    print(f"wrote CurveZMQ keys to {args.dir}" + (f" ({len(made)} files)" if isinstance(made, (list, tuple)) else ""))
    print(f"turn Curve on in a launch file with  bus: {{curve: true, keys: {os.path.abspath(args.dir)}}}")
    return 0


def _tools():
    import bus.cli_tools
    return bus.cli_tools


# --- dispatch -------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="run.py", description="Silver AI counsellor kiosk: launch and inspect node graphs.")
    sub = p.add_subparsers(dest="command", required=True)

    def bus_opt(sp):
        sp.add_argument("--bus", default=DEFAULT_BUS, help="control-plane broker HOST:PORT (default %(default)s)")
        sp.add_argument("--keys", help="CurveZMQ key directory of a graph with bus: {curve: true}")

    lp = sub.add_parser("launch", help="start a graph from a YAML launch file")
    lp.add_argument("file")
    lp.add_argument("overrides", nargs="*", help="NAME:=VALUE launch args")
    lp.add_argument("--watch", action="store_true", help="swap a node in when its source changes")
    lp.add_argument("--duration", type=float, help="stop this many seconds after the graph is ready")
    lp.add_argument("--check", action="store_true",
                    help="validate the graph and exit; nodes also load what their params name (a knowledge base)")
    lp.add_argument("--out", help="output directory: sets the launch arg `out` (recordings, logs)")
    lp.add_argument("--bus", help="run on this HOST:PORT instead of the file's bus (a second graph beside the first)")
    lp.set_defaults(fn=cmd_launch)

    tp = sub.add_parser("topic", help="list, echo, hz, bw, pub")
    tsub = tp.add_subparsers(dest="action", required=True)
    bus_opt(tsub.add_parser("list"))
    for name in ("echo", "hz", "bw"):
        sp = tsub.add_parser(name)
        sp.add_argument("topic")
        sp.add_argument("--duration", type=float, default=0 if name != "echo" else 0)
        sp.add_argument("--window", type=float, default=5.0)
        sp.add_argument("-n", "--count", type=int, default=0)
        bus_opt(sp)
    sp = tsub.add_parser("pub")
    sp.add_argument("topic")
    sp.add_argument("type", help="message type tag, e.g. text")
    sp.add_argument("data", help="YAML mapping of fields, e.g. '{text: 안녕하세요}'")
    sp.add_argument("--rate", type=float, default=0)
    sp.add_argument("-n", "--count", type=int, default=1)
    bus_opt(sp)
    tp.set_defaults(fn=lambda a: _tools().cmd_topic(a))

    np_ = sub.add_parser("node", help="list, info, restart, stop, swap")
    nsub = np_.add_subparsers(dest="action", required=True)
    bus_opt(nsub.add_parser("list"))
    for name in ("info", "restart", "stop", "swap"):
        sp = nsub.add_parser(name)
        sp.add_argument("name")
        if name == "swap":
            sp.add_argument("--node", help="replacement class package.module:Class (default: same)")
        if name in ("swap", "restart"):
            sp.add_argument("--param", action="append", default=[],
                            help="KEY=VALUE: new param, validated (and checked by the node) before the old one stops")
        bus_opt(sp)
    np_.set_defaults(fn=cmd_node)

    pp = sub.add_parser("param", help="get or set a node's params live")
    psub = pp.add_subparsers(dest="action", required=True)
    sp = psub.add_parser("get")
    sp.add_argument("name")
    sp.add_argument("key", nargs="?")
    bus_opt(sp)
    sp = psub.add_parser("set")
    sp.add_argument("name")
    sp.add_argument("key")
    sp.add_argument("value")
    bus_opt(sp)
    pp.set_defaults(fn=cmd_param)

    ip = sub.add_parser("interrupt", help="stop the current turn everywhere (barge-in), like a senior speaking over the kiosk")
    ip.add_argument("reason", nargs="?", default="operator")
    bus_opt(ip)
    ip.set_defaults(fn=cmd_interrupt)

    gp = sub.add_parser("graph", help="draw a launch file's graph (or the running one)")
    gp.add_argument("file", nargs="?")
    gp.add_argument("-o", "--output", default="graph.svg", help=".svg, .png or .dot")
    bus_opt(gp)
    gp.set_defaults(fn=lambda a: _tools().cmd_graph(a))

    bp = sub.add_parser("bag", help="record topics to a file, play them back")
    bsub = bp.add_subparsers(dest="action", required=True)
    sp = bsub.add_parser("record")
    sp.add_argument("topics", nargs="+")
    sp.add_argument("-o", "--output", required=True)
    sp.add_argument("--duration", type=float, default=0)
    sp.add_argument("-n", "--count", type=int, default=0)
    bus_opt(sp)
    sp = bsub.add_parser("play")
    sp.add_argument("file")
    sp.add_argument("--rate", type=float, default=1.0, help="time scale: 2 plays twice as fast")
    sp.add_argument("--topics", nargs="*")
    bus_opt(sp)
    sp = bsub.add_parser("info")
    sp.add_argument("file")
    bp.set_defaults(fn=lambda a: _tools().cmd_bag(a))

    dp = sub.add_parser("doctor", help="check this machine: packages, models, devices, ports")
    dp.add_argument("--bus", default=DEFAULT_BUS)
    dp.set_defaults(fn=lambda a: __import__("bus.doctor", fromlist=["main"]).main(a))

    kp = sub.add_parser("keys", help="write CurveZMQ keys for a graph (then bus: {curve: true, keys: DIR})")
    kp.add_argument("dir")
    kp.set_defaults(fn=cmd_keys)

    benches = sorted(list(BENCHES) + [k.split()[1] for k in COMMANDS if k.startswith("bench ")])
    bench = sub.add_parser("bench", help=f"benchmarks: {', '.join(benches)}")
    bench.add_argument("what", choices=benches)
    bench.add_argument("rest", nargs=argparse.REMAINDER)
    bench.set_defaults(fn=lambda a: __import__(BENCHES[a.what], fromlist=["main"]).main(a.rest))

    groups: dict[str, list[str]] = {}      # "staff" -> ["clear"]: a group only registered packages add
    for key, (text, _, _) in sorted(COMMANDS.items()):
        if " " not in key:
            sp = sub.add_parser(key, help=text, add_help=False)
            sp.add_argument("rest", nargs=argparse.REMAINDER)
        elif key.split()[0] != "bench":
            groups.setdefault(key.split()[0], []).append(key.split(maxsplit=1)[1])
    for group, subs in groups.items():
        if group not in COMMANDS:
            gp = sub.add_parser(group, help=f"{', '.join(subs)} (see: {group} SUBCOMMAND --help)")
            gp.add_argument("what", choices=subs)
    return p


# --- commands registered by packages ---------------------------------------------------------
COMMANDS: dict[str, tuple[str, str, str]] = {}   # "bench stt" -> (help, module, function)
DOCTOR: dict[str, tuple[str, str, str]] = {}     # "knowledge" -> (help, module, function)
BENCHES = {"bus": "bus.bench", "soak": "bus.bench_soak", "interrupt": "bus.bench_interrupt"}


def register(module: str, commands: dict[str, tuple[str, str]]) -> None:
    """Add a package's commands (run.py calls this for every nodes/<package>/cli.py)."""
    for key, (text, fn) in commands.items():
        if key in COMMANDS or key.split()[0] in BUILTIN:
            raise ValueError(f"command '{key}' of {module} is already taken")
        COMMANDS[key] = (text, module, fn)


def register_doctor(module: str, checks: dict[str, tuple[str, str]]) -> None:
    """Add a package's doctor checks (run.py reads `DOCTOR` tables beside `COMMANDS`)."""
    for name, (text, fn) in checks.items():
        if name in DOCTOR:
            raise ValueError(f"doctor check '{name}' of {module} is already taken by {DOCTOR[name][1]}")
        DOCTOR[name] = (text, module, fn)


BUILTIN = {"launch", "topic", "node", "param", "interrupt", "graph", "bag", "doctor", "keys"}


def _registered(argv: list[str]):
    """(function, remaining argv) for a registered command, longest match first, else None."""
    for n in (2, 1):
        key = " ".join(argv[:n])
        if len(argv) >= n and key in COMMANDS:
            import importlib
            _, module, fn = COMMANDS[key]
            return getattr(importlib.import_module(module), fn), argv[n:]
    return None


def main(argv: list[str]) -> int:
    # registered commands get their arguments untouched: they have parsers of their own, and
    # argparse's REMAINDER would refuse an option in first place (`ask --json`)
    found = _registered(argv)
    if argv[:1] == ["bench"] and argv[1:2] and argv[1] in BENCHES:
        import importlib
        found = importlib.import_module(BENCHES[argv[1]]).main, argv[2:]
    if found:
        fn, rest = found
        return fn(rest)
    args = build_parser().parse_args(argv)
    try:
        return args.fn(args)
    except ConnectionError as e:
        hint = "" if getattr(args, "keys", None) or not hasattr(args, "keys") else \
            " A graph with CurveZMQ on (bus: {curve: true}) answers only to --keys DIR."
        print(f"error: {e}{hint}", file=sys.stderr)
        return 2
    except ValueError as e:   # a bad --bus address, keys that do not load
        if type(e).__name__ not in ("ValueError", "KeysMissing"):
            raise
        print(f"error: {e}", file=sys.stderr)
        return 2
