"""The `Audit` as a JSON-ready document and back: what the JSON report writes, `lockaudit
report` reads and the cache keeps, one shape in one place below all three."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

from auditor.audit import SCHEMA_VERSION, Audit, Finding, Place, Skipped, Snippet, Suppressed, UsageRecord


class UnreadableDocument(Exception):
    """A document file that cannot be read or is not JSON; the message says which, and why."""


def read_document(path: Path, limit: int) -> Any:
    """The JSON in `path` (an audit, a history: a file that may come from anywhere), read with
    every bound: at most `limit` bytes, a regular file, JSON no deeper than a scan allows."""
    from auditor.files import read_regular
    from auditor.limits import LimitError, load_json  # not with this module: `report` needs neither

    try:
        return load_json(read_regular(path, limit), limit)
    except OSError as exc:
        raise UnreadableDocument(f"cannot be read: {exc.strerror or exc}") from exc
    except (LimitError, ValueError) as exc:
        raise UnreadableDocument(f"not JSON: {str(exc)[:200]}") from exc


_FINDING_FIELDS = tuple(f.name for f in fields(Finding))
_RECORD_FIELDS = tuple(f.name for f in fields(UsageRecord))


def audit_to_dict(audit: Audit) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "lockaudit", "version": audit.tool_version},
        "root": audit.root,
        **({"scan": audit.scan} if audit.scan else {}),
        **({"repository": audit.repository} if audit.repository is not None else {}),
        **({"baseline": audit.baseline} if audit.baseline is not None else {}),
        **({"since": audit.since} if audit.since is not None else {}),
        "config": audit.config,
        "packs": audit.packs,
        "summary": audit.summary(),
        "findings": [_finding_dict(f) for f in audit.findings],
        "suppressed": [
            {
                "finding": _finding_dict(s.finding),
                "suppression": {"path": s.path, "line": s.line, "cell": s.cell, "reason": s.reason},
            }
            for s in audit.suppressed
        ],
        "inventory": [_record_dict(r) for r in audit.inventory],
        "skipped": [{"path": s.path, "reason": s.reason} for s in audit.skipped],
    }


def audit_from_dict(document: dict[str, Any]) -> Audit:
    summary = document["summary"]
    return Audit(
        root=document["root"],
        tool_version=document["tool"]["version"],
        config=document["config"],
        packs=document["packs"],
        files_analysed=summary["files_analysed"],
        inventory=[_record(entry) for entry in document["inventory"]],
        findings=[_finding(entry) for entry in document["findings"]],
        skipped=[Skipped(entry["path"], entry["reason"]) for entry in document["skipped"]],
        boundary=summary["boundary"],
        leaks=summary.get("leaks", []),
        roles=summary.get("roles", {}),
        hotspots=summary["hotspots"],
        scores=summary["scores"],
        exposure=summary["exposure"],
        concentration=summary["owners"],
        vulnerabilities=summary["vulnerabilities"],
        scan=document.get("scan", {}),
        repository=document.get("repository"),
        baseline=document.get("baseline"),
        since=document.get("since"),
        suppressed=[
            Suppressed(_finding(entry["finding"]), **entry["suppression"]) for entry in document.get("suppressed", [])
        ],
    )


def _finding_dict(finding: Finding) -> dict[str, Any]:
    data = {name: getattr(finding, name) for name in _FINDING_FIELDS}  # shallow: asdict's deep copy is slow
    snippet = finding.snippet
    data["snippet"] = None if snippet is None else {"start": snippet.start, "lines": list(snippet.lines)}
    data["chain"] = list(finding.chain)
    data["places"] = [
        {"line": p.line, "column": p.column, "cell": p.cell, "fingerprint": p.fingerprint} for p in finding.places
    ]
    return data


def _record_dict(record: UsageRecord) -> dict[str, Any]:
    data = {name: getattr(record, name) for name in _RECORD_FIELDS}
    data["flags"] = list(record.flags)
    return data


def _finding(entry: dict[str, Any]) -> Finding:
    values = {f.name: entry[f.name] for f in fields(Finding) if f.name in entry}  # 1.0 audits lack the newer fields
    snippet = values.get("snippet")
    values["snippet"] = Snippet(snippet["start"], tuple(snippet["lines"])) if snippet else None
    values["chain"] = tuple(values.get("chain", ()))
    values["places"] = tuple(
        Place(p["line"], p["column"], p["cell"], p["fingerprint"]) for p in values.get("places", ())
    )
    return Finding(**values)


def _record(entry: dict[str, Any]) -> UsageRecord:
    values = {f.name: entry[f.name] for f in fields(UsageRecord) if f.name in entry}  # 1.1 audits lack `role`
    values["flags"] = tuple(values["flags"])
    return UsageRecord(**values)
