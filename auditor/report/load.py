"""Read a JSON audit back into an `Audit`, so that any format can be rendered later
(`lockaudit report audit.json --sarif out.sarif`)."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path
from typing import Any

from auditor.audit import Audit, Finding, Place, Skipped, Snippet, Suppressed, UsageRecord


class AuditFileError(Exception):
    """Not a lockaudit JSON audit; the message says why."""


def load_audit(path: Path, validate: bool = False) -> Audit:
    """The audit in `path`. `validate` checks it against the audit schema first (loading
    jsonschema costs more than rendering most reports); without it, a document that is not
    an audit still fails with a message, where it first does not fit."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise AuditFileError(f"{path}: cannot be read as JSON: {exc}") from exc
    if validate:
        import jsonschema

        from auditor.schema import jsonschema_best_error

        schema = json.loads((Path(__file__).parent.parent / "schemas" / "audit-1.schema.json").read_text(encoding="utf-8"))
        error = jsonschema_best_error(jsonschema.Draft202012Validator(schema), document)
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path) or "the document"
            raise AuditFileError(f"{path}: not a lockaudit audit ({where}: {error.message[:200]})")
    elif not isinstance(document, dict) or not str(document.get("schema_version", "")).startswith("1."):
        raise AuditFileError(f"{path}: not a lockaudit audit (no schema_version 1.x)")
    try:
        return audit_from_dict(document)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise AuditFileError(f"{path}: not a lockaudit audit ({exc.__class__.__name__}: {str(exc)[:200]}); "
                             "--validate says where") from exc


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
        baseline=document.get("baseline"),
        since=document.get("since"),
        suppressed=[Suppressed(_finding(entry["finding"]), **entry["suppression"]) for entry in document.get("suppressed", [])],
    )


def _finding(entry: dict[str, Any]) -> Finding:
    values = {f.name: entry[f.name] for f in fields(Finding) if f.name in entry}  # 1.0 audits lack the newer fields
    snippet = values.get("snippet")
    values["snippet"] = Snippet(snippet["start"], tuple(snippet["lines"])) if snippet else None
    values["chain"] = tuple(values.get("chain", ()))
    values["places"] = tuple(Place(p["line"], p["column"], p["cell"], p["fingerprint"]) for p in values.get("places", ()))
    return Finding(**values)


def _record(entry: dict[str, Any]) -> UsageRecord:
    values = {f.name: entry[f.name] for f in fields(UsageRecord) if f.name in entry}  # 1.1 audits lack `role`
    values["flags"] = tuple(values["flags"])
    return UsageRecord(**values)
