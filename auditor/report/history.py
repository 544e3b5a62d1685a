"""The history, in each format: JSON (the series `history.series` made), Markdown, a text
summary for the terminal, and a self-contained HTML page of small line charts. They render;
every number and sentence is in the series already. Commit subjects are the repository's
text: escaped for each format, with invisible characters made visible."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from auditor.report import templates
from auditor.report.charts import line_chart
from auditor.report.escape import json_document, md, visible

VENDOR_LINES = 6  # vendors drawn on the effort chart: the costliest at the last point


def render_history_json(series: dict[str, Any]) -> str:
    return json_document(series, indent=1)


def render_history_text(series: dict[str, Any]) -> str:
    points = [p for p in series["points"] if "error" not in p]
    lines = [
        f"lockaudit history of {visible(series['repository'])} since {visible(series['since'])}: "
        f"{visible(series['chosen_by'])}"
    ]
    lines += [f"  {visible(sentence)}" for sentence in series["trend"]]
    lines.append("")
    lines.append("  commit        date        score  effort  +new  -gone")
    for p in series["points"]:
        if "error" in p:
            lines.append(f"  {p['commit'][:12]}  {p['committed'][:10]}  not audited: {visible(p['error'])}")
            continue
        lines.append(
            f"  {p['commit'][:12]}  {p['committed'][:10]}  {p['score']:>5}  {p['effort']:>6}  "
            f"{p['appeared']['count']:>4}  {p['disappeared']['count']:>5}"
        )
    if not points:
        lines.append("  no commit could be audited")
    return "\n".join(lines) + "\n"


def render_history_markdown(series: dict[str, Any]) -> str:
    out = [
        f"# lockaudit history: {md(series['repository'])}",
        "",
        f"Since {md(series['since'])}: {md(series['chosen_by'])}.",
        "",
    ]
    out += [f"- {md(sentence)}" for sentence in series["trend"]]
    out += [
        "",
        "| Commit | Date | Score | Effort | Vendors (effort) | New | Gone |",
        "|---|---|---:|---:|---|---:|---:|",
    ]
    for p in series["points"]:
        if "error" in p:
            out.append(f"| `{p['commit'][:12]}` | {p['committed'][:10]} | | | not audited: {md(p['error'])} | | |")
            continue
        vendors = ", ".join(f"{md(v)} ({e['effort']})" for v, e in p["vendors"].items() if e["effort"]) or "—"
        out.append(
            f"| `{p['commit'][:12]}` | {p['committed'][:10]} | {p['score']} | {p['effort']} | {vendors} | "
            f"{p['appeared']['count']} | {p['disappeared']['count']} |"
        )
    return "\n".join(out) + "\n"


def trend_charts(series: dict[str, Any]) -> list[Markup]:
    """The portability score and the effort to leave each vendor, as line charts."""
    points = [p for p in series["points"] if "error" not in p]
    if not points:
        return []
    labels = [p["committed"][:10] for p in points]
    last = points[-1]["vendors"]
    costliest = sorted({v for p in points for v in p["vendors"]}, key=lambda v: (-last.get(v, {}).get("effort", 0), v))[
        :VENDOR_LINES
    ]
    return [
        line_chart("Portability score", labels, {"score": [p["score"] for p in points]}),
        line_chart(
            "Effort to leave each vendor",
            labels,
            {v: [p["vendors"].get(v, {}).get("effort") for p in points] for v in costliest},
        ),
    ]


def render_history_html(series: dict[str, Any]) -> str:
    return templates().get_template("history.html.j2").render(series=series, charts=trend_charts(series))
