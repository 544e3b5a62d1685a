"""Git, for diff-aware gating: the merge base with a ref, the files changed since, a file's
content there, the files git tracks, and a folder's files at a commit.

The repository is attacker-controlled (its .git/config, .gitattributes, hooks, even the folders
around the scanned root), so git runs with none of its programs: every filter driver the
config names is emptied, fsmonitor, hooks, external diff, text conversion and the pager are
off, no transport may run (a partial clone's lazy fetch would start ssh), an embedded bare
repository is refused, and git gets a minimal environment with no user or system config.
Content comes from plumbing that never converts it (`ls-tree`, `cat-file`)."""

from __future__ import annotations

import functools
import os
import posixpath
import re
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import NamedTuple
from urllib.parse import urlsplit

from auditor.files import printable_name

TIMEOUT = 60  # seconds, for each git command
MAX_SHOW_BYTES = 8 * 1024 * 1024  # a larger file at the base is not read (the default scan size cap)
MAX_DRIVERS = 1000  # filter drivers and protocols a repository's config may name before git is refused
MAX_TREE_FILES = 1000  # files tree_files reads at once
MAX_TREE_BLOB_BYTES = 1024 * 1024  # a larger file is left out of tree_files
MAX_TREE_BYTES = 64 * 1024 * 1024  # all the files tree_files reads at once
MAX_NAME = 200  # characters of a repository's name
REGULAR_MODES = (b"100644", b"100755")  # not symlinks (120000) or submodules (160000)

# Settings that win over the repository's own (command-line scope comes last), so none of its
# programs runs. safe.bareRepository is honoured only from here or the user's own config.
SAFE = (
    "core.fsmonitor=false",
    "core.hooksPath=/dev/null",
    "core.excludesFile=/dev/null",
    "core.attributesFile=/dev/null",
    "protocol.allow=never",
    "safe.bareRepository=explicit",
)
# For every diff: no external diff or text conversion (diff.external, diff.<driver>.command and
# .textconv), names relative to the top whatever diff.relative says, submodules not entered (git
# would run `git status` inside each, under that submodule's config), no diff.orderFile.
DIFF_OPTIONS = ("--no-ext-diff", "--no-textconv", "--no-relative", "--ignore-submodules=dirty", "-O/dev/null")
# What git is given of the environment: enough to run. Every inherited GIT_* variable (GIT_DIR,
# GIT_EXTERNAL_DIFF, GIT_CONFIG_PARAMETERS, GIT_SSH_COMMAND, GIT_ASKPASS, …) is left behind.
KEPT_ENVIRONMENT = ("PATH", "SYSTEMROOT", "WINDIR", "TMPDIR", "TEMP", "TMP")
ENVIRONMENT = {
    "HOME": "/dev/null",
    "XDG_CONFIG_HOME": "/dev/null",
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_ATTR_NOSYSTEM": "1",
    "LC_ALL": "C",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_OPTIONAL_LOCKS": "0",
    "GIT_PAGER": "cat",
    "PAGER": "cat",
    "GIT_NO_LAZY_FETCH": "1",
    "GIT_LITERAL_PATHSPECS": "1",
}


class VcsError(Exception):
    """Git cannot answer; the message says why and what to do."""


class GitMissing(VcsError):
    """Git is not installed."""


def _printable(data: bytes) -> str:
    """Git's message with control characters (a hostile path or ref name can carry them) made visible."""
    text = data.decode(errors="replace").strip()
    return "".join(c if c.isprintable() or c in "\n\t" else c.encode("unicode_escape").decode() for c in text)


