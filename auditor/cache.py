"""The cache: per-file facts keyed by (relative path, content hash), in one index per
(scan root, lockaudit version, rule-pack digest), so a warm re-scan reads each file, hashes
it and extracts only what changed; and the last whole-project audit with the state of every
input it came from, so a re-scan of an unchanged tree does no analysis at all.

It lives outside the scanned tree (the user's cache folder by default): a repository cannot
ship cache entries that would hide its own coupling from the gate. The index is written
atomically, so two scans at once each leave a whole file (the last one wins); an index that
cannot be read is ignored and rebuilt, and a cache folder that cannot be written costs speed,
never the scan. Facts that depend on time (a parser that timed out) are not cached."""

from __future__ import annotations

import functools
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from auditor import __version__
from auditor.audit import Audit
from auditor.facts import ErrorFact, Fact, fact_from_row, fact_to_row
from auditor.files import write_atomic

FORMAT = 2  # 2: class and module facts, call base URLs
_TRANSIENT = ("timed out", "could not start", "crashed", "internal error", "worker process died")


def default_folder() -> Path:
    configured = os.environ.get("LOCKAUDIT_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "lockaudit"


@functools.lru_cache(maxsize=1)
def _code_stamp() -> str:
    """lockaudit's own code as it is now (names, sizes, modification times): an editable install
    changes without a new version, and a cache written by older code must not answer."""
    package = Path(__file__).parent
    stamp = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        info = path.stat()
        stamp.update(f"{path.relative_to(package)}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
    return stamp.hexdigest()[:16]


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class FactCache:
    def __init__(self, folder: Path, root: Path, rules_digest: str) -> None:
        key = hashlib.sha256(f"{root.resolve()}\0{__version__}\0{_code_stamp()}\0{rules_digest}".encode()
                             ).hexdigest()[:32]
        self.path = folder / f"v{FORMAT}" / f"{key}.json"
        self.audit_path = folder / f"v{FORMAT}" / f"{key}.audit.json"
        self._entries: dict[str, list[Any]] | None = None  # read on first use: a result-cache hit needs none
        self.fresh: dict[str, list[Any]] = {}  # what this scan saw: the index it will leave
        self.hits = self.misses = 0

    def _load(self) -> dict[str, list[Any]]:
        try:
            document = json.loads(self.path.read_bytes())
        except (OSError, ValueError):
            return {}
        files = document.get("files") if isinstance(document, dict) and document.get("format") == FORMAT else None
        return files if isinstance(files, dict) else {}

    @property
    def entries(self) -> dict[str, list[Any]]:
        if self._entries is None:
            self._entries = self._load()
        return self._entries

    def lookup(self, path: str, digest: str) -> list[Fact] | None:
        entry = self.entries.get(path)
        if not (isinstance(entry, list) and len(entry) == 2 and entry[0] == digest):
            self.misses += 1
            return None
        try:
            facts = [fact_from_row(row) for row in entry[1]]
        except (KeyError, TypeError, ValueError):  # a damaged entry is a miss, not a crash
            self.misses += 1
            return None
        self.fresh[path] = entry
        self.hits += 1
        return facts

    def store(self, path: str, digest: str, facts: tuple[Fact, ...] | list[Fact]) -> None:
        if any(isinstance(f, ErrorFact) and any(t in f"{f.reason} {f.detail}" for t in _TRANSIENT) for f in facts):
            return
        self.fresh[path] = [digest, [fact_to_row(f) for f in facts]]

    def save(self) -> str | None:
        """Write the index when it changed; a problem is returned as a notice, never raised."""
        if self.fresh == self.entries:
            return None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, json.dumps({"format": FORMAT, "files": self.fresh}, separators=(",", ":")),
                         sync=False)
        except OSError as exc:
            return f"the fact cache could not be written to {self.path.parent} ({exc.strerror or exc}); the next scan starts cold"
        return None

    def load_audit(self, state: str) -> Audit | None:
        """The whole-project audit remembered for exactly this state of the inputs, if any."""
        from auditor.report.load import audit_from_dict

        try:
            document = json.loads(self.audit_path.read_bytes())
            if not isinstance(document, dict) or document.get("state") != state:
                return None
            return audit_from_dict(document["audit"])
        except (OSError, ValueError, KeyError, TypeError):  # missing, damaged or from another format: recompute
            return None

    def save_audit(self, state: str, audit: Audit) -> None:
        from auditor.report.json import audit_to_dict

        try:
            self.audit_path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.audit_path, json.dumps({"state": state, "audit": audit_to_dict(audit)},
                                                     separators=(",", ":"), ensure_ascii=False), sync=False)
        except OSError:
            pass  # the fact index's notice already says the cache folder cannot be written

    def last_boundary(self) -> dict[str, Any] | None:
        """The adapter boundary of the last whole-project audit of this root, whatever changed since."""
        try:
            boundary = json.loads(self.audit_path.read_bytes())["audit"]["summary"]["boundary"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return boundary if isinstance(boundary, dict) and "paths" in boundary else None
