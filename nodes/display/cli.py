"""Commands: `avsync` (A/V offset of a recorded MP4) and `screenshots` (the kiosk screen's
states, as PNGs)."""
from __future__ import annotations

COMMANDS = {
    "avsync": ("A/V offset of a recorded MP4 (audio envelope against mouth motion, BT.1359 sign)", "avsync_main"),
    "screenshots": ("screenshots of the kiosk screen in each state: --out DIR", "shots_main"),
}
DOCTOR = {"display": ("kiosk screen: pygame, the Korean font, QR codes, MP4 recording", "doctor_display")}


def doctor_display() -> list:
    """(status, detail, fix) for `run.py doctor`."""
    import importlib.util
    out = []
    missing = [pkg for mod, pkg in (("pygame", "pygame"), ("segno", "segno"), ("av", "av"), ("cv2", "opencv-python-headless"))
               if importlib.util.find_spec(mod) is None]
    if missing:
        return [("FAIL", "missing: " + ", ".join(missing), "scripts/setup with EXTRAS=face (requirements-face.txt)")]
    from nodes.display.screen import find_font
    try:
        out.append(("OK", f"Korean font {find_font()}", ""))
    except FileNotFoundError as e:
        out.append(("FAIL", str(e), "apt-get install fonts-nanum"))
    import glob
    import os
    screens = [v for v in ("DISPLAY", "WAYLAND_DISPLAY") if os.environ.get(v)] + glob.glob("/dev/dri/card*")[:1]
    out.append(("OK", f"a screen to show the kiosk on: {', '.join(screens)}", "") if screens else
               ("WARN", "no screen (no DISPLAY, WAYLAND_DISPLAY or /dev/dri/card*): headless only",
                "run the kiosk on its display, or headless with driver:=dummy record:=DIR"))
    import av
    codecs = {"libx264", "aac"} - set(av.codecs_available)
    out.append(("WARN" if codecs else "OK", f"PyAV {av.__version__}" + (f": no {', '.join(sorted(codecs))}" if codecs
                else ": H.264 and AAC for recordings"), "install PyAV's wheel (it bundles FFmpeg)" if codecs else ""))
    return out


def avsync_main(argv: list[str]) -> int:
    from nodes.display.avsync import main
    return main(argv)


def shots_main(argv: list[str]) -> int:
    from nodes.display.shots import main
    return main(argv)