@functools.cache
def _user_safe_directories() -> tuple[str, ...]:
    """The safe.directory entries of the user's own global and system config, which the minimal
    environment leaves out: a checkout owned by another user (a CI container) keeps working."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k in (*KEPT_ENVIRONMENT, "HOME", "XDG_CONFIG_HOME", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM")
    }
    scopes = ["--global"] if os.environ.get("GIT_CONFIG_NOSYSTEM") else ["--global", "--system"]
    found: list[str] = []
    for scope in scopes:
        try:
            result = subprocess.run(
                ["git", "config", scope, "-z", "--get-all", "safe.directory"],
                capture_output=True,
                timeout=TIMEOUT,
                env=env,
                cwd=os.path.abspath(os.sep),
            )
        except (OSError, subprocess.TimeoutExpired):
            return ()
        found += [os.fsdecode(v) for v in result.stdout.split(b"\0") if v] if result.returncode == 0 else []
    return tuple(found)


@functools.cache
def user_excludes_file() -> Path:
    """The user's own global ignore file (`core.excludesFile` of the global config, else git's
    default `$XDG_CONFIG_HOME/git/ignore`): the user's configuration, never the scanned repository's."""
    env = {
        k: v for k, v in os.environ.items() if k in (*KEPT_ENVIRONMENT, "HOME", "XDG_CONFIG_HOME", "GIT_CONFIG_GLOBAL")
    }
    try:
        result = subprocess.run(
            ["git", "config", "--global", "--path", "--get", "core.excludesFile"],
            capture_output=True,
            timeout=TIMEOUT,
            env=env,
            cwd=os.path.abspath(os.sep),
        )
        if result.returncode == 0 and result.stdout.strip():
            return Path(os.fsdecode(result.stdout.strip())).expanduser()
    except (OSError, subprocess.TimeoutExpired):
        pass
    config = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(config) / "git" / "ignore"


def _run(
    root: Path, args: tuple[str, ...], overrides: dict[str, str], input: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    config = [*SAFE, *(f"safe.directory={d}" for d in _user_safe_directories())]
    env = {k: v for k, v in os.environ.items() if k in KEPT_ENVIRONMENT} | ENVIRONMENT | overrides
    command = ["git", "--no-pager", *(x for c in config for x in ("-c", c)), "-C", str(root), *args]
    try:
        return subprocess.run(
            command,
            capture_output=True,
            timeout=TIMEOUT,
            env=env,
            input=input,
            stdin=subprocess.DEVNULL if input is None else None,
        )
    except FileNotFoundError as exc:
        raise GitMissing("--since needs git, and git is not installed") from exc
    except subprocess.TimeoutExpired as exc:
        raise VcsError(f"git {' '.join(args)} took longer than {TIMEOUT} seconds") from exc


def _overrides(root: Path) -> dict[str, str]:
    """Config, passed as GIT_CONFIG_COUNT/KEY/VALUE (a name may hold '=' or '.'), that empties every
    filter driver the repository's config names, includes followed (an empty clean, smudge and
    process run nothing, and required=false keeps git from failing for want of one), and forbids
    every protocol it allows by name (protocol.<name>.allow wins over protocol.allow)."""
    listed = _run(root, ("config", "-z", "--get-regexp", r"^(filter|protocol)\."), {}).stdout
    names: set[tuple[bytes, bytes]] = set()
    for entry in listed.split(b"\0"):
        section, dot, rest = entry.split(b"\n", 1)[0].partition(b".")
        name, subsection, _ = rest.rpartition(b".")
        if dot and subsection:
            names.add((section.lower(), name))
    if len(names) > MAX_DRIVERS:
        raise VcsError(
            f"the repository's git config names more than {MAX_DRIVERS} filter drivers and protocols; "
            "lockaudit does not run git on it"
        )
    pairs = []
    for section, name in sorted(names):
        settings = (
            {"clean": "", "smudge": "", "process": "", "required": "false"}
            if section == b"filter"
            else {"allow": "never"}
        )
        pairs += [(f"{section.decode()}.{os.fsdecode(name)}.{key}", value) for key, value in settings.items()]
    env = {"GIT_CONFIG_COUNT": str(len(pairs))}
    for i, (key, value) in enumerate(pairs):
        env[f"GIT_CONFIG_KEY_{i}"], env[f"GIT_CONFIG_VALUE_{i}"] = key, value
    return env


def _git(root: Path, *args: str, check: bool = True, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    result = _run(root, args, _overrides(root), input)
    if check and result.returncode != 0:
        raise VcsError(f"git {' '.join(args)}: {_printable(result.stderr)}")
    return result


def _in_work_tree(root: Path) -> subprocess.CompletedProcess[bytes] | None:
    """None when `root` is in a git work tree, else git's answer (its stderr says why not)."""
    found = _git(root, "rev-parse", "--is-inside-work-tree", check=False)
    return None if found.returncode == 0 and found.stdout.strip() == b"true" else found


