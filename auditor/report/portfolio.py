"""The portfolio, in each format: JSON (the document `portfolio.build` made), Markdown, a text
summary for the terminal and a self-contained HTML page (`reports/portfolio.html.j2`).
They render; every number is already in the document. Names come from audits made elsewhere,
so every string is escaped for its format and has its invisible characters made visible."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from auditor.report import templates
from auditor.report.charts import line_chart, sparkline
from auditor.report.escape import json_document, md, visible
from auditor.words import count

POSTURE_WORDS = {
    "none": "no vendor SDK in product code",
    "adapter": "behind an adapter boundary",
    "neutral": "through a neutral layer",
    "leaking": "adapter boundary with leaks",
    "direct": "vendor SDKs used directly",
}
TEXT_ROWS = 25  # repositories listed on a terminal; the files hold them all
TEXT_VENDORS = 10


def render_portfolio_json(portfolio: dict[str, Any]) -> str:
    return json_document(portfolio, indent=1)


def headline(portfolio: dict[str, Any]) -> str:
    totals = portfolio["totals"]
    top = portfolio["vendors"][0] if portfolio["vendors"] else None
    biggest = (
        f"; the costliest vendor to leave is {top['vendor']} ({count(top['effort'], 'point')} over "
        f"{count(top['repositories'], 'repository', 'repositories')})"
        if top and top["effort"]
        else ""
    )
    return (
        f"{count(totals['repositories'], 'repository', 'repositories')}, {count(totals['vendors'], 'vendor')}, "
        f"median portability score {totals['median_score']}, effort to leave every vendor "
        f"{count(totals['effort'], 'point')}{biggest}"
    )


def render_portfolio_text(portfolio: dict[str, Any]) -> str:
    lines = [f"lockaudit portfolio: {visible(headline(portfolio))}", ""]
    width = max([10, *(len(visible(r["name"])) for r in portfolio["repositories"][:TEXT_ROWS])])
    lines.append(f"  {'repository':<{width}}  score  effort  posture")
    for repo in portfolio["repositories"][:TEXT_ROWS]:
        lines.append(
            f"  {visible(repo['name']):<{width}}  {repo['score']:>5}  {repo['effort']:>6}  "
            f"{POSTURE_WORDS[repo['posture']]}"
        )
    rest = len(portfolio["repositories"]) - TEXT_ROWS
    if rest > 0:
        lines.append(f"  … and {rest} more (in --json, --markdown and --html)")
    lines.append("")
    for vendor in portfolio["vendors"][:TEXT_VENDORS]:
        lines.append(
            f"  {visible(vendor['vendor'])}: {count(vendor['repositories'], 'repository', 'repositories')}, "
            f"{count(vendor['files'], 'product file')}, {count(vendor['call_sites'], 'call site')}, "
            f"effort to leave {vendor['effort']}"
        )
    if len(portfolio["vendors"]) > TEXT_VENDORS:
        lines.append(
            f"  … and {len(portfolio['vendors']) - TEXT_VENDORS} more vendors (in --json, --markdown and --html)"
        )
    owners = portfolio["owners"]
    lines.append(f"  owner concentration index {owners['index']:,} (10,000: one owner holds every layer)")
    lines.extend(_warnings(portfolio, visible))
    return "\n".join(lines) + "\n"


def render_portfolio_markdown(portfolio: dict[str, Any]) -> str:
    out = ["# lockaudit portfolio", "", md(headline(portfolio)) + ".", ""]
    out += ["| Repository | Score | Effort | Posture | Vendors (effort) |", "|---|---:|---:|---|---|"]
    for repo in portfolio["repositories"]:
        vendors = ", ".join(f"{md(v['vendor'])} ({v['effort']})" for v in repo["vendors"] if v["effort"]) or "—"
        out.append(
            f"| {md(repo['name'])} | {repo['score']} | {repo['effort']} | {POSTURE_WORDS[repo['posture']]} | {vendors} |"
        )
    out += ["", "## Vendors", "", "| Vendor | Owner | Repositories | Product files | Call sites | Effort to leave |"]
    out.append("|---|---|---:|---:|---:|---:|")
    for vendor in portfolio["vendors"]:
        out.append(
            f"| {md(vendor['vendor'])} | {md(vendor['owner'] or '')} | {vendor['repositories']} | "
            f"{vendor['files']} | {vendor['call_sites']} | {vendor['effort']} |"
        )
    owners = portfolio["owners"]
    out += ["", f"## Owners by layer (concentration index {owners['index']:,})", ""]
    out.append("Usage sites per owner and layer; an owner's share is the mean of its part of each layer.")
    out.append("")
    out.append("| Owner | " + " | ".join(md(layer) for layer in owners["layers"]) + " | Mean share | Through |")
    out.append("|---|" + "---:|" * len(owners["layers"]) + "---:|---|")
    for row in owners["owners"]:
        cells = " | ".join(str(row["layers"].get(layer, "")) for layer in owners["layers"])
        deals = ", ".join(f"{md(d['company'])} ({md(d['status'])} {md(d['as_of'])})" for d in row.get("through", []))
        out.append(f"| {md(row['owner'])} | {cells} | {round(row['share'] * 100)}% | {deals} |")
    if portfolio["leaks"]:
        out += ["", "## Top leaks", "", "| Repository | Module | Vendors | Why |", "|---|---|---|---|"]
        for leak in portfolio["leaks"]:
            out.append(
                f"| {md(leak['repository'])} | {md(leak['path'])} | {md(', '.join(leak['vendors']))} | {md(leak['reason'])} |"
            )
    trends = [r for r in portfolio["repositories"] if r.get("trend")]
    if trends:
        out += ["", "## Trends"]
        for repo in trends:
            out += ["", f"**{md(repo['name'])}**", "", *(f"- {md(s)}" for s in repo["trend"]["sentences"])]
    warnings = _warnings(portfolio, md)
    if warnings:
        out += ["", "## Notes", "", *(f"- {w.strip()}" for w in warnings)]
    return "\n".join(out) + "\n"


def render_portfolio_html(portfolio: dict[str, Any]) -> str:
    environment = templates()
    vendors = [v["vendor"] for v in portfolio["vendors"]]
    peak = max([1, *(v["effort"] for r in portfolio["repositories"] for v in r["vendors"])])
    heat = {
        r["name"]: {v["vendor"]: (v["effort"], round(v["effort"] / peak, 2)) for v in r["vendors"]}
        for r in portfolio["repositories"]
    }
    trends = [r for r in portfolio["repositories"] if r.get("trend")]
    sparks = {
        r["name"]: sparkline(f"score of {r['name']}", [p["score"] for p in r["trend"]["points"]], scale=(0, 100))
        for r in trends
    }
    charts = {
        r["name"]: Markup("").join(
            line_chart(
                title,
                [p["committed"][:10] for p in r["trend"]["points"]],
                {key: [p[key] for p in r["trend"]["points"]]},
            )
            for title, key in (("Portability score", "score"), ("Effort to leave every vendor", "effort"))
        )
        for r in trends
    }
    return environment.get_template("portfolio.html.j2").render(
        sparks=sparks,
        charts=charts,
        portfolio=portfolio,
        headline=headline(portfolio),
        postures=POSTURE_WORDS,
        vendors=vendors,
        heat=heat,
        warnings=_warnings(portfolio, str),
    )


def _warnings(portfolio: dict[str, Any], escape: Any) -> list[str]:
    inputs, policy = portfolio["inputs"], portfolio["policy"]
    found = [f"  refused {escape(r['source'])}: {escape(r['reason'])}" for r in inputs["refused"]]
    found += [
        f"  {escape(r['repository'])} was given twice: kept {escape(r['kept'])}, dropped {escape(r['dropped'])} ({r['why']})"
        for r in inputs["replaced"]
    ]
    found += [
        f"  the history of {escape(name)} matches no audit given: it is not drawn"
        for name in inputs.get("histories_unmatched", [])
    ]
    if len(inputs["lockaudit_versions"]) > 1:
        found.append(
            f"  audits from lockaudit {', '.join(map(escape, inputs['lockaudit_versions']))}: "
            "their rules and scores may differ"
        )
    elif inputs["packs_differ"]:
        found.append("  the audits were made with different rule packs: their findings are not alike")
    found += [
        f"  {escape(v['repository'])} uses {escape(v['vendor'])}, which the policy "
        f"{'forbids' if v['why'] == 'forbidden' else 'does not allow'} ({count(v['files'], 'product file')})"
        for v in policy["violations"]
    ]
    return found
