"""`python run.py bench soak [--turns N] [--json]`: the kiosk graph under load, with nodes killed.

It launches the kiosk graph (moderation -> dialogue, subtitles, staff pager) from launch/core.yaml,
fed on its transcript input by a feeder node, with both cores kept busy by CPU burners the bench
starts itself. The feeder says N scripted turns (every 7th a crisis: 숨을 못 쉬겠어요, 가슴이 너무
아파요, 죽고 싶어요), each with its own turn id. A recorder node, a declared consumer like the
screen, notes every reply and staff alert by turn. Every ~20 s the bench SIGKILLs a random kiosk
node, whatever it is doing: serving, loading its models, or holding turns for a consumer that is
loading (that is how run 2 in docs/operations.md lost 104 turns). The launcher's policy respawns it.
The feeder and the recorder are the bench's instruments and are not killed. It reports turns lost,
duplicated replies and crisis alerts, the repeats the runtime dropped (bus/runtime/intake.py), crises
alerted, crashes (deaths the bench did not cause, such as SIGABRT), latency and the kill log.

Both bench nodes write JSON lines (time.monotonic(), one clock for all processes on the host).
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

import numpy as np

from bus import messages as m
from bus.node import Node

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QUESTIONS = ["기초연금 받을 수 있어요?", "노인일자리 하고 싶어요", "치매 검사는 어디서 받아요?",
             "장기요양 등급은 어떻게 받아요?", "주민등록등본 떼려면 어디로 가요?", "버스 무료로 탈 수 있어요?",
             "기초연금은 얼마나 나와요?", "경로당 프로그램 알려 주세요", "독감 예방접종 무료인가요?",
             "틀니 지원 받을 수 있나요?", "안녕하세요", "그럼 어디서 신청해요?"]
CRISES = ["숨을 못 쉬겠어요", "가슴이 너무 아파요", "죽고 싶어요"]
KILLABLE = ["moderation", "dialogue", "subtitles", "staff_pager"]


def line_for(i: int, crisis_every: int) -> tuple[str, bool]:
    """The i-th scripted utterance (1-based) and whether it is a crisis."""
    if crisis_every and i % crisis_every == 0:
        return CRISES[(i // crisis_every - 1) % len(CRISES)], True
    return QUESTIONS[i % len(QUESTIONS)], False


class SoakFeeder(Node):
    """Says `turns` scripted utterances, one every `interval_s`, each a new turn and session."""
    outputs = {"transcript": m.Transcript}

    @dataclass
    class Params:
        turns: int = 300
        interval_s: float = 1.0
        crisis_every: int = 7
        out: str = ""

    def setup(self):
        self.i = 0
        self.log_file = open(self.params.out, "a", buffering=1)
        self.every(self.params.interval_s, self.say)

    def say(self):
        if self.i >= self.params.turns:
            return
        self.i += 1
        text, crisis = line_for(self.i, self.params.crisis_every)
        turn = m.new_turn()
        self.log_file.write(json.dumps({"i": self.i, "turn": turn, "mono": time.monotonic(), "crisis": crisis}) + "\n")
        self.publish("transcript", m.Transcript(text, session=f"soak-{self.i}", source="injected"), turn=turn)

    def teardown(self):
        self.log_file.close()


class SoakRecorder(Node):
    """Notes every reply and staff alert with its turn and arrival time."""
    inputs = {"reply": m.Reply, "crisis": m.StaffAlert, "request": m.StaffAlert}

    @dataclass
    class Params:
        out: str = ""

    def setup(self):
        self.log_file = open(self.params.out, "a", buffering=1)

    def _note(self, what: str, kind: str) -> None:
        h = self.header
        self.log_file.write(json.dumps({"what": what, "kind": kind, "turn": h.turn, "mono": time.monotonic(),
                                        "src": h.src, "inc": h.inc, "seq": h.seq}) + "\n")

    def on_reply(self, msg: m.Reply):
        self._note("reply", msg.kind)

    def on_crisis(self, msg: m.StaffAlert):
        self._note("alert", msg.reason)

    def on_request(self, msg: m.StaffAlert):
        self._note("alert", msg.reason)

    def teardown(self):
        self.log_file.close()


# --- orchestration -----------------------------------------------------------------------------
def free_port() -> int:
    import socket
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port < 65000:
            with socket.socket() as s2:
                try:
                    s2.bind(("127.0.0.1", port + 1))
                    return port
                except OSError:
                    continue


def start_burners(n: int) -> list[subprocess.Popen]:
    """n busy loops: the kiosk shares its cores with speech recognition, synthesis and video."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]


