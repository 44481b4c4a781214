import shutil
import subprocess
import sys

from tests.procs import ROOT

BASE_PYTHON = getattr(sys, "_base_executable", sys.executable)   # the interpreter outside .venv


def test_plain_python_runs_the_kiosk_cli_through_the_project_venv():
    r = subprocess.run([BASE_PYTHON, f"{ROOT}/run.py", "launch/kiosk.yaml", "--check"], cwd=ROOT,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "ok (10 nodes" in r.stdout + r.stderr


def test_without_a_venv_it_says_to_run_setup(tmp_path):
    shutil.copy(f"{ROOT}/run.py", tmp_path / "run.py")
    (tmp_path / "nodes").mkdir()
    r = subprocess.run([sys.executable, "-S", str(tmp_path / "run.py"), "--help"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "run scripts/setup first" in r.stderr
