"""Vulnerabilities through pip-audit: its JSON parsed, and the real tool run with a hard limit."""

from __future__ import annotations

import json
import time
from pathlib import Path

from auditor.facts import DependencyFact, Location
from auditor.vulns import audit, parse, pins
from helpers import FIXTURES, lockaudit

DOCUMENTED = {
    "dependencies": [
        {
            "name": "requests",
            "version": "2.19.0",
            "vulns": [
                {"id": "PYSEC-2018-28", "fix_versions": ["2.20.0"], "aliases": ["CVE-2018-18074"], "description": "..."}
            ],
        },
        {"name": "openai", "version": "1.61.0", "vulns": []},
        {"name": "private-pkg", "skip_reason": "Dependency not found on PyPI and could not be audited"},
    ],
    "fixes": [],
}


def test_parse_the_documented_format() -> None:
    report = parse(DOCUMENTED)
    assert report.status == "checked" and report.audited == 2
    assert report.vulnerable == {
        "requests==2.19.0": [{"id": "PYSEC-2018-28", "fix_versions": ["2.20.0"], "aliases": ["CVE-2018-18074"]}]
    }
    assert report.notice == "1 pinned packages could not be audited"
    legacy = parse(DOCUMENTED["dependencies"][:2])  # older pip-audit: the list alone
    assert list(legacy.vulnerable) == ["requests==2.19.0"]


def test_nothing_audited_is_unavailable_not_clean() -> None:
    report = parse({"dependencies": [{"name": "a", "skip_reason": "not found"}], "fixes": []})
    assert report.status == "unavailable" and "none of 1 pinned packages could be audited" in report.notice


def test_pins_prefer_locked_versions() -> None:
    loc = Location("x", 1, 1)
    facts = [
        DependencyFact(loc, "openai", "pyproject", "main", "==1.50.0"),
        DependencyFact(loc, "openai", "uv.lock", "locked", version="1.61.0"),
        DependencyFact(loc, "requests", "requirements", "r.txt", ">=2"),
        DependencyFact(loc, "anthropic", "requirements", "r.txt", "==0.40.0"),
    ]
    assert pins(facts) == ["anthropic==0.40.0", "openai==1.61.0"]


def test_real_pip_audit_gives_vulnerabilities_or_a_notice_never_a_hang() -> None:
    loc = Location("requirements.txt", 1, 1)
    started = time.monotonic()
    report = audit([DependencyFact(loc, "requests", "requirements", "r", "==2.19.0")], timeout=60)
    assert time.monotonic() - started < 90
    assert report.status in ("checked", "unavailable")
    if report.status == "checked":
        assert report.vulnerable or report.audited
    else:
        assert report.notice


def test_scan_with_vulns_succeeds_either_way(tmp_path: Path) -> None:
    result = lockaudit("scan", FIXTURES / "transitive-only", "--vulns", "--format", "json", timeout=300)
    assert result.returncode == 0, result.stderr
    vulnerabilities = json.loads(result.stdout)["summary"]["vulnerabilities"]
    assert vulnerabilities["status"] in ("checked", "unavailable")
    if vulnerabilities["status"] == "unavailable":
        assert "vulnerabilit" in result.stderr  # the plain notice a user sees


def test_vulnerable_provider_sdk_finding() -> None:
    from auditor.audit import UsageRecord
    from auditor.engine import CHECKS, Project
    from auditor.packs import load_rules

    record = UsageRecord(
        "dependency",
        "requirements.txt",
        2,
        1,
        None,
        name="openai",
        vendor="OpenAI",
        owner="OpenAI",
        layer="model-api",
        product="openai",
        value="==0.27.0",
    )
    project = Project(
        [],
        None,
        None,
        lambda path: False,  # type: ignore[arg-type]
        {
            "vulnerable": [
                {
                    "package": "openai==0.27.0",
                    "vulnerabilities": [{"id": "GHSA-xxxx", "fix_versions": ["0.27.1"], "aliases": []}],
                }
            ]
        },
    )
    found = list(CHECKS["vulnerable-dependency"]([record], load_rules(), {}, project))
    assert found == [(record, {"vendor": "OpenAI", "name": "openai==0.27.0", "ids": "GHSA-xxxx", "fix": "0.27.1"})]


def test_without_pip_audit_the_lookup_says_how_to_add_it(monkeypatch) -> None:
    import importlib.util

    from auditor.facts import DependencyFact, Location
    from auditor.vulns import audit

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "pip_audit" else real(name, *a))
    report = audit([DependencyFact(Location("requirements.txt", 1, 1), "openai", "requirements", specifier="==1.0.0")])
    assert report.status == "unavailable" and "pip install 'lockaudit[vulns]'" in report.notice
