"""SARIF 2.1.0 for code-scanning UIs: one run, the rules that fired with their help, and
one result per finding with its location and fingerprint. Renders the `Audit` only.

Viewers render the texts and open the locations: every text from the tree or a pack shows
its invisible characters as escapes, every location is a relative, percent-encoded URI
against SRCROOT, and a path that cannot be one loses its location (with the reason in the
result's properties) rather than point a viewer outside the repository. The properties
bags are data and keep the real values."""

from __future__ import annotations

from typing import Any

from auditor.audit import Audit, Finding
from auditor.report.escape import json_document, md, relative_uri, visible

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
FINGERPRINT_KEY = "lockaudit/v1"


def render_sarif(audit: Audit, include_suppressed: bool = False) -> str:
    """`include_suppressed`: also the findings `# lockaudit: ignore` hides, marked suppressed.
    Code-scanning UIs list those as closed alerts, so by default they are left out."""
    suppressed = audit.suppressed if include_suppressed else []
    rules: dict[str, dict[str, Any]] = {}
    for finding in [*audit.findings, *(s.finding for s in suppressed)]:
        rules.setdefault(finding.rule_id, _rule(finding))
    order = {rule_id: index for index, rule_id in enumerate(sorted(rules))}
    results = [_result(finding, order[finding.rule_id]) for finding in audit.findings] + [
        dict(
            _result(s.finding, order[s.finding.rule_id]),
            suppressions=[{"kind": "inSource", "justification": visible(s.reason)}],
        )
        for s in suppressed
    ]
    dropped = sorted(
        {
            (r["properties"]["path"], r["properties"]["locationDropped"])
            for r in results
            if "locationDropped" in r["properties"]
        }
    )
    unlocated = [{"path": path, "reason": reason} for path, reason in dropped]
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "lockaudit",
                        "version": audit.tool_version,
                        "rules": [rules[rule_id] for rule_id in sorted(rules)],
                    }
                },
                **({"originalUriBaseIds": {"SRCROOT": {"uri": root}}} if (root := _directory_uri(audit.root)) else {}),
                "results": results,
                "properties": {
                    "portabilityScore": audit.scores.get("portability", {}).get("score"),
                    "skipped": [{"path": s.path, "reason": s.reason} for s in audit.skipped],
                    **({"unlocated": unlocated} if unlocated else {}),
                },
            }
        ],
    }
    return json_document(document, indent=2)


def _rule(finding: Finding) -> dict[str, Any]:
    return {
        "id": visible(finding.rule_id),
        "name": visible("".join(part.title() for part in finding.rule_id.split("-"))),
        "shortDescription": {"text": visible(finding.title)},
        "fullDescription": {"text": visible(finding.title)},
        "help": {"text": visible(finding.remediation), "markdown": md(finding.remediation)},
        "defaultConfiguration": {"level": LEVELS[finding.severity]},
        "properties": {"tags": ["lock-in", visible(finding.category)], "category": finding.category},
    }


def _result(finding: Finding, rule_index: int) -> dict[str, Any]:
    where = f" (notebook cell {finding.cell})" if finding.cell is not None else ""
    # In a notebook the line counts within the cell: SARIF has no cells, so the cell is
    # named in the message and kept in the properties.
    uri, why_not = relative_uri(finding.path)
    physical: dict[str, Any] = {
        "artifactLocation": {"uri": uri, "uriBaseId": "SRCROOT"},
        "region": {"startLine": finding.line, "startColumn": finding.column},
    }
    snippet = finding.snippet
    if snippet is not None and snippet.start <= finding.line < snippet.start + len(snippet.lines):
        physical["region"]["snippet"] = {"text": visible(snippet.lines[finding.line - snippet.start], keep="\t")}
        physical["contextRegion"] = {
            "startLine": snippet.start,
            "endLine": snippet.start + len(snippet.lines) - 1,
            "snippet": {"text": "\n".join(visible(line, keep="\t") for line in snippet.lines)},
        }
    # A repeated rule in one file is one result; its other places are related locations.
    related = (
        [
            {
                "id": index,
                "message": {"text": f"{visible(finding.rule_id)} again here"},
                "physicalLocation": {
                    "artifactLocation": {"uri": uri, "uriBaseId": "SRCROOT"},
                    "region": {"startLine": place.line, "startColumn": place.column},
                },
            }
            for index, place in enumerate(finding.places[1:], 1)
        ]
        if uri is not None
        else []
    )
    return {
        "ruleId": visible(finding.rule_id),
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": visible(finding.message + where)},
        **({"locations": [{"physicalLocation": physical}]} if uri is not None else {}),
        **({"relatedLocations": related} if related else {}),
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        **({"baselineState": finding.baseline_state} if finding.baseline_state else {}),
        "properties": {
            "severity": finding.severity,
            "effort": finding.effort,
            "vendor": finding.vendor,
            "owner": finding.owner,
            "layer": finding.layer,
            "product": finding.product,
            "host": finding.host,
            "cell": finding.cell,
            "scope": finding.scope,
            "chain": list(finding.chain),
            "role": finding.role,
            "places": len(finding.places) or 1,
            # No URI: the path stays here, as data, with the reason a viewer is not given it.
            **({"path": finding.path, "locationDropped": why_not} if uri is None else {}),
        },
    }


def _directory_uri(root: str) -> str | None:
    """The scanned root as a file URI; None for a root that is not absolute (an audit read back
    from JSON may hold anything), whose results then resolve against SRCROOT left to the viewer."""
    from pathlib import Path

    return Path(root).as_uri().rstrip("/") + "/" if Path(root).is_absolute() else None
