"""Findings: one per import statement and module, with fingerprints that survive edits."""

from __future__ import annotations

from pathlib import Path

from helpers import scan_json

SOURCE = """\
from google import genai
from google.genai import types


def build(kind):
    if kind == "a":
        from langchain_openai import ChatOpenAI
        return ChatOpenAI()
    from langchain_openai import ChatOpenAI
    return ChatOpenAI()
"""


def fingerprints(root: Path) -> list[str]:
    return [f["fingerprint"] for f in scan_json(root)["findings"] if f["rule_id"] == "sdk-import-outside-adapter"]


def test_every_finding_has_its_own_fingerprint(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(SOURCE)
    found = fingerprints(tmp_path)
    assert len(found) == 4 and len(set(found)) == 4


def test_fingerprints_survive_moved_lines_and_unrelated_edits(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(SOURCE)
    before = fingerprints(tmp_path)
    edited = "import os\n\n\n" + SOURCE.replace("return ChatOpenAI()", "return ChatOpenAI(temperature=0)")
    (tmp_path / "app.py").write_text(edited)
    assert fingerprints(tmp_path) == before


def test_a_new_identical_import_gets_a_new_fingerprint(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(SOURCE)
    before = fingerprints(tmp_path)
    (tmp_path / "app.py").write_text(SOURCE + "\nfrom google import genai\n")
    after = fingerprints(tmp_path)
    assert set(before) < set(after) and len(after) == len(before) + 1
