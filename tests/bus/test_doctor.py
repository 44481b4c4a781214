import socket
import subprocess

from tests.procs import PY, ROOT, free_port_pair


def doctor(*args):
    return subprocess.run([PY, "run.py", "doctor", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_doctor_passes_on_a_set_up_machine():
    r = doctor("--bus", f"127.0.0.1:{free_port_pair()}")
    assert r.returncode == 0, r.stdout
    for name in ("python", "packages", "libzmq", "korean", "moderation", "knowledge", "bus", "disk"):
        assert any(line.startswith("OK") and name in line for line in r.stdout.splitlines()), name
    assert "all required checks passed" in r.stdout


def test_doctor_names_a_port_held_by_something_else():
    port = free_port_pair()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))
        s.listen()
        r = doctor("--bus", f"127.0.0.1:{port}")
    assert r.returncode == 1
    assert "is taken by something that is not a kiosk graph" in r.stdout and "fix:" in r.stdout
