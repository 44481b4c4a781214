"""`python -m tests.bus.measure_delivery`: delivery as the kiosk runs, under two CPU burners.

Prints figures (not a test): a consumer whose setup takes 10 s while its producer already talks,
and a blocking consumer SIGKILLed three times mid-turn. docs/bus.md quotes the output.
"""
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import time

from tests.procs import ROOT, Graph


def lines(p: pathlib.Path) -> list[str]:
    return p.read_text().split("\n")[:-1] if p.exists() else []


def slow_start(tmp: pathlib.Path) -> str:
    rec = tmp / "slow.txt"
    with Graph(tmp, f"""
        bus: {{port: PORT}}
        nodes:
          - {{id: slow, node: "tests.bus.helper_nodes:SlowStart", params: {{setup_s: 10.0, record: "{rec}"}},
             inputs: {{tick: ticker/tick}}}}
          - {{id: ticker, node: "nodes.demo:Ticker", params: {{rate_hz: 20.0, count: 300}}}}
    """) as g:
        t0 = time.monotonic()
        g.wait_for(lambda st: len(lines(rec)) >= 300, timeout=120, what="300 ticks")
        ns = [int(x.split()[0]) for x in lines(rec)]
        return (f"slow start (setup 10 s): handled {len(ns)} of 300, unique {len(set(ns))}, in order {ns == sorted(ns)}, "
                f"took {time.monotonic() - t0:.1f} s")


def killed_mid_turn(tmp: pathlib.Path) -> str:
    rec = tmp / "worker.txt"
    with Graph(tmp, f"""
        bus: {{port: PORT}}
        nodes:
          - {{id: worker, node: "tests.bus.helper_nodes:SlowWorker", params: {{work_s: 0.05, record: "{rec}"}},
             inputs: {{tick: ticker/tick}}, restart: {{policy: always, backoff_s: 0.1}}}}
          - {{id: ticker, node: "nodes.demo:Ticker", params: {{rate_hz: 40.0, count: 400}}}}
    """) as g:
        for at in (50, 150, 250):
            st = g.wait_for(lambda s: s.get("worker") if s.get("worker") and s["worker"].state == "ok"
                            and len(lines(rec)) >= at else None, timeout=120, what=f"{at} handled")
            os.kill(st.pid, signal.SIGKILL)
        g.wait_for(lambda st: len(set(lines(rec))) >= 400, timeout=120, what="400 ticks")
        ns = [int(x) for x in lines(rec)]
        return (f"3 SIGKILLs mid-turn: handled {len(set(ns))} of 400 (missing {sorted(set(range(1, 401)) - set(ns))}), "
                f"handled twice {len(ns) - len(set(ns))}")


def main() -> int:
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    try:
        with tempfile.TemporaryDirectory() as d:
            os.chdir(ROOT)
            print("2 CPU burners:", slow_start(pathlib.Path(d)), flush=True)
            print("2 CPU burners:", killed_mid_turn(pathlib.Path(d)), flush=True)
    finally:
        for b in burners:
            b.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
