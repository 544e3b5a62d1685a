"""Discover: which files under the root lockaudit analyses, and which it had to skip.

Walks without recursion and never follows a symlinked folder, so it cannot loop or
leave the root. Honours nested `.gitignore` files (deepest decides, as git does), the
default excludes and user excludes. Every candidate file it cannot analyse is returned
as a `Skipped` entry with its reason: nothing is dropped silently.
"""

from __future__ import annotations

import functools
import os
import re
import stat
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from auditor.assistants import assistant_product
from auditor.audit import Skipped
from auditor.files import printable_name, read_regular
from auditor.limits import (
    DEFAULT_MAX_BYTES,
    MAX_GITIGNORE_BYTES,
    MAX_SCAN_GITIGNORE_PATTERNS,
    LimitError,
    read_gitignore,
)
from auditor.patterns import PathPatterns
from auditor.vcs import user_excludes_file

KINDS: dict[str, str] = {".py": "python", ".pyi": "python", ".ipynb": "notebook", ".tf": "terraform"}
# Files that make their folder a project folder, from which its code is importable.
PROJECT_MARKERS = frozenset({"pyproject.toml", "setup.py", "setup.cfg"})

# Folders that are never the project's own code.
DEFAULT_EXCLUDED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".bzr",
        "node_modules",
        "__pycache__",
        ".tox",
        ".nox",
        ".venv",
        "venv",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".ipynb_checkpoints",
        ".eggs",
        "site-packages",
        ".direnv",
    }
)
# Output folders, excluded unless they are a package of the project's own (`pkg/build/`).
DEFAULT_EXCLUDED_OUTPUT_DIRS = frozenset({"build", "dist", ".cache"})


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: str  # relative to the root, "/" separators
    kind: str
    abspath: str  # on disk: a string, not a Path (thousands are made at every commit of a history)


@dataclass
class Discovery:
    files: list[SourceFile] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    project_dirs: list[str] = field(default_factory=list)  # folders holding a PROJECT_MARKERS file
    gitignore_patterns: int = 0  # patterns loaded so far, capped per scan
    # Files and folders left out, by what left them out, so that "nothing to analyse" can say why.
    filtered: Counter[tuple[str, str]] = field(default_factory=Counter)  # (file or folder, why)
    notes: list[str] = field(default_factory=list)  # for the user: e.g. the root itself was ignored
    links: list[tuple[str, str]] = field(default_factory=list)  # symlinks to files in the tree: (link, target)


# Files known by name rather than extension.
NAMED_KINDS: dict[str, str] = {
    "pyproject.toml": "pyproject",
    "uv.lock": "uv-lock",
    "pylock.toml": "pylock",
    "uv.toml": "tool-config",
    "ruff.toml": "tool-config",
    ".ruff.toml": "tool-config",
    "ty.toml": "tool-config",
    ".pre-commit-config.yaml": "pre-commit",
    ".pre-commit-config.yml": "pre-commit",
    "poetry.lock": "poetry-lock",
    "setup.cfg": "setup-cfg",
    "Dockerfile": "build-script",
    "Containerfile": "build-script",
    "Makefile": "build-script",
    "tox.ini": "build-script",
    ".env": "env-file",
    ".env.example": "env-file",
    ".env.sample": "env-file",
    ".env.template": "env-file",
    "package.json": "package-json",
    ".gitlab-ci.yml": "ci-config",
    "azure-pipelines.yml": "ci-config",
    "azure-pipelines.yaml": "ci-config",
}
# Data, not configuration: too big or too generic to read for model ids and endpoints.
NOT_CONFIG = frozenset(
    {
        "package-lock.json",
        "composer.lock",
        "Pipfile.lock",
        "tsconfig.json",
        "jsconfig.json",
        ".eslintrc.json",
        "renovate.json",
        ".markdownlint.json",
        "CITATION.cff",
    }
)
CONFIG_EXTENSIONS = (".yaml", ".yml", ".json", ".toml")
MAX_CONFIG_BYTES = 512 * 1024
_PYLOCK = re.compile(r"^pylock\.[\w-]+\.toml$")  # PEP 751 named locks: pylock.<name>.toml
_REQUIREMENTS = re.compile(r"^requirements[\w.-]*\.(?:txt|in)$")
_REQUIREMENTS_FOLDER = re.compile(r"(?:^|/)requirements/[^/]+\.(?:txt|in)$")  # requirements/base.txt, dev.in
_PROMPTFOO = re.compile(r"^promptfooconfig[\w.-]*\.(?:ya?ml|json)$")
# MCP server configurations: Claude Code's `.mcp.json`, Cursor's and VS Code's `mcp.json`.
_MCP_CONFIG = re.compile(r"(?:^|/)(?:\.mcp\.json|\.(?:cursor|vscode)/mcp\.json)$")
_WORKFLOW = re.compile(r"(?:^|/)\.github/(?:workflows/[^/]+|actions/.+/action)\.ya?ml$")  # composite actions too


