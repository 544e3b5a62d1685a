"""The house's habits, kept by the default run (which CI runs): `mypy` finds no error in the
package (`[tool.mypy]` in pyproject.toml) and `ruff check` none in the code and its tests
(`[tool.ruff]`), and `ruff format` would change no file. The developer hooks in
.pre-commit-config.yaml run the same commands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from helpers import REPO


def test_mypy_finds_no_error(tmp_path: Path) -> None:
    # The cache goes to a temporary folder: nothing is written into the checkout (a cold run
    # of the package takes a few seconds).
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "mypy")],
        cwd=REPO,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_finds_nothing() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "auditor", "tests", "benchmarks"],
        cwd=REPO,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
