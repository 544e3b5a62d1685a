"""lockaudit's own configuration: `.lockaudit.toml`, or `[tool.lockaudit]` in `pyproject.toml`.

Read from the file given with `--config`, else from the nearest folder at or above the scanned
one that has it, up to the repository's top (as Ruff finds its settings); `.lockaudit.toml`
wins over `pyproject.toml` in one folder, and the nearest file is the whole configuration
(no merging, as in Ruff). Path patterns are
relative to the configuration file's folder. A configuration that parses but is wrong
raises `ConfigError` (exit 2). An unparsable `pyproject.toml` is repository content, not
configuration: it is reported as skipped and the scan goes on with defaults.

The files are repository content, so paths in them (`rules`, `baseline`, path patterns) must
stay inside the tree. With `--since`, the gate reads them as they were at the merge base
(`commit`): a change is judged by the configuration it would be merged into, never its own.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from auditor import vcs
from auditor.catalog import ROLES
from auditor.files import read_regular
from auditor.limits import DEFAULT_MAX_BYTES, load_toml
from auditor.patterns import PathPatterns
from auditor.severity import SEVERITIES
from auditor.suggest import did_you_mean

KEYS = (
    "exclude",
    "adapters",
    "fail-on",
    "rules",
    "count-announced",
    "allow-vendors",
    "forbid-vendors",
    "disable",
    "severity",
    "owners",
    "baseline",
    "overrides",
    "max-file-size",
    "roles",
    "include-roles",
)
DEFAULT_MAX_FILE_SIZE = DEFAULT_MAX_BYTES  # a larger file is listed as skipped, not read
OVERRIDE_KEYS = ("paths", "disable", "severity")
DEDICATED = ".lockaudit.toml"
DEFAULT_BASELINE = "lockaudit-baseline.json"
MAX_CONFIG_BYTES = 4 * 1024 * 1024  # a configuration file is a few KiB; a larger one is not read


class ConfigError(Exception):
    """Invalid lockaudit configuration; the message names the file and the key."""


@dataclass(frozen=True)
class Override:
    """Rules switched off or re-rated for some paths (tests may use any SDK)."""

    paths: tuple[str, ...]
    disable: frozenset[str] = frozenset()  # rule ids, or "*" for every rule
    severity: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Policy:
    """What the configuration asks of the engine: which rules run where, at which severity,
    and which vendors the project allows."""

    disabled: frozenset[str] = frozenset()
    severity: dict[str, str] = field(default_factory=dict)
    overrides: tuple[tuple[PathPatterns, frozenset[str], dict[str, str]], ...] = ()
    allowed: frozenset[str] = frozenset()
    forbidden: frozenset[str] = frozenset()

    def applies(self, rule_id: str, path: str, wildcard: bool = True) -> bool:
        """`wildcard=False` for the rules that watch the gate itself (suppressions, weakened
        configuration): an override's `disable = ["*"]` does not silence them, only their ids do."""
        if rule_id in self.disabled:
            return False
        return not any(
            patterns.match(path) and (rule_id in off or (wildcard and "*" in off))
            for patterns, off, _ in self.overrides
        )

    def severity_of(self, rule_id: str, path: str, default: str) -> str:
        return self.path_severity(rule_id, path) or self.severity.get(rule_id, default)

    def path_severity(self, rule_id: str, path: str) -> str | None:
        """The severity the last matching override gives this rule here, if any does (as in Ruff)."""
        severity = None
        for patterns, _, levels in self.overrides:
            if rule_id in levels and patterns.match(path):
                severity = levels[rule_id]
        return severity

    def vendor_status(self, vendor: str | None) -> str | None:
        """'forbidden', 'not-allowed' (an allow list is set and the vendor is not on it), or None."""
        if vendor is None:
            return None
        if vendor in self.forbidden:
            return "forbidden"
        if self.allowed and vendor not in self.allowed:
            return "not-allowed"
        return None