@functools.lru_cache(maxsize=1 << 16)  # a tree's thousands of files are judged again at each commit of a history
def file_kind(name: str, rel: str = "") -> str | None:
    if name in NAMED_KINDS:
        return NAMED_KINDS[name]
    if _REQUIREMENTS.match(name) or _REQUIREMENTS_FOLDER.search(rel):
        return "requirements"
    if _PYLOCK.match(name):
        return "pylock"
    if _PROMPTFOO.match(name):
        return "promptfoo"
    if _WORKFLOW.search(rel):
        return "workflow"
    if _MCP_CONFIG.search(rel or name):
        return "mcp-config"
    if name.startswith("Dockerfile.") or name.endswith(".Dockerfile"):
        return "build-script"
    if assistant_product(rel or name):  # coding assistants' instruction files (rules/files/assistants.yaml)
        return "assistant"
    lower = name.lower()
    # JSON is mostly data (results, fixtures, lock files): only JSON named as configuration.
    if (
        lower.endswith(CONFIG_EXTENSIONS)
        and name not in NOT_CONFIG
        and not name.startswith(".")
        and (not lower.endswith(".json") or any(word in lower for word in ("config", "settings")))
    ):
        return "app-config"
    return KINDS.get(os.path.splitext(name)[1].lower())


# A .gitignore in force: (its folder relative to the root, or "" for the root and its
# ancestors; what to put before a root-relative path for an ancestor's file; the rules).
_Ignore = tuple[str, str, "_Rules"]


def discover(
    root: Path,
    exclude: Iterable[PathPatterns] = (),
    max_bytes: int = DEFAULT_MAX_BYTES,
    tracked: frozenset[str] | None = None,
    sizes: Mapping[str, int] | None = None,
) -> Discovery:
    """`tracked`: the files git tracks (with `--since`). A change could hide its own code by
    ignoring it in `.gitignore`, or by making its folder look like a virtual environment or
    build output; files git tracks are scanned whatever those say. Excludes still apply:
    they come from the configuration the change is judged by. `sizes`: the regular files the
    caller wrote itself (`history`), with their sizes, which are not asked of the disk again."""
    root = root.resolve()
    known_sizes = sizes or {}
    excludes = [patterns for patterns in exclude if patterns]
    kept = tracked or frozenset()
    kept_dirs = {parent for path in kept for parent in _parents(path)}
    result = Discovery()
    # Each stack entry: folder, its path relative to root ("" for root), and the
    # .gitignore files in force there, deepest last.
    stack: list[tuple[Path, str, tuple[_Ignore, ...]]] = [(root, "", _ancestor_gitignores(root, result))]
    while stack:
        folder, rel_folder, specs = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            result.skipped.append(Skipped(rel_folder or ".", f"folder cannot be read: {_reason(exc)}"))
            continue
        if any(e.name == ".gitignore" for e in entries):
            rel = f"{rel_folder}/.gitignore" if rel_folder else ".gitignore"
            loaded = _load_gitignore(folder / ".gitignore", rel, result)
            if loaded is not None:
                specs = (*specs, (rel_folder, "", loaded))
        subfolders = []
        for entry in entries:
            name = printable_name(entry.name)
            rel = f"{rel_folder}/{name}" if rel_folder else name
            try:
                is_link = entry.is_symlink()
                is_dir = not is_link and entry.is_dir(follow_symlinks=False)
            except OSError as exc:
                result.skipped.append(Skipped(rel, f"cannot be inspected: {_reason(exc)}"))
                continue
            holds_tracked = rel in kept_dirs if is_dir else rel in kept
            noun = "folder" if is_dir else "file"
            if _ignored(rel, is_dir, specs) and not holds_tracked:
                result.filtered[(noun, "ignored by .gitignore")] += 1
                continue
            if any(patterns.match(rel, is_dir) for patterns in excludes):
                result.filtered[(noun, "excluded by the configuration or --exclude")] += 1
                continue
            if is_dir:
                if entry.name in DEFAULT_EXCLUDED_DIRS or (_excluded_folder(entry) and not holds_tracked):
                    result.filtered[("folder", "left out by default (virtual environments, caches, build output)")] += 1
                    continue
                subfolders.append((Path(entry.path), rel, specs))
                continue
            if entry.name in PROJECT_MARKERS and rel_folder not in result.project_dirs:
                result.project_dirs.append(rel_folder)
            kind = file_kind(entry.name, rel)
            if is_link:
                _symlink(root, Path(entry.path), rel, kind, result, max_bytes)
                continue
            if kind is None:
                continue
            size = known_sizes.get(rel)
            if size is None:
                try:
                    info = entry.stat(follow_symlinks=False)
                except OSError as exc:
                    result.skipped.append(Skipped(rel, f"cannot be inspected: {_reason(exc)}"))
                    continue
                if not stat.S_ISREG(info.st_mode):
                    result.skipped.append(Skipped(rel, "not a regular file"))
                    continue
                size = info.st_size
            if kind == "app-config" and size > MAX_CONFIG_BYTES:
                continue  # a large JSON or YAML file is data, not configuration
            elif size > max_bytes:
                result.skipped.append(Skipped(rel, f"larger than the size cap ({size} > {max_bytes} bytes)"))
            else:
                result.files.append(SourceFile(rel, kind, entry.path))
        stack.extend(reversed(subfolders))
    result.files.sort(key=lambda f: f.path)
    analysed = {f.path for f in result.files}
    # A link to a file the scan reads anyway says nothing on every run; one to a file it does not is listed.
    result.skipped += [
        Skipped(rel, f"symlink to {target}, analysed at that path if included")
        for rel, target in result.links
        if target not in analysed
    ]
    result.skipped.sort(key=Skipped.sort_key)
    return result


