"""Run the examples of rule packs: each `trigger` snippet must produce a finding of its
rule, each `ignore` snippet must not. The examples go through the whole pipeline, in a
temporary folder, exactly as a scan would see them."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from auditor.config import load_config
from auditor.packs import Example, Rule, RuleSet
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


def _findings_of(rule: Rule, example: Example, ruleset: RuleSet) -> tuple[str, ...]:
    with tempfile.TemporaryDirectory(prefix="lockaudit-example-") as folder:
        root = Path(folder)
        for path, code in example.files:
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(code, encoding="utf-8")
        loaded = load_config(root)
        audit = run_audit(root, loaded.config, ruleset, loaded.problems)
        return tuple(f"{f.path}:{f.line} {f.message}" for f in audit.findings if f.rule_id == rule.id)
