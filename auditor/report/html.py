"""The HTML portability report: one self-contained file (inline CSS, SVG and a little
vanilla JavaScript; no request to the network) for architecture reviews. Jinja2 with
autoescaping renders the template in `reports/`; everything from the scanned tree is
escaped, and every value the template shows first has its control, bidi and invisible
characters made visible (`report.shown`): a bidi override changes what a reviewer reads as surely
as a `<` changes the markup. Every number comes from the Audit (the exit plans from its
scores); the two pictures are drawn in `maps`."""

from __future__ import annotations

import hashlib
import json

from auditor.audit import Audit, role_tally
from auditor.report import templates
from auditor.report.history import trend_charts
from auditor.report.maps import boundary_map, coupling_map
from auditor.report.text import leaks_heading
from auditor.severity import SEVERITIES

DEPENDENCY_STATUS = {
    "used": "declared and imported",
    "unused": "declared, never imported by the code analysed",
    "undeclared": "imported; no manifest lockaudit read declares it",
    "transitive": "locked only: another package pulls it in",
    "tool": "a tool: run, not imported",
}


def render_html(audit: Audit) -> str:
    environment = templates()
    summary = audit.summary()
    portability = summary["scores"]["portability"]
    plans = summary["scores"].get("exit_plans", [])
    owners_of = {r.vendor: r.owner for r in audit.inventory if r.vendor and r.owner}
    headline = plans[0]["summary"][0].upper() + plans[0]["summary"][1:] + "." if plans else ""
    product, others = audit.split_findings()
    counted = [r for r in audit.inventory if audit.counted(r.role)]
    anchors: dict[str, str] = {}  # a file's first finding row: where its node on the map leads
    first_rows: dict[int, str] = {}
    for index, finding in enumerate(product):
        if finding.path not in anchors:
            anchors[finding.path] = first_rows[index] = f"file-{hashlib.sha256(finding.path.encode()).hexdigest()[:12]}"
    return environment.get_template("report.html.j2").render(
        audit=audit,
        summary=summary,
        project=audit.root.rstrip("/").rsplit("/", 1)[-1] or audit.root,
        portability=portability,
        exit_plans=plans,
        owners_of=owners_of,
        headline=headline,
        coupling_svg=coupling_map(counted, owners_of, anchors),
        first_rows=first_rows,
        boundary_svg=boundary_map(summary["boundary"], summary["leaks"], counted, anchors),
        concentration=[f for f in product if f.rule_id == "owner-concentration"],
        severities=list(reversed(SEVERITIES)),
        finding_vendors=sorted({f.vendor for f in audit.findings if f.vendor}),
        finding_layers=sorted({f.layer for f in audit.findings if f.layer}),
        finding_rules=sorted({f.rule_id for f in audit.findings}),
        product_findings=product,
        other_findings=others,
        other_files=len({f.path for f in others}),
        other_roles=role_tally(others),
        toolchain=[r for r in counted if r.kind == "config"],
        config_text=json.dumps(audit.config, ensure_ascii=False),
        dependency_status=DEPENDENCY_STATUS,
        leaks_heading=leaks_heading(len(summary["leaks"]), summary["boundary"]),
        trend=audit.trend,
        trend_charts=trend_charts(audit.trend) if audit.trend else [],
    )