@dataclass(frozen=True)
class Config:
    exclude: tuple[str, ...] = ()
    adapters: tuple[str, ...] = ()
    fail_on: str | None = None
    rules: tuple[Path, ...] = ()
    count_announced: bool = True  # announced, not yet completed acquisitions move ownership
    allow_vendors: tuple[str, ...] = ()  # when set, every other vendor is a finding
    forbid_vendors: tuple[str, ...] = ()
    disable: frozenset[str] = frozenset()
    severity: tuple[tuple[str, str], ...] = ()  # (rule id, severity)
    owners: tuple[tuple[str, str], ...] = ()  # (company, owner): the user's word on who owns whom
    baseline: str = DEFAULT_BASELINE  # relative to the configuration file's folder
    overrides: tuple[Override, ...] = ()
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    roles: tuple[tuple[str, str], ...] = ()  # (path pattern, role), in the file's order: the last match wins
    include_roles: tuple[str, ...] = ()  # roles counted besides product code
    source: str | None = None  # the file the values came from, as the user would name it
    prefix: str = ""  # the scan root relative to the configuration file's folder
    given: frozenset[str] = frozenset()  # the keys the file sets; the rest are defaults
    base: Path | None = None  # the configuration file's folder
    explicit: bool = False  # named with --config

    def exclude_patterns(self) -> PathPatterns:
        return PathPatterns(self.exclude, self.prefix)

    def adapter_patterns(self) -> PathPatterns:
        return PathPatterns(self.adapters, self.prefix)

    def role_patterns(self) -> list[tuple[PathPatterns, str]]:
        return [(PathPatterns([pattern], self.prefix), role) for pattern, role in self.roles]

    def baseline_path(self, root: Path) -> Path | None:
        """None for a configuration read from a folder above `root`: its baseline holds the
        findings of a scan from there, and a scan of a folder inside it must neither judge by
        it nor overwrite it."""
        if self.inherited:
            return None
        return (self.base or root) / self.baseline

    @property
    def inherited(self) -> bool:
        """Whether the configuration is a parent folder's, found by walking up (not `--config`)."""
        return self.source is not None and self.source.startswith("../") and not self.explicit

    def check_against(self, rule_ids: set[str], vendors: set[str]) -> None:
        """Rule ids and vendor names must exist: a typo would silently switch nothing off."""

        def known(value: str, choices: set[str], key: str, what: str) -> None:
            if value not in choices:
                raise ConfigError(
                    f"{self.source}: '{key}' names no known {what} {value!r}{did_you_mean(value, choices)}"
                )

        for rule_id in self.disable:
            known(rule_id, rule_ids, "disable", "rule")
        for rule_id, _ in self.severity:
            known(rule_id, rule_ids, "severity", "rule")
        for index, override in enumerate(self.overrides):
            for rule_id in override.disable - {"*"}:
                known(rule_id, rule_ids, f"overrides[{index}].disable", "rule")
            for rule_id, _ in override.severity:
                known(rule_id, rule_ids, f"overrides[{index}].severity", "rule")
        for vendor in (*self.allow_vendors, *self.forbid_vendors):
            known(vendor, vendors, "allow-vendors" if vendor in self.allow_vendors else "forbid-vendors", "vendor")

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "exclude": list(self.exclude),
            "adapters": list(self.adapters),
            "fail_on": self.fail_on,
            "rules": [str(path) for path in self.rules],
            "count_announced": self.count_announced,
            "allow_vendors": list(self.allow_vendors),
            "forbid_vendors": list(self.forbid_vendors),
            "disable": sorted(self.disable),
            "severity": dict(self.severity),
            "owners": dict(self.owners),
            "baseline": self.baseline,
            "overrides": [
                {"paths": list(o.paths), "disable": sorted(o.disable), "severity": dict(o.severity)}
                for o in self.overrides
            ],
            "max_file_size": self.max_file_size,
            "roles": dict(self.roles),
            "include_roles": list(self.include_roles),
        }

    def policy(self) -> Policy:
        return Policy(
            disabled=self.disable,
            severity=dict(self.severity),
            overrides=tuple((PathPatterns(o.paths, self.prefix), o.disable, dict(o.severity)) for o in self.overrides),
            allowed=frozenset(self.allow_vendors),
            forbidden=frozenset(self.forbid_vendors),
        )

    def sources(self) -> dict[str, str]:
        """Where each key's value came from: the file, or the default."""
        return {key: (self.source or "default") if key in self.given else "default" for key in KEYS}


