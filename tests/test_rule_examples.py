"""Every example of every built-in rule pack: triggers fire, ignores stay quiet."""

from __future__ import annotations

import pytest

from auditor.catalog import EXAMPLELESS_CHECKS
from auditor.packs import load_rules
from auditor.ruletest import run_examples

RULESET = load_rules()
RULES = sorted(RULESET.rules.values(), key=lambda r: r.id)


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_examples(rule) -> None:
    results = run_examples(RULESET, [rule])
    failures = [r.describe() for r in results if not r.passed]
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_every_rule_has_two_examples_each_way(rule) -> None:
    if rule.when.get("check") in EXAMPLELESS_CHECKS:
        pytest.skip(EXAMPLELESS_CHECKS[rule.when["check"]])
    assert sum(e.trigger for e in rule.examples) >= 2
    assert sum(not e.trigger for e in rule.examples) >= 2
    distinct = {e.files for e in rule.examples}
    assert len(distinct) == len(rule.examples), "examples must differ"


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_every_rule_is_documented(rule) -> None:
    assert rule.title and rule.message and rule.remediation and rule.category
    assert rule.links, "a rule says where to read more"
