"""The synthetic trees of benchmarks/synth.py and `bench.py --scale`: the trees must be the same
every time, valid Python and notebooks, and hold the vendor usages they claim, or growth
figures measured on them mean nothing. No timing is asserted."""

from __future__ import annotations

import ast
import collections
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from auditor.config import DEFAULT_MAX_FILE_SIZE
from auditor.limits import syntax_problem
from helpers import REPO, lockaudit

BENCHMARKS = REPO / "benchmarks"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"_bench_{name}", BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


synth = _load("synth")
bench = _load("bench")


def _contents(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


@pytest.mark.parametrize("shape", synth.SHAPES)
def test_generation_is_deterministic(tmp_path: Path, shape: str) -> None:
    first = synth.generate(tmp_path / "a", shape, 1)
    second = synth.generate(tmp_path / "b", shape, 1)
    assert first == second
    assert _contents(tmp_path / "a") == _contents(tmp_path / "b")


@pytest.mark.parametrize("shape", ["modules", "notebooks"])
def test_a_larger_scale_adds_to_the_smaller_one(tmp_path: Path, shape: str) -> None:
    small, large = synth.generate(tmp_path / "x1", shape, 1, 40), synth.generate(tmp_path / "x2", shape, 2, 40)
    before, after = _contents(tmp_path / "x1"), _contents(tmp_path / "x2")
    assert {path: after.get(path) for path in before} == before
    assert len(after) > len(before)
    counted = "modules" if shape == "modules" else "notebooks"
    assert large["expected"][counted] == 2 * small["expected"][counted] == 80


@pytest.mark.parametrize("shape", synth.SHAPES)
def test_every_file_is_valid_and_counted(tmp_path: Path, shape: str) -> None:
    description = synth.generate(tmp_path, shape, 1)
    files = [path for path in tmp_path.rglob("*") if path.is_file()]
    kinds = collections.Counter(path.suffix for path in files)
    assert description["files"] == len(files)
    assert (description["python_files"], description["notebooks"]) == (kinds[".py"], kinds[".ipynb"])
    assert description["lines"] == sum(path.read_bytes().count(b"\n") for path in files)
    for path in files:
        if path.suffix == ".py":
            ast.parse(path.read_bytes(), filename=str(path))
        elif path.suffix == ".ipynb":
            document = json.loads(path.read_text(encoding="utf-8"))
            assert document["nbformat"] == 4
            code = [cell for cell in document["cells"] if cell["cell_type"] == "code"]
            assert len(code) == 6 and any(cell["cell_type"] == "markdown" for cell in document["cells"])
            for cell in code:  # valid Python once the magics and shell escapes are dropped
                ast.parse("".join(line for line in cell["source"] if not line.startswith(("%", "!"))))


def test_the_huge_module_at_scale_8_is_still_analysed(tmp_path: Path) -> None:
    synth.generate(tmp_path, "huge", 8)
    data = (tmp_path / "app" / "huge.py").read_bytes()
    assert len(data) < DEFAULT_MAX_FILE_SIZE
    assert syntax_problem(data) is None


def _scan(root: Path) -> dict[str, Any]:
    result = lockaudit("scan", root, "--format", "json", "--no-cache")
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("shape", ["modules", "graph", "notebooks"])
def test_lockaudit_finds_the_vendor_usages_the_tree_holds(tmp_path: Path, shape: str) -> None:
    description = synth.generate(tmp_path, shape, 1)
    audit = _scan(tmp_path)
    summary = audit["summary"]
    assert (summary["files_analysed"], summary["files_skipped"]) == (description["files"], 0)
    assert audit["findings"]
    assert {"OpenAI", "Anthropic"} <= {vendor["vendor"] for vendor in summary["vendors"]}
    calls = collections.Counter(usage["vendor"] for usage in audit["inventory"] if usage["kind"] == "call")
    assert calls == description["expected"]["vendor_calls"]


def test_a_non_empty_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine\n", encoding="utf-8")
    with pytest.raises(synth.SynthError, match="not empty"):
        synth.generate(tmp_path, "modules", 1)
    cli = subprocess.run(
        [sys.executable, str(BENCHMARKS / "synth.py"), str(tmp_path), "--shape", "modules"],
        capture_output=True,
        text=True,
    )
    assert cli.returncode == 2
    assert cli.stderr == f"synth: error: {tmp_path}: folder is not empty; give a new or empty folder\n"
    assert [path.name for path in tmp_path.iterdir()] == ["keep.txt"]


def _floor(files: list[list[str]]) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-c", bench.FLOOR_CODE], input=json.dumps(files), capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    report = bench.marker_line(proc.stdout)
    assert report is not None
    return report


def test_the_floor_parses_notebook_code_cells(tmp_path: Path) -> None:
    def notebook(name: str, *sources: str) -> list[str]:
        cells = [{"cell_type": "markdown", "source": ["not ( python"]}]
        cells += [{"cell_type": "code", "source": source.splitlines(keepends=True)} for source in sources]
        (tmp_path / name).write_text(json.dumps({"cells": cells, "nbformat": 4}), encoding="utf-8")
        return [str(tmp_path / name), "notebook"]

    good = notebook("good.ipynb", "%matplotlib inline\n!pip install openai\nimport openai\n", "x = 1\n")
    broken = notebook("broken.ipynb", "import openai\n", "def f(:\n")
    assert _floor([good])["parsed"] == 1
    report = _floor([good, broken])
    assert (report["parsed"], report["parse_failed"]) == (1, 1)


def test_bench_scale_reports_growth(tmp_path: Path) -> None:
    out = tmp_path / "scale.json"
    proc = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "bench.py"),
            "--scale",
            "modules",
            "--factors",
            "1,2",
            "--runs",
            "1",
            "--base",
            "40",
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    # the verdict line is there either way; with so small a tree the 1x scan may be no slower than start-up
    assert "2x the work costs " in proc.stdout or "2x the work: growth not measured" in proc.stdout
    result = json.loads(out.read_text(encoding="utf-8"))
    first, second = result["results"]
    assert [first["factor"], second["factor"]] == [1, 2]
    assert second["tree"]["synth"]["expected"]["modules"] == 2 * first["tree"]["synth"]["expected"]["modules"] == 80
    assert second["audit"]["usages"] > first["audit"]["usages"] > 0
    assert first["floor"]["parse_failed"] == second["floor"]["parse_failed"] == 0
    assert result["growth"]["work"] == 2


def test_bench_scale_refuses_a_path(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(BENCHMARKS / "bench.py"), str(tmp_path), "--scale", "modules"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "PATH is not used with --scale" in proc.stderr
