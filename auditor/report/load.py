"""Read a JSON audit back into an `Audit`, so that any format can be rendered later
(`lockaudit report audit.json --sarif out.sarif`)."""

from __future__ import annotations

import json
from pathlib import Path

from auditor.audit import Audit
from auditor.serialise import audit_from_dict


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
        from auditor.schema import schema_problem

        problem = schema_problem("audit-1.schema.json", document)
        if problem is not None:
            raise AuditFileError(f"{path}: not a lockaudit audit ({problem})")
    elif not isinstance(document, dict) or not str(document.get("schema_version", "")).startswith("1."):
        raise AuditFileError(f"{path}: not a lockaudit audit (no schema_version 1.x)")
    try:
        return audit_from_dict(document)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise AuditFileError(
            f"{path}: not a lockaudit audit ({exc.__class__.__name__}: {str(exc)[:200]}); --validate says where"
        ) from exc