def merge_base(root: Path, ref: str) -> str:
    """The merge base of `ref` and HEAD; a clear error when git cannot know it."""
    if ref.startswith("-"):
        raise VcsError(f"--since {ref}: a ref cannot start with '-'")
    _require_work_tree(root, "--since")
    if (
        _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}", check=False).returncode
        != 0
    ):
        raise VcsError(
            f"--since {ref}: no such commit or branch in this clone; fetch it first "
            f"(for example `git fetch origin {ref.split('/')[-1]}`)"
        )
    found = _git(root, "merge-base", "--end-of-options", ref, "HEAD", check=False)
    if found.returncode == 0 and found.stdout.strip():
        return found.stdout.decode().strip()
    shallow = _git(root, "rev-parse", "--is-shallow-repository", check=False).stdout.decode().strip() == "true"
    if shallow:
        raise VcsError(
            f"--since {ref}: the merge base of {ref} and HEAD is not in this shallow clone, so lockaudit "
            "cannot tell which files changed; fetch more history (`git fetch --unshallow`, or "
            "`fetch-depth: 0` in actions/checkout) and run again"
        )
    raise VcsError(f"--since {ref}: {ref} and HEAD have no common history")


def changed_files(root: Path, base: str) -> set[str]:
    """Files changed since `base` in the work tree (committed, staged or not, and untracked),
    relative to `root`, which may be a folder inside the repository."""
    top = Path(_git(root, "rev-parse", "--show-toplevel").stdout.decode().strip())
    listed = _git(
        root, "diff", "--name-only", "--no-renames", "-z", *DIFF_OPTIONS, "--end-of-options", base, "--"
    ).stdout
    listed += b"\0" + _git(root, "ls-files", "--others", "--exclude-standard", "-z", "--full-name").stdout
    prefix = os.path.relpath(root.resolve(), top.resolve())
    changed = set()
    for raw in listed.split(b"\0"):
        if not raw:
            continue
        path = printable_name(os.fsdecode(raw))
        relative = path if prefix == "." else os.path.relpath(path, prefix)
        if not relative.startswith(".."):
            changed.add(relative.replace(os.sep, "/"))
    return changed


def _tree(root: Path, base: str, paths: tuple[str, ...], recursive: bool) -> dict[str, tuple[bytes, bytes, int]]:
    """`git ls-tree -l` of `paths` (all of `root` when none) at `base`: root-relative path ->
    (mode, object id, size; -1 for none). The paths are literal (GIT_LITERAL_PATHSPECS)."""
    options = ("-r",) if recursive else ()
    listed = _git(root, "ls-tree", "-l", "-z", *options, "--end-of-options", base, *paths).stdout
    entries = {}
    for record in listed.split(b"\0"):
        meta, tab, path = record.partition(b"\t")
        fields = meta.split()
        if tab and len(fields) == 4:
            mode, _, oid, size = fields
            entries[printable_name(os.fsdecode(path))] = (mode, oid, int(size) if size.isdigit() else -1)
    return entries


SYMLINK_MODE, MAX_LINK_HOPS = b"120000", 5


def show(root: Path, base: str, path: str, hops: int = MAX_LINK_HOPS) -> bytes | None:
    """`path` (relative to `root`) as it was at `base`, or None when it was not a regular file
    there, or was larger than the size cap. A symlink at `base` (`pyproject.toml ->
    config/pyproject.toml`) is followed by its text, within `root` and a few hops."""
    found = _tree(root, base, (path,), recursive=False).get(path)
    if found is not None and found[0] == SYMLINK_MODE and hops > 0 and 0 <= found[2] <= 4096:
        link = _git(root, "cat-file", "blob", found[1].decode(), check=False)
        target = os.fsdecode(link.stdout) if link.returncode == 0 else "/"
        rel = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
        if target.startswith("/") or rel == ".." or rel.startswith("../"):
            return None  # a link out of the scanned tree reads nothing
        return show(root, base, rel, hops - 1)
    if found is None or found[0] not in REGULAR_MODES or found[2] > MAX_SHOW_BYTES:
        return None
    result = _git(root, "cat-file", "blob", found[1].decode(), check=False)
    return result.stdout if result.returncode == 0 else None


