"""Parallel extraction: identical results, and a worker that dies costs one file, not the scan."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

import auditor.workers as workers
from auditor.discover import discover
from auditor.packs import load_rules
from helpers import FIXTURES, lockaudit, timeless


def many_files(root: Path, count: int) -> None:
    for i in range(count):
        (root / f"m{i:03}.py").write_text(
            f"from openai import OpenAI\nclient = OpenAI()\nclient.chat.completions.create(model='gpt-4o', messages=[])\n"
            f"KEY_{i} = __import__('os').getenv('OPENAI_API_KEY')\n"
        )


def test_parallel_and_serial_json_are_identical(tmp_path: Path) -> None:
    many_files(tmp_path, workers.PARALLEL_MIN_FILES + 10)
    for fixture in ("resolution", "tricky-imports", "notebooks"):
        shutil.copytree(FIXTURES / fixture, tmp_path / fixture)
    serial = lockaudit("scan", tmp_path, "--format", "json", "--jobs", "1")
    parallel = lockaudit("scan", tmp_path, "--format", "json", "--jobs", "2")
    assert serial.returncode == parallel.returncode == 0
    assert timeless(json.loads(serial.stdout)) == timeless(json.loads(parallel.stdout))
    assert len(json.loads(serial.stdout)["findings"]) > workers.PARALLEL_MIN_FILES


@pytest.mark.skipif(sys.platform != "linux", reason="the test patches the worker function, which fork inherits")
def test_a_worker_that_dies_costs_only_its_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    many_files(tmp_path, workers.PARALLEL_MIN_FILES + 6)
    import auditor.extract

    real = auditor.extract.extract

    def crashing(path, kind, data, detectors):  # what a segfault in a parser does to a worker process
        if path == "m007.py":
            os._exit(139)
        return real(path, kind, data, detectors)

    monkeypatch.setattr(auditor.extract, "extract", crashing)  # workers import it when they extract
    files = discover(tmp_path).files
    results = workers.extract_all(files, load_rules().detectors(), jobs=2)
    assert [r.source.path for r in results] == [f.path for f in files]
    problems = {r.source.path: r.problem for r in results if r.problem}
    assert problems == {"m007.py": "the extractor crashed on this file (worker process died)"}
    assert all(r.facts for r in results if r.source.path != "m007.py")


@pytest.mark.parametrize("count", [1, 70, 1_000, 20_000])
def test_files_go_to_workers_in_runs_that_cover_each_file_once(tmp_path: Path, count: int) -> None:
    files = [workers.SourceFile(f"m{i}.py", "python", tmp_path / f"m{i}.py") for i in range(count)]
    runs = workers.chunks(files, 2)
    assert [f for run in runs for f in run] == files
    assert max(len(run) for run in runs) <= workers.CHUNK_FILES
    assert len(runs) >= min(count, 2 * workers.CHUNKS_PER_WORKER)  # every worker gets several, none waits on one
