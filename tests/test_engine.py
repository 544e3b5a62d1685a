"""Findings: one per rule, file and vendor listing its places, with fingerprints that survive edits."""

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


def imports(root: Path) -> list[dict]:
    return [f for f in scan_json(root)["findings"] if f["rule_id"] == "sdk-import-outside-adapter"]


def fingerprints(root: Path) -> tuple[list[str], list[str]]:
    """The findings' fingerprints, and their places' fingerprints."""
    found = imports(root)
    return [f["fingerprint"] for f in found], [p["fingerprint"] for f in found for p in f["places"]]


def test_repeats_are_one_finding_per_vendor_with_every_place(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(SOURCE)
    found = imports(tmp_path)
    assert [(f["vendor"], [p["line"] for p in f["places"]]) for f in found] == [("Google", [1, 2]), ("OpenAI", [7, 9])]
    assert found[0]["message"].endswith("(2 places in this file)")
    groups, places = fingerprints(tmp_path)
    assert len(set(groups)) == 2 and len(set(places)) == 4


def test_fingerprints_survive_moved_lines_and_unrelated_edits(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(SOURCE)
    before = fingerprints(tmp_path)
    edited = "import os\n\n\n" + SOURCE.replace("return ChatOpenAI()", "return ChatOpenAI(temperature=0)")
    (tmp_path / "app.py").write_text(edited)
    assert fingerprints(tmp_path) == before


def test_a_new_identical_import_is_a_new_place_of_the_same_finding(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(SOURCE)
    groups, places = fingerprints(tmp_path)
    (tmp_path / "app.py").write_text(SOURCE + "\nfrom google import genai\n")
    groups_after, places_after = fingerprints(tmp_path)
    assert groups_after == groups
    assert set(places) < set(places_after) and len(places_after) == len(places) + 1
