"""Terminal text: the summary a person reads after `lockaudit scan`."""

from __future__ import annotations

from typing import Any

from auditor.audit import Audit, Finding, role_tally
from auditor.report.escape import visible
from auditor.words import count

SHOWN = frozenset({"import", "call", "client"})


def clean(text: object) -> str:
    """Scanned file names, code and rule packs are untrusted: no terminal escape sequence,
    bidi override or invisible character reaches the terminal; each is shown as `\\x1b`, `\\u202e`."""
    return visible(text)


def _where(path: str, line: int, column: int, cell: int | None) -> str:
    cell_part = f"[cell {cell}]" if cell is not None else ""
    return f"{clean(path)}{cell_part}:{line}:{column}"


def outside_line(findings: list[Finding]) -> str:
    """The one line that accounts for findings in code that does not count (tests, examples, …)."""
    shown = ", ".join(f"{clean(role)} {n}" for role, n in role_tally(findings))
    files = len({f.path for f in findings})
    return (
        f"Outside product code: {count(len(findings), 'finding')} in {count(files, 'file')} ({shown}), "
        "reported at info and left out of the score and the gate; include-roles counts them"
    )


def _boundary(audit: Audit) -> list[str]:
    boundary = audit.boundary
    source = boundary.get("source")
    if source == "inferred":
        out = ["", f"Adapter boundary (inferred, {clean(boundary.get('confidence'))} confidence)"]
        for reason, patterns in audit.adapter_groups():
            out.append(f"  {', '.join(clean(p) for p in patterns)}: {clean(reason)}")
        out.append(f"  confirm it in [tool.lockaudit]: {clean(boundary['config'])}")
        return out
    if source == "configured":
        return [
            "",
            f"Adapter boundary (configured): {boundary['direct']} of {boundary['total']} product modules "
            "use a vendor SDK",
        ]
    if source == "none":
        shown = ", ".join(clean(p) for p in boundary.get("direct_modules", [])[:8])
        more = boundary["direct"] - min(8, boundary["direct"])
        return [
            "",
            f"No adapter boundary: {boundary['direct']} of {boundary['total']} product modules use a vendor SDK "
            f"directly ({shown}{f' and {more} more' if more else ''})",
        ]
    return []


def leaks_heading(count_: int, boundary: dict[str, Any]) -> str:
    modules, verb = count(count_, "product module"), "uses" if count_ == 1 else "use"
    if boundary.get("source") == "none":
        return (
            f"Where to start: {modules} {verb} a vendor SDK directly, ranked by what moving it behind an adapter costs"
        )
    return f"Fix these first: {modules} {verb} a vendor SDK outside the boundary"


def _leaks(leaks: list[dict[str, Any]], boundary: dict[str, Any], shown: int = 5) -> list[str]:
    if not leaks:
        return []
    out = ["", leaks_heading(len(leaks), boundary)]
    for leak in leaks[:shown]:
        out.append(
            f"  {leak['rank']}. {clean(leak['path'])}  {', '.join(clean(v) for v in leak['vendors'])}: "
            f"{clean(leak['reason'])}"
        )
    if len(leaks) > shown:
        out.append(f"  … and {len(leaks) - shown} more (the JSON and HTML reports rank them all)")
    return out


SEVERITY_COLOURS = {"critical": "magenta", "high": "red", "medium": "yellow", "low": "cyan", "info": "white"}


