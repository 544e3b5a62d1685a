"""Diff-aware gating with --since REF: findings in changed files only, the changes that weaken
the gate as findings of their own, and a plain error (never a silent pass) when the clone
cannot know the merge base."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from helpers import git, git_repository, lockaudit


def repository(root: Path) -> None:
    git_repository(
        root,
        {
            "pyproject.toml": '[project]\nname = "shop"\n\n[tool.lockaudit]\nexclude = ["build/"]\n',
            "shop/__init__.py": "",
            "shop/old.py": "import openai\n",
            "shop/cart.py": "def total(items):\n    return sum(items)\n",
        },
    )
    assert lockaudit("baseline", root).returncode == 0
    git(root, "add", "-A")
    git(root, "commit", "-qm", "baseline")
    git(root, "checkout", "-qb", "feature")


def test_only_changed_files_and_gate_weakening_changes(tmp_path: Path) -> None:
    repository(tmp_path)
    (tmp_path / "shop/cart.py").write_text(
        "import anthropic  # lockaudit: ignore[sdk-import-outside-adapter] the pricing adapter\n"
        "MODEL = 'claude-sonnet-4-5'\n"
    )
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "shop"\n\n[tool.lockaudit]\nexclude = ["build/", "shop/legacy/"]\nfail-on = "high"\n'
        'disable = ["hard-coded-model-id"]\n'
    )
    accepted = json.loads((tmp_path / "lockaudit-baseline.json").read_text())
    accepted["findings"].append(
        {"fingerprint": "0" * 20, "rule_id": "client-outside-adapter", "path": "shop/cart.py", "message": "slipped in"}
    )
    (tmp_path / "lockaudit-baseline.json").write_text(json.dumps(accepted))
    git(tmp_path, "add", "shop/cart.py")  # staged, unstaged and committed changes all count
    result = lockaudit("check", tmp_path, "--since", "main", "--format", "json")
    audit = json.loads(result.stdout)
    got = sorted((f["rule_id"], f["path"], f["line"], f["message"]) for f in audit["findings"])
    assert got == [
        (
            "baseline-grew",
            "lockaudit-baseline.json",
            1,
            "the baseline gained 1 entries: client-outside-adapter@shop/cart.py",
        ),
        ("gate-weakened", "pyproject.toml", 5, "[tool.lockaudit] exclude now excludes 'shop/legacy/'"),
        ("gate-weakened", "pyproject.toml", 6, "[tool.lockaudit] fail-on raised from 'medium' to 'high'"),
        ("gate-weakened", "pyproject.toml", 7, "[tool.lockaudit] disable now disables rule 'hard-coded-model-id'"),
        # the change's own `disable` is not merged yet: the gate still applies the rule
        ("hard-coded-model-id", "shop/cart.py", 2, "model id claude-sonnet-4-5 (Anthropic) is hard-coded"),
        ("new-suppression", "shop/cart.py", 1, "new suppression of sdk-import-outside-adapter: the pricing adapter"),
        (
            "no-adapter-boundary",
            "shop/cart.py",
            1,
            "no boundary: 2 of 3 modules use a vendor SDK directly (shop/cart.py, shop/old.py)",
        ),
    ]  # shop/old.py's import predates the change and is left out
    assert audit["since"]["ref"] == "main" and audit["since"]["changed_files"] == 3
    assert audit["since"]["findings_elsewhere"] >= 1
    assert "files changed since main" in result.stderr


def test_a_shallow_clone_without_the_merge_base_is_an_error_not_a_pass(tmp_path: Path) -> None:
    origin = tmp_path / "origin"
    repository(origin)
    (origin / "shop/new.py").write_text("import openai\n")
    git(origin, "add", "-A")
    git(origin, "commit", "-qm", "feature")
    git(origin, "checkout", "-q", "main")
    (origin / "shop/other.py").write_text("x = 1\n")
    git(origin, "add", "-A")
    git(origin, "commit", "-qm", "main moves on")
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", "--no-single-branch", origin.as_uri(), str(clone)], check=True
    )
    git(clone, "checkout", "-q", "feature")
    result = lockaudit("check", clone, "--since", "origin/main")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "not in this shallow clone" in result.stderr and "git fetch --unshallow" in result.stderr
    unknown = lockaudit("check", clone, "--since", "no-such-branch")
    assert unknown.returncode == 2 and "no such commit or branch" in unknown.stderr
    outside = lockaudit("check", tmp_path / "origin" / "shop", "--since", "main")
    assert outside.returncode in (0, 1)  # a folder inside the repository works


def test_declaring_code_a_test_or_an_example_weakens_the_gate() -> None:
    from auditor.gate import weakenings
    from auditor.packs import load_rules

    found = weakenings(
        {"include-roles": ["test"], "roles": {"tools/": "product"}},
        {"roles": {"tools/": "product", "app/llm/": "example"}},
        load_rules(),
    )
    assert found == [
        ("roles", "now treats 'app/llm/' as example code, which the gate does not count"),
        ("include-roles", "no longer counts test code"),
    ]


def test_a_folder_inside_the_repository_is_judged_by_the_top_configuration_at_the_merge_base(tmp_path: Path) -> None:
    git_repository(
        tmp_path,
        {
            "pyproject.toml": "[tool.lockaudit]\nadapters = ['svc/llm/']\n",
            "svc/llm/client.py": "import openai\n",
            "svc/views.py": "def page():\n    return 1\n",
        },
    )
    git(tmp_path, "checkout", "-qb", "feature")
    (tmp_path / "svc/views.py").write_text("import anthropic\n")
    (tmp_path / "pyproject.toml").write_text("[tool.lockaudit]\nadapters = ['svc/llm/', 'svc/views.py']\n")
    audit = json.loads(lockaudit("check", tmp_path / "svc", "--since", "main", "--format", "json").stdout)
    got = sorted((f["rule_id"], f["path"]) for f in audit["findings"])
    # the change's own widening of the adapters is not merged yet: views.py is still outside them
    assert got == [("gate-weakened", "../pyproject.toml"), ("sdk-import-outside-adapter", "views.py")], got
    assert audit["config"]["source"] == "../pyproject.toml"
