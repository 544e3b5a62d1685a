"""Git, for diff-aware gating: the merge base with a ref, the files changed since, and a
file's content there. Git runs with options that keep a repository's own configuration
from running commands (fsmonitor, external diff, text conversion)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

SAFE = ["-c", "core.fsmonitor=false", "-c", "diff.external=", "-c", "core.hooksPath=/dev/null"]


class VcsError(Exception):
    """Git cannot answer; the message says why and what to do."""


def _git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    try:
        result = subprocess.run(["git", *SAFE, "-C", str(root), *args], capture_output=True, timeout=60,
                                env={**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"})
    except FileNotFoundError as exc:
        raise VcsError("--since needs git, and git is not installed") from exc
    except subprocess.TimeoutExpired as exc:
        raise VcsError(f"git {' '.join(args)} took longer than a minute") from exc
    if check and result.returncode != 0:
        raise VcsError(f"git {' '.join(args)}: {result.stderr.decode(errors='replace').strip()}")
    return result


def merge_base(root: Path, ref: str) -> str:
    """The merge base of `ref` and HEAD; a clear error when git cannot know it."""
    if _git(root, "rev-parse", "--is-inside-work-tree", check=False).returncode != 0:
        raise VcsError(f"--since needs a git work tree, and {root} is not in one")
    if _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False).returncode != 0:
        raise VcsError(f"--since {ref}: no such commit or branch in this clone; fetch it first "
                       f"(for example `git fetch origin {ref.split('/')[-1]}`)")
    found = _git(root, "merge-base", ref, "HEAD", check=False)
    if found.returncode == 0 and found.stdout.strip():
        return found.stdout.decode().strip()
    shallow = _git(root, "rev-parse", "--is-shallow-repository", check=False).stdout.decode().strip() == "true"
    if shallow:
        raise VcsError(f"--since {ref}: the merge base of {ref} and HEAD is not in this shallow clone, so lockaudit "
                       "cannot tell which files changed; fetch more history (`git fetch --unshallow`, or "
                       "`fetch-depth: 0` in actions/checkout) and run again")
    raise VcsError(f"--since {ref}: {ref} and HEAD have no common history")


def changed_files(root: Path, base: str) -> set[str]:
    """Files changed since `base` in the work tree (committed, staged or not, and untracked),
    relative to `root`, which may be a folder inside the repository."""
    top = Path(_git(root, "rev-parse", "--show-toplevel").stdout.decode().strip())
    listed = _git(root, "diff", "--name-only", "--no-renames", "-z", base, "--").stdout
    listed += b"\0" + _git(root, "ls-files", "--others", "--exclude-standard", "-z", "--full-name").stdout
    prefix = os.path.relpath(root.resolve(), top.resolve())
    changed = set()
    for raw in listed.split(b"\0"):
        if not raw:
            continue
        path = os.fsdecode(raw)
        relative = path if prefix == "." else os.path.relpath(path, prefix)
        if not relative.startswith(".."):
            changed.add(relative.replace(os.sep, "/"))
    return changed


def show(root: Path, base: str, path: str) -> bytes | None:
    """`path` (relative to `root`) as it was at `base`, or None when it did not exist."""
    result = _git(root, "show", f"{base}:./{path}", check=False)
    return result.stdout if result.returncode == 0 else None
