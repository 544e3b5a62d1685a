"""Terminal text: the summary a person reads after `lockaudit scan`."""

from __future__ import annotations

import re

from auditor.audit import Audit

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    """Scanned file names and code are untrusted: no terminal escape sequences pass."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)


def _where(path: str, line: int, column: int, cell: int | None) -> str:
    cell_part = f"[cell {cell}]" if cell is not None else ""
    return f"{clean(path)}{cell_part}:{line}:{column}"


def render_text(audit: Audit) -> str:
    summary = audit.summary()
    out = [
        f"lockaudit {audit.tool_version}: {summary['files_analysed']} files analysed, "
        f"{summary['files_skipped']} skipped, {summary['findings']['total']} findings",
        "",
    ]
    if summary["vendors"]:
        out.append("Vendors")
        width = max(len(v["vendor"]) for v in summary["vendors"])
        for v in summary["vendors"]:
            out.append(
                f"  {v['vendor']:<{width}}  {v['files']:>4} files  {v['import_sites']:>5} import sites"
                f"  ({', '.join(v['products'])})"
            )
    else:
        out.append("No AI vendor imports found.")
    if summary["unresolved_imports"]:
        out.append(f"  {summary['unresolved_imports']} dynamic imports could not be resolved statically")
    if audit.findings:
        out += ["", "Findings"]
        for f in audit.findings:
            out.append(f"  {_where(f.path, f.line, f.column, f.cell)}  {f.severity}  {f.rule_id}  {clean(f.message)}")
    if audit.skipped:
        out += ["", "Skipped"]
        for s in audit.skipped:
            out.append(f"  {clean(s.path)}: {clean(s.reason)}")
    return "\n".join(out) + "\n"
