"""Run the examples of rule packs: each `trigger` snippet must produce a finding of its
rule, each `ignore` snippet must not; each catalog entry's `match` snippet must produce its
record, each `ignore` snippet must not. The examples go through the whole pipeline, in a
temporary folder, exactly as a scan would see them."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from auditor.audit import Audit
from auditor.catalog import CatalogExample, Example, Rule, RuleSet
from auditor.config import load_config
from auditor.pipeline import run_audit


@dataclass(frozen=True)
class ExampleResult:
    rule: Rule
    index: int
    example: Example
    passed: bool
    found: tuple[str, ...]  # the rule's findings, as "path:line message"

    def describe(self) -> str:
        expectation = "trigger" if self.example.trigger else "ignore"
        files = ", ".join(path for path, _ in self.example.files)
        outcome = "ok" if self.passed else ("no finding" if self.example.trigger else "; ".join(self.found))
        return f"{self.rule.id} {expectation}[{self.index}] ({files}): {outcome}"


def run_examples(ruleset: RuleSet, rules: Iterable[Rule] | None = None) -> list[ExampleResult]:
    results = []
    for rule in rules if rules is not None else ruleset.rules.values():
        counters = {True: 0, False: 0}
        for example in rule.examples:
            index = counters[example.trigger]
            counters[example.trigger] += 1
            found = _findings_of(rule, example, ruleset)
            results.append(ExampleResult(rule, index, example, bool(found) == example.trigger, found))
    return results


@dataclass(frozen=True)
class CatalogResult:
    example: CatalogExample
    passed: bool
    found: tuple[str, ...]  # the records the example is about, as "path:line kind name vendor"

    def describe(self) -> str:
        if self.passed:
            outcome = "ok"
        elif self.example.match:
            outcome = f"no {'/'.join(sorted(self.example.kinds))} record named {self.example.name}"
        else:
            outcome = "; ".join(self.found)
        return f"{self.example.entry}: {outcome}"


def run_catalog_examples(ruleset: RuleSet, examples: Iterable[CatalogExample] | None = None) -> list[CatalogResult]:
    results = []
    for example in examples if examples is not None else ruleset.catalog_examples:
        audit = _scan(example.files, ruleset)
        found = tuple(
            f"{r.path}:{r.line} {r.kind} {r.name} {r.vendor}"
            for r in audit.inventory
            if r.kind in example.kinds
            and r.name == example.name
            and (example.vendor is None or r.vendor == example.vendor)
        )
        results.append(CatalogResult(example, bool(found) == example.match, found))
    return results


def _findings_of(rule: Rule, example: Example, ruleset: RuleSet) -> tuple[str, ...]:
    audit = _scan(example.files, ruleset)
    return tuple(f"{f.path}:{f.line} {f.message}" for f in audit.findings if f.rule_id == rule.id)


def _scan(files: tuple[tuple[str, str], ...], ruleset: RuleSet) -> Audit:
    with tempfile.TemporaryDirectory(prefix="lockaudit-example-") as folder:
        root = Path(folder)
        for path, code in files:
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(code, encoding="utf-8")
        loaded = load_config(root)
        return run_audit(root, loaded.config, ruleset, loaded.problems)
