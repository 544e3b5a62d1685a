"""The README's quick start is exactly two commands, and CI runs the second one."""

from __future__ import annotations

import re

from helpers import REPO


def quick_start_commands() -> list[str]:
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", section, re.S)]


def test_quick_start_has_an_install_and_scan_command_and_a_test_command() -> None:
    commands = quick_start_commands()
    assert len(commands) == 2 and all("\n" not in c for c in commands)
    assert "lockaudit scan fixtures/demo" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text().splitlines()
    assert quick_start_commands()[1] in ci


def test_the_readme_shows_the_demo_as_lockaudit_reports_it() -> None:
    from helpers import lockaudit

    readme = (REPO / "README.md").read_text()
    block = readme.split("Example, on the demo:", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    shown = [line for line in block.splitlines() if line and not line.startswith("$ ") and line.strip() != "..."]
    actual = [line for line in lockaudit("scan", REPO / "fixtures" / "demo").stdout.splitlines() if line]
    assert shown == actual[: len(shown)]


def test_the_readme_states_the_provider_family_rule_the_code_applies() -> None:
    from auditor.boundary import FAMILY_SDK_SHARE, FAMILY_SHARE, HELPER_OUTSIDE_MIN

    readme = " ".join((REPO / "README.md").read_text().split())
    rule = readme.split("a **provider family**:", 1)[1].split("- **implementations", 1)[0]
    assert f"at least {FAMILY_SHARE:.0%}".replace("%", " %") in rule
    assert FAMILY_SDK_SHARE == 0.5 and "at least half of its children that use an SDK" in rule
    assert f"are more than {HELPER_OUTSIDE_MIN} and more than those inside it" in rule
