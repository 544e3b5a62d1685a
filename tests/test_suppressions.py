"""Suppression comments: they need a rule id and a reason, cover their line (or the next when
alone on a line), are listed in every report, and a careless or stale one is a finding."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import lockaudit, scan_json, write_tree

NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "source": ["import anthropic  # lockaudit: ignore[sdk-import-outside-adapter] exploration notebook\n"],
        }
    ],
    "metadata": {},
    "nbformat": 4,
    "nbformat_minor": 5,
}

FILES = {
    "app/__init__.py": "",
    "app/llm.py": (
        "import openai  # lockaudit: ignore[sdk-import-outside-adapter] this module is the adapter\n"
        "# lockaudit: ignore[hard-coded-model-id] the benchmark pins this model\n"
        "MODEL = 'gpt-4o'\n"
        "client = openai.OpenAI()  # lockaudit: ignore[client-outside-adapter]\n"
        "TEXT = '# lockaudit: ignore[hard-coded-model-id] a string, not a comment'\n"
        "OTHER = 'gpt-4.1'\n"
        "x = 1  # lockaudit: ignore[provider-env-spread] stale\n"
    ),
    "app/models.py": "# lockaudit: ignore-file[hard-coded-model-id] the model catalogue\nA = 'gpt-4o'\nB = 'claude-sonnet-4-5'\n",
    "requirements.txt": "cohere==5.0.0  # lockaudit: ignore[ai-sdk-declared-not-imported] used by a plugin at run time\n",
    "nb.ipynb": json.dumps(NOTEBOOK),
}


def test_suppressions_apply_and_are_reported(tmp_path: Path) -> None:
    write_tree(tmp_path, FILES)
    audit = scan_json(tmp_path)
    suppressed = sorted(
        (
            s["finding"]["rule_id"],
            s["finding"]["path"],
            s["finding"]["line"],
            s["suppression"]["line"],
            s["suppression"]["reason"],
        )
        for s in audit["suppressed"]
    )
    assert suppressed == [
        ("ai-sdk-declared-not-imported", "requirements.txt", 1, 1, "used by a plugin at run time"),
        ("hard-coded-model-id", "app/llm.py", 3, 2, "the benchmark pins this model"),
        ("hard-coded-model-id", "app/models.py", 2, 1, "the model catalogue"),
        ("hard-coded-model-id", "app/models.py", 3, 1, "the model catalogue"),
        ("sdk-import-outside-adapter", "app/llm.py", 1, 1, "this module is the adapter"),
        ("sdk-import-outside-adapter", "nb.ipynb", 1, 1, "exploration notebook"),
    ]
    assert audit["summary"]["findings"]["suppressed"] == 6
    found = {(f["rule_id"], f["path"], f["line"]) for f in audit["findings"]}
    assert ("client-outside-adapter", "app/llm.py", 4) in found  # no reason: suppresses nothing
    assert ("invalid-suppression", "app/llm.py", 4) in found
    assert ("unused-suppression", "app/llm.py", 7) in found
    assert ("hard-coded-model-id", "app/llm.py", 6) in found  # a string that looks like a comment covers nothing
    assert not any(rule.endswith("-suppression") and line == 5 for rule, _, line in found)
    everything = scan_json(tmp_path, "--no-suppressions")
    assert everything["suppressed"] == []
    places = sum(len(f["places"]) for f in audit["findings"])
    # Each suppressed place is back, and the two findings about comments are gone.
    assert sum(len(f["places"]) for f in everything["findings"]) == places + 6 - 2


def test_every_report_lists_the_suppressions(tmp_path: Path) -> None:
    root = tmp_path / "p"
    write_tree(root, FILES)
    html, sarif, markdown = tmp_path / "r.html", tmp_path / "r.sarif", tmp_path / "r.md"
    result = lockaudit("scan", root, "--html", html, "--sarif", sarif, "--markdown", markdown)
    assert "Suppressed: 6 findings by # lockaudit: ignore comments" in result.stdout
    assert "app/llm.py:3:9  hard-coded-model-id  the benchmark pins this model" in result.stdout
    assert "6 findings were suppressed" in markdown.read_text()
    page = html.read_text()
    assert "Suppressions used" in page and "the benchmark pins this model" in page
    results = json.loads(sarif.read_text())["runs"][0]["results"]
    assert not [r for r in results if "suppressions" in r]  # code scanning would list them as closed alerts
    kept = tmp_path / "kept.sarif"
    assert lockaudit("scan", root, "--sarif", kept, "--sarif-include-suppressed").returncode == 0
    results = json.loads(kept.read_text())["runs"][0]["results"]
    justified = sorted(r["suppressions"][0]["justification"] for r in results if "suppressions" in r)
    assert len(justified) == 6 and "the model catalogue" in justified


def test_check_fails_on_what_an_invalid_suppression_did_not_hide(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "app.py": "import openai  # lockaudit: ignore[sdk-import-outside-adapter]\n",
            ".lockaudit.toml": "disable = ['single-model-vendor']\n",
        },
    )
    failed = lockaudit("check", tmp_path)
    assert failed.returncode == 1 and "sdk-import-outside-adapter" in failed.stdout
    (tmp_path / "app.py").write_text("import openai  # lockaudit: ignore[sdk-import-outside-adapter] the adapter\n")
    assert lockaudit("check", tmp_path).returncode == 0


def test_quoted_text_is_not_a_comment(tmp_path: Path) -> None:
    """A YAML or TOML string, inline code in a description, or a Python docstring can quote a
    suppression (or a tool's) without being one."""
    write_tree(
        tmp_path,
        {
            "app.py": '"""Write # ty: ignore or # lockaudit: ignore[x] in a docstring."""\nimport os\n',
            "promptfooconfig.yaml": 'description: "use # lockaudit: ignore[hard-coded-model-id] here"\n'
            "prompts: ['hi # lockaudit: ignore[x]']\nnote: `# lockaudit: ignore[y]`\n",
        },
    )
    audit = scan_json(tmp_path)
    assert not [f for f in audit["findings"] if "suppression" in f["rule_id"]]


def test_a_wildcard_override_does_not_silence_the_rules_about_suppressions(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            ".lockaudit.toml": '[[overrides]]\npaths = ["tests/"]\ndisable = ["*"]\n',
            "tests/test_a.py": "import openai  # lockaudit: ignore[sdk-import-outside-adapter]\nx = 1  # lockaudit: ignore[hard-coded-model-id] old\n",
        },
    )
    rules = sorted(f["rule_id"] for f in scan_json(tmp_path)["findings"])
    assert rules == ["invalid-suppression", "unused-suppression"]
    (tmp_path / ".lockaudit.toml").write_text(
        '[[overrides]]\npaths = ["tests/"]\ndisable = ["*", "invalid-suppression", "unused-suppression"]\n'
    )
    assert scan_json(tmp_path)["findings"] == []
