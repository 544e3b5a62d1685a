"""JUnit XML, the test report GitLab, Jenkins, Azure Pipelines and CircleCI show beside a
build: one test case per product-code finding, named by rule and place. A finding that fails
the gate is a failure; one the gate lets through (below its threshold, or accepted in the
baseline) is skipped with the reason, so the report and the exit code agree. Every value
is made visible first: a control character in a file name is not valid XML 1.0."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from auditor.audit import Audit
from auditor.report.escape import visible


def render_junit(audit: Audit) -> str:
    threshold, gate_failures = audit.gate()
    failing = {id(f) for f in gate_failures}
    counted = [f for f in audit.findings if audit.counted(f.role)]
    suites = ET.Element("testsuites", name="lockaudit")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name="lockaudit",
        tests=str(max(len(counted), 1)),
        failures=str(len(failing)),
        errors="0",
        skipped=str(len(counted) - len(failing)),
        time=str(audit.scan.get("seconds", 0)),
    )
    for finding in counted:
        cell = f"[cell {finding.cell}]" if finding.cell is not None else ""
        case = ET.SubElement(
            suite,
            "testcase",
            classname=_text(finding.rule_id),
            name=_text(f"{finding.path}{cell}:{finding.line}:{finding.column}"),
            file=_text(finding.path),
            line=str(finding.line),
        )
        if id(finding) in failing:
            failure = ET.SubElement(case, "failure", type=_text(finding.severity), message=_text(finding.message))
            failure.text = _text(f"{finding.severity} {finding.rule_id}: {finding.message}\n{finding.remediation}")
        elif finding.baseline_state == "unchanged":
            ET.SubElement(case, "skipped", message="accepted in the baseline")
        else:
            ET.SubElement(
                case, "skipped", message=_text(f"{finding.severity}: below the gate's threshold ({threshold})")
            )
    if not counted:  # a report with no test case reads as "no tests ran"
        ET.SubElement(suite, "testcase", classname="lockaudit", name="no findings in product code")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def _text(value: str) -> str:
    return visible(value, keep="\n")