@dataclass(frozen=True)
class ConfigLoad:
    config: Config
    problems: list[tuple[str, str]] = field(default_factory=list)  # (path, reason): skipped files
    notices: list[str] = field(default_factory=list)  # things the user should know, for stderr


Reader = Callable[[str], bytes | None]  # a root-relative file's bytes; None when there is no such file


def load_config(root: Path, explicit: Path | None = None, commit: str | None = None, alone: bool = False) -> ConfigLoad:
    """The configuration for `root`: from the work tree, or with `commit` as it was there.
    `alone`: `root` is a whole tree by itself (a past commit written to a temporary folder), so
    no folder above it is searched."""
    folders = [""] if alone else search_folders(root)
    top = (root / folders[-1]).resolve()
    read = _reader(root, commit, top)
    if explicit is not None:
        return ConfigLoad(_load_explicit(root, explicit, read, commit))
    source, document, problem = find_nearest(read, folders)
    if source is None:
        skipped = [("pyproject.toml", f"configuration ignored: {problem}")] if problem else []
        return ConfigLoad(Config(), skipped, notices=_unused_parent_config(root, top))
    prefix = "" if Path(source).name == DEDICATED else "tool.lockaudit."
    base = (root / source).parent.resolve()
    within = root if source in (DEDICATED, "pyproject.toml") else top  # where its paths may point
    return ConfigLoad(
        _validate(document, source, prefix, base, root, _rule_folders(within, within, commit), within),
        [("pyproject.toml", f"configuration ignored: {problem}")] if problem else [],
    )


def search_folders(root: Path) -> list[str]:
    """Where configuration is looked for, nearest first, relative to `root` ("", "..", ...):
    up to the repository's top (the folder holding `.git`), or outside a repository up to the
    current folder when `root` is in it; never above either, so a scan of a downloaded tree
    reads no stranger's file."""
    chain = (root, *root.parents)
    top = next((folder for folder in chain if (folder / ".git").exists()), None)
    if top is None:
        here = Path.cwd().resolve()
        top = here if root.is_relative_to(here) else root
    steps = len(root.relative_to(top).parts)
    return ["/".join([".."] * up) for up in range(steps + 1)]


def find_nearest(read: Reader, folders: list[str]) -> tuple[str | None, dict[str, Any], str | None]:
    """The nearest configuration among `folders`: its root-relative path and table; the third
    value says why the scanned folder's own `pyproject.toml` could not be parsed (a parent's
    unparsable file without lockaudit's table is not the scan's business)."""
    first_problem = None
    for folder in folders:
        source, table, problem = find_table(read, folder)
        if folder == "":
            first_problem = problem
        if source is not None:
            return source, table, first_problem
    return None, {}, first_problem


# A `[tool.lockaudit]` header (or a sub-table, or a dotted `tool.lockaudit` key) in a file that does not parse.
_OUR_TABLE = re.compile(
    rb"^[ \t]*(?:\[[ \t]*tool[ \t]*\.[ \t]*lockaudit\b|tool[ \t]*\.[ \t]*lockaudit[ \t]*[.=])", re.M
)


def find_table(read: Reader, folder: str = "") -> tuple[str | None, dict[str, Any], str | None]:
    """The file in `folder` lockaudit's settings come from and its table: `.lockaudit.toml`,
    else a `pyproject.toml` with `[tool.lockaudit]`; the third value says why a pyproject.toml
    could not be parsed."""
    dedicated_path = f"{folder}/{DEDICATED}" if folder else DEDICATED
    project = f"{folder}/pyproject.toml" if folder else "pyproject.toml"
    dedicated = _data(read, dedicated_path)
    if dedicated is not None:
        return dedicated_path, _parse(dedicated, dedicated_path), None
    try:
        data = read(project)
    except OSError as exc:
        return None, {}, f"cannot be read: {exc.strerror or exc}"
    if data is None:
        return None, {}, None
    try:
        document = load_toml(data)
    except (UnicodeDecodeError, ValueError) as exc:
        if _OUR_TABLE.search(data):  # the gate's own settings are in it: never judge without them
            raise ConfigError(
                f"{project}: invalid TOML, and it holds [tool.lockaudit], lockaudit's configuration: {exc}"
            ) from exc
        return None, {}, f"invalid TOML: {exc}"
    table = _tool_table(document, project)
    return (project, table, None) if table is not None else (None, {}, None)


