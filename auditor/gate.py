"""The gate's trust model: a pull request can weaken the gate as easily as it can add
coupling, by editing `[tool.lockaudit]`, growing the baseline, adding suppressions or
making its own files impossible to analyse. With `--since REF` the gate runs on the
configuration and baseline of the merge base, so such edits take effect only once merged;
until then they are findings of their own, so a reviewer sees them next to the code they
would let through, and a changed file the gate cannot see fails it."""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from auditor import vcs
from auditor.audit import Audit, Finding, Skipped, UsageRecord
from auditor.catalog import RuleSet
from auditor.config import (
    DEFAULT_BASELINE,
    DEFAULT_MAX_FILE_SIZE,
    ConfigError,
    Policy,
    Reader,
    find_nearest,
    lexical_relative,
    search_folders,
    worktree_reader,
)
from auditor.discover import DEFAULT_EXCLUDED_DIRS, SourceFile, file_kind
from auditor.engine import make_finding
from auditor.extract import extract
from auditor.facts import Fact, SuppressionFact
from auditor.limits import load_json, load_toml
from auditor.severity import DEFAULT_FAIL_ON, SEVERITIES
from auditor.words import count

CONFIG_RULE, BASELINE_RULE, SUPPRESSION_RULE = "gate-weakened", "baseline-grew", "new-suppression"
UNSEEN_RULE = "changed-file-not-analysed"
BUDGET_REASON = "not analysed: the scan reached its budget"


def gate_changes(
    root: Path,
    base: str,
    config_source: str | None,
    baseline_path: Path | None,
    facts: Iterable[Fact],
    files: Iterable[SourceFile],
    changed: set[str],
    ruleset: RuleSet,
    policy: Policy,
    skipped: Iterable[Skipped] = (),
    tracked: frozenset[str] = frozenset(),
    excluded: Callable[[str], bool] = lambda path: False,
    counts: Callable[[str], bool] = lambda path: True,
) -> list[Finding]:
    """`skipped`: the files not analysed, whole or by a budget; `tracked`: the files git tracks;
    `excluded`: whether the configuration the change is judged by excludes a path; `counts`:
    whether a path's role counts (a test fixture that cannot be parsed may be meant so)."""
    made: list[Finding] = []

    def add(
        rule_id: str, path: str, line: int, column: int, cell: int | None, values: dict[str, str], text: str
    ) -> None:
        rule = ruleset.rules.get(rule_id)
        if rule is None or not policy.applies(rule_id, path, wildcard=False):
            return
        anchor = UsageRecord("gate", path, line, column, cell, name=values.get("name", ""))
        occurrence = sum(1 for f in made if f.rule_id == rule_id and f.path == path)
        made.append(
            make_finding(
                rule,
                anchor,
                values,
                policy.severity_of(rule_id, path, rule.severity),
                rule.effort,
                text,
                occurrence,
                subject=text,
            )
        )

    compared = _tables(root, base, config_source)
    if compared is not None:
        config_path, now_text, before, now = compared
        for key, change in weakenings(before, now, ruleset):
            add(
                CONFIG_RULE,
                config_path,
                _line_of(now_text or "", key),
                1,
                None,
                {"name": key, "change": change},
                f"{key}: {change}",
            )
    files = list(files)
    for path, reason in _unseen(root, changed, files, skipped, tracked, excluded, counts):
        add(UNSEEN_RULE, path, 1, 1, None, {"name": path, "change": reason}, reason)
    baseline_rel = lexical_relative(baseline_path, root) if baseline_path is not None else None
    if baseline_rel is not None and baseline_rel in changed:
        added = _entries((root / baseline_rel).read_bytes() if (root / baseline_rel).is_file() else None) - _entries(
            vcs.show(root, base, baseline_rel)
        )
        if added:
            listed = ", ".join(f"{rule}@{path}" for (_, rule, path) in sorted(added)[:5])
            more = f" and {sum(added.values()) - 5} more" if sum(added.values()) > 5 else ""
            add(
                BASELINE_RULE,
                baseline_rel,
                1,
                1,
                None,
                {"name": str(sum(added.values())), "change": listed + more},
                " ".join(sorted(fp for fp, _, _ in added)),
            )
    kinds = {f.path: f.kind for f in files}
    now_comments = [f for f in facts if isinstance(f, SuppressionFact) and f.loc.path in changed]
    by_path: dict[str, list[SuppressionFact]] = {}
    for comment in now_comments:
        by_path.setdefault(comment.loc.path, []).append(comment)
    for path, comments in sorted(by_path.items()):
        old = vcs.show(root, base, path)
        earlier = Counter(
            _key(c)
            for c in (extract(path, kinds[path], old) if old is not None and path in kinds else ())
            if isinstance(c, SuppressionFact)
        )
        for comment in comments:
            if earlier[_key(comment)] > 0:
                earlier[_key(comment)] -= 1
                continue
            add(
                SUPPRESSION_RULE,
                path,
                comment.loc.line,
                comment.loc.column,
                comment.loc.cell,
                {"name": ", ".join(comment.rules) or "(no rule)", "change": comment.reason or "(no reason)"},
                f"{comment.rules} {comment.reason}",
            )
    return made


