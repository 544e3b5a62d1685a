"""SARIF 2.1.0 for code-scanning UIs: one run, the rules that fired with their help, and
one result per finding with its location and fingerprint. Renders the `Audit` only."""

from __future__ import annotations

import json
from typing import Any

from auditor.audit import Audit, Finding

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
FINGERPRINT_KEY = "lockaudit/v1"


def render_sarif(audit: Audit) -> str:
    rules: dict[str, dict[str, Any]] = {}
    for finding in [*audit.findings, *(s.finding for s in audit.suppressed)]:
        rules.setdefault(finding.rule_id, _rule(finding))
    order = {rule_id: index for index, rule_id in enumerate(sorted(rules))}
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "lockaudit",
                "version": audit.tool_version,
                "rules": [rules[rule_id] for rule_id in sorted(rules)],
            }},
            "originalUriBaseIds": {"SRCROOT": {"uri": _directory_uri(audit.root)}},
            "results": [_result(finding, order[finding.rule_id]) for finding in audit.findings] + [
                dict(_result(s.finding, order[s.finding.rule_id]),
                     suppressions=[{"kind": "inSource", "justification": s.reason}]) for s in audit.suppressed],
            "properties": {"portabilityScore": audit.scores.get("portability", {}).get("score"),
                           "skipped": [{"path": s.path, "reason": s.reason} for s in audit.skipped]},
        }],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _rule(finding: Finding) -> dict[str, Any]:
    return {
        "id": finding.rule_id,
        "name": "".join(part.title() for part in finding.rule_id.split("-")),
        "shortDescription": {"text": finding.title},
        "fullDescription": {"text": finding.title},
        "help": {"text": finding.remediation, "markdown": finding.remediation},
        "defaultConfiguration": {"level": LEVELS[finding.severity]},
        "properties": {"tags": ["lock-in", finding.category], "category": finding.category},
    }


def _result(finding: Finding, rule_index: int) -> dict[str, Any]:
    where = f" (notebook cell {finding.cell})" if finding.cell is not None else ""
    # In a notebook the line counts within the cell: SARIF has no cells, so the cell is
    # named in the message and kept in the properties.
    physical: dict[str, Any] = {
        "artifactLocation": {"uri": finding.path, "uriBaseId": "SRCROOT"},
        "region": {"startLine": finding.line, "startColumn": finding.column},
    }
    snippet = finding.snippet
    if snippet is not None and snippet.start <= finding.line < snippet.start + len(snippet.lines):
        physical["region"]["snippet"] = {"text": snippet.lines[finding.line - snippet.start]}
        physical["contextRegion"] = {"startLine": snippet.start, "endLine": snippet.start + len(snippet.lines) - 1,
                                     "snippet": {"text": "\n".join(snippet.lines)}}
    # A repeated rule in one file is one result; its other places are related locations.
    related = [{"id": index, "message": {"text": f"{finding.rule_id} again here"},
                "physicalLocation": {"artifactLocation": {"uri": finding.path, "uriBaseId": "SRCROOT"},
                                     "region": {"startLine": place.line, "startColumn": place.column}}}
               for index, place in enumerate(finding.places[1:], 1)]
    return {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message + where},
        "locations": [{"physicalLocation": physical}],
        **({"relatedLocations": related} if related else {}),
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        **({"baselineState": finding.baseline_state} if finding.baseline_state else {}),
        "properties": {"severity": finding.severity, "effort": finding.effort, "vendor": finding.vendor,
                       "owner": finding.owner, "layer": finding.layer, "product": finding.product,
                       "host": finding.host, "cell": finding.cell, "scope": finding.scope, "chain": list(finding.chain),
                       "role": finding.role, "places": len(finding.places) or 1},
    }


def _directory_uri(root: str) -> str:
    from pathlib import Path

    return Path(root).as_uri().rstrip("/") + "/"