def worktree_reader(root: Path, limit: Path | None = None) -> Reader:
    """Regular files only, of a bounded size; a symlink is followed only within `limit`."""

    def read(rel: str) -> bytes | None:
        path = root / rel
        if not path.is_file():
            return None
        if not _inside(path, limit or root):
            raise OSError(0, "a symlink to outside the repository")
        return read_regular(path.resolve(), MAX_CONFIG_BYTES)

    return read


def _reader(root: Path, commit: str | None, top: Path | None = None) -> Reader:
    """`top`: the highest folder configuration is read from (paths may climb to it with `..`)."""
    if commit is None:
        return worktree_reader(root, top)
    return lambda rel: vcs.show(root, commit, rel)


def _load_explicit(root: Path, explicit: Path, read: Reader, commit: str | None) -> Config:
    """A file named on the command line. Inside the scanned tree it is still the tree's
    content, read at `commit` with `--since` (at the path as written: a symlink the change
    puts there chooses nothing); outside it, it is the user's own file."""
    rel = lexical_relative(explicit, root) if commit is not None else None
    path = Path(os.path.abspath(explicit)) if rel is not None else explicit.resolve()
    name = os.path.relpath(path)
    inside = rel is not None or _inside(path, root)
    if rel is not None:
        data, limit = _data(read, rel), root
    else:
        limit = root if inside else path.parent
        data = _data(worktree_reader(path.parent, limit), path.name) if path.is_file() else None
    if data is None:
        raise ConfigError(f"{name}: no such configuration file" + (f" at {commit[:12]}" if commit and inside else ""))
    document = _parse(data, name)
    if path.name == "pyproject.toml":
        table = _tool_table(document, name)
        if table is None:
            raise ConfigError(f"{name}: has no [tool.lockaudit] table")
        document = table
    return replace(
        _validate(
            document,
            name,
            "tool.lockaudit." if path.name == "pyproject.toml" else "",
            path.parent,
            root,
            _rule_folders(root, limit, commit if inside else None),
            limit,
        ),
        explicit=True,
    )


def _data(read: Reader, rel: str) -> bytes | None:
    try:
        return read(rel)
    except OSError as exc:
        raise ConfigError(f"{rel}: cannot be read: {exc.strerror or exc}") from exc


def _parse(data: bytes, name: str) -> dict[str, Any]:
    try:
        return load_toml(data)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ConfigError(f"{name}: cannot be read as TOML: {exc}") from exc


def _inside(path: Path, limit: Path) -> bool:
    return path.resolve().is_relative_to(limit.resolve())


def lexical_relative(path: Path, root: Path) -> str | None:
    """`path` relative to `root` as written, `..` folded but no symlink followed; None outside it."""
    rel = os.path.normpath(os.path.relpath(os.path.abspath(path), os.path.abspath(root)))
    return None if rel == ".." or rel.startswith(("../", "/")) else rel.replace(os.sep, "/")


RuleFolders = Callable[[str, Path, str], Path]  # (entry, configuration folder, where) -> a folder of packs


def _rule_folders(root: Path, limit: Path, commit: str | None) -> RuleFolders:
    """How a `rules` entry becomes a folder: in the work tree, it must resolve inside `limit`;
    at a commit, its packs are copied out of git into a private folder."""

    def on_disk(entry: str, base: Path, where: str) -> Path:
        path = (base / entry).resolve()
        if not path.is_relative_to(limit.resolve()):
            raise _outside(where, entry)
        if not path.is_dir():
            raise ConfigError(f"{where} entry {entry!r} is not a folder")
        return path

    def at_commit(entry: str, base: Path, where: str) -> Path:
        # Spelled out, not resolved: a symlink in the change under review must not choose
        # which of the merge base's folders holds the packs.
        rel = lexical_relative(base / entry, root)
        if rel is None:
            raise _outside(where, entry)
        folder = "" if rel == "." else rel
        files = vcs.tree_files(root, commit or "", folder)
        holder = tempfile.TemporaryDirectory(prefix="lockaudit-packs-")  # removed when the run ends
        _COPIES.append(holder)
        copy = Path(holder.name)
        for path, data in files.items():
            name = path[len(folder) + 1 :] if folder else path
            if "/" not in name and name.endswith((".yaml", ".yml")):  # as a folder on disk is read
                (copy / name).write_bytes(data)
        if not any(copy.iterdir()):
            raise ConfigError(f"{where} entry {entry!r} holds no rule pack at {(commit or '')[:12]}")
        return copy

    return at_commit if commit is not None else on_disk


