"""`python run.py doctor`: is this machine ready to run the kiosk? Each check says what is wrong
and how to fix it; exit status 1 when anything required fails.

The bus checks the machine; packages check their own data (the knowledge base, the moderation
lexicons, a speech model) through `DOCTOR` tables in `nodes/<package>/cli.py`, which run.py reads
and bus.cli.register_doctor collects. bus/ imports nothing from nodes/."""
from __future__ import annotations

import glob
import importlib
import os
import shutil
import socket
import sys
import time

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OK, WARN, FAIL = "OK", "WARN", "FAIL"


def check_python():
    v = sys.version_info
    return (OK if v >= (3, 11) else FAIL, f"Python {v.major}.{v.minor}.{v.micro}", "use Python 3.11 or newer")


def check_packages():
    missing, versions = [], []
    for mod, pkg in [("zmq", "pyzmq"), ("msgpack", "msgpack"), ("yaml", "PyYAML"), ("numpy", "numpy"),
                     ("kiwipiepy", "kiwipiepy"), ("kiwipiepy_model", "kiwipiepy-model"), ("watchfiles", "watchfiles")]:
        try:
            m = importlib.import_module(mod)
            versions.append(f"{pkg} {getattr(m, '__version__', '?')}")
        except ImportError:
            missing.append(pkg)
    if missing:
        return FAIL, "missing: " + ", ".join(missing), "run scripts/setup (or .venv/bin/pip install -r requirements.txt)"
    return OK, "; ".join(versions), ""


def check_libzmq():
    import zmq
    v = zmq.zmq_version_info()
    return (OK if v >= (4, 3) else FAIL, f"libzmq {zmq.zmq_version()}", "upgrade pyzmq (bundles libzmq)")


def check_kiwi():
    try:
        from kiwipiepy import Kiwi
        t = time.perf_counter()
        tokens = Kiwi().tokenize("기초연금은 어디서 신청해요?")
        return OK, f"Korean analyser loads in {time.perf_counter() - t:.1f} s ({len(tokens)} morphemes)", ""
    except Exception as e:
        return FAIL, f"Kiwi does not load: {e}", "pip install kiwipiepy-model (it ships the model)"


def check_bus(addr):
    from bus.transport import BusAddress, Client
    a = BusAddress.parse(addr)
    with socket.socket() as s:
        busy = s.connect_ex((a.host, a.port)) == 0
    if not busy:
        return OK, f"bus port {a.port} is free (no graph running)", ""
    c = Client(a, f"_doctor/{os.getpid()}")
    try:
        c.handshake(2.0)
        n = len([s for s in c.gather(1.0) if not s.node.startswith("_")])
        return OK, f"a graph answers on {a}: {n} node(s)", ""
    except ConnectionError:
        return FAIL, f"port {a.port} is taken by something that is not a kiosk graph", \
            "free the port or use bus: {port: N} in the launch file"
    finally:
        c.close()


def check_disk():
    free = shutil.disk_usage(ROOT).free / 2**30
    return (OK if free > 1 else FAIL, f"{free:.1f} GiB free", "free disk space (logs and models need room)")


def check_tool(name, why, package):
    path = shutil.which(name)
    return (OK, f"{name}: {path}", "") if path else (WARN, f"{name} not found ({why})", f"apt-get install {package}")


def check_font():
    found = glob.glob("/usr/share/fonts/**/NanumGothic*.ttf", recursive=True)
    return (OK, f"Hangul font: {os.path.basename(found[0])}", "") if found else \
        (WARN, "NanumGothic font not found (large Korean subtitles)", "apt-get install fonts-nanum")


def check_devices():
    with open(os.path.join(ROOT, "hardware", "kiosk.yaml")) as f:
        hw = yaml.safe_load(f)
    out = []
    cams = sorted(glob.glob("/dev/video*"))
    want = f"/dev/video{hw['camera']['index']}"
    out.append((OK, f"camera {want}", "") if want in cams else
               (WARN, f"camera {want} not present (found: {', '.join(cams) or 'none'})",
                "plug the camera in, or set camera.index in hardware/kiosk.yaml"))
    try:
        import pyaudio
        with _quiet_stderr():   # ALSA and JACK print pages of probing noise on a machine without sound
            pa = pyaudio.PyAudio()
            infos = [pa.get_device_info_by_index(i) for i in range(pa.get_device_count())]
            pa.terminate()
        n_in = sum(1 for d in infos if d["maxInputChannels"] > 0)
        n_out = sum(1 for d in infos if d["maxOutputChannels"] > 0)
        out.append((OK if n_in else WARN, f"{n_in} audio input device(s)", "plug a microphone in"))
        out.append((OK if n_out else WARN, f"{n_out} audio output device(s)",
                    "plug a loudspeaker in (or run headless with sink:=mute)"))
    except ImportError:
        out.append((WARN, "PyAudio not installed (microphone and speaker nodes)",
                    "EXTRAS=\"hearing voice\" scripts/setup (requirements-hearing.txt, requirements-voice.txt)"))
    except Exception as e:
        out.append((WARN, f"audio: {e}", "check the sound card (aplay -l)"))
    return out


def registered() -> list:
    """(name, function) of every check a package registered (bus.cli.DOCTOR)."""
    from bus.cli import DOCTOR
    out = []
    for name, (_, module, fn) in sorted(DOCTOR.items()):
        def run(module=module, fn=fn):
            return getattr(importlib.import_module(module), fn)()
        out.append((name, run))
    return out


class _quiet_stderr:
    """Silence file descriptor 2 (C libraries write there directly) for the duration."""

    def __enter__(self):
        sys.stderr.flush()
        self.saved = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)

    def __exit__(self, *exc):
        os.dup2(self.saved, 2)
        os.close(self.saved)


def main(args) -> int:
    sys.path.insert(0, ROOT)
    checks = [("python", check_python), ("packages", check_packages), ("libzmq", check_libzmq),
              ("korean", check_kiwi), *registered(),
              ("bus", lambda: check_bus(getattr(args, "bus", "127.0.0.1:7600"))), ("disk", check_disk),
              ("graphviz", lambda: check_tool("dot", "graph pictures", "graphviz")),
              ("espeak", lambda: check_tool("espeak-ng", "Korean TTS fallback", "espeak-ng")),
              ("font", check_font), ("devices", check_devices)]
    failed = 0
    for name, fn in checks:
        try:
            results = fn()
        except Exception as e:
            results = (FAIL, f"check crashed: {type(e).__name__}: {e}", "report this")
        if not (isinstance(results, list) or (isinstance(results, tuple) and len(results) == 3)):
            results = (FAIL, f"check returned {results!r}, not (status, detail, fix)", "fix the check's code")
        for status, detail, fix in results if isinstance(results, list) else [results]:
            failed += status == FAIL
            colour = {"OK": "32", "WARN": "33", "FAIL": "31"}[status] if sys.stdout.isatty() else ""
            tag = f"\033[{colour}m{status:<4}\033[0m" if colour else f"{status:<4}"
            print(f"{tag} {name:<11} {detail}" + (f"\n     {'':<11} fix: {fix}" if fix and status != OK else ""))
    print(f"\n{'all required checks passed' if not failed else f'{failed} required check(s) failed'}")
    return 1 if failed else 0