COMPILED = (".pyc", ".pyo", ".so", ".pyd")  # modules Python imports that lockaudit cannot read
# What the gate must see to judge a change: code and the declared dependencies. A YAML or JSON
# file real tools read despite a duplicate key or a template is listed, not failed.
JUDGED_KINDS = frozenset({"python", "notebook", "pyproject", "requirements"})
SOURCE = (".py", ".pyi")


def _unseen(
    root: Path,
    changed: set[str],
    files: list[SourceFile],
    skipped: Iterable[Skipped],
    tracked: frozenset[str],
    excluded: Callable[[str], bool],
    counts: Callable[[str], bool],
) -> Iterator[tuple[str, str]]:
    """What the gate cannot judge fails it: changed product code or dependency declarations
    that it did not analyse, and why: skipped (too large, unparsable), never reached (a folder
    it passes by default, such as `venv/`), a compiled module, or a symlink through which
    Python would import code the gate does not count. A file git does not track and
    `.gitignore` hides was never meant to be read. A scan that ran out of its budget could
    not see its own importers, so each file it dropped fails the gate, changed or not."""
    reasons = {entry.path: entry.reason for entry in skipped}
    seen = {source.path for source in files}
    for path, reason in sorted(reasons.items()):
        if reason.startswith(BUDGET_REASON) and counts(path) and path not in changed:
            yield path, reason
    for path in sorted(changed):
        if excluded(path) or not counts(path):
            continue
        if os.path.islink(root / path):
            if path in tracked and (why := _link_reason(root, path, seen, counts)):
                yield path, why
            continue
        *folders, name = path.split("/")
        judged = file_kind(name, path) in JUDGED_KINDS
        if path in reasons:
            if judged:
                yield path, reasons[path]
            continue
        if path in seen or path not in tracked or not os.path.isfile(root / path):
            continue  # analysed, untracked (and ignored, or it would have been found), or deleted
        if name.endswith(COMPILED):
            yield path, "a compiled module, which Python imports and lockaudit cannot read"
            continue
        if not judged:
            continue
        passed = next((f for f in folders if f in DEFAULT_EXCLUDED_DIRS or f.endswith(".egg-info")), None)
        yield path, (f"inside {passed}/, a folder lockaudit passes by default" if passed else "not reached by the scan")


def _link_reason(root: Path, path: str, seen: set[str], counts: Callable[[str], bool]) -> str | None:
    """Why a changed symlink hides code, or None. A link Python could import through (a `.py`
    name, or a folder) must lead to code the gate counts at its own path; links to anything
    else (`CLAUDE.md -> AGENTS.md`) hold no code."""
    link = root / path
    try:
        target = link.resolve(strict=True)
    except (OSError, RuntimeError):
        return None  # broken or looping: nothing to import
    is_dir = target.is_dir()
    if not is_dir and not path.endswith(SOURCE):
        return None
    if not target.is_relative_to(root.resolve()):
        return "a symlink to outside the scanned tree, through which Python would import code the gate cannot see"
    rel = target.relative_to(root.resolve()).as_posix()
    targets = [rel] if not is_dir else [f for f in seen if f.startswith(rel + "/") and f.endswith(SOURCE)]
    hidden = [t for t in targets if t not in seen or not counts(t)]
    if is_dir:
        hidden += [f"{rel}/{name}" for name in _python_names(target) if f"{rel}/{name}" not in seen]
    if hidden:
        return f"a symlink to {sorted(set(hidden))[0]}, code the gate does not count at its own path"
    return None


def _python_names(folder: Path, limit: int = 10_000) -> list[str]:
    """Python files under a folder, relative to it (a bounded walk that follows no link)."""
    found: list[str] = []
    for parent, _, names in os.walk(folder):
        prefix = Path(parent).relative_to(folder).as_posix()
        found += [name if prefix == "." else f"{prefix}/{name}" for name in names if name.endswith(SOURCE)]
        if len(found) > limit:
            break
    return found


