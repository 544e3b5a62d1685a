"""The gate's trust model: a pull request can weaken the gate as easily as it can add
coupling, by editing `[tool.lockaudit]`, growing the baseline or adding suppressions. With
`--since REF` those changes, made since the merge base, are findings of their own, so a
reviewer sees them next to the code they let through."""

from __future__ import annotations

import json
import re
import tomllib
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from auditor import vcs
from auditor.audit import Finding, UsageRecord
from auditor.config import DEDICATED, DEFAULT_BASELINE, Policy
from auditor.discover import SourceFile
from auditor.engine import make_finding
from auditor.extract import extract
from auditor.facts import Fact, SuppressionFact
from auditor.packs import RuleSet
from auditor.severity import SEVERITIES

CONFIG_RULE, BASELINE_RULE, SUPPRESSION_RULE = "gate-weakened", "baseline-grew", "new-suppression"


def gate_changes(root: Path, base: str, config_source: str | None, baseline_path: Path, facts: Iterable[Fact],
                 files: Iterable[SourceFile], changed: set[str], ruleset: RuleSet, policy: Policy) -> list[Finding]:
    made: list[Finding] = []

    def add(rule_id: str, path: str, line: int, column: int, cell: int | None, values: dict[str, str], text: str) -> None:
        rule = ruleset.rules.get(rule_id)
        if rule is None or not policy.applies(rule_id, path, wildcard=False):
            return
        anchor = UsageRecord("gate", path, line, column, cell, name=values.get("name", ""))
        occurrence = sum(1 for f in made if f.rule_id == rule_id and f.path == path)
        made.append(make_finding(rule, anchor, values, policy.severity_of(rule_id, path, rule.severity),
                                 rule.effort, text, occurrence, subject=text))

    config_path = _config_file(root, config_source)
    if config_path is not None:
        now_text = _read(root / config_path)
        before = _table(vcs.show(root, base, config_path), config_path)
        now = _table(now_text.encode() if now_text is not None else None, config_path)
        for key, change in weakenings(before, now, ruleset):
            add(CONFIG_RULE, config_path, _line_of(now_text or "", key), 1, None, {"name": key, "change": change},
                f"{key}: {change}")
    baseline_rel = _relative(root, baseline_path)
    if baseline_rel is not None and baseline_rel in changed:
        added = _entries((root / baseline_rel).read_bytes() if (root / baseline_rel).is_file() else None) \
            - _entries(vcs.show(root, base, baseline_rel))
        if added:
            listed = ", ".join(f"{rule}@{path}" for (_, rule, path) in sorted(added)[:5])
            more = f" and {sum(added.values()) - 5} more" if sum(added.values()) > 5 else ""
            add(BASELINE_RULE, baseline_rel, 1, 1, None, {"name": str(sum(added.values())), "change": listed + more},
                " ".join(sorted(fp for fp, _, _ in added)))
    kinds = {f.path: f.kind for f in files}
    now_comments = [f for f in facts if isinstance(f, SuppressionFact) and f.loc.path in changed]
    by_path: dict[str, list[SuppressionFact]] = {}
    for comment in now_comments:
        by_path.setdefault(comment.loc.path, []).append(comment)
    for path, comments in sorted(by_path.items()):
        old = vcs.show(root, base, path)
        earlier = Counter(_key(c) for c in (extract(path, kinds[path], old) if old is not None and path in kinds else ())
                          if isinstance(c, SuppressionFact))
        for comment in comments:
            if earlier[_key(comment)] > 0:
                earlier[_key(comment)] -= 1
                continue
            add(SUPPRESSION_RULE, path, comment.loc.line, comment.loc.column, comment.loc.cell,
                {"name": ", ".join(comment.rules) or "(no rule)", "change": comment.reason or "(no reason)"},
                f"{comment.rules} {comment.reason}")
    return made


