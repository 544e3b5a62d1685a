"""The house's habits, kept by the default run (which CI runs): `mypy` finds no error in the
package (`[tool.mypy]` in pyproject.toml) and `ruff check` none in the code and its tests
(`[tool.ruff]`), and `ruff format` would change no file. The developer hooks in
.pre-commit-config.yaml run the same commands."""

from __future__ import annotations

from pathlib import Path

from helpers import run_in_repo

CODE = ("auditor", "tests", "benchmarks")


def test_mypy_finds_no_error(tmp_path: Path) -> None:
    # The cache goes to a temporary folder: nothing is written into the checkout (a cold run
    # of the package takes a few seconds).
    result = run_in_repo("-m", "mypy", "--cache-dir", tmp_path / "mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_finds_nothing() -> None:
    result = run_in_repo("-m", "ruff", "check", "--no-cache", *CODE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_would_change_nothing() -> None:
    result = run_in_repo("-m", "ruff", "format", "--check", "--no-cache", *CODE)
    assert result.returncode == 0, result.stdout + result.stderr
