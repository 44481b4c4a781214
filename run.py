#!/usr/bin/env python3
"""The kiosk's one entry point: `python run.py COMMAND ...`; `python run.py --help` lists them.

`python run.py launch/kiosk.yaml` is short for `python run.py launch launch/kiosk.yaml`.
Packages add commands and doctor checks in `nodes/<package>/cli.py` (COMMANDS and DOCTOR tables;
see bus/cli.py).
"""
import ast
import os
import sys

ROOT = os.path.dirname(os.path.abspath(__file__))


def package_tables(name: str = "COMMANDS") -> dict[str, dict[str, tuple[str, str]]]:
    """module -> its COMMANDS (or DOCTOR) table, read from the source without importing the package."""
    found = {}
    nodes = os.path.join(ROOT, "nodes")
    for pkg in sorted(os.listdir(nodes)):
        path = os.path.join(nodes, pkg, "cli.py")
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as f:
                tree = ast.parse(f.read(), path)
            for stmt in tree.body:
                if isinstance(stmt, ast.Assign) and any(getattr(t, "id", "") == name for t in stmt.targets):
                    found[f"nodes.{pkg}.cli"] = ast.literal_eval(stmt.value)
    return found


def use_project_venv() -> None:
    """Re-run under the project's .venv (made by scripts/setup), so `python run.py ...` works from
    any shell; without one, say how to make it instead of an ImportError."""
    venv = os.path.join(ROOT, ".venv")
    if os.path.realpath(sys.prefix) == os.path.realpath(venv):
        return
    python = os.path.join(venv, "bin", "python")
    if os.access(python, os.X_OK):
        os.execv(python, [python, os.path.abspath(__file__), *sys.argv[1:]])
    try:
        import msgpack, yaml, zmq  # noqa: F401
    except ImportError as e:
        sys.exit(f"error: {e.name} is not installed and there is no {venv}: run scripts/setup first "
                 "(EXTRAS=\"hearing voice face\" scripts/setup for the whole kiosk)")


if __name__ == "__main__":
    use_project_venv()
    sys.path.insert(0, ROOT)
    from bus import cli
    for module, commands in package_tables("COMMANDS").items():
        cli.register(module, commands)
    for module, checks in package_tables("DOCTOR").items():
        cli.register_doctor(module, checks)
    argv = sys.argv[1:]
    if argv and argv[0].endswith((".yaml", ".yml")):
        argv = ["launch", *argv]
    sys.exit(cli.main(argv))
