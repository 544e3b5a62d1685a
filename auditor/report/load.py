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
        import jsonschema

        from auditor.schema import jsonschema_best_error

        schema = json.loads(
            (Path(__file__).parent.parent / "schemas" / "audit-1.schema.json").read_text(encoding="utf-8")
        )
        error = jsonschema_best_error(jsonschema.Draft202012Validator(schema), document)
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path) or "the document"
            raise AuditFileError(f"{path}: not a lockaudit audit ({where}: {error.message[:200]})")
    elif not isinstance(document, dict) or not str(document.get("schema_version", "")).startswith("1."):
        raise AuditFileError(f"{path}: not a lockaudit audit (no schema_version 1.x)")
    try:
        return audit_from_dict(document)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise AuditFileError(
            f"{path}: not a lockaudit audit ({exc.__class__.__name__}: {str(exc)[:200]}); --validate says where"
        ) from exc