def weakenings(before: dict[str, Any], now: dict[str, Any], ruleset: RuleSet) -> list[tuple[str, str]]:
    """Each change that lets more through, as (key, what changed)."""
    found: list[tuple[str, str]] = []

    def gained(key: str, label: str) -> None:
        for value in sorted(set(_strings(now.get(key))) - set(_strings(before.get(key)))):
            found.append((key, f"{label} {value!r}"))

    gained("exclude", "now excludes")
    gained("adapters", "now lets vendor SDKs into")
    if _strings(before.get("adapters")) and not _strings(now.get("adapters")):
        found.append(("adapters", "no longer set: the boundary is inferred, and moves with the code"))
    gained("disable", "now disables rule")
    gained("allow-vendors", "now allows vendor")
    for vendor in sorted(set(_strings(before.get("forbid-vendors"))) - set(_strings(now.get("forbid-vendors")))):
        found.append(("forbid-vendors", f"no longer forbids {vendor!r}"))
    old_gate, new_gate = before.get("fail-on", DEFAULT_FAIL_ON), now.get("fail-on", DEFAULT_FAIL_ON)
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
    old_size, new_size = (
        before.get("max-file-size", DEFAULT_MAX_FILE_SIZE),
        now.get("max-file-size", DEFAULT_MAX_FILE_SIZE),
    )
    if isinstance(old_size, int) and isinstance(new_size, int) and new_size < old_size:
        found.append(("max-file-size", f"lowered from {old_size} to {new_size} bytes: larger files go unread"))
    if before.get("count-announced", True) and now.get("count-announced", True) is False:
        found.append(("count-announced", "announced acquisitions no longer count"))
    for key in ("owners", "rules"):
        if before.get(key) != now.get(key):
            found.append((key, "changed"))
    if before.get("baseline", DEFAULT_BASELINE) != now.get("baseline", DEFAULT_BASELINE):
        found.append(("baseline", f"moved to {now.get('baseline', DEFAULT_BASELINE)!r}"))
    return found


def _tables(root: Path, base: str, source: str | None) -> tuple[str, str | None, dict[str, Any], dict[str, Any]] | None:
    """(the file to point at, its text now, the settings at the merge base, the settings now).
    `source` is a file named with --config; without one, whichever file is nearest on each side
    is compared, so adding a `.lockaudit.toml` or deleting the `[tool.lockaudit]` table is seen
    as what it does to the settings."""

    def at_base(rel: str) -> bytes | None:
        return vcs.show(root, base, rel)

    if source is not None:  # compared only when the tree holds it
        rel = lexical_relative(Path(source), root)  # as written: the change's symlinks choose nothing
        if rel is None:
            return None
        now_text = _read(root / rel)
        return (
            rel,
            now_text,
            _table(at_base(rel), rel),
            _table(now_text.encode() if now_text is not None else None, rel),
        )
    folders = search_folders(root)
    before_source, before = _settings(at_base, folders)
    now_source, now = _settings(worktree_reader(root, (root / folders[-1]).resolve()), folders)
    where = now_source or before_source
    if where is None:
        return None
    return where, _read(root / where), before, now


def _settings(read: Reader, folders: list[str]) -> tuple[str | None, dict[str, Any]]:
    try:
        source, table, _ = find_nearest(read, folders)
    except (ConfigError, OSError):  # unreadable now: compared as if it set nothing
        return None, {}
    return source, table


def _table(data: bytes | None, name: str) -> dict[str, Any]:
    if data is None:
        return {}
    try:
        document = load_toml(data)
    except (UnicodeDecodeError, ValueError):
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
        document = load_json(data)
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


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _mapping(value: Any) -> dict[str, str]:
    return {k: v for k, v in value.items() if isinstance(v, str)} if isinstance(value, dict) else {}


def _rank(severity: Any) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else 0


def verdict(audit: Audit, threshold: str, failing: int, updated: bool = False, quiet: bool = False) -> list[str]:
    """The gate's outcome in words, a line each, so a log says why a job passed or failed; with
    `quiet`, only a failure and what the gate could not see."""
    lines = []
    unseen = len({s.path for s in audit.skipped})
    if unseen:
        lines.append(
            f"lockaudit: warning: {count(unseen, 'file')} not fully analysed; the gate did not see "
            "what they contain (see Skipped)"
        )
    accepted = ""
    if audit.baseline is not None:
        accepted = (
            f" ({count(audit.baseline['unchanged'], 'more finding')} in the baseline {audit.baseline['path']})"
            if audit.baseline["unchanged"]
            else ""
        )
        if audit.baseline["fixed"] and not updated and not quiet:
            fixed = len(audit.baseline["fixed"])
            lines.append(
                f"lockaudit check: {count(fixed, 'baseline entry', 'baseline entries')} "
                f"{'matches' if fixed == 1 else 'match'} no finding any more (fixed); drop "
                f"{'it' if fixed == 1 else 'them'} with --update-baseline"
            )
    if audit.since is not None and not quiet:
        lines.append(
            f"lockaudit check: only the {count(audit.since['changed_files'], 'file')} changed since "
            f"{audit.since['ref']} ({audit.since['merge_base'][:12]}) count; "
            f"{count(audit.since['findings_elsewhere'], 'finding')} elsewhere left out"
        )
    if failing:
        counted = (
            count(failing, "new finding")
            if audit.baseline is not None
            else f"{failing} of {count(len(audit.findings), 'finding')}"
        )
        lines.append(f"lockaudit check: failed: {counted} at or above '{threshold}'{accepted}")
    elif not quiet:
        lines.append(
            f"lockaudit check: passed: no {'new ' if audit.baseline is not None else ''}findings at or above "
            f"'{threshold}'{accepted}"
        )
    return lines
