"""Discover: which files under the root lockaudit analyses, and which it had to skip.

Walks without recursion and never follows a symlinked folder, so it cannot loop or
leave the root. Honours nested `.gitignore` files (deepest decides, as git does), the
default excludes and user excludes. Every candidate file it cannot analyse is returned
as a `Skipped` entry with its reason: nothing is dropped silently.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

KINDS: dict[str, str] = {".py": "python", ".ipynb": "notebook"}

# Folders that are never the project's own code.
DEFAULT_EXCLUDED_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", ".bzr", "node_modules", "__pycache__", ".tox", ".nox",
        ".venv", "venv", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".ipynb_checkpoints",
        ".eggs", "site-packages", "build", "dist", ".direnv", ".cache",
    }
)

DEFAULT_MAX_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: str  # relative to the root, "/" separators
    kind: str
    abspath: Path


@dataclass(frozen=True, slots=True, order=True)
class Skipped:
    path: str
    reason: str


@dataclass
class Discovery:
    files: list[SourceFile] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def file_kind(name: str) -> str | None:
    return KINDS.get(os.path.splitext(name)[1].lower())


def discover(
    root: Path, exclude: Iterable[str] = (), max_bytes: int = DEFAULT_MAX_BYTES
) -> Discovery:
    root = root.resolve()
    user_spec = pathspec.GitIgnoreSpec.from_lines(list(exclude))
    result = Discovery()
    # Each stack entry: folder, its path relative to root ("" for root), and the
    # .gitignore specs in force there as (folder-relative base, spec), deepest last.
    stack: list[tuple[Path, str, tuple[tuple[str, pathspec.GitIgnoreSpec], ...]]] = [(root, "", ())]
    while stack:
        folder, rel_folder, specs = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            result.skipped.append(Skipped(rel_folder or ".", f"folder cannot be read: {_reason(exc)}"))
            continue
        if any(e.name == ".gitignore" for e in entries):
            loaded = _load_gitignore(folder / ".gitignore", rel_folder, result)
            if loaded is not None:
                specs = (*specs, (rel_folder, loaded))
        subfolders = []
        for entry in entries:
            rel = f"{rel_folder}/{entry.name}" if rel_folder else entry.name
            try:
                is_link = entry.is_symlink()
                is_dir = not is_link and entry.is_dir(follow_symlinks=False)
            except OSError as exc:
                result.skipped.append(Skipped(rel, f"cannot be inspected: {_reason(exc)}"))
                continue
            if _ignored(rel, is_dir, specs, user_spec):
                continue
            if is_dir:
                if entry.name in DEFAULT_EXCLUDED_DIRS or entry.name.endswith(".egg-info"):
                    continue
                if (Path(entry.path) / "pyvenv.cfg").exists():  # a virtual environment
                    continue
                subfolders.append((Path(entry.path), rel, specs))
                continue
            kind = file_kind(entry.name)
            if is_link:
                _symlink(root, Path(entry.path), rel, kind, result)
                continue
            if kind is None:
                continue
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError as exc:
                result.skipped.append(Skipped(rel, f"cannot be inspected: {_reason(exc)}"))
                continue
            if not stat.S_ISREG(info.st_mode):
                result.skipped.append(Skipped(rel, "not a regular file"))
            elif info.st_size > max_bytes:
                result.skipped.append(
                    Skipped(rel, f"larger than the size cap ({info.st_size} > {max_bytes} bytes)")
                )
            else:
                result.files.append(SourceFile(rel, kind, Path(entry.path)))
        stack.extend(reversed(subfolders))
    result.files.sort(key=lambda f: f.path)
    result.skipped.sort()
    return result


def _ignored(
    rel: str,
    is_dir: bool,
    specs: tuple[tuple[str, pathspec.GitIgnoreSpec], ...],
    user_spec: pathspec.GitIgnoreSpec,
) -> bool:
    candidate = rel + "/" if is_dir else rel
    if user_spec.match_file(candidate):
        return True
    for base, spec in reversed(specs):  # the deepest .gitignore with an opinion decides
        local = candidate[len(base) + 1 :] if base else candidate
        verdict = spec.check_file(local).include
        if verdict is not None:
            return verdict
    return False


def _load_gitignore(path: Path, rel_folder: str, result: Discovery) -> pathspec.GitIgnoreSpec | None:
    rel = f"{rel_folder}/.gitignore" if rel_folder else ".gitignore"
    try:
        if not path.is_file():
            return None
        return pathspec.GitIgnoreSpec.from_lines(path.read_text(encoding="utf-8", errors="replace").splitlines())
    except (OSError, ValueError) as exc:
        result.skipped.append(Skipped(rel, f".gitignore cannot be used, its rules are not applied: {_reason(exc)}"))
        return None


def _symlink(root: Path, link: Path, rel: str, kind: str | None, result: Discovery) -> None:
    """Symlinks are never followed; a link that names a candidate file is listed."""
    try:
        target = link.resolve(strict=True)
    except (OSError, RuntimeError):
        if kind is not None:
            result.skipped.append(Skipped(rel, "broken or looping symlink"))
        return
    if target != root and root not in target.parents:
        if kind is not None or target.is_dir():
            result.skipped.append(Skipped(rel, "symlink to outside the root, not followed"))
        return
    if target.is_dir():
        result.skipped.append(Skipped(rel, "symlinked folder, not followed"))
    elif kind is not None:
        where = target.relative_to(root).as_posix()
        result.skipped.append(Skipped(rel, f"symlink to {where}, analysed at that path if included"))


def _reason(exc: OSError) -> str:
    return exc.strerror or exc.__class__.__name__