def describe(root: Path) -> dict[str, str | None]:
    """What the scanned checkout is: `name` (the origin's host and path without credentials,
    `github.com/acme/api`, else the folder's name), and its HEAD `commit` and commit time
    (`committed`, ISO 8601) when `root` is in a git work tree. Never fails: a scan needs no git."""
    found: dict[str, str | None] = {"name": printable_name(root.name)[:MAX_NAME], "commit": None, "committed": None}
    try:
        if _in_work_tree(root) is not None:
            return found
        head = _git(root, "log", "-1", "--no-show-signature", "--format=%H%x00%cI", "HEAD", check=False).stdout
        remote = _git(root, "config", "--no-includes", "--get", "remote.origin.url", check=False).stdout
    except VcsError:
        return found
    commit, _, committed = head.decode("ascii", "replace").strip().partition("\0")
    if len(commit) in (40, 64) and all(c in "0123456789abcdef" for c in commit):
        found["commit"], found["committed"] = commit, committed[:40] or None
    name = remote_name(remote.decode("utf-8", "replace").strip())
    if name:
        found["name"] = name
    return found


def remote_name(url: str) -> str | None:
    """`github.com/acme/api` from `git@github.com:acme/api.git` or `https://user:token@github.com/acme/api`:
    host and path only (user info, ports, queries and `.git` dropped), printable and bounded."""
    if any(ord(c) < 32 or ord(c) == 127 for c in url):
        return None  # a name that would carry control characters into every report is no name
    if "://" in url:
        try:
            parts = urlsplit(url)
            host, path = parts.hostname or "", parts.path
        except ValueError:  # `https://[evil/x`: the repository's config may hold anything
            return None
    elif ":" in url and "@" in url.split(":", 1)[0]:  # scp-like: user@host:path
        host, path = url.split(":", 1)[0].rsplit("@", 1)[1], url.split(":", 1)[1]
    else:
        return None  # a local path is no name another machine shares
    path = path.strip("/").removesuffix(".git")
    if not host or not path:
        return None
    return printable_name(f"{host.lower()}/{path}")[:MAX_NAME]


def tracked(root: Path) -> set[str]:
    """The files git tracks under `root` (a work tree or a folder in one), root-relative with '/';
    empty when `root` is not in a work tree or git is missing, since a plain scan needs no git."""
    try:
        if _in_work_tree(root) is not None:
            return set()
    except GitMissing:
        return set()
    listed = _git(root, "ls-files", "-z", "--stage").stdout
    files = set()
    for record in listed.split(b"\0"):
        meta, tab, path = record.partition(b"\t")
        if tab and not meta.startswith(b"160000"):  # a submodule is not a file
            files.add(printable_name(os.fsdecode(path)))
    return files


def tree_files(
    root: Path, base: str, folder: str, max_files: int = MAX_TREE_FILES, max_bytes: int = MAX_TREE_BLOB_BYTES
) -> dict[str, bytes]:
    """Every regular file under `folder` (relative to `root`) at commit `base`, root-relative path
    -> bytes: rule packs as they were at the merge base. Files over `max_bytes` are left out;
    more than `max_files` files, more than MAX_TREE_BYTES in all, or a file git cannot read is
    an error."""
    parts = PurePosixPath(folder).parts
    if folder.startswith("/") or ".." in parts:
        raise VcsError(f"{folder}: not a folder inside {root}")
    spec = "/".join(p for p in parts if p != ".")
    entries = _tree(root, base, (spec,) if spec else (), recursive=True)
    regular = {path: entry for path, entry in entries.items() if entry[0] in REGULAR_MODES}
    for path, (_, _, size) in regular.items():
        if size < 0:
            raise VcsError(f"git cannot read {path} at {base}: its object is missing (a partial clone?)")
    wanted = {path: oid for path, (_, oid, size) in regular.items() if size <= max_bytes}
    if len(wanted) > max_files:
        raise VcsError(f"{folder or '.'} held {len(wanted)} files at {base}, more than the {max_files} lockaudit reads")
    if sum(entries[path][2] for path in wanted) > MAX_TREE_BYTES:
        raise VcsError(f"{folder or '.'} held more than {MAX_TREE_BYTES} bytes at {base}")
    blobs = _blobs(root, sorted(set(wanted.values())))
    return {path: blobs[oid] for path, oid in sorted(wanted.items())}