_COPIES: list[tempfile.TemporaryDirectory[str]] = []


def _outside(where: str, entry: str) -> ConfigError:
    return ConfigError(
        f"{where} entry {entry!r} resolves outside the repository; "
        "name a folder outside it with --rules on the command line"
    )


def _tool_table(document: dict[str, Any], name: str) -> dict[str, Any] | None:
    tool = document.get("tool")
    table = tool.get("lockaudit") if isinstance(tool, dict) else None
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{name}: [tool.lockaudit] must be a table")
    return table


def _unused_parent_config(root: Path, top: Path) -> list[str]:
    """Name a configuration above the folders searched (outside a repository, above the
    current folder) that this scan does not read."""
    if (top / ".git").exists():
        return []
    for folder in top.parents:
        for candidate in (folder / DEDICATED, folder / "pyproject.toml"):
            try:
                found = candidate.is_file() and (
                    candidate.name == DEDICATED or b"[tool.lockaudit" in read_regular(candidate, MAX_CONFIG_BYTES)
                )
            except OSError:
                found = False
            if found:
                where = os.path.relpath(candidate, root)
                return [
                    f"{where} configures lockaudit but is not read when scanning {root.name}/ from outside "
                    f"its folder; scan from {os.path.relpath(folder)} or pass --config {where}"
                ]
        if (folder / ".git").exists():
            break
    return []


