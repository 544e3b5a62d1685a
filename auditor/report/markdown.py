"""Markdown for pull-request comments and CI job summaries: the summary, the owner × layer
table and the top findings, under a size limit with an honest "N more" line."""

from __future__ import annotations

from auditor.audit import Audit
from auditor.report.escape import md, md_code as code
from auditor.report.text import leaks_heading, outside_line
from auditor.severity import SEVERITIES
from auditor.words import count

MAX_CHARS = 60_000
FOLD_ROWS = 20  # more findings than this go inside <details>


def _verdict(audit: Audit) -> str:
    """The first line a reviewer reads: would the gate pass, at which threshold, new against the baseline."""
    threshold, failing = audit.gate()
    kind = "new finding" if audit.baseline is not None else "finding"
    accepted = f"; {md(audit.baseline['unchanged'])} more in the baseline" if audit.baseline is not None else ""
    if failing:
        return f"**✗ Fails the gate**: {count(len(failing), kind)} at or above {code(threshold)}{accepted}."
    return f"**✓ Passes the gate**: no {kind}s at or above {code(threshold)}{accepted}."


def render_markdown(audit: Audit, limit: int = MAX_CHARS) -> str:
    summary = audit.summary()
    portability = summary["scores"].get("portability", {})
    out = ["## lockaudit: vendor lock-in report", "", _verdict(audit), ""]
    # Every value is escaped, numbers too: `report` renders a saved audit, which need not be lockaudit's own.
    out.append(
        f"**Portability score: {md(portability.get('score', '–'))}/100** "
        f"({md(portability.get('effort', 0))} effort points) · {md(summary['files_analysed'])} files "
        f"analysed · {md(summary['files_skipped'])} skipped · {md(summary['findings']['total'])} findings"
    )
    out.append("")
    if audit.trend:
        first = next((p for p in audit.trend["points"] if "error" not in p), None)
        since = f" since {md(first['committed'][:10])}" if first else ""
        out += [f"**Trend{since}** ({md(audit.trend['chosen_by'])}):", ""]
        out += [f"- {md(sentence)}" for sentence in audit.trend["trend"]] + [""]
    plans = summary["scores"].get("exit_plans", [])
    if plans:
        out += ["| vendor | files | call sites | effort to leave | what it takes |", "|---|---:|---:|---:|---|"]
        out += [
            f"| {md(p['vendor'])} | {md(p['files'])} | {md(p['call_sites'])} | {md(p['effort'])} | "
            f"{md(p['summary'].split(': ', 1)[-1])} |"
            for p in plans
        ]
        out.append("")
    boundary = summary["boundary"]
    if boundary.get("source") == "inferred":
        out += [f"**Adapter boundary** (inferred, {md(boundary['confidence'])} confidence):", ""]
        out += [
            f"- {', '.join(code(p) for p in patterns)}: {md(reason)}" for reason, patterns in audit.adapter_groups()
        ]
        out += ["", f"Confirm it in `[tool.lockaudit]`: {code(boundary['config'])}", ""]
    elif boundary.get("source") == "none":
        out += [
            f"**No adapter boundary**: {md(boundary['direct'])} of {md(boundary['total'])} product modules use a "
            "vendor SDK directly.",
            "",
        ]
    leaks = summary.get("leaks") or []
    if leaks:
        out += [f"**{md(leaks_heading(len(leaks), boundary))}**:", ""]
        out += [
            f"{md(leak['rank'])}. {md(leak['path'])} ({md(', '.join(leak['vendors']))}): {md(leak['reason'])}"
            for leak in leaks[:5]
        ]
        out += (["", f"… and {len(leaks) - 5} more."] if len(leaks) > 5 else []) + [""]
    counted, others = audit.split_findings()
    findings = sorted(
        counted,
        key=lambda f: (f.baseline_state == "unchanged", -SEVERITIES.index(f.severity), -f.effort, f.path, f.line),
    )
    out += ["### Findings", ""] if findings else []
    folded = len(findings) > FOLD_ROWS  # a job summary stays readable: the long table opens on a click
    if folded:
        out += [f"<details><summary>{len(findings)} findings in product code</summary>", ""]
    header = ["| severity | rule | where | message |", "|---|---|---|---|"]
    body: list[str] = []
    size = sum(len(line) + 1 for line in out + header) + 200
    shown = 0
    for finding in findings:
        cell = f"[{md(finding.cell)}]" if finding.cell is not None else ""
        new = "**new** " if finding.baseline_state == "new" else ""
        line = (
            f"| {new}{md(finding.severity)} | {code(finding.rule_id, table=True)} | "
            f"{md(finding.path)}{cell}:{md(finding.line)} | {md(finding.message)} |"
        )
        if size + len(line) + 1 > limit:
            break
        body.append(line)
        size += len(line) + 1
        shown += 1
    if body:
        out += header + body
    if shown < len(findings):
        out += ["", f"… and {len(findings) - shown} more findings (see the JSON or HTML report)."]
    if folded:
        out += ["", "</details>"]
    if others:
        out += ["", md(outside_line(others))]
    if audit.baseline is not None:
        b = audit.baseline
        out += [
            "",
            f"Baseline {code(b['path'])}: **{md(b['new'])} new**, {md(b['unchanged'])} unchanged, "
            f"{len(b['fixed'])} fixed.",
        ]
    if audit.suppressed:
        out += [
            "",
            f"{len(audit.suppressed)} findings were suppressed by `# lockaudit: ignore` comments; the JSON and "
            "HTML reports list each with its reason.",
        ]
    if audit.skipped:
        out += [
            "",
            f"{len({s.path for s in audit.skipped})} files were not fully analysed; the JSON lists each with its reason.",
        ]
    return "\n".join(out) + "\n"