def _blobs(root: Path, oids: list[bytes]) -> dict[bytes, bytes]:
    """The content of each blob, read by one `git cat-file --batch`."""
    if not oids:
        return {}
    out = _git(root, "cat-file", "--batch", input=b"".join(oid + b"\n" for oid in oids)).stdout
    blobs, at = {}, 0
    for oid in oids:
        end = out.index(b"\n", at)
        header = out[at:end].split()
        if len(header) != 3 or header[0] != oid or header[1] != b"blob":
            raise VcsError(f"git cat-file cannot read {oid.decode()}: {_printable(out[at:end])}")
        size = int(header[2])
        blobs[oid] = out[end + 1 : end + 1 + size]
        at = end + 1 + size + 1
    return blobs


MAX_HISTORY_COMMITS = 100_000  # commits listed for `lockaudit history`, before any is chosen
MAX_EXPORT_BYTES = 64 * 1024 * 1024  # blobs read by one `git cat-file --batch`
# A commit's tree as history writes it: more files or bytes than a scan would ever read is a tree
# made to fill the disk (one blob listed under many paths), refused as that commit's error.
MAX_EXPORT_FILES = 200_000
MAX_EXPORT_TOTAL = 1024 * 1024 * 1024


def mainline(root: Path, since: str) -> list[tuple[str, str, str]]:
    """The commits of HEAD's first-parent history since `since`, oldest first: (commit, committed
    time in ISO 8601, subject). From a date (`2026-03-01`), the first is the commit that was
    current then, so the series starts from the state on that date; from a ref, the ref itself."""
    _require_work_tree(root, "history")
    if since.startswith("-"):
        raise VcsError(f"--since {since}: a ref cannot start with '-'")
    if is_date(since):
        try:
            moment = datetime.fromisoformat(since.replace("Z", "+00:00"))
        except ValueError:
            raise VcsError(f"--since {since}: not a valid date (YYYY-MM-DD)") from None
        if moment.tzinfo is None:  # a day (or a time) without a zone is UTC, not git's idea of now
            moment = moment.replace(tzinfo=UTC)
        stamp = moment.isoformat()
        current = _log(root, "-1", f"--until={stamp}", "HEAD")  # the state on that date
        later = _log(root, f"--since={stamp}", "HEAD")[::-1]
        return current + [c for c in later if not current or c[0] != current[0][0]]
    found = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{since}^{{commit}}", check=False)
    if found.returncode:
        raise VcsError(f"--since {since}: neither a date (YYYY-MM-DD) nor a commit or branch in this clone")
    base = found.stdout.decode().strip()
    return _log(root, "-1", base) + _log(root, f"^{base}", "HEAD")[::-1]


def _log(root: Path, *selection: str) -> list[tuple[str, str, str]]:
    """(commit, committed, subject) of `git log --first-parent` over `selection` (options first), newest first."""
    options = [s for s in selection if s.startswith("-")]
    revisions = [s for s in selection if not s.startswith("-")]
    listed = _git(
        root, "log", "--first-parent", "--no-show-signature", f"--max-count={MAX_HISTORY_COMMITS}",
        "--format=%H%x00%cI%x00%s%x00", *options, "--end-of-options", *revisions,
    ).stdout  # fmt: skip
    fields = listed.decode("utf-8", "replace").split("\0")
    return [(fields[i].strip(), fields[i + 1], fields[i + 2][:200]) for i in range(0, len(fields) - 2, 3)]


def tagged(root: Path) -> set[str]:
    """The commits tags point at: annotated tags, and tags of tags, peeled down to their commit;
    a tag of a tree or a blob names no commit and is passed over."""
    listed = _git(root, "rev-list", "--no-walk", "--tags").stdout.decode()
    return {line.strip() for line in listed.splitlines() if line.strip()}


def tree_bytes(root: Path, commit: str) -> int:
    """The bytes of the regular files under `root` at `commit`: what exporting all of it writes at most."""
    return sum(
        max(size, 0) for mode, _, size in _tree(root, commit, (), recursive=True).values() if mode in REGULAR_MODES
    )


