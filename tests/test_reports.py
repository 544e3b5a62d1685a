"""SARIF and Markdown renderings, and rendering later from a saved JSON audit."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from auditor.report.load import audit_from_dict
from auditor.report.markdown import md, render_markdown
from helpers import FIXTURES, REPO, lockaudit, scan_json

SARIF_SCHEMA = REPO / "tests" / "schemas" / "sarif-schema-2.1.0.json"


@pytest.mark.parametrize("fixture", ["concentrated-stack", "notebooks", "resolution"])
def test_sarif_validates_and_carries_every_finding(tmp_path: Path, fixture: str) -> None:
    out = tmp_path / "out.sarif"
    assert lockaudit("scan", FIXTURES / fixture, "--sarif", out).returncode == 0
    sarif = json.loads(out.read_text())
    jsonschema.Draft7Validator(json.loads(SARIF_SCHEMA.read_text())).validate(sarif)
    audit = scan_json(FIXTURES / fixture)
    (run,) = sarif["runs"]
    assert len(run["results"]) == len(audit["findings"])
    assert [r["partialFingerprints"]["lockaudit/v1"] for r in run["results"]] == [
        f["fingerprint"] for f in audit["findings"]
    ]
    rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert all(rule_ids[r["ruleIndex"]] == r["ruleId"] for r in run["results"])
    for result, finding in zip(run["results"], audit["findings"]):
        region = result["locations"][0]["physicalLocation"]["region"]
        assert (region["startLine"], region["startColumn"]) == (finding["line"], finding["column"])
        assert result["level"] == {"critical": "error", "high": "error", "medium": "warning"}.get(
            finding["severity"], "note"
        )
        if finding["cell"] is not None:
            assert f"(notebook cell {finding['cell']})" in result["message"]["text"]


def test_markdown_escapes_untrusted_text_and_stays_under_its_limit() -> None:
    assert md("a|b <img src=x onerror=alert(1)> **bold** `x`") == (
        "a\\|b \\<img src=x onerror=alert\\(1\\)\\> \\*\\*bold\\*\\* \\`x\\`"
    )
    audit = audit_from_dict(scan_json(FIXTURES / "resolution"))
    full = render_markdown(audit)
    assert "| severity | rule | where | message |" in full and "more findings" not in full
    short = render_markdown(audit, limit=3_000)
    assert len(short) <= 3_000
    rows = [line for line in short.splitlines() if line.startswith(("| info |", "| low |", "| medium |", "| high |"))]
    counted = [f for f in audit.findings if audit.counted(f.role)]  # the rest is one line: outside product code
    assert rows and f"… and {len(counted) - len(rows)} more findings" in short


def test_report_renders_a_saved_audit_identically(tmp_path: Path) -> None:
    saved = tmp_path / "audit.json"
    assert lockaudit("scan", FIXTURES / "concentrated-stack", "--json", saved).returncode == 0
    again = lockaudit("report", saved, "--format", "json")
    assert again.returncode == 0 and json.loads(again.stdout) == json.loads(saved.read_text())
    direct = lockaudit("scan", FIXTURES / "concentrated-stack", "--format", "markdown").stdout
    assert lockaudit("report", saved, "--format", "markdown").stdout == direct
    (tmp_path / "bad.json").write_text('{"schema_version": "1.0"}')
    bad = lockaudit("report", tmp_path / "bad.json")
    assert bad.returncode == 2 and "not a lockaudit audit" in bad.stderr


def test_one_output_per_stream() -> None:
    both = lockaudit("scan", FIXTURES / "demo", "--json", "-", "--sarif", "-")
    assert both.returncode == 2 and "only one output can go to standard output" in both.stderr
    assert both.stdout == ""  # decided before anything is written
    clash = lockaudit("scan", FIXTURES / "demo", "--format", "sarif", "--json", "-")
    assert clash.returncode == 2 and "both want standard output" in clash.stderr and clash.stdout == ""


@pytest.mark.parametrize("command", ["scan", "check"])
def test_quiet_with_a_document_on_stdout_is_a_normal_run(command: str) -> None:
    quiet = lockaudit(command, FIXTURES / "demo", "-q", "--json", "-", "--no-cache")
    assert quiet.returncode == (0 if command == "scan" else 1), quiet.stderr
    assert json.loads(quiet.stdout)["findings"] and "lockaudit: error" not in quiet.stderr
    same = lockaudit(command, FIXTURES / "demo", "--format", "json", "--json", "-", "--no-cache")
    assert same.returncode == quiet.returncode and json.loads(same.stdout)["findings"]


@pytest.mark.parametrize("fixture", ["concentrated-stack", "resolution", "transitive-only"])
def test_cyclonedx_ai_bom_is_valid_and_complete(tmp_path: Path, fixture: str) -> None:
    from helpers import cyclonedx_problem as validate

    out = tmp_path / "bom.json"
    result = lockaudit("scan", FIXTURES / fixture, "--cyclonedx", out)
    assert result.returncode == 0 and "Warning" not in result.stderr
    text = out.read_text()
    assert validate(text) is None
    bom = json.loads(text)
    audit = scan_json(FIXTURES / fixture)
    products = {r["product"] for r in audit["inventory"] if r["product"]}
    assert {c["name"] for c in bom["components"] if c["type"] in ("library", "platform")} == products
    models = {r["value"] for r in audit["inventory"] if r["kind"] == "model-id"}
    assert {c["name"] for c in bom["components"] if c["type"] == "machine-learning-model"} == models
    endpoints = {r["value"] for r in audit["inventory"] if r["kind"] in ("endpoint", "compatible-api")}
    assert {e for s in bom.get("services", []) for e in s.get("endpoints", [])} == endpoints


def test_github_annotations_one_per_finding_and_nothing_from_the_tree_starts_a_command() -> None:
    from dataclasses import replace

    from auditor.report.github import render_github
    from auditor.report.load import audit_from_dict

    audit = audit_from_dict(scan_json(FIXTURES / "demo"))
    audit.findings[0] = replace(audit.findings[0], path="a,b:c.py", message="x\n::error file=x::pwned 100%")
    lines = render_github(audit).splitlines()
    assert len(lines) == len([f for f in audit.findings if audit.counted(f.role)]) > 1
    assert all(
        re.match(r"::(error|warning|notice) file=[^:,]+(,line=\d+,col=\d+)?,title=lockaudit [\w-]+::", line)
        for line in lines
    )
    assert "file=a%2Cb%3Ac.py" in lines[0] and "x\\x0a::error file=x::pwned 100%25" in lines[0]  # shown, not run
    notebooks = audit_from_dict(scan_json(FIXTURES / "notebooks"))
    notebooks.roles["counted"] = sorted({f.role for f in notebooks.findings})
    lines = render_github(notebooks).splitlines()
    cells = [line for line in lines if "notebook cell" in line]
    assert cells and all(",line=" not in line for line in cells)  # a cell's line is not the notebook's


def test_markdown_job_summary_leads_with_the_verdict_marks_new_findings_and_folds_long_tables(tmp_path: Path) -> None:
    from helpers import write_tree

    demo = lockaudit("scan", FIXTURES / "demo", "--format", "markdown", "--no-cache").stdout.splitlines()
    assert demo[2] == "**✗ Fails the gate**: 4 findings at or above `medium`."
    long = lockaudit("scan", FIXTURES / "resolution", "--format", "markdown", "--no-cache").stdout
    assert "<details><summary>" in long and long.index("<details>") < long.index("| severity |") < long.index(
        "</details>"
    )
    write_tree(tmp_path, {"app.py": "import openai\n"})
    assert lockaudit("baseline", tmp_path).returncode == 0
    (tmp_path / "more.py").write_text("import anthropic\n")
    gated = lockaudit("check", tmp_path, "--format", "markdown", "--no-cache").stdout
    assert "**✗ Fails the gate**: 1 new finding at or above `medium`; 1 more in the baseline." in gated
    assert "| **new** medium | `sdk-import-outside-adapter` | more.py:1 |" in gated