def _validate(
    table: dict[str, Any],
    source: str,
    prefix: str,
    base: Path,
    root: Path,
    folders: RuleFolders,
    limit: Path | None = None,
) -> Config:
    """`limit` is the folder the file's paths must stay in: the scanned tree, or for a file
    named on the command line outside it, that file's own folder."""
    _known_keys(table, KEYS, source, prefix, top=True)
    limit = limit or root

    def patterns(key: str, where: dict[str, Any] = table, label: str = "") -> tuple[str, ...]:
        """Path patterns are matched against paths inside the tree: a `..` step can only be a
        mistake or an attempt to reach out of it."""
        values = string_list(key, where, label)
        for pattern in values:
            if ".." in pattern.replace("\\", "/").split("/"):
                raise ConfigError(
                    f"{source}: '{prefix}{label}{key}' entry {pattern!r} steps out of the repository "
                    "with '..'; patterns are relative to the configuration file's folder"
                )
        return values

    def string_list(key: str, where: dict[str, Any] = table, label: str = "") -> tuple[str, ...]:
        value = where.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ConfigError(f"{source}: '{prefix}{label}{key}' must be a list of strings, got {value!r}")
        return tuple(value)

    def severities(key: str, where: dict[str, Any] = table, label: str = "") -> tuple[tuple[str, str], ...]:
        value = where.get(key, {})
        if not isinstance(value, dict):
            raise ConfigError(f"{source}: '{prefix}{label}{key}' must be a table of rule id = severity, got {value!r}")
        for rule_id, severity in value.items():
            if severity not in SEVERITIES:
                raise ConfigError(
                    f"{source}: '{prefix}{label}{key}.{rule_id}' must be one of "
                    f"{', '.join(SEVERITIES)}, got {severity!r}"
                )
        return tuple(sorted(value.items()))

    fail_on = table.get("fail-on")
    if fail_on is not None and fail_on not in SEVERITIES:
        raise ConfigError(f"{source}: '{prefix}fail-on' must be one of {', '.join(SEVERITIES)}, got {fail_on!r}")
    rule_dirs = [folders(folder, base, f"{source}: '{prefix}rules'") for folder in string_list("rules")]
    count_announced = table.get("count-announced", True)
    if not isinstance(count_announced, bool):
        raise ConfigError(f"{source}: '{prefix}count-announced' must be true or false, got {count_announced!r}")
    owners = table.get("owners", {})
    if not isinstance(owners, dict) or not all(isinstance(v, str) and v for v in owners.values()):
        raise ConfigError(f"{source}: '{prefix}owners' must be a table of company = owner, got {owners!r}")
    baseline = table.get("baseline", DEFAULT_BASELINE)
    if not isinstance(baseline, str) or not baseline.strip():
        raise ConfigError(f"{source}: '{prefix}baseline' must be a file path, got {baseline!r}")
    if not _inside(base / baseline, limit):
        raise ConfigError(
            f"{source}: '{prefix}baseline' {baseline!r} resolves outside the repository; "
            "name a file outside it with --baseline on the command line"
        )
    raw_overrides = table.get("overrides", [])
    if not isinstance(raw_overrides, list) or not all(isinstance(o, dict) for o in raw_overrides):
        raise ConfigError(f"{source}: '{prefix}overrides' must be an array of tables ([[{prefix}overrides]])")
    overrides = []
    for index, raw in enumerate(raw_overrides):
        label = f"overrides[{index}]."
        _known_keys(raw, OVERRIDE_KEYS, source, prefix + label)
        paths = patterns("paths", raw, label)
        if not paths:
            raise ConfigError(f"{source}: '{prefix}{label}paths' must name at least one path pattern")
        overrides.append(
            Override(paths, frozenset(string_list("disable", raw, label)), severities("severity", raw, label))
        )
    max_file_size = table.get("max-file-size", DEFAULT_MAX_FILE_SIZE)
    if isinstance(max_file_size, bool) or not isinstance(max_file_size, int) or not 0 < max_file_size <= 1 << 30:
        raise ConfigError(
            f"{source}: '{prefix}max-file-size' must be a number of bytes from 1 to 1073741824, got {max_file_size!r}"
        )
    roles = table.get("roles", {})
    if not isinstance(roles, dict) or not all(isinstance(v, str) for v in roles.values()):
        raise ConfigError(f"{source}: '{prefix}roles' must be a table of path pattern = role, got {roles!r}")
    patterns("roles", {"roles": list(roles)})
    for pattern, role in roles.items():
        if role not in ROLES:
            raise ConfigError(
                f"{source}: '{prefix}roles.{pattern}' must be one of {', '.join(ROLES)}, got {role!r}"
                + did_you_mean(role, ROLES)
            )
    include_roles = string_list("include-roles")
    for role in include_roles:
        if role not in ROLES:
            raise ConfigError(
                f"{source}: '{prefix}include-roles' names no role {role!r}; roles are {', '.join(ROLES)}"
                + did_you_mean(role, ROLES)
            )
    allow, forbid = string_list("allow-vendors"), string_list("forbid-vendors")
    if set(allow) & set(forbid):
        raise ConfigError(f"{source}: {sorted(set(allow) & set(forbid))} both allowed and forbidden")
    try:
        relative = root.relative_to(base).as_posix()
    except ValueError:  # a configuration outside the scanned tree: patterns are relative to the root
        relative = "."
    return Config(
        exclude=patterns("exclude"),
        adapters=patterns("adapters"),
        fail_on=fail_on,
        rules=tuple(rule_dirs),
        count_announced=count_announced,
        allow_vendors=allow,
        forbid_vendors=forbid,
        disable=frozenset(string_list("disable")),
        severity=severities("severity"),
        owners=tuple(sorted(owners.items())),
        baseline=baseline,
        overrides=tuple(overrides),
        max_file_size=max_file_size,
        roles=tuple(roles.items()),
        include_roles=include_roles,
        source=source,
        prefix="" if relative == "." else relative,
        given=frozenset(table),
        base=base,
    )


def _known_keys(table: dict[str, Any], keys: tuple[str, ...], source: str, prefix: str, top: bool = False) -> None:
    for key in table:
        if key not in keys:
            if top and key == "tool" and not prefix:
                raise ConfigError(
                    f"{source}: unknown key 'tool'; write the keys at the top level, without a [tool.lockaudit] header"
                )
            suggestion = did_you_mean(key, keys, prefix) or f"; known keys: {', '.join(keys)}"
            raise ConfigError(f"{source}: unknown key '{prefix}{key}'{suggestion}")
