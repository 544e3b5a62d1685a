"""Renderers: each turns one `Audit` into one format and computes nothing of its own."""

from __future__ import annotations

import sys

from auditor.files import write_atomic


def write_output(destination: str, text: str) -> None:
    """Write to a file atomically, or to stdout for `-`."""
    if destination == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    write_atomic(destination, text)