def _parents(path: str) -> Iterable[str]:
    while "/" in path:
        path = path.rsplit("/", 1)[0]
        yield path


def _excluded_folder(entry: os.DirEntry[str]) -> bool:
    name = entry.name
    if name in DEFAULT_EXCLUDED_DIRS or name.endswith(".egg-info"):
        return True
    folder = Path(entry.path)
    if name in DEFAULT_EXCLUDED_OUTPUT_DIRS:
        return not os.path.exists(folder / "__init__.py")
    # os.path.exists says False where Path.exists raises (an unreadable folder is then listed as such).
    # A package of the project's own is never a virtual environment, whatever file it holds.
    return os.path.exists(folder / "pyvenv.cfg") and not os.path.exists(folder / "__init__.py")


def _ignored(rel: str, is_dir: bool, specs: tuple[_Ignore, ...]) -> bool:
    candidate = rel + "/" if is_dir else rel
    for base, above, spec in reversed(specs):  # the deepest .gitignore with an opinion decides
        local = above + (candidate[len(base) + 1 :] if base else candidate)
        verdict = spec.verdict(local)
        if verdict is not None:
            return verdict
    return False


MAX_VERDICTS = 200_000  # paths one .gitignore's rules remember their verdict on


class _Rules:
    """A .gitignore's rules, remembering each path's verdict: a history discovers one tree commit
    after commit, and the same file gives the same rules (`_rules`)."""

    def __init__(self, spec: pathspec.GitIgnoreSpec) -> None:
        self.patterns = spec.patterns
        self._spec = spec
        self._verdicts: dict[str, bool | None] = {}

    def verdict(self, local: str) -> bool | None:
        """True: ignored; False: re-included; None: no rule speaks of `local`."""
        if local not in self._verdicts:
            if len(self._verdicts) >= MAX_VERDICTS:
                self._verdicts.clear()
            self._verdicts[local] = self._spec.check_file(local).include
        return self._verdicts[local]


@functools.lru_cache(maxsize=64)
def _rules(data: bytes, rel: str) -> _Rules:
    return _Rules(read_gitignore(data, rel))


