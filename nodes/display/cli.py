"""Commands: `avsync` (A/V offset of a recorded MP4) and `screenshots` (the kiosk screen's
states, as PNGs)."""
from __future__ import annotations

COMMANDS = {
    "avsync": ("A/V offset of a recorded MP4 (audio envelope against mouth motion, BT.1359 sign)", "avsync_main"),
    "screenshots": ("screenshots of the kiosk screen in each state: --out DIR", "shots_main"),
}


def avsync_main(argv: list[str]) -> int:
    from nodes.display.avsync import main
    return main(argv)


def shots_main(argv: list[str]) -> int:
    from nodes.display.shots import main
    return main(argv)
