"""GitHub Actions workflow commands: one annotation per finding, shown on the pull request's
changed lines, as Ruff's and deptry's `--format github` do. Every value comes from the
scanned tree, so each is escaped the way the runner reads it: a newline cannot start a
command of its own, a `:` or `,` cannot end a property."""

from __future__ import annotations

from auditor.audit import Audit
from auditor.report.escape import visible

LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "notice", "info": "notice"}


def render_github(audit: Audit) -> str:
    lines = []
    for finding in audit.findings:
        if not audit.counted(finding.role):
            continue  # outside product code: at info, and not what the review is about
        where = f"file={_property(finding.path)}"
        cell = f" (notebook cell {finding.cell})" if finding.cell is not None else ""
        if finding.cell is None:  # a line in a cell is not a line of the notebook's JSON
            where += f",line={finding.line},col={finding.column}"
        title = _property(f"lockaudit {finding.rule_id}")
        lines.append(
            f"::{LEVELS.get(finding.severity, 'warning')} {where},title={title}::{_data(finding.message + cell)}"
        )
    return "".join(line + "\n" for line in lines)


def _data(text: str) -> str:
    return visible(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