def stop_all(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        if p.poll() is None:
            p.kill()
    for p in procs:
        p.wait()


def read_jsonl(path: str) -> list[dict]:
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.endswith("\n")]


def graph_yaml(tmp: str, port: int, args) -> str:
    return f"""
graph: soak
bus: {{port: {port}}}
include:
  - file: {ROOT}/launch/core.yaml
    args: {{transcript: feeder/transcript, log: {tmp}/conversations.sqlite}}
nodes:
  - id: feeder
    node: bus.bench_soak:SoakFeeder
    start: after_ready
    params: {{turns: {args.turns}, interval_s: {args.interval}, crisis_every: 7, out: {tmp}/sent.jsonl}}
  - id: recorder
    node: bus.bench_soak:SoakRecorder
    inputs: {{reply: dialogue/reply, crisis: moderation/alert, request: dialogue/alert}}
    params: {{out: {tmp}/got.jsonl}}
"""


def run(args) -> dict:
    from bus.transport import EVENT, BusAddress, Client
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="kiosk-soak-") as tmp:
        port = args.port or free_port()
        path = os.path.join(tmp, "soak.yaml")
        with open(path, "w") as f:
            f.write(graph_yaml(tmp, port, args))
        burners = start_burners(args.burners)
        log = open(os.path.join(tmp, "launch.log"), "w+")
        t_launch = time.monotonic()
        launcher = subprocess.Popen([sys.executable, "run.py", "launch", path], cwd=ROOT, stdout=log,
                                    stderr=subprocess.STDOUT)
        client, kills, events, ready_s, repeats = None, [], [], None, {}
        try:
            client = _connect(BusAddress("127.0.0.1", port), launcher, EVENT)
            deadline = t_launch + args.startup_timeout
            next_kill = None
            last_sent_at = None
            while time.monotonic() < deadline:
                if launcher.poll() is not None:
                    raise RuntimeError(f"the launcher exited with code {launcher.returncode}:\n{_tail(log)}")
                if client.ctl_sub.poll(100):
                    while client.ctl_sub.poll(0):
                        topic, _, msg = client.recv_ctl()
                        if isinstance(msg, m.NodeEvent) and topic == EVENT:
                            events.append((time.monotonic(), msg))
                            if msg.kind == "graph_ready" and ready_s is None:
                                ready_s = time.monotonic() - t_launch
                                next_kill = time.monotonic() + args.kill_every * rng.uniform(0.5, 1.0)
                                deadline = time.monotonic() + args.turns * args.interval + args.settle
                for st in client.directory.statuses(stopped=True):   # what the runtime dropped as repeats
                    repeats[(st.node, st.inc)] = st.counters.get("dropped_repeat", 0)
                client.expire()
                sent, got = read_jsonl(f"{tmp}/sent.jsonl"), read_jsonl(f"{tmp}/got.jsonl")
                if len(sent) >= args.turns:
                    last_sent_at = last_sent_at or time.monotonic()
                    if _complete(sent, got) or time.monotonic() - last_sent_at > args.settle:
                        break
                if next_kill and time.monotonic() >= next_kill and len(sent) < args.turns and args.kill_every > 0:
                    kills.append(_kill(client, rng, time.monotonic() - t_launch))
                    next_kill = time.monotonic() + args.kill_every * rng.uniform(0.75, 1.25)
            if ready_s is None:
                raise RuntimeError(f"the graph was not ready within {args.startup_timeout:.0f} s:\n{_tail(log)}")
        finally:
            if client is not None:
                client.close()
            if launcher.poll() is None:
                launcher.send_signal(signal.SIGINT)
                try:
                    launcher.wait(15)
                except subprocess.TimeoutExpired:
                    launcher.kill()
            stop_all(burners)
            text = _tail(log, 0)
            if args.log:
                with open(args.log, "w") as f:
                    f.write(text)
        res = summarise(read_jsonl(f"{tmp}/sent.jsonl"), read_jsonl(f"{tmp}/got.jsonl"), kills, events, ready_s, args)
        res["repeats_dropped"] = {}
        for (node, _), n in sorted(repeats.items()):
            if n:
                res["repeats_dropped"][node] = res["repeats_dropped"].get(node, 0) + n
        res["hang_kills"] = [line.split(" ", 2)[-1] for line in text.splitlines() if "sent no heartbeat" in line]
        return res


