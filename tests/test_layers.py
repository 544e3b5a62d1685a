"""The pipeline's order, kept mechanically: `lint-imports` checks the contracts in pyproject.toml
(`[tool.importlinter]`) on every default run, so an import against the flow fails here, and a
new module fails until it is given its layer."""

from __future__ import annotations

from helpers import run_in_repo

# The entry point of the `lint-imports` command, run by this interpreter on the checkout (its
# folder first on sys.path). `python -m importlinter.cli` has no main: it would pass unchecked.
LINT_IMPORTS = "from importlinter.cli import lint_imports_command; lint_imports_command()"


def test_imports_keep_the_layers_of_the_pipeline() -> None:
    # --no-cache: nothing written into the checkout; the graph of lockaudit takes a second to build.
    result = run_in_repo("-c", LINT_IMPORTS, "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 broken" in result.stdout
