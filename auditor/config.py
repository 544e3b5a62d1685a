"""lockaudit's own configuration: `.lockaudit.toml`, or `[tool.lockaudit]` in `pyproject.toml`.

`.lockaudit.toml` wins when both exist (no merging, as Ruff does with its files). A
configuration that parses but is wrong raises `ConfigError` (exit 2). An unparsable
`pyproject.toml` is repository content, not configuration: it is reported as skipped and
the scan goes on with defaults.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.severity import SEVERITIES

KEYS = ("exclude", "adapters", "fail-on", "rules")


class ConfigError(Exception):
    """Invalid lockaudit configuration; the message names the file and the key."""


@dataclass(frozen=True)
class Config:
    exclude: tuple[str, ...] = ()
    adapters: tuple[str, ...] = ()
    fail_on: str | None = None
    rules: tuple[Path, ...] = ()
    source: str | None = None  # relative name of the file the values came from


@dataclass(frozen=True)
class ConfigLoad:
    config: Config
    problems: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)


def load_config(root: Path) -> ConfigLoad:
    dedicated = root / ".lockaudit.toml"
    if dedicated.is_file():
        try:
            table = tomllib.loads(dedicated.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f".lockaudit.toml: cannot be read as TOML: {exc}") from exc
        return ConfigLoad(_validate(table, ".lockaudit.toml", "", root))

    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        return ConfigLoad(Config())
    try:
        document = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return ConfigLoad(Config(), [("pyproject.toml", f"invalid TOML, configuration ignored: {exc}")])
    table = document.get("tool", {}).get("lockaudit") if isinstance(document.get("tool"), dict) else None
    if table is None:
        return ConfigLoad(Config())
    if not isinstance(table, dict):
        raise ConfigError("pyproject.toml: [tool.lockaudit] must be a table")
    return ConfigLoad(_validate(table, "pyproject.toml", "tool.lockaudit.", root))


def _validate(table: dict[str, Any], source: str, prefix: str, root: Path) -> Config:
    for key in table:
        if key not in KEYS:
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
        path = (root / folder).resolve()
        if not path.is_dir():
            raise ConfigError(f"{source}: '{prefix}rules' entry {folder!r} is not a folder")
        rule_dirs.append(path)
    return Config(
        exclude=string_list("exclude"),
        adapters=string_list("adapters"),
        fail_on=fail_on,
        rules=tuple(rule_dirs),
        source=source,
    )
