"""`launch --watch`: swap a node in (make-before-break) when a source file of its class changes.
watchfiles uses inotify and sees editors that save by atomic rename."""
from __future__ import annotations

import collections
import inspect
import logging
import os

from bus.node import load_class

log = logging.getLogger("launch")


def watch_sources(launcher) -> None:
    import watchfiles
    files: dict[str, set[str]] = collections.defaultdict(set)
    for spec in launcher.graph.nodes:
        src = inspect.getsourcefile(load_class(spec.cls))
        if src:
            pkg_dir = os.path.dirname(src)
            paths = [src] if not os.path.exists(os.path.join(pkg_dir, "__init__.py")) or \
                os.path.basename(pkg_dir) == "nodes" else \
                [os.path.join(pkg_dir, f) for f in os.listdir(pkg_dir) if f.endswith(".py")]
            for path in paths:
                files[os.path.realpath(path)].add(spec.id)
    dirs = sorted({os.path.dirname(f) for f in files})
    log.info("watching %d source file(s) for changes", len(files))
    for changes in watchfiles.watch(*dirs, stop_event=launcher._watch_stop, debounce=300):
        touched = set()
        for _, path in changes:
            touched |= files.get(os.path.realpath(path), set())
        for node_id in sorted(touched):
            log.info("source of %s changed: swapping in the new code", node_id)
            ok, text = launcher.swap(node_id)
            (log.info if ok else log.error)("%s", text)
