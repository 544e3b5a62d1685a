"""JSON: the whole `Audit`, versioned by `schema_version` (see auditor/schemas/); the document's
shape is auditor/serialise.py's, which the cache and `lockaudit report` share."""

from __future__ import annotations

from auditor.audit import Audit
from auditor.report.escape import json_document
from auditor.serialise import audit_to_dict


def render_json(audit: Audit) -> str:
    """Compact, for machines (`jq .` pretty-prints it): the indenting encoder is pure Python
    and would cost a warm re-scan of a large project a fifth of its time. The real values,
    with bidi and invisible characters written as `\\u` escapes (see `json_text`)."""
    return json_document(audit_to_dict(audit))
