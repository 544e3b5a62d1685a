"""The pre-commit hooks, run by pre-commit itself (`try-repo` installs this checkout into a
hook environment as a user's `.pre-commit-config.yaml` would): the per-file hook fails on a
staged file that adds a direct OpenAI import and passes on a clean change; the whole-project
hook judges the project."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import REPO, git, git_repository

pytestmark = [
    pytest.mark.skipif(
        not (REPO / ".git").exists() or shutil.which("git") is None,
        reason="pre-commit installs hooks from a git checkout of lockaudit",
    ),
    pytest.mark.slow,
]


def try_repo(project: Path, hook: str, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), hook],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "PRE_COMMIT_HOME": str(home), "CI": "1"},
    )


def test_manifest_is_valid() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(REPO / ".pre-commit-hooks.yaml")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_hooks_fail_on_a_new_direct_import_and_pass_on_a_clean_change(tmp_path: Path) -> None:
    project, home = tmp_path / "project", tmp_path / "pre-commit-home"
    git_repository(
        project,
        {
            ".lockaudit.toml": 'adapters = ["app/llm.py"]\n',
            "app/__init__.py": "",
            "app/llm.py": "import openai\nclient = openai.OpenAI()\n",
            "app/web.py": "from app.llm import client\n\n\ndef reply(q):\n    return client\n",
            "README.md": "# shop\n",
        },
    )

    (project / "app/web.py").write_text("from app.llm import client\n\n\ndef reply(q):\n    return client  # tidy\n")
    (project / "README.md").write_text("# shop\n\nNow with tidier replies.\n")
    git(project, "add", "-A")
    clean = try_repo(project, "lockaudit", home)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "lockaudit (staged files)" in clean.stdout and "Passed" in clean.stdout

    (project / "app/web.py").write_text("import openai\n\n\ndef reply(q):\n    return openai.OpenAI()\n")
    git(project, "add", "app/web.py")
    added = try_repo(project, "lockaudit", home)
    assert added.returncode == 1, added.stdout + added.stderr
    assert "app/web.py:1:8: medium sdk-import-outside-adapter" in added.stdout
    assert "app/web.py:5:12: medium client-outside-adapter" in added.stdout

    whole = try_repo(project, "lockaudit-project", home)
    assert whole.returncode == 0 and "lockaudit (whole project)" in whole.stdout  # no baseline: it never blocks
    assert "sdk-import-outside-adapter" not in whole.stdout  # the staged-files hook reported it, once
