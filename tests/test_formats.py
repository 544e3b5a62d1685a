"""Every format in the registry, through the real command line: the `--NAME FILE` option and
`--format NAME` exist for it, and it renders the demo to a file, to stdout, and from a saved
audit alike. JUnit XML in detail: its failures are the gate's."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from auditor.report.formats import FILE_FORMATS, FORMATS
from helpers import FIXTURES, lockaudit, write_tree


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.name)
def test_each_format_renders_to_stdout_a_file_and_from_a_saved_audit(fmt, tmp_path: Path) -> None:
    saved = tmp_path / "audit.json"
    written = tmp_path / f"out{fmt.extension}"
    options = [f"--{fmt.name}", str(written)] if fmt.to_file and fmt.name != "json" else []
    direct = lockaudit("scan", FIXTURES / "demo", "--format", fmt.name, "--json", saved, *options, "--no-cache")
    assert direct.returncode == 0, direct.stderr
    assert direct.stdout.strip() and "Traceback" not in direct.stderr
    if fmt.to_file:  # the file and standard output hold the same document
        assert (saved if fmt.name == "json" else written).read_text(encoding="utf-8") == direct.stdout
        assert f"--{fmt.name} FILE" in lockaudit("scan", "--help").stdout
    again = lockaudit("report", saved, "--format", fmt.name)
    assert again.returncode == 0, again.stderr
    assert again.stdout == direct.stdout


def test_the_format_names_are_the_registrys() -> None:
    help_text = lockaudit("check", "--help").stdout
    listed = help_text.split("--format [", 1)[1].split("]", 1)[0].split("|")
    assert sorted(listed) == sorted(f.name for f in FORMATS)
    assert {f.name for f in FILE_FORMATS} <= {f.name for f in FORMATS}


def _junit(text: str) -> ET.Element:
    root = ET.fromstring(text)  # well-formed XML, or this raises
    assert root.tag == "testsuites" and len(root) == 1 and root[0].tag == "testsuite"
    return root[0]


def test_junit_failures_are_the_gates_and_the_rest_are_skipped_with_the_reason(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "app/llm.py": "import openai\nclient = openai.OpenAI()\n",
            "app/web.py": "MODEL = 'gpt-4o'\n",
            "tests/test_llm.py": "import anthropic\n",
        },
    )
    assert lockaudit("baseline", tmp_path).returncode == 0
    (tmp_path / "app/ranker.py").write_text("import cohere\nMODEL = 'gpt-4o-mini'\n")
    check = lockaudit("check", tmp_path, "--junit", tmp_path / "report.xml", "--format", "json", "--no-cache")
    assert check.returncode == 1
    audit = json.loads(check.stdout)
    suite = _junit((tmp_path / "report.xml").read_text())
    cases = {(c.get("classname"), c.get("name")): c for c in suite.iter("testcase")}
    product = [f for f in audit["findings"] if f["role"] == "product"]
    assert len(cases) == len(product) == int(suite.get("tests"))  # the test file's finding is not a case
    failed = {key for key, case in cases.items() if case.find("failure") is not None}
    assert failed == {
        (f["rule_id"], f"{f['path']}:{f['line']}:{f['column']}")
        for f in product
        if f["baseline_state"] == "new" and f["severity"] in ("medium", "high", "critical")
    }
    assert ("sdk-import-outside-adapter", "app/ranker.py:1:8") in failed
    assert int(suite.get("failures")) == len(failed) and int(suite.get("skipped")) == len(cases) - len(failed)
    reasons = {case.find("skipped").get("message") for key, case in cases.items() if key not in failed}
    assert reasons == {"accepted in the baseline", "low: below the gate's threshold (medium)"}


def test_junit_of_a_clean_project_has_one_passing_case_and_hostile_names_stay_valid_xml(tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    write_tree(clean, {"app.py": "import json\n"})
    suite = _junit(lockaudit("scan", clean, "--format", "junit").stdout)
    assert [c.get("name") for c in suite.iter("testcase")] == ["no findings in product code"]
    assert suite.get("failures") == "0"
    hostile = tmp_path / "hostile"
    name = 'evil\x1b]8;;x\x07"<&>\x01.py'
    write_tree(hostile, {name: "import openai\nclient = openai.OpenAI()\n"})
    text = lockaudit("scan", hostile, "--format", "junit").stdout
    names = [c.get("file") for c in _junit(text).iter("testcase")]
    assert names and all("\x1b" not in n and "\x01" not in n and '"<&>' in n for n in names)
    shutil.rmtree(hostile)


def test_the_command_lines_fail_on_is_the_threshold_the_reports_judge_by(tmp_path: Path) -> None:
    write_tree(
        tmp_path, {"app/llm.py": "import openai\nclient = openai.OpenAI()\n", "app/web.py": "import anthropic\n"}
    )
    check = lockaudit("check", tmp_path, "--fail-on", "high", "--junit", "-", "--markdown", tmp_path / "s.md")
    assert check.returncode == 0, check.stderr  # nothing at high
    assert _junit(check.stdout).get("failures") == "0"
    assert "Passes the gate" in (tmp_path / "s.md").read_text() and "`high`" in (tmp_path / "s.md").read_text()