def render_text(audit: Audit, colour: bool = False) -> str:
    """`colour` only at a terminal that has not asked for none (NO_COLOR): the caller decides."""
    import click

    def severity(name: str) -> str:
        return (
            click.style(name, fg=SEVERITY_COLOURS[name], bold=True if name in ("critical", "high") else None)
            if colour
            else clean(name)
        )

    summary = audit.summary()
    product_findings, others = audit.split_findings()
    counted = (
        ", ".join(clean(r) for r in summary["roles"].get("counted", ["product"])) if summary["roles"] else "product"
    )
    out = [
        f"lockaudit {audit.tool_version}: {count(summary['files_analysed'], 'file')} analysed, "
        f"{summary['files_skipped']} skipped, {count(summary['findings']['total'], 'finding')}"
        + (f" ({len(product_findings)} in {counted} code)" if others else ""),
        "",
    ]
    if summary["vendors"]:
        out.append("Vendors" + (f" ({counted} code)" if others else ""))
        width = max(len(clean(v["vendor"])) for v in summary["vendors"])
        for v in summary["vendors"]:
            files = count(v["files"], "file")
            imports, calls = count(v["import_sites"], "import"), count(v["call_sites"], "call site")
            rest = ", ".join(f"{n} {clean(kind)}" for kind, n in v["sites"].items() if kind not in SHOWN)
            products = f"  products: {', '.join(clean(p) for p in v['products'])}" if v["products"] else ""
            out.append(
                f"  {clean(v['vendor']):<{width}}  {files:>10}  {imports:>11}  {calls:>14}"
                + (f"  ({rest})" if rest else "")
                + products
            )
    else:
        out.append("No AI vendor imports found in the files analysed.")
    out += _boundary(audit)
    out += _leaks(summary.get("leaks") or [], summary["boundary"])
    owners = summary.get("owners") or {}
    if owners.get("owners"):
        out += ["", f"Owners × layers (concentration index {owners['index']}/10000)"]
        width = max(len(clean(row["owner"])) for row in owners["owners"])
        for row in owners["owners"]:
            through = "; ".join(
                f"via {clean(d['company'])}, {clean(d['status'])} {clean(d['as_of'])}" for d in row["through"]
            )
            out.append(
                f"  {clean(row['owner']):<{width}}  {', '.join(clean(layer) for layer in row['layers'])}"
                + (f"  ({through})" if through else "")
            )
    portability = summary["scores"].get("portability")
    if portability:
        out += ["", f"Portability score: {portability['score']}/100 ({count(portability['effort'], 'effort point')})"]
        for reason in portability["reasons"]:
            out.append(f"  -{reason['effort']:<3} {clean(reason['rule_id'])}  {clean(reason['path'])}")
        for plan in summary["scores"].get("exit_plans", []):
            out.append(f"  {clean(plan['summary'])}")
    if summary["unresolved_imports"]:
        dynamic = count(summary["unresolved_imports"], "dynamic import")
        out.append(f"  {dynamic} could not be resolved statically (the module name is computed at run time)")
    if product_findings:
        out += ["", "Findings" + (f" ({counted} code)" if others else "")]
        for f in product_findings:
            new = "  [new]" if f.baseline_state == "new" else ""
            out.append(
                f"  {_where(f.path, f.line, f.column, f.cell)}  {severity(f.severity)}  {clean(f.rule_id)}  "
                f"{clean(f.message)}{new}"
            )
        out += ["", "How to fix"]
        for rule_id, remediation in sorted({(f.rule_id, f.remediation) for f in product_findings}):
            out.append(f"  {clean(rule_id)}: {clean(remediation)}")
    if others:
        out += ["", outside_line(others)]
    if audit.baseline is not None:
        b = audit.baseline
        out += ["", f"Baseline {clean(b['path'])}: {b['new']} new, {b['unchanged']} unchanged, {len(b['fixed'])} fixed"]
    if audit.suppressed:
        out += [
            "",
            f"Suppressed: {count(len(audit.suppressed), 'finding')} by # lockaudit: ignore comments "
            "(--no-suppressions shows them)",
        ]
        for s in audit.suppressed:
            f = s.finding
            out.append(f"  {_where(f.path, f.line, f.column, f.cell)}  {clean(f.rule_id)}  {clean(s.reason)}")
    if audit.skipped:
        out += ["", "Skipped"]
        for skip in audit.skipped:
            out.append(f"  {clean(skip.path)}: {clean(skip.reason)}")
    return "\n".join(out) + "\n"
