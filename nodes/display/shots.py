"""`python run.py screenshots --out docs/img`: real screenshots of the kiosk screen, made by the
display and lip-sync nodes themselves (SDL's dummy driver, a simulated clock, the synthetic
voice), one per state a senior meets."""
from __future__ import annotations

import argparse
import os

from bus.messages import Moderated, Playback, Reply, StaffAlert
from bus.testing import Harness
from nodes.lipsync import synth

URL = "https://www.bokjiro.go.kr/ssis-tbu/twataa/wlfareInfo/moveTWAT52011M.do?wlfareInfoId=WLF00000024"
TEXT = "만 65세 이상이고 소득이 기준보다 적으면 받을 수 있어요. 주민센터에서 신청하세요."


def _node(cls, params):
    h = Harness(cls, params, setup=False)
    h.node.clock = lambda: h.now
    h.node.setup()
    return h


def make(out: str) -> list[str]:
    import cv2
    from nodes.display.node import DisplayNode
    from nodes.lipsync.node import LipsyncNode
    os.makedirs(out, exist_ok=True)
    lip = _node(LipsyncNode, {"width": 720, "height": 520})
    disp = _node(DisplayNode, {"driver": "dummy"})
    written = []

    def run(seconds, playing=None):
        sent = len(lip.published)
        t_end = disp.now + seconds
        while disp.now < t_end:
            if playing:
                utt, start = playing
                pos = disp.now - start
                pb = Playback(utt, int(pos * 16000), disp.now, 16000, True)
                lip.send("playback", pb)
                disp.send("playback", pb)
            lip.advance(0.02)
            for _, f, _ in lip.published[sent:]:
                disp.send("frame", f)
            sent = len(lip.published)
            disp.advance(0.02)

    def shot(name):
        path = os.path.join(out, f"kiosk_{name}.png")
        cv2.imwrite(path, cv2.cvtColor(disp.node.screen.pixels(), cv2.COLOR_RGB2BGR))
        written.append(path)

    run(1.0)
    shot("listening")
    disp.send("heard", Moderated(text="기초연금 받을 수 있어요?", label="allow"))
    run(0.5)
    shot("thinking")
    chunks = synth.chunks(text=TEXT)
    disp.send("reply", Reply(kind="answer", text=TEXT, id="r1", url=URL,
                             suggestions=["어디서 신청해요?", "얼마 받아요?"]))
    for c in chunks:
        lip.send("speech", c)
        disp.send("speech", c)
    run(1.9, ("u1", disp.now))
    shot("speaking")
    run(4.0, None)
    disp.send("playback", Playback("", 0, disp.now, 16000, False))
    run(3.5)
    shot("answer")
    b = next(b for b in disp.node.screen.buttons if b[0] == "bigger_text")
    disp.node.press(*b[2].center)
    run(0.2)
    shot("bigger_text")
    disp.send("alert", StaffAlert(reason="crisis", category="suicide", hotline="109"))
    disp.send("reply", Reply(kind="crisis", text="말씀해 주셔서 고마워요. 직원이 곧 와서 곁에 있을 거예요. 여기서 같이 기다려요.", hotline="109"))
    run(0.2)
    shot("crisis")
    disp.node.teardown()
    return written


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="run.py screenshots", description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default="docs/img")
    args = ap.parse_args(argv)
    for p in make(args.out):
        print(p)
    return 0
