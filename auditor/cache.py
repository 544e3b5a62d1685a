"""The cache: per-file facts keyed by (relative path, content hash), in one index per
(scan root, lockaudit version, rule-pack digest), so a warm re-scan reads each file, hashes
it and extracts only what changed; and the last whole-project audit with the state of every
input it came from, so a re-scan of an unchanged tree does no analysis at all.

It lives outside the scanned tree (the user's cache folder by default): a repository cannot
ship cache entries that would hide its own coupling from the gate. The index is written
atomically, so two scans at once each leave a whole file (the last one wins); an index that
cannot be read is ignored and rebuilt, and a cache folder that cannot be written costs speed,
never the scan. Facts that depend on time (a parser that timed out) are not cached.

The cache holds what the scanned code says, so it is kept private and holds no secret: the
folders are created 0700 and the files 0600 whatever the umask; an existing folder or file
that is wider is tightened, and one that belongs to another user (or is not a plain folder or
file) is refused, since anyone who can write there can hide coupling from the gate. A file's
facts are stored only when redaction would change none of them (a key in a keyword argument,
a literal, a URL, even in a file name): such a file is extracted afresh on every scan, so a
warm scan sees exactly what a cold one does. A whole audit is stored as the reports show it,
redacted (snippets included, which a warm scan must report); one that still holds anything
key-shaped is not stored."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import stat
from pathlib import Path
from typing import Any

from auditor import __version__
from auditor.audit import Audit
from auditor.facts import CallFact, ConstructorFact, EnvFact, ErrorFact, Fact, StringFact, fact_from_row, fact_to_row
from auditor.files import write_atomic
from auditor.redact import Redactor
from auditor.serialise import audit_from_dict, audit_to_dict

FORMAT = 5  # 2: class and module facts, call base URLs; 3: private, nothing key-shaped stored; 4: tool signal ids;
# 5: ungraded Promptfoo assertions (the packs say which types a model grades)
FOLDER_MODE, FILE_MODE = 0o700, 0o600
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


class CacheRefused(OSError):
    """A cache folder or file that is not private to this user, and cannot be made so."""


def private_folder(folder: Path, follow: bool = False) -> None:
    """Make `folder` exist as a folder of this user's, mode 0700; CacheRefused (an OSError) when
    it is not a folder (a symlink counts only with `follow`: the configured folder may be one) or
    belongs to someone else, OSError when it cannot be created."""
    try:
        folder.mkdir(mode=FOLDER_MODE, parents=True)
    except FileExistsError:
        pass
    info = os.stat(folder) if follow else os.lstat(folder)
    if not stat.S_ISDIR(info.st_mode):
        raise CacheRefused(0, f"{folder} is not a folder")
    _make_private(folder, info, FOLDER_MODE)


def _make_private(path: Path, info: os.stat_result, mode: int) -> None:
    """Exactly `mode` on a folder or file of this user's (checked not to be a symlink, or followed)."""
    if os.name == "nt":  # modes and owners mean something else there: the user's profile is private
        return
    if info.st_uid != os.geteuid():
        raise CacheRefused(0, f"{path} belongs to another user")
    if stat.S_IMODE(info.st_mode) != mode:
        os.chmod(path, mode)