def weakenings(before: dict[str, Any], now: dict[str, Any], ruleset: RuleSet) -> list[tuple[str, str]]:
    """Each change that lets more through, as (key, what changed)."""
    found: list[tuple[str, str]] = []

    def gained(key: str, label: str) -> None:
        for value in sorted(set(_strings(now.get(key))) - set(_strings(before.get(key)))):
            found.append((key, f"{label} {value!r}"))

    gained("exclude", "now excludes")
    gained("adapters", "now lets vendor SDKs into")
    gained("disable", "now disables rule")
    gained("allow-vendors", "now allows vendor")
    for vendor in sorted(set(_strings(before.get("forbid-vendors"))) - set(_strings(now.get("forbid-vendors")))):
        found.append(("forbid-vendors", f"no longer forbids {vendor!r}"))
    old_gate, new_gate = before.get("fail-on", "medium"), now.get("fail-on", "medium")
    if _rank(new_gate) > _rank(old_gate):
        found.append(("fail-on", f"raised from {old_gate!r} to {new_gate!r}"))
    old_levels, new_levels = _mapping(before.get("severity")), _mapping(now.get("severity"))
    for rule_id, level in sorted(new_levels.items()):
        default = ruleset.rules[rule_id].severity if rule_id in ruleset.rules else "info"
        if _rank(level) < _rank(old_levels.get(rule_id, default)):
            found.append(("severity", f"lowers {rule_id} to {level!r}"))
    old_overrides = [json.dumps(o, sort_keys=True) for o in before.get("overrides", []) if isinstance(o, dict)]
    for override in now.get("overrides", []) if isinstance(now.get("overrides"), list) else []:
        if isinstance(override, dict) and json.dumps(override, sort_keys=True) not in old_overrides:
            found.append(("overrides", f"new or changed per-path override for {_strings(override.get('paths'))}"))
    old_roles, new_roles = _mapping(before.get("roles")), _mapping(now.get("roles"))
    for pattern, role in sorted(new_roles.items()):  # code declared a test or an example stops counting
        if role != "product" and old_roles.get(pattern) != role:
            found.append(("roles", f"now treats {pattern!r} as {role} code, which the gate does not count"))
    for role in sorted(set(_strings(before.get("include-roles"))) - set(_strings(now.get("include-roles")))):
        found.append(("include-roles", f"no longer counts {role} code"))
    if before.get("count-announced", True) and now.get("count-announced", True) is False:
        found.append(("count-announced", "announced acquisitions no longer count"))
    for key in ("owners", "rules"):
        if before.get(key) != now.get(key):
            found.append((key, "changed"))
    if before.get("baseline", DEFAULT_BASELINE) != now.get("baseline", DEFAULT_BASELINE):
        found.append(("baseline", f"moved to {now.get('baseline', DEFAULT_BASELINE)!r}"))
    return found


def _config_file(root: Path, source: str | None) -> str | None:
    """The configuration file, relative to the root, when it is inside the scanned tree."""
    for name in ([source] if source else []) + [DEDICATED, "pyproject.toml"]:
        if (root / name).is_file() and (source or name == DEDICATED or "[tool.lockaudit" in (_read(root / name) or "")):
            return name
    return None


def _table(data: bytes | None, name: str) -> dict[str, Any]:
    if data is None:
        return {}
    try:
        document = tomllib.loads(data.decode("utf-8", errors="replace"))
    except tomllib.TOMLDecodeError:
        return {}
    if Path(name).name == "pyproject.toml":
        tool = document.get("tool")
        table = tool.get("lockaudit") if isinstance(tool, dict) else None
        return table if isinstance(table, dict) else {}
    return document


def _entries(data: bytes | None) -> Counter[tuple[str, str, str]]:
    if data is None:
        return Counter()
    try:
        document = json.loads(data)
        return Counter((e["fingerprint"], e["rule_id"], e["path"]) for e in document["findings"])
    except (ValueError, KeyError, TypeError):
        return Counter()


def _key(comment: SuppressionFact) -> tuple[tuple[str, ...], str, bool]:
    return comment.rules, comment.reason, comment.file_level


def _line_of(text: str, key: str) -> int:
    match = re.search(rf"^[ \t]*(?:\[+[ \t]*(?:tool\.lockaudit\.)?)?{re.escape(key)}\b", text, re.M)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def _relative(root: Path, path: Path) -> str | None:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _mapping(value: Any) -> dict[str, str]:
    return {k: v for k, v in value.items() if isinstance(v, str)} if isinstance(value, dict) else {}


def _rank(severity: Any) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else 0