def _connect(addr, launcher, event_topic):
    from bus.transport import Client
    deadline = time.monotonic() + 30
    while True:
        c = Client(addr, f"_soak/{os.getpid()}", ctl_topics=(event_topic,))
        try:
            c.handshake(timeout_s=1.0)
            return c
        except ConnectionError:
            c.close()
            if launcher.poll() is not None or time.monotonic() > deadline:
                raise


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def _kill(client, rng, t: float) -> dict:
    """SIGKILL a random kiosk node whose process runs, in whatever state (a dead incarnation's last
    heartbeat lingers for 3 s; one being respawned has none yet)."""
    live = {s.node: s for s in client.directory.statuses()
            if s.node in KILLABLE and s.pid and s.state != "stopped" and _alive(s.pid)}
    if not live:
        return {"t": round(t, 1), "node": None, "pid": 0, "note": "no kiosk node running: none killed"}
    node = rng.choice(sorted(live))
    pid, state = live[node].pid, live[node].state
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return {"t": round(t, 1), "node": node, "pid": pid, "state": state, "note": "already gone"}
    return {"t": round(t, 1), "node": node, "pid": pid, "state": state}


def _complete(sent: list, got: list) -> bool:
    replied = {g["turn"] for g in got if g["what"] == "reply"}
    alerted = {g["turn"] for g in got if g["what"] == "alert" and g["kind"] == "crisis"}
    return all(s["turn"] in replied and (not s["crisis"] or s["turn"] in alerted) for s in sent)


def _tail(log, n: int = 3000) -> str:
    log.flush()
    log.seek(0)
    return log.read()[-n:]


