"""JSON: the whole `Audit`, versioned by `schema_version` (see auditor/schemas/)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from auditor.audit import SCHEMA_VERSION, Audit, UsageRecord


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
        "findings": [asdict(f) for f in audit.findings],
        "suppressed": [{"finding": asdict(s.finding),
                        "suppression": {"path": s.path, "line": s.line, "cell": s.cell, "reason": s.reason}}
                       for s in audit.suppressed],
        "inventory": [_record(r) for r in audit.inventory],
        "skipped": [{"path": s.path, "reason": s.reason} for s in audit.skipped],
    }


def _record(record: UsageRecord) -> dict[str, Any]:
    data = asdict(record)
    data["flags"] = list(record.flags)
    return data


def render_json(audit: Audit) -> str:
    return json.dumps(audit_to_dict(audit), indent=2, ensure_ascii=False) + "\n"
