"""Graph pictures: DOT text from node descriptions, rendered by Graphviz's `dot` when present."""
from __future__ import annotations

import os
import shutil
import subprocess

STATE_COLOUR = {"declared": "#e8f0fe", "ok": "#d4edda", "degraded": "#fff3cd", "error": "#f8d7da",
                "standby": "#e2e3e5", "starting": "#e2e3e5", "stopping": "#e2e3e5"}


def to_dot(title: str, nodes: list[tuple[str, str, dict, list, str]]) -> str:
    """nodes: (id, class, inputs {name: topic}, output topics, state)."""
    lines = [f'digraph "{title}" {{', "  rankdir=LR;",
             '  node [shape=box, style="rounded,filled", fontname="NanumGothic,Helvetica"];',
             '  edge [fontname="Helvetica", fontsize=10];']
    producers = {}
    for node_id, cls, _, outputs, state in nodes:
        label = f"{node_id}\\n{cls.split(':')[-1]}" + (f"\\n[{state}]" if state != "declared" else "")
        lines.append(f'  "{node_id}" [label="{label}", fillcolor="{STATE_COLOUR.get(state, "#ffffff")}"];')
        for t in outputs:
            producers.setdefault(t, []).append(node_id)
    for node_id, _, inputs, _, _ in nodes:
        for topic in inputs.values():
            if topic not in producers:
                producers[topic] = [topic]
                lines.append(f'  "{topic}" [label="{topic}\\n(from outside the graph)", style="dashed,rounded"];')
    for node_id, _, inputs, _, _ in nodes:
        for name, topic in inputs.items():
            for prod in producers[topic]:
                out = topic.rpartition("/")[2]
                lines.append(f'  "{prod}" -> "{node_id}" [label="{out}→{name}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(dot: str, output: str) -> str:
    ext = os.path.splitext(output)[1].lstrip(".") or "svg"
    if ext == "dot":
        with open(output, "w") as f:
            f.write(dot)
        return f"wrote {output}"
    if not shutil.which("dot"):
        alt = os.path.splitext(output)[0] + ".dot"
        with open(alt, "w") as f:
            f.write(dot)
        return f"Graphviz 'dot' is not installed (apt-get install graphviz); wrote {alt} instead"
    subprocess.run(["dot", f"-T{ext}", "-o", output], input=dot.encode(), check=True)
    return f"wrote {output}"
