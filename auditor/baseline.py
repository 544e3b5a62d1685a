"""Baselines: the findings a project has accepted for now, so a gate fails only on new ones.

An entry is a finding: its fingerprint, and the fingerprints of its places (a file that repeats
a rule is one finding with many places). A place's fingerprint hashes the rule, path, enclosing
scope, normalised matched text and the occurrence number among identical ones — no line
numbers — so it survives moved lines and unrelated edits, and places count as a multiset: a
second, new `import openai` in the same function is a new place, and makes its finding new.
A finding is unchanged only when every one of its places is in the baseline; places that no
longer match are fixed, and an entry with none left is fixed. `--update-baseline` drops what
was fixed and never adds. Baselines written before places existed hold one place per entry,
its own fingerprint, and still match.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from auditor.audit import Finding
from auditor.files import read_regular, write_atomic
from auditor.limits import load_json

FORMAT = 1


class BaselineError(Exception):
    """A baseline file that cannot be used; the message names the file and says why."""


@dataclass(frozen=True)
class Entry:
    fingerprint: str
    rule_id: str
    path: str
    message: str
    places: tuple[str, ...] = ()  # the places' fingerprints; empty: the entry is one place, itself

    @property
    def members(self) -> tuple[str, ...]:
        return self.places or (self.fingerprint,)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "fingerprint": self.fingerprint,
            "rule_id": self.rule_id,
            "path": self.path,
            "message": self.message,
        }
        if self.places:
            data["places"] = list(self.places)
        return data


@dataclass
class Comparison:
    findings: list[Finding]  # every finding, with `baseline_state` set: new or unchanged
    fixed: list[Entry] = field(default_factory=list)  # baseline entries none of whose places match any more
    kept: list[Entry] = field(default_factory=list)  # baseline entries still matched, with the places that are
    fixed_places: int = 0  # places gone from entries that are still matched

    @property
    def new(self) -> list[Finding]:
        return [f for f in self.findings if f.baseline_state == "new"]


def places_of(finding: Finding) -> tuple[str, ...]:
    return tuple(p.fingerprint for p in finding.places) or (finding.fingerprint,)


def entries_of(findings: list[Finding]) -> list[Entry]:
    return sorted(
        (Entry(f.fingerprint, f.rule_id, f.path, f.message, places_of(f)) for f in findings),
        key=lambda e: (e.path, e.rule_id, e.fingerprint),
    )


def write(path: Path, entries: list[Entry], tool_version: str) -> None:
    document = {
        "lockaudit_baseline": FORMAT,
        "tool_version": tool_version,
        "findings": [e.as_dict() for e in sorted(entries, key=lambda e: (e.path, e.rule_id, e.fingerprint))],
    }
    write_atomic(path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")


MAX_BYTES = 64 * 1024 * 1024  # tens of thousands of entries; a larger file is not a baseline


def load(path: Path) -> list[Entry]:
    try:
        data = read_regular(path.resolve(), MAX_BYTES)
    except FileNotFoundError as exc:
        raise BaselineError(f"{path}: no such baseline file (write one with `lockaudit baseline`)") from exc
    except OSError as exc:
        raise BaselineError(f"{path}: cannot be read as a JSON baseline: {exc.strerror or exc}") from exc
    return parse(data, str(path))


def parse(data: bytes, path: str) -> list[Entry]:
    """The entries of a baseline's bytes; `path` names it in messages."""
    try:
        document = load_json(data, MAX_BYTES)
    except ValueError as exc:
        raise BaselineError(f"{path}: cannot be read as a JSON baseline: {exc}") from exc
    if (
        not isinstance(document, dict)
        or document.get("lockaudit_baseline") != FORMAT
        or not isinstance(document.get("findings"), list)
    ):
        raise BaselineError(
            f'{path}: not a lockaudit baseline (expected "lockaudit_baseline": {FORMAT} and a findings list)'
        )
    entries = []
    for index, raw in enumerate(document["findings"]):
        if not isinstance(raw, dict) or not all(
            isinstance(raw.get(k), str) for k in ("fingerprint", "rule_id", "path")
        ):
            raise BaselineError(f"{path}: findings[{index}] needs the strings fingerprint, rule_id and path")
        places = raw.get("places", [])
        if not isinstance(places, list) or not all(isinstance(p, str) for p in places):
            raise BaselineError(f"{path}: findings[{index}].places must be a list of fingerprints")
        entries.append(
            Entry(raw["fingerprint"], raw["rule_id"], raw["path"], str(raw.get("message", "")), tuple(places))
        )
    return entries


def compare(findings: list[Finding], entries: list[Entry]) -> Comparison:
    available: Counter[str] = Counter(m for e in entries for m in e.members)
    marked = []
    for finding in findings:
        members = places_of(finding)
        unchanged = all(available[m] >= n for m, n in Counter(members).items())
        for member in members:
            if available[member] > 0:
                available[member] -= 1
        marked.append(replace(finding, baseline_state="unchanged" if unchanged else "new"))
    fixed, kept, fixed_places = [], [], 0
    for entry in entries:  # the unmatched remainder, place by place, is what was fixed
        matched = []
        for member in entry.members:
            if available[member] > 0:  # no finding took it: fixed
                available[member] -= 1
            else:
                matched.append(member)
        if not matched:
            fixed.append(entry)
        else:
            fixed_places += len(entry.members) - len(matched)
            kept.append(replace(entry, places=tuple(matched)) if entry.places else entry)
    return Comparison(marked, fixed, kept, fixed_places)


def summary(path: str, comparison: Comparison) -> dict[str, Any]:
    return {
        "path": path,
        "new": len(comparison.new),
        "unchanged": len(comparison.findings) - len(comparison.new),
        "fixed": [e.as_dict() for e in comparison.fixed],
        "fixed_places": comparison.fixed_places,
    }
