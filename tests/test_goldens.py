"""Each fixture's complete inventory, findings and skipped list: an extra or missing entry fails."""

from __future__ import annotations

import difflib
import json

import jsonschema
import pytest

from helpers import FIXTURES, GOLDEN, SCHEMA, project, scan_json

# histories/ holds snapshots of repositories over time, for history and portfolio (test_portfolio.py).
FIXTURE_NAMES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and p.name != "histories")


def test_every_fixture_has_a_golden_file() -> None:
    assert FIXTURE_NAMES, "no fixtures found"
    assert sorted(p.stem for p in GOLDEN.glob("*.json")) == FIXTURE_NAMES


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture_matches_golden(name: str, update_goldens: bool) -> None:
    """`pytest --update-goldens` rewrites a golden that differs and prints the diff: read every
    line of it before committing, since a golden is what lockaudit must report."""
    audit = scan_json(FIXTURES / name)
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text())).validate(audit)
    actual = project(audit)
    if update_goldens:
        written = json.dumps(actual, indent=2, ensure_ascii=False) + "\n"
        before = (GOLDEN / f"{name}.json").read_text() if (GOLDEN / f"{name}.json").is_file() else ""
        if written != before:
            (GOLDEN / f"{name}.json").write_text(written)
            diff = difflib.unified_diff(
                before.splitlines(),
                written.splitlines(),
                f"golden/{name}.json (before)",
                f"golden/{name}.json (now)",
                lineterm="",
            )
            print("\n".join(diff))
    expected = json.loads((GOLDEN / f"{name}.json").read_text())
    assert actual["inventory"] == expected["inventory"]
    assert actual["findings"] == expected["findings"]
    assert actual["boundary"] == expected["boundary"]
    assert actual["leaks"] == expected["leaks"]
    assert actual["roles"] == expected["roles"]
    assert actual["owners"] == expected["owners"]
    assert actual["dependencies"] == expected["dependencies"]
    # Parser messages vary between Python versions: goldens pin each reason's stable prefix.
    assert [s["path"] for s in actual["skipped"]] == [s["path"] for s in expected["skipped"]]
    for got, want in zip(actual["skipped"], expected["skipped"]):
        assert got["reason"].startswith(want["reason"]), (got, want)


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_summary_agrees_with_inventory(name: str) -> None:
    audit = scan_json(FIXTURES / name)
    counted = audit["summary"]["roles"]["counted"]
    for row in audit["summary"]["vendors"]:  # the vendor table counts the counted roles' code
        mine = [r for r in audit["inventory"] if r["vendor"] == row["vendor"] and r["role"] in counted]
        assert row["files"] == len({r["path"] for r in mine})
        for kind, count in row["sites"].items():
            sites = {(r["path"], r["cell"], r["line"], r["column"], r["name"]) for r in mine if r["kind"] == kind}
            assert count == len(sites), (row["vendor"], kind)
        assert row["import_sites"] == row["sites"].get("import", 0)
        assert row["call_sites"] == row["sites"].get("call", 0) + row["sites"].get("client", 0)
    assert audit["summary"]["findings"]["total"] == len(audit["findings"])
    assert audit["summary"]["files_skipped"] == len({s["path"] for s in audit["skipped"]})


def test_concentrated_stack_names_each_owners_layers() -> None:
    owners = {row["owner"]: row for row in scan_json(FIXTURES / "concentrated-stack")["summary"]["owners"]["owners"]}
    assert sorted(owners["OpenAI"]["layers"]) == [
        "evaluation",
        "lint-format",
        "model-api",
        "package-manager",
        "type-check",
    ]
    assert [(d["company"], d["status"], d["as_of"]) for d in owners["OpenAI"]["through"]] == [
        ("Astral", "announced", "2026-03-19"),
        ("Promptfoo", "announced", "2026-03-09"),
    ]
    assert list(owners["Microsoft"]["layers"]) == ["ci"]
    assert owners["Microsoft"]["through"][0]["status"] == "completed"


def test_announced_deals_can_be_left_out(tmp_path) -> None:
    import shutil

    root = tmp_path / "stack"
    shutil.copytree(FIXTURES / "concentrated-stack", root)
    (root / ".lockaudit.toml").write_text("count-announced = false\n")
    owners = {row["owner"]: sorted(row["layers"]) for row in scan_json(root)["summary"]["owners"]["owners"]}
    assert owners["OpenAI"] == ["evaluation", "model-api"]  # the implicit grader and the SDK
    assert owners["Astral"] == ["lint-format", "package-manager", "type-check"]
    assert owners["Promptfoo"] == ["evaluation"]
