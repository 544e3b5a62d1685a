"""lockaudit's own configuration: `.lockaudit.toml`, or `[tool.lockaudit]` in `pyproject.toml`.

Read from the scanned folder, or from the file given with `--config`; `.lockaudit.toml`
wins when both exist (no merging, as Ruff does with its files). Path patterns are
relative to the configuration file's folder. A configuration that parses but is wrong
raises `ConfigError` (exit 2). An unparsable `pyproject.toml` is repository content, not
configuration: it is reported as skipped and the scan goes on with defaults.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.patterns import PathPatterns
from auditor.severity import SEVERITIES

KEYS = ("exclude", "adapters", "fail-on", "rules", "count-announced")
DEDICATED = ".lockaudit.toml"


class ConfigError(Exception):
    """Invalid lockaudit configuration; the message names the file and the key."""


@dataclass(frozen=True)
class Config:
    exclude: tuple[str, ...] = ()
    adapters: tuple[str, ...] = ()
    fail_on: str | None = None
    rules: tuple[Path, ...] = ()
    count_announced: bool = True  # announced, not yet completed acquisitions move ownership
    source: str | None = None  # the file the values came from, as the user would name it
    prefix: str = ""  # the scan root relative to the configuration file's folder

    def exclude_patterns(self) -> PathPatterns:
        return PathPatterns(self.exclude, self.prefix)

    def adapter_patterns(self) -> PathPatterns:
        return PathPatterns(self.adapters, self.prefix)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "exclude": list(self.exclude),
            "adapters": list(self.adapters),
            "fail_on": self.fail_on,
            "rules": [str(path) for path in self.rules],
            "count_announced": self.count_announced,
        }


@dataclass(frozen=True)
class ConfigLoad:
    config: Config
    problems: list[tuple[str, str]] = field(default_factory=list)  # (path, reason): skipped files
    notices: list[str] = field(default_factory=list)  # things the user should know, for stderr


def load_config(root: Path, explicit: Path | None = None) -> ConfigLoad:
    if explicit is not None:
        return ConfigLoad(_load_explicit(root, explicit.resolve()))
    dedicated = root / DEDICATED
    if dedicated.is_file():
        return ConfigLoad(_validate(_read_toml(dedicated, DEDICATED), DEDICATED, "", root, root))
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            document = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            return ConfigLoad(Config(), [("pyproject.toml", f"invalid TOML, configuration ignored: {exc}")])
        table = _tool_table(document, "pyproject.toml")
        if table is not None:
            return ConfigLoad(_validate(table, "pyproject.toml", "tool.lockaudit.", root, root))
    return ConfigLoad(Config(), notices=_unused_parent_config(root))


def _load_explicit(root: Path, path: Path) -> Config:
    name = os.path.relpath(path)
    if not path.is_file():
        raise ConfigError(f"{name}: no such configuration file")
    document = _read_toml(path, name)
    if path.name == "pyproject.toml":
        table = _tool_table(document, name)
        if table is None:
            raise ConfigError(f"{name}: has no [tool.lockaudit] table")
        return _validate(table, name, "tool.lockaudit.", path.parent, root)
    return _validate(document, name, "", path.parent, root)


def _read_toml(path: Path, name: str) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{name}: cannot be read as TOML: {exc}") from exc


def _tool_table(document: dict[str, Any], name: str) -> dict[str, Any] | None:
    tool = document.get("tool")
    table = tool.get("lockaudit") if isinstance(tool, dict) else None
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{name}: [tool.lockaudit] must be a table")
    return table


def _unused_parent_config(root: Path) -> list[str]:
    """Name a parent folder's configuration that this scan does not read, up to the repository top."""
    for folder in root.parents:
        for candidate in (folder / DEDICATED, folder / "pyproject.toml"):
            try:
                found = candidate.is_file() and (
                    candidate.name == DEDICATED or "[tool.lockaudit" in candidate.read_text(encoding="utf-8")
                )
            except (OSError, UnicodeDecodeError):
                found = False
            if found:
                where = os.path.relpath(candidate, root)
                return [f"{where} configures lockaudit but is not read when scanning {root.name}/; "
                        f"scan {os.path.relpath(folder, root)} or pass --config {where}"]
        if (folder / ".git").exists():
            break
    return []


def _validate(table: dict[str, Any], source: str, prefix: str, base: Path, root: Path) -> Config:
    for key in table:
        if key not in KEYS:
            if key == "tool" and not prefix:
                raise ConfigError(f"{source}: unknown key 'tool'; write the keys at the top level, "
                                  "without a [tool.lockaudit] header")
            hint = difflib.get_close_matches(key, KEYS, n=1)
            suggestion = f"; did you mean '{prefix}{hint[0]}'?" if hint else f"; known keys: {', '.join(KEYS)}"
            raise ConfigError(f"{source}: unknown key '{prefix}{key}'{suggestion}")

    def string_list(key: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ConfigError(f"{source}: '{prefix}{key}' must be a list of strings, got {value!r}")
        return tuple(value)

    fail_on = table.get("fail-on")
    if fail_on is not None and fail_on not in SEVERITIES:
        raise ConfigError(
            f"{source}: '{prefix}fail-on' must be one of {', '.join(SEVERITIES)}, got {fail_on!r}"
        )
    rule_dirs = []
    for folder in string_list("rules"):
        path = (base / folder).resolve()
        if not path.is_dir():
            raise ConfigError(f"{source}: '{prefix}rules' entry {folder!r} is not a folder")
        rule_dirs.append(path)
    count_announced = table.get("count-announced", True)
    if not isinstance(count_announced, bool):
        raise ConfigError(f"{source}: '{prefix}count-announced' must be true or false, got {count_announced!r}")
    try:
        relative = root.relative_to(base).as_posix()
    except ValueError:  # a configuration outside the scanned tree: patterns are relative to the root
        relative = "."
    return Config(
        exclude=string_list("exclude"),
        adapters=string_list("adapters"),
        fail_on=fail_on,
        rules=tuple(rule_dirs),
        count_announced=count_announced,
        source=source,
        prefix="" if relative == "." else relative,
    )