def summarise(sent: list, got: list, kills: list, events: list, ready_s, args) -> dict:
    replies: dict[int, list] = {}
    alerts: dict[int, list] = {}
    for g in got:
        (replies if g["what"] == "reply" else alerts).setdefault(g["turn"], []).append(g)
    lat = [(replies[s["turn"]][0]["mono"] - s["mono"]) * 1e3 for s in sent if s["turn"] in replies]
    crises = [s for s in sent if s["crisis"]]
    scripted = {s["turn"] for s in sent}
    crisis_alerts = {t: [a for a in v if a["kind"] == "crisis"] for t, v in alerts.items()}
    injected = {}
    for k in kills:
        if k.get("node"):
            injected[k["node"]] = injected.get(k["node"], 0) + 1
    crashes, deaths = [], []
    for _, e in events:
        if e.kind not in ("restart", "gave_up"):
            continue
        deaths.append(f"{e.node}: {e.text}")
        if "SIGKILL" in e.text and injected.get(e.node, 0) > 0:
            injected[e.node] -= 1
        else:
            crashes.append(f"{e.node}: {e.kind}: {e.text}")
    pct = (lambda q: round(float(np.percentile(lat, q)), 1)) if lat else (lambda q: None)
    out = {
        "turns_sent": len(sent),
        "turns_answered": sum(1 for s in sent if s["turn"] in replies),
        "turns_lost": sum(1 for s in sent if s["turn"] not in replies),
        # per scripted turn: a reply with no scripted turn (turn 0: dialogue's goodbye to a session idle
        # for 90 s) is no second answer to anything; it is counted under other_replies
        "duplicates": sum(max(0, len(replies.get(s["turn"], [])) - 1) + max(0, len(crisis_alerts.get(s["turn"], [])) - 1)
                          for s in sent),
        "other_replies": dict(collections.Counter(r["kind"] for t, v in replies.items() if t not in scripted for r in v)),
        "crises_sent": len(crises),
        "crises_alerted": sum(1 for s in crises if crisis_alerts.get(s["turn"])),
        "crashes": len(crashes),
        "latency_ms": {"p50": pct(50), "p95": pct(95), "p99": pct(99), "max": round(max(lat), 1) if lat else None},
        "ready_s": round(ready_s, 1) if ready_s is not None else None,
        "kills": kills,
        "deaths": deaths,
        "crash_log": crashes,
        "lost_turns": [s["i"] for s in sent if s["turn"] not in replies][:50],
        "duplicate_turns": [{"i": s["i"], "replies": [(r["kind"], r.get("src"), r.get("inc")) for r in replies.get(s["turn"], [])],
                             "crisis_alerts": len(crisis_alerts.get(s["turn"], []))} for s in sent
                            if len(replies.get(s["turn"], [])) > 1 or len(crisis_alerts.get(s["turn"], [])) > 1][:50],
        "setup": {"turns": args.turns, "interval_s": args.interval, "kill_every_s": args.kill_every,
                  "burners": args.burners, "seed": args.seed},
    }
    out["targets"] = {"turns_lost_0": out["turns_lost"] == 0, "duplicates_0": out["duplicates"] == 0,
                      "crashes_0": out["crashes"] == 0, "every_crisis_alerted": out["crises_alerted"] == out["crises_sent"],
                      "all_turns_sent": out["turns_sent"] == args.turns}
    return out


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="run.py bench soak", description=__doc__.split("\n\n")[0])
    ap.add_argument("--turns", type=int, default=300, help="scripted turns (default %(default)s; 30 is the quick mode)")
    ap.add_argument("--interval", type=float, default=1.0, help="seconds between turns (default %(default)s)")
    ap.add_argument("--kill-every", type=float, default=20.0, help="SIGKILL a random kiosk node about this often (0: never)")
    ap.add_argument("--burners", type=int, default=2, help="CPU burner processes (default %(default)s)")
    ap.add_argument("--settle", type=float, default=60.0, help="seconds to wait for the last answers")
    ap.add_argument("--startup-timeout", type=float, default=180.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--port", type=int, default=0, help="bus port (default: a free one)")
    ap.add_argument("--log", help="write the launcher's log (every node's output) to this file")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)
    try:
        res = run(args)
    except RuntimeError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(res, ensure_ascii=False))
        return 0
    lat = res["latency_ms"]
    print(f"soak: {res['turns_sent']} turns, {args.burners} CPU burners, {len(res['kills'])} nodes killed; "
          f"graph ready in {res['ready_s']} s")
    print(f"  answered {res['turns_answered']}, lost {res['turns_lost']}, duplicates {res['duplicates']}"
          f" (replies outside the scripted turns: {res['other_replies'] or 'none'})")
    print(f"  crises alerted {res['crises_alerted']}/{res['crises_sent']}, crashes {res['crashes']}")
    print(f"  re-published messages dropped by their consumers as repeats: {res['repeats_dropped'] or 'none'}")
    print(f"  reply latency p50 {lat['p50']} / p95 {lat['p95']} / p99 {lat['p99']} / max {lat['max']} ms")
    for k in res["kills"]:
        print(f"  killed at {k['t']:6.1f} s: {k['node']} (pid {k['pid']}, {k.get('state', '-')})"
              f"{' ' + k['note'] if k.get('note') else ''}")
    for c in res["crash_log"]:
        print(f"  CRASH {c}")
    for h in res["hang_kills"]:
        print(f"  (the launcher's hang watchdog: {h})")
    if res["lost_turns"]:
        print(f"  lost turns: {res['lost_turns']}")
    for d in res["duplicate_turns"]:
        print(f"  duplicated turn {d['i']}: replies {d['replies']}, crisis alerts {d['crisis_alerts']}")
    for k, v in res["targets"].items():
        print(f"  {'MET ' if v else 'MISS'} {k}")
    return 0
