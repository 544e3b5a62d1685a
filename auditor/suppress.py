"""Suppressions: `# lockaudit: ignore[RULE-ID] reason` comments applied to the findings.

A suppression needs a rule id and a reason; one without either suppresses nothing and is
itself a finding (`invalid-suppression`), as is one that suppresses nothing
(`unused-suppression`), so stale or careless comments cannot pile up unseen."""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from auditor.audit import Finding, Suppressed, UsageRecord
from auditor.catalog import RuleSet
from auditor.config import Policy
from auditor.engine import make_finding
from auditor.facts import Fact, SuppressionFact

INVALID, UNUSED = "invalid-suppression", "unused-suppression"


@dataclass
class Applied:
    kept: list[Finding]
    suppressed: list[Suppressed]
    findings: list[Finding]  # about the suppressions themselves: invalid or unused


def apply(findings: list[Finding], facts: Iterable[Fact], ruleset: RuleSet, policy: Policy) -> Applied:
    comments = [f for f in facts if isinstance(f, SuppressionFact)]
    valid, problems = [], []
    for comment in comments:
        unknown = [r for r in comment.rules if r not in ruleset.rules]
        if not comment.rules:
            problems.append(
                (comment, "names no rule id: write # lockaudit: ignore[RULE-ID] reason")
            )  # shown as "(no rule)"
        elif unknown:
            hints = [h for r in unknown for h in difflib.get_close_matches(r, list(ruleset.rules), n=1)]
            hint = f" (did you mean {', '.join(hints)}?)" if hints else ""
            problems.append((comment, f"names no known rule: {', '.join(unknown)}{hint}"))
        elif not comment.reason:
            problems.append((comment, "gives no reason: write the reason after the rule ids"))
        else:
            valid.append(comment)
    by_path: dict[str, list[SuppressionFact]] = {}
    for comment in valid:
        by_path.setdefault(comment.loc.path, []).append(comment)
    kept: list[Finding] = []
    suppressed: list[Suppressed] = []
    used: set[SuppressionFact] = set()
    for finding in findings:
        covering = next((c for c in by_path.get(finding.path, ()) if _covers(c, finding)), None)
        if covering is None:
            kept.append(finding)
        else:
            used.add(covering)
            suppressed.append(
                Suppressed(finding, covering.loc.path, covering.loc.line, covering.loc.cell, covering.reason)
            )
    about = [(INVALID, comment, reason) for comment, reason in problems]
    about += [(UNUSED, comment, "suppresses nothing") for comment in valid if comment not in used]
    own: list[Finding] = []
    occurrences: Counter[tuple[str, str, str]] = Counter()
    for rule_id, comment, reason in about:
        rule = ruleset.rules.get(rule_id)
        if rule is None or not policy.applies(rule_id, comment.loc.path, wildcard=False):
            continue
        loc = comment.loc
        anchor = UsageRecord("suppression", loc.path, loc.line, loc.column, loc.cell, name=",".join(comment.rules))
        text = f"{'ignore-file' if comment.file_level else 'ignore'}[{','.join(comment.rules)}] {comment.reason}"
        key = (rule_id, loc.path, text)
        values = {"name": ", ".join(comment.rules) or "(no rule)", "reason": reason}
        own.append(
            make_finding(
                rule,
                anchor,
                values,
                policy.severity_of(rule_id, loc.path, rule.severity),
                rule.effort,
                text,
                occurrences[key],
                subject=text,
            )
        )
        occurrences[key] += 1
    return Applied(kept, suppressed, own)


def _covers(comment: SuppressionFact, finding: Finding) -> bool:
    if finding.rule_id not in comment.rules:
        return False
    if comment.file_level:
        return True
    if comment.loc.cell != finding.cell:
        return False
    return comment.loc.line == finding.line or (comment.standalone and comment.loc.line == finding.line - 1)