def _private_file(path: Path) -> None:
    """A cache file, when there is one, made 0600; CacheRefused when it is not a plain file of this user's."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    if not stat.S_ISREG(info.st_mode):
        raise CacheRefused(0, f"{path} is not a plain file")
    _make_private(path, info, FILE_MODE)


def _read_private(path: Path) -> bytes:
    _private_file(path)
    return path.read_bytes()


_ENTRY = re.compile(r"[0-9a-f]{32}(?:\.audit)?\.json")


def cache_rows(path: str, facts: tuple[Fact, ...] | list[Fact], redactor: Redactor) -> list[Any] | None:
    """A file's facts as the index keeps them, or None when they must not be kept: a transient
    failure, or a secret in them (extracted again next time rather than kept in clear or changed)."""
    if any(isinstance(f, ErrorFact) and any(t in f"{f.reason} {f.detail}" for t in _TRANSIENT) for f in facts):
        return None
    rows = [fact_to_row(f) for f in facts]
    named = [form for fact in facts for name, value in _named_values(fact) for form in redactor.forms(name, value)]
    return None if redactor.changes([path, rows, named]) else rows  # one search over the file's facts


def _named_values(fact: Fact) -> list[tuple[str, str]]:
    """Values that may be secrets by the name they are given to (`api_key="…"`, `AWS_SECRET_ACCESS_KEY=…`)."""
    if isinstance(fact, (ConstructorFact, CallFact)):
        return [(name, value) for name, value in fact.keywords if value]
    if isinstance(fact, StringFact) and fact.context:
        return [(fact.context, fact.value)]
    if isinstance(fact, EnvFact) and fact.value:
        return [(fact.name, fact.value)]
    return []


def _remove_older_formats(folder: Path) -> None:
    """Entries an older lockaudit left (they may hold keys in clear, readable by anyone): only
    files named as this module names them go, so a folder of the user's that happens to be
    called `v1` loses nothing else."""
    for version in range(1, FORMAT):
        old = folder / f"v{version}"
        try:
            if not stat.S_ISDIR(os.lstat(old).st_mode):
                continue
            for entry in old.iterdir():
                if _ENTRY.fullmatch(entry.name) and stat.S_ISREG(os.lstat(entry).st_mode):
                    entry.unlink()
            old.rmdir()
        except OSError:
            continue  # gone already, not empty, or not ours: it costs nothing to leave


class FactCache:
    def __init__(self, folder: Path, root: Path, rules_digest: str, redactor: Redactor) -> None:
        key = hashlib.sha256(f"{root.resolve()}\0{__version__}\0{_code_stamp()}\0{rules_digest}".encode()).hexdigest()[
            :32
        ]
        self.folder = folder
        self.path = folder / f"v{FORMAT}" / f"{key}.json"
        self.audit_path = folder / f"v{FORMAT}" / f"{key}.audit.json"
        self._entries: dict[str, list[Any]] | None = None  # read on first use: a result-cache hit needs none
        self.fresh: dict[str, list[Any]] = {}  # what this scan saw: the index it will leave
        self.redactor = redactor  # the scan's own secret patterns: a pack may add some
        self._private: OSError | bool = False  # True once made private; the error when it cannot be

    def _secure(self) -> None:
        """The cache folder and its format folder, private; raises OSError (CacheRefused) when not."""
        if isinstance(self._private, OSError):
            raise self._private
        if not self._private:
            try:
                private_folder(self.folder, follow=True)
                private_folder(self.path.parent)
                for path in (self.path, self.audit_path):  # written by an earlier run, perhaps under a wider umask
                    _private_file(path)
                _remove_older_formats(self.folder)
            except OSError as exc:
                self._private = exc
                raise
            self._private = True

    def _read(self, path: Path) -> bytes:
        self._secure()
        return _read_private(path)

    def _write(self, path: Path, text: str) -> None:
        self._secure()
        write_atomic(path, text, sync=False, mode=FILE_MODE)

    def _load(self) -> dict[str, list[Any]]:
        try:
            document = json.loads(self._read(self.path))
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
            return None
        try:
            facts = [fact_from_row(row) for row in entry[1]]
        except (KeyError, TypeError, ValueError):  # a damaged entry is a miss, not a crash
            return None
        self.fresh[path] = entry
        return facts

    def keep(self, path: str, digest: str, rows: list[Any] | None) -> None:
        """Rows `cache_rows` made (in a worker, beside the extraction); None keeps nothing."""
        if rows is not None:
            self.fresh[path] = [digest, rows]

    def save(self) -> str | None:
        """Write the index when it changed; a problem is returned as a notice, never raised."""
        if self.fresh == self.entries:
            return None
        try:
            self._write(self.path, json.dumps({"format": FORMAT, "files": self.fresh}, separators=(",", ":")))
        except CacheRefused as exc:
            return f"the fact cache is not used: {exc.strerror}; every scan starts cold"
        except OSError as exc:
            return f"the fact cache could not be written to {self.path.parent} ({exc.strerror or exc}); the next scan starts cold"
        return None

    def load_audit(self, state: str) -> Audit | None:
        """The whole-project audit remembered for exactly this state of the inputs, if any."""
        try:
            document = json.loads(self._read(self.audit_path))
            if not isinstance(document, dict) or document.get("state") != state:
                return None
            return audit_from_dict(document["audit"])
        except (OSError, ValueError, KeyError, TypeError):  # missing, damaged or from another format: recompute
            return None

    def save_audit(self, state: str, audit: Audit) -> None:
        data = audit_to_dict(audit)
        if self.redactor.changes(data):
            return  # something key-shaped that the reports show too; not kept here as well
        try:
            self._write(
                self.audit_path, json.dumps({"state": state, "audit": data}, separators=(",", ":"), ensure_ascii=False)
            )
        except OSError:
            pass  # the fact index's notice already says the cache folder cannot be written

    def last_boundary(self) -> dict[str, Any] | None:
        """The adapter boundary of the last whole-project audit of this root, whatever changed since."""
        try:
            boundary = json.loads(self._read(self.audit_path))["audit"]["summary"]["boundary"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return boundary if isinstance(boundary, dict) and "paths" in boundary else None
