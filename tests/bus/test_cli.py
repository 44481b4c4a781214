import subprocess

from tests.procs import PY, ROOT


def run(*args):
    return subprocess.run([PY, "run.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_help_lists_package_commands_and_groups():
    out = run("--help").stdout
    for name in ("stt", "tts", "voice", "avatar", "ask", "kb"):
        assert f"    {name} " in out, name
    staff = [line for line in out.splitlines() if line.strip().startswith("staff ")]
    assert staff and "clear" in staff[0]


def test_a_group_without_its_subcommand_says_which_exist():
    r = run("staff")
    assert r.returncode == 2 and "{clear}" in r.stderr


def test_a_registered_subcommand_parses_its_own_options():
    r = run("staff", "clear", "--help")
    assert r.returncode == 0 and "--session" in r.stdout