def _ancestor_gitignores(root: Path, result: Discovery) -> tuple[_Ignore, ...]:
    """The ignore rules git applies to the root from outside it: the user's global excludes
    file, the repository's `.git/info/exclude`, and the .gitignore files above the root up to
    the repository top (weakest first). A root those rules ignore was named on purpose, as
    ripgrep and Ruff take it: then only the rules inside it apply."""
    top = next((folder for folder in (root, *root.parents) if (folder / ".git").exists()), None)
    if top is None:
        return ()  # not inside a git work tree: no repository's rules apply
    specs: list[_Ignore] = []
    above = "" if top == root else root.relative_to(top).as_posix() + "/"
    for path in (user_excludes_file(), top / ".git" / "info" / "exclude"):
        if path.is_file():
            loaded = _load_gitignore(path, _shown(path, root), result)
            if loaded is not None:
                specs.append(("", above, loaded))
    for folder in reversed(root.parents[: len(root.relative_to(top).parts)] if top != root else ()):
        path = folder / ".gitignore"
        if path.is_file():
            loaded = _load_gitignore(path, os.path.relpath(path, root), result)
            if loaded is not None:
                specs.append(("", root.relative_to(folder).as_posix() + "/", loaded))
    if above and _ignored_root(above, tuple(specs)):
        result.notes.append(
            f"{above.rstrip('/')} is ignored by the repository's ignore rules; scanned because "
            "it was named, with only the rules inside it"
        )
        return ()
    return tuple(specs)


def _ignored_root(above: str, specs: tuple[_Ignore, ...]) -> bool:
    """Whether git would leave out the root folder (`above`, relative to the repository top), or
    a folder between it and the top: each folder is judged by the deepest rules with an opinion."""
    parts = above.rstrip("/").split("/")
    for depth in range(1, len(parts) + 1):
        folder = "/".join(parts[:depth]) + "/"
        for _, prefix, spec in reversed(specs):
            home = above[: len(above) - len(prefix)]  # the rules file's folder, relative to the top
            if not folder.startswith(home) or folder == home:
                continue
            verdict = spec.verdict(folder[len(home) :])
            if verdict is not None:
                if verdict:
                    return True
                break
    return False


def _shown(path: Path, root: Path) -> str:
    """How a rules file is named in a message: relative to the root (absolute on another drive)."""
    try:
        return os.path.relpath(path, root)
    except ValueError:
        return str(path)


def _load_gitignore(path: Path, rel: str, result: Discovery) -> _Rules | None:
    """The file's rules, matched by RE2 (no pattern backtracks), within a size and pattern cap
    per file and a pattern budget for the whole scan; otherwise listed as skipped with why."""
    try:
        if not path.is_file():
            return None
        used = result.gitignore_patterns
        if used >= MAX_SCAN_GITIGNORE_PATTERNS:
            raise LimitError(
                f"the scan's .gitignore files already hold {used} patterns, the budget is {MAX_SCAN_GITIGNORE_PATTERNS}"
            )
        spec = _rules(read_regular(path, MAX_GITIGNORE_BYTES), rel)
        result.gitignore_patterns = used + len(spec.patterns)
        return spec
    except (OSError, ValueError) as exc:
        reason = _reason(exc) if isinstance(exc, OSError) else str(exc).removeprefix(f"{rel}: ")
        result.skipped.append(Skipped(rel, f".gitignore cannot be used, its rules are not applied: {reason}"))
        return None


def _symlink(
    root: Path, link: Path, rel: str, kind: str | None, result: Discovery, max_bytes: int = DEFAULT_MAX_BYTES
) -> None:
    """A symlink is never followed out of the tree, nor to a folder; a link to a file inside the tree
    that is read anyway is left to its target, one that only its own name makes a candidate
    (`CLAUDE.md -> AGENTS.md`) is read under that name; any other link is listed."""
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
        try:
            info = target.stat()
        except OSError:
            info = None
        if (
            file_kind(target.name, where) is None
            and info is not None
            and stat.S_ISREG(info.st_mode)
            and info.st_size <= max_bytes
        ):
            # `CLAUDE.md -> AGENTS.md`: the link's name is what says which tool reads it, and its
            # target (inside the tree) is read under that name, once.
            result.files.append(SourceFile(rel, kind, str(target)))
        else:
            result.links.append((rel, where))  # listed at the end, unless the scan reads its target


def _reason(exc: OSError) -> str:
    return exc.strerror or exc.__class__.__name__
