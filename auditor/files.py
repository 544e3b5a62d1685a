"""Files lockaudit reads and writes.

Reading a scanned file: regular files only, never through a symlink, at most a bounded
number of bytes. Discovery already skipped symlinks and special files; this closes the
window in which a file is swapped for one after discovery (a FIFO would block a read,
`/dev/zero` would never end).

Writing (reports, baselines, cache entries): a temporary file in the same folder, synced,
then renamed over the target, so a reader, or a scan killed midway, never sees half a file.
A target that exists and is not a regular file (`/dev/null`, `/dev/stdout`, a FIFO) is
written in place: renaming over it would replace a device node with a file.
"""

from __future__ import annotations

import glob
import os
import stat
import tempfile
import time
from pathlib import Path


def printable_name(name: str) -> str:
    """A file name that is not valid UTF-8 (its bytes held as surrogates) in a form every
    output can carry: the odd bytes as `\\xff` escapes. Discovery and git name files this one
    way, so a path git reports is the path a finding carries."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", errors="backslashreplace")


def read_regular(path: str | Path, limit: int) -> bytes:
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


STALE_TEMP_SECONDS = 600  # no write takes this long: an older temporary file was left by a killed run


def write_atomic(destination: str | Path, text: str | bytes, sync: bool = True, mode: int | None = None) -> None:
    """`mode` None: what open() would give under the umask; else exactly that mode."""
    target = Path(destination)
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(21, "is a folder")
    if info is not None and not stat.S_ISREG(info.st_mode):
        with open(target, "wb") as stream:  # a device or a pipe: there is nothing to replace
            stream.write(data)
        return
    _remove_stale_temporaries(target)
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(handle, 0o666 & ~_umask() if mode is None else mode)  # mkstemp's own is 0600
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            if sync:
                os.fsync(stream.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _remove_stale_temporaries(target: Path) -> None:
    """A run killed while writing leaves its hidden temporary file (the target itself is never
    partial); the next write of the same target removes such leftovers."""
    cutoff = time.time() - STALE_TEMP_SECONDS
    try:
        leftovers = list(target.parent.glob(f".{glob.escape(target.name)}.*.tmp"))
    except OSError:
        return
    for leftover in leftovers:
        try:
            if leftover.lstat().st_mtime < cutoff:
                leftover.unlink()
        except OSError:
            pass  # gone already, or not ours to remove


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
