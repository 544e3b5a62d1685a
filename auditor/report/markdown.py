"""Markdown for pull-request comments and CI job summaries: the summary, the owner × layer
table and the top findings, under a size limit with an honest "N more" line."""

from __future__ import annotations

import re

from auditor.audit import Audit
from auditor.severity import SEVERITIES

MAX_CHARS = 60_000
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-!|<>~])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def md(text: object) -> str:
    """Scanned names and code are untrusted: no markup, HTML or table breaks pass through."""
    return _SPECIAL.sub(r"\\\1", _CONTROL.sub("", str(text))).replace("\n", " ")


def render_markdown(audit: Audit, limit: int = MAX_CHARS) -> str:
    summary = audit.summary()
    portability = summary["scores"].get("portability", {})
    out = ["## lockaudit: vendor lock-in report", ""]
    out.append(f"**Portability score: {portability.get('score', '–')}/100** "
               f"({portability.get('effort', 0)} effort points) · {summary['files_analysed']} files analysed · "
               f"{summary['files_skipped']} skipped · {summary['findings']['total']} findings")
    out.append("")
    rows = [r for r in summary["scores"].get("vendors", []) if r["effort"]]
    if rows:
        out += ["| vendor | files | call sites | effort to leave |", "|---|---:|---:|---:|"]
        out += [f"| {md(r['vendor'])} | {r['files']} | {r['call_sites']} | {r['effort']} |" for r in rows]
        out.append("")
    owners = summary.get("owners", {})
    if owners.get("owners"):
        out += [f"**Owners × layers** (concentration index {owners['index']}/10000)", "",
                "| owner | layers | through |", "|---|---|---|"]
        for row in owners["owners"]:
            through = "; ".join(f"{md(d['company'])} ({d['status']} {d['as_of']})" for d in row["through"])
            out.append(f"| {md(row['owner'])} | {md(', '.join(row['layers']))} | {through or 'direct'} |")
        out.append("")
    findings = sorted(audit.findings, key=lambda f: (f.baseline_state == "unchanged", -SEVERITIES.index(f.severity),
                                                    -f.effort, f.path, f.line))
    out += ["### Findings", ""] if findings else []
    header = ["| severity | rule | where | message |", "|---|---|---|---|"]
    body: list[str] = []
    size = sum(len(line) + 1 for line in out + header) + 200
    shown = 0
    for finding in findings:
        cell = f"[{finding.cell}]" if finding.cell is not None else ""
        line = (f"| {finding.severity} | `{finding.rule_id}` | {md(finding.path)}{cell}:{finding.line} | "
                f"{md(finding.message)} |")
        if size + len(line) + 1 > limit:
            break
        body.append(line)
        size += len(line) + 1
        shown += 1
    if body:
        out += header + body
    if shown < len(findings):
        out += ["", f"… and {len(findings) - shown} more findings (see the JSON or HTML report)."]
    if audit.baseline is not None:
        b = audit.baseline
        out += ["", f"Baseline `{md(b['path'])}`: **{b['new']} new**, {b['unchanged']} unchanged, {len(b['fixed'])} fixed."]
    if audit.suppressed:
        out += ["", f"{len(audit.suppressed)} findings were suppressed by `# lockaudit: ignore` comments; the JSON and "
                "HTML reports list each with its reason."]
    if audit.skipped:
        out += ["", f"{len({s.path for s in audit.skipped})} files were not fully analysed; the JSON lists each with its reason."]
    return "\n".join(out) + "\n"
