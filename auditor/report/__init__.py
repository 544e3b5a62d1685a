"""Renderers: each turns one `Audit` into one format and computes nothing of its own."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def write_output(destination: str, text: str) -> None:
    """Write to a file atomically (temp file + rename), or to stdout for `-`."""
    if destination == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    target = Path(destination)
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(handle, 0o666 & ~_umask())  # what open() would give, not mkstemp's 0600
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
