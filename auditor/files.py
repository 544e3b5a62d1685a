"""Reading a scanned file: regular files only, never through a symlink, at most a bounded
number of bytes. Discovery already skipped symlinks and special files; this closes the
window in which a file is swapped for one after discovery (a FIFO would block a read,
`/dev/zero` would never end)."""

from __future__ import annotations

import os
import stat
from pathlib import Path


def read_regular(path: Path, limit: int) -> bytes:
    """The file's bytes; OSError when it is not a regular file or holds more than `limit` bytes."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(0, "not a regular file")
        if info.st_size > limit:
            raise OSError(0, f"larger than {limit} bytes")
        chunks, size = [], 0
        while chunk := os.read(descriptor, min(1 << 20, limit + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise OSError(0, f"grew past {limit} bytes while being read")
        return b"".join(chunks)
    finally:
        os.close(descriptor)
