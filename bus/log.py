"""Logging with a coloured `[name]` prefix per process, so a launcher's mixed output reads well."""
from __future__ import annotations

import logging
import sys
import zlib

_COLOURS = [31, 32, 33, 34, 35, 36, 91, 92, 93, 94, 95, 96]


class MaskPersonalData(logging.Filter):
    """Belt and braces: no log line leaves a process with a resident or phone number in it."""

    def filter(self, record: logging.LogRecord) -> bool:
        from bus.privacy import mask
        text = record.getMessage()
        masked = mask(text)[0]
        if masked != text:
            record.msg, record.args = masked, None
        return True


def setup(name: str, level: str = "INFO") -> None:
    tty = sys.stderr.isatty()
    colour = _COLOURS[zlib.crc32(name.encode()) % len(_COLOURS)]
    prefix = f"\033[{colour}m[{name}]\033[0m" if tty else f"[{name}]"
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(MaskPersonalData())
    handler.setFormatter(logging.Formatter(f"%(asctime)s.%(msecs)03d {prefix} %(levelname)s %(message)s",
                                           datefmt="%H:%M:%S"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
