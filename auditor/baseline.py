"""Baselines: the findings a project has accepted for now, so a gate fails only on new ones.

Entries are findings' fingerprints (rule, path, enclosing scope, normalised matched text and
the occurrence number among identical ones — no line numbers), so an entry survives moved
lines and unrelated edits, and counts as a multiset: a second, new `import openai` in the same
function is a new finding, not absorbed by the first one's entry. Entries that no longer match
are fixed; `--update-baseline` drops them and never adds new ones.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from auditor.audit import Finding
from auditor.files import write_atomic

FORMAT = 1


class BaselineError(Exception):
    """A baseline file that cannot be used; the message names the file and says why."""


@dataclass(frozen=True)
class Entry:
    fingerprint: str
    rule_id: str
    path: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"fingerprint": self.fingerprint, "rule_id": self.rule_id, "path": self.path, "message": self.message}


@dataclass
class Comparison:
    findings: list[Finding]  # every finding, with `baseline_state` set: new or unchanged
    fixed: list[Entry] = field(default_factory=list)  # baseline entries that no longer match
    kept: list[Entry] = field(default_factory=list)  # baseline entries still matched

    @property
    def new(self) -> list[Finding]:
        return [f for f in self.findings if f.baseline_state == "new"]


def entries_of(findings: list[Finding]) -> list[Entry]:
    return sorted((Entry(f.fingerprint, f.rule_id, f.path, f.message) for f in findings),
                  key=lambda e: (e.path, e.rule_id, e.fingerprint))


def write(path: Path, entries: list[Entry], tool_version: str) -> None:
    document = {"lockaudit_baseline": FORMAT, "tool_version": tool_version,
                "findings": [e.as_dict() for e in sorted(entries, key=lambda e: (e.path, e.rule_id, e.fingerprint))]}
    write_atomic(path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def load(path: Path) -> list[Entry]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BaselineError(f"{path}: no such baseline file (write one with `lockaudit baseline`)") from exc
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise BaselineError(f"{path}: cannot be read as a JSON baseline: {exc}") from exc
    if not isinstance(document, dict) or document.get("lockaudit_baseline") != FORMAT \
            or not isinstance(document.get("findings"), list):
        raise BaselineError(f"{path}: not a lockaudit baseline (expected \"lockaudit_baseline\": {FORMAT} and a findings list)")
    entries = []
    for index, raw in enumerate(document["findings"]):
        if not isinstance(raw, dict) or not all(isinstance(raw.get(k), str) for k in ("fingerprint", "rule_id", "path")):
            raise BaselineError(f"{path}: findings[{index}] needs the strings fingerprint, rule_id and path")
        entries.append(Entry(raw["fingerprint"], raw["rule_id"], raw["path"], str(raw.get("message", ""))))
    return entries


def compare(findings: list[Finding], entries: list[Entry]) -> Comparison:
    available: Counter[str] = Counter(e.fingerprint for e in entries)
    marked = []
    for finding in findings:
        if available[finding.fingerprint] > 0:
            available[finding.fingerprint] -= 1
            marked.append(replace(finding, baseline_state="unchanged"))
        else:
            marked.append(replace(finding, baseline_state="new"))
    fixed, kept = [], []
    for entry in entries:  # the unmatched remainder, entry by entry, is what was fixed
        if available[entry.fingerprint] > 0:
            available[entry.fingerprint] -= 1
            fixed.append(entry)
        else:
            kept.append(entry)
    return Comparison(marked, fixed, kept)


def summary(path: str, comparison: Comparison) -> dict[str, Any]:
    return {"path": path, "new": len(comparison.new), "unchanged": len(comparison.findings) - len(comparison.new),
            "fixed": [e.as_dict() for e in comparison.fixed]}
