"""Command-line entry points of moderation; run.py finds them in COMMANDS."""
from __future__ import annotations

COMMANDS = {
    "bench moderation": ("moderation benchmark: precision and recall per label and category, latency", "bench_main"),
}


def bench_main(argv: list[str]) -> int:
    from nodes.moderation.bench import main
    return main(argv)
