"""Terminal text: the summary a person reads after `lockaudit scan`."""

from __future__ import annotations

import re

from auditor.audit import Audit

SHOWN = frozenset({"import", "call", "client"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    """Scanned file names and code are untrusted: no terminal escape sequences pass."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)


def _where(path: str, line: int, column: int, cell: int | None) -> str:
    cell_part = f"[cell {cell}]" if cell is not None else ""
    return f"{clean(path)}{cell_part}:{line}:{column}"


def count(number: int, noun: str, plural: str | None = None) -> str:
    """`1 file`, `2 files`: every count a person reads agrees with its noun."""
    return f"{number} {noun}" if number == 1 else f"{number} {plural or noun + 's'}"


SEVERITY_COLOURS = {"critical": "magenta", "high": "red", "medium": "yellow", "low": "cyan", "info": "white"}


def render_text(audit: Audit, colour: bool = False) -> str:
    """`colour` only at a terminal that has not asked for none (NO_COLOR): the caller decides."""
    import click

    def severity(name: str) -> str:
        return click.style(name, fg=SEVERITY_COLOURS[name], bold=True if name in ("critical", "high") else None) if colour else name

    summary = audit.summary()
    out = [
        f"lockaudit {audit.tool_version}: {count(summary['files_analysed'], 'file')} analysed, "
        f"{summary['files_skipped']} skipped, {count(summary['findings']['total'], 'finding')}",
        "",
    ]
    if summary["vendors"]:
        out.append("Vendors")
        width = max(len(v["vendor"]) for v in summary["vendors"])
        for v in summary["vendors"]:
            files = count(v["files"], "file")
            imports, calls = count(v["import_sites"], "import"), count(v["call_sites"], "call site")
            rest = ", ".join(f"{n} {kind}" for kind, n in v["sites"].items() if kind not in SHOWN)
            products = f"  products: {', '.join(v['products'])}" if v["products"] else ""
            out.append(f"  {v['vendor']:<{width}}  {files:>10}  {imports:>11}  {calls:>14}"
                       + (f"  ({rest})" if rest else "") + products)
    else:
        out.append("No AI vendor imports found in the files analysed.")
    owners = summary.get("owners") or {}
    if owners.get("owners"):
        out += ["", f"Owners × layers (concentration index {owners['index']}/10000)"]
        width = max(len(row["owner"]) for row in owners["owners"])
        for row in owners["owners"]:
            through = "; ".join(f"via {d['company']}, {d['status']} {d['as_of']}" for d in row["through"])
            out.append(f"  {clean(row['owner']):<{width}}  {', '.join(row['layers'])}" + (f"  ({through})" if through else ""))
    portability = summary["scores"].get("portability")
    if portability:
        out += ["", f"Portability score: {portability['score']}/100 ({count(portability['effort'], 'effort point')})"]
        for reason in portability["reasons"]:
            out.append(f"  -{reason['effort']:<3} {reason['rule_id']}  {clean(reason['path'])}")
        for row in summary["scores"]["vendors"]:
            if row["effort"]:
                out.append(f"  leaving {row['vendor']}: {count(row['files'], 'file')}, "
                           f"{count(row['call_sites'], 'call site')}, {count(row['effort'], 'effort point')}")
    boundary = summary["boundary"]
    if boundary.get("source") == "inferred":
        out.append(f"  adapter boundary (inferred): {', '.join(boundary['modules'])}")
    elif boundary.get("source") == "none":
        out.append(f"  no adapter boundary: {boundary['direct']} of {boundary['total']} modules use a vendor SDK directly")
    if summary["unresolved_imports"]:
        dynamic = count(summary["unresolved_imports"], "dynamic import")
        out.append(f"  {dynamic} could not be resolved statically (the module name is computed at run time)")
    if audit.findings:
        out += ["", "Findings"]
        for f in audit.findings:
            new = "  [new]" if f.baseline_state == "new" else ""
            out.append(f"  {_where(f.path, f.line, f.column, f.cell)}  {severity(f.severity)}  {f.rule_id}  "
                       f"{clean(f.message)}{new}")
        out += ["", "How to fix"]
        for rule_id, remediation in sorted({(f.rule_id, f.remediation) for f in audit.findings}):
            out.append(f"  {rule_id}: {clean(remediation)}")
    if audit.baseline is not None:
        b = audit.baseline
        out += ["", f"Baseline {clean(b['path'])}: {b['new']} new, {b['unchanged']} unchanged, {len(b['fixed'])} fixed"]
    if audit.suppressed:
        out += ["", f"Suppressed: {count(len(audit.suppressed), 'finding')} by # lockaudit: ignore comments "
                "(--no-suppressions shows them)"]
        for s in audit.suppressed:
            f = s.finding
            out.append(f"  {_where(f.path, f.line, f.column, f.cell)}  {f.rule_id}  {clean(s.reason)}")
    if audit.skipped:
        out += ["", "Skipped"]
        for s in audit.skipped:
            out.append(f"  {clean(s.path)}: {clean(s.reason)}")
    return "\n".join(out) + "\n"
