"""Baseline and ratchet: quiet about accepted findings, loud about new ones, even when a new
one is identical to an accepted one; entries survive moved lines; fixed ones can be dropped
but nothing is ever added by `--update-baseline`."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import lockaudit, write_tree

ADAPTER = "import openai\n\n\ndef ask(q):\n    client = openai.OpenAI()\n    return client\n"


def baseline_of(root: Path) -> list[dict[str, str]]:
    return json.loads((root / "lockaudit-baseline.json").read_text())["findings"]


def test_ratchet(tmp_path: Path) -> None:
    write_tree(tmp_path, {"app/llm.py": ADAPTER})
    written = lockaudit("baseline", tmp_path)
    assert written.returncode == 0 and "wrote 3 findings to" in written.stderr
    assert len(baseline_of(tmp_path)) == 3
    assert lockaudit("check", tmp_path).returncode == 0
    # Moved lines and an unrelated edit: still nothing new.
    (tmp_path / "app/llm.py").write_text(
        "'''The adapter.'''\n\n" + ADAPTER.replace("return client", "return client  # ok")
    )
    moved = lockaudit("check", tmp_path)
    assert moved.returncode == 0 and "passed: no new findings" in moved.stderr
    # A second, identical client in the same function is a new place: the first one's cannot absorb it,
    # and the finding that lists both places is new.
    (tmp_path / "app/llm.py").write_text(
        ADAPTER.replace("    return client", "    other = openai.OpenAI()\n    return client")
    )
    second = lockaudit("check", tmp_path, "--format", "json")
    assert second.returncode == 1 and "failed: 1 new finding at or above" in second.stderr
    states = [
        (f["rule_id"], [p["line"] for p in f["places"]], f["baseline_state"])
        for f in json.loads(second.stdout)["findings"]
    ]
    assert ("client-outside-adapter", [5, 6], "new") in states and (
        "sdk-import-outside-adapter",
        [1],
        "unchanged",
    ) in states
    # --update-baseline never adds the new one...
    assert lockaudit("check", tmp_path, "--update-baseline").returncode == 1
    assert len(baseline_of(tmp_path)) == 3
    # ...and drops what was fixed.
    (tmp_path / "app/llm.py").write_text("import openai\n")
    fixed = lockaudit("check", tmp_path)
    assert fixed.returncode == 0 and "1 baseline entry matches no finding any more (fixed)" in fixed.stderr
    assert lockaudit("check", tmp_path, "--update-baseline").returncode == 0
    assert [e["rule_id"] for e in baseline_of(tmp_path)] == ["sdk-import-outside-adapter", "single-model-vendor"]


def test_places_are_matched_one_by_one_and_old_baselines_still_match(tmp_path: Path) -> None:
    models = "MODELS = ['gpt-4o', 'gpt-4.1', 'o3-mini']\n"
    write_tree(tmp_path, {"app/models.py": models})
    assert lockaudit("baseline", tmp_path).returncode == 0
    [entry] = baseline_of(tmp_path)
    assert entry["rule_id"] == "hard-coded-model-id" and len(entry["places"]) == 3
    # One place gone: the finding is unchanged, and --update-baseline keeps only the places still there.
    (tmp_path / "app/models.py").write_text("MODELS = ['gpt-4o', 'o3-mini']\n")
    fewer = lockaudit("check", tmp_path, "--update-baseline")
    assert fewer.returncode == 0 and "1 fixed place" in fewer.stderr
    assert len(baseline_of(tmp_path)[0]["places"]) == 2
    # A baseline from before places (one entry per place, no `places`) still matches place by place.
    document = json.loads((tmp_path / "lockaudit-baseline.json").read_text())
    document["findings"] = [
        {"fingerprint": p, "rule_id": "hard-coded-model-id", "path": "app/models.py", "message": ""}
        for p in document["findings"][0]["places"]
    ]
    (tmp_path / "lockaudit-baseline.json").write_text(json.dumps(document))
    assert lockaudit("check", tmp_path).returncode == 0
    (tmp_path / "app/models.py").write_text("MODELS = ['gpt-4o', 'o3-mini', 'gpt-5']\n")
    grown = lockaudit("check", tmp_path, "--fail-on", "low")
    assert grown.returncode == 1 and "1 new finding" in grown.stderr


def test_configured_path_sarif_state_and_bad_baselines(tmp_path: Path) -> None:
    root = tmp_path / "p"
    write_tree(root, {"app.py": "import openai\n", ".lockaudit.toml": 'baseline = "ci/accepted.json"\n'})
    (root / "ci").mkdir()
    assert lockaudit("baseline", root).returncode == 0 and (root / "ci/accepted.json").is_file()
    (root / "app.py").write_text("import openai\nimport anthropic\n")
    sarif = tmp_path / "out.sarif"
    assert lockaudit("check", root, "--sarif", sarif).returncode == 1
    states = {
        (r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]): r["baselineState"]
        for r in json.loads(sarif.read_text())["runs"][0]["results"]
    }
    assert (
        states[("sdk-import-outside-adapter", 1)] == "unchanged" and states[("sdk-import-outside-adapter", 2)] == "new"
    )
    assert lockaudit("check", root, "--no-baseline").returncode == 1
    missing = lockaudit("check", root, "--baseline", tmp_path / "nope.json")
    assert missing.returncode == 2 and "no such baseline file" in missing.stderr
    (tmp_path / "bad.json").write_text('{"findings": 3}')
    bad = lockaudit("check", root, "--baseline", tmp_path / "bad.json")
    assert bad.returncode == 2 and "not a lockaudit baseline" in bad.stderr and "Traceback" not in bad.stderr


def test_the_per_file_hook_neither_fixes_nor_drops_other_files_entries(tmp_path: Path) -> None:
    import subprocess
    import sys

    write_tree(tmp_path, {"app/llm.py": ADAPTER, "app/other.py": "import anthropic\n"})
    assert lockaudit("baseline", tmp_path).returncode == 0
    before = baseline_of(tmp_path)
    hook = subprocess.run(
        [sys.executable, "-m", "auditor", "check", "app/llm.py"], cwd=tmp_path, capture_output=True, text=True
    )
    assert hook.returncode == 0 and "no finding any more" not in hook.stderr
    refused = subprocess.run(
        [sys.executable, "-m", "auditor", "check", "--update-baseline", "app/llm.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert refused.returncode == 2 and "needs the whole project" in refused.stderr
    assert baseline_of(tmp_path) == before
