import ast
import glob
import os
import socket
import subprocess
import sys

from tests.procs import PY, ROOT, free_port_pair


def doctor(*args):
    return subprocess.run([PY, "run.py", "doctor", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_doctor_passes_on_a_set_up_machine():
    r = doctor("--bus", f"127.0.0.1:{free_port_pair()}")
    assert r.returncode == 0, r.stdout
    for name in ("python", "packages", "libzmq", "korean", "bus", "disk"):
        assert any(line.startswith("OK") and name in line for line in r.stdout.splitlines()), name
    sys.path.insert(0, ROOT)
    from run import package_tables
    for table in package_tables("DOCTOR").values():   # every check a package registers runs (WARN: optional parts)
        for name in table:
            assert any(line.startswith(("OK", "WARN")) and f" {name} " in line for line in r.stdout.splitlines()), name
    assert "all required checks passed" in r.stdout


def test_doctor_names_a_port_held_by_something_else():
    port = free_port_pair()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))
        s.listen()
        r = doctor("--bus", f"127.0.0.1:{port}")
    assert r.returncode == 1
    assert "is taken by something that is not a kiosk graph" in r.stdout and "fix:" in r.stdout


def test_packages_register_doctor_checks(tmp_path, monkeypatch, capsys):
    (tmp_path / "fakepkg_doctor.py").write_text(
        "def good():\n    return 'OK', 'speech model loads', ''\n"
        "def bad():\n    return [('FAIL', 'voice file missing', 'run scripts/setup-voice')]\n"
        "def broken():\n    raise RuntimeError('boom')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    from bus import cli, doctor as doc
    monkeypatch.setattr(cli, "DOCTOR", {})
    cli.register_doctor("fakepkg_doctor", {"speech": ("", "good"), "voice": ("", "bad"), "face": ("", "broken")})
    results = {name: fn for name, fn in doc.registered()}
    assert results["speech"]() == ("OK", "speech model loads", "")
    assert results["voice"]()[0][0] == "FAIL"
    monkeypatch.setattr(doc, "check_kiwi", lambda: ("OK", "skipped here", ""))
    monkeypatch.setattr(doc, "check_devices", lambda: ("OK", "skipped here", ""))

    class Args:
        bus = f"127.0.0.1:{free_port_pair()}"
    assert doc.main(Args()) == 1
    out = capsys.readouterr().out
    assert "OK   speech" in out and "FAIL voice" in out and "fix: run scripts/setup-voice" in out
    assert "FAIL face" in out and "check crashed: RuntimeError: boom" in out
    try:
        cli.register_doctor("other", {"speech": ("", "good")})
        raise AssertionError("a name taken twice must be refused")
    except ValueError as e:
        assert "already taken" in str(e)


def test_bus_imports_nothing_from_nodes():
    for path in glob.glob(os.path.join(ROOT, "bus", "*.py")):
        tree = ast.parse(open(path, encoding="utf-8").read())
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not any(n == "nodes" or n.startswith("nodes.") for n in names), (path, names)
