"""JSON: the whole `Audit`, versioned by `schema_version` (see auditor/schemas/)."""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Any

from auditor.audit import SCHEMA_VERSION, Audit, Finding, UsageRecord
from auditor.report.escape import json_text

_FINDING_FIELDS = tuple(f.name for f in fields(Finding))
_RECORD_FIELDS = tuple(f.name for f in fields(UsageRecord))


def audit_to_dict(audit: Audit) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "lockaudit", "version": audit.tool_version},
        "root": audit.root,
        **({"scan": audit.scan} if audit.scan else {}),
        **({"baseline": audit.baseline} if audit.baseline is not None else {}),
        **({"since": audit.since} if audit.since is not None else {}),
        "config": audit.config,
        "packs": audit.packs,
        "summary": audit.summary(),
        "findings": [_finding(f) for f in audit.findings],
        "suppressed": [{"finding": _finding(s.finding),
                        "suppression": {"path": s.path, "line": s.line, "cell": s.cell, "reason": s.reason}}
                       for s in audit.suppressed],
        "inventory": [_record(r) for r in audit.inventory],
        "skipped": [{"path": s.path, "reason": s.reason} for s in audit.skipped],
    }


def _finding(finding: Finding) -> dict[str, Any]:
    data = {name: getattr(finding, name) for name in _FINDING_FIELDS}  # shallow: asdict's deep copy is slow
    snippet = finding.snippet
    data["snippet"] = None if snippet is None else {"start": snippet.start, "lines": list(snippet.lines)}
    data["chain"] = list(finding.chain)
    data["places"] = [{"line": p.line, "column": p.column, "cell": p.cell, "fingerprint": p.fingerprint}
                      for p in finding.places]
    return data


def _record(record: UsageRecord) -> dict[str, Any]:
    data = {name: getattr(record, name) for name in _RECORD_FIELDS}
    data["flags"] = list(record.flags)
    return data


def render_json(audit: Audit) -> str:
    """Compact, for machines (`jq .` pretty-prints it): the indenting encoder is pure Python
    and would cost a warm re-scan of a large project a fifth of its time. The real values,
    with bidi and invisible characters written as `\\u` escapes (see `json_text`)."""
    return json_text(json.dumps(audit_to_dict(audit), ensure_ascii=False, separators=(",", ":"))) + "\n"