class Exported(NamedTuple):
    files: dict[str, bytes]  # path -> git's object id, of each file written
    sizes: dict[str, int]  # path -> its size
    left_out: list[tuple[str, str]]  # (path, why) of each file not written


def export(
    root: Path,
    commit: str,
    destination: Path,
    wanted: Callable[[str], bool],
    previous: dict[str, bytes],
    max_bytes: int,
) -> Exported:
    """Make `destination` hold the files under `root` at `commit` that `wanted` accepts, writing
    only those whose blob differs from `previous` (path -> object id, the last export) and
    removing those gone. Regular files only: no symlink or submodule is made, and a path with an
    empty, `.`, `..` or `.git` part is refused, so nothing is written outside `destination`.
    Returns the new path -> object id map, the files' sizes, and (path, reason) for each file left out."""
    entries = _tree(root, commit, (), recursive=True)
    current: dict[str, bytes] = {}
    left_out: list[tuple[str, str]] = []
    for path, (mode, oid, size) in entries.items():
        if mode not in REGULAR_MODES or not wanted(path):
            continue
        if path not in previous and not _safe_relative(path):  # what the last export wrote was checked then
            left_out.append((path, "a path git should not hold (an empty, '.', '..' or '.git' part)"))
        elif size < 0:
            left_out.append((path, f"its object is missing at {commit[:12]} (a partial clone?)"))
        elif size > max_bytes:
            left_out.append((path, f"larger than {max_bytes} bytes"))
        else:
            current[path] = oid
    if len(current) > MAX_EXPORT_FILES or sum(entries[p][2] for p in current) > MAX_EXPORT_TOTAL:
        raise VcsError(
            f"the tree at {commit[:12]} holds more than {MAX_EXPORT_FILES} files or {MAX_EXPORT_TOTAL} bytes "
            "that a scan reads; lockaudit does not write it"
        )
    for path in set(previous) - set(current):
        (destination / path).unlink(missing_ok=True)
    changed = sorted(path for path, oid in current.items() if previous.get(path) != oid)
    batches: list[list[str]] = [[]]
    size = 0
    for path in changed:  # one `cat-file --batch` per MAX_EXPORT_BYTES, so memory stays bounded
        if batches[-1] and size + entries[path][2] > MAX_EXPORT_BYTES:
            batches.append([])
            size = 0
        batches[-1].append(path)
        size += entries[path][2]
    made: set[str] = set()  # folders known to exist: a first commit writes thousands of files into hundreds
    for batch in batches:
        blobs = _blobs(root, sorted({current[p] for p in batch}))
        for path in batch:
            try:
                _write(os.path.join(destination, path), blobs[current[path]], made)
            except OSError as exc:  # a tree git would not check out (a file and a folder of one name)
                raise VcsError(f"{path} at {commit[:12]} cannot be written: {exc.strerror or exc}") from exc
    return Exported(current, {path: entries[path][2] for path in current}, left_out)


def _write(target: str, data: bytes, made: set[str]) -> None:
    """One exported file, with plain os calls. A file of the last commit is written over and then
    cut to its new length: truncating it first costs the file system several times more."""
    folder = os.path.dirname(target)
    if folder not in made:
        os.makedirs(folder, exist_ok=True)
        made.add(folder)
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(target, flags, 0o644)
    except IsADirectoryError:  # a folder at the last commit, a file at this one
        shutil.rmtree(target)
        descriptor = os.open(target, flags, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view) :]
        os.ftruncate(descriptor, len(data))
    finally:
        os.close(descriptor)


def _safe_relative(path: str) -> bool:
    parts = path.split("/")
    return all(part not in ("", ".", "..") and part.lower() != ".git" for part in parts)


def is_date(text: str) -> bool:
    """Whether `--since TEXT` names a day or a moment (`2026-03-01`, `2026-03-01T12:00Z`), not a ref."""
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}(?:[T ][\d:]+(?:Z|[+-]\d{2}:?\d{2})?)?", text))


def _require_work_tree(root: Path, what: str) -> None:
    outside = _in_work_tree(root)
    if outside is not None:
        reason = _printable(outside.stderr)
        raise VcsError(f"{what} needs a git work tree, and {root} is not in one" + (f" ({reason})" if reason else ""))
