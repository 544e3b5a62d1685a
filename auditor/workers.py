"""Extraction across processes: read and extract files in a pool, in any order, with
results returned in file order so that parallel and serial runs give identical output.

A worker that dies (a crash in the parser on pathological input) breaks a process pool;
the files it may have been working on are then retried one at a time in a pool of their
own, so the culprit is found, recorded as skipped, and the scan goes on.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from typing import Any

from auditor.cache import cache_rows
from auditor.catalog import Detectors
from auditor.discover import SourceFile
from auditor.facts import Fact
from auditor.files import read_regular
from auditor.limits import DEFAULT_MAX_BYTES
from auditor.redact import Redactor

BINARY_PROBE = 8192
# Below this many files a pool costs more to start than it saves.
PARALLEL_MIN_FILES = 64
FILES_PER_WORKER = 16  # a worker is started only for at least this many files
MAX_WORKERS = 16  # whatever --jobs says: each worker holds the rule packs and a file's syntax tree
CHUNK_FILES = 32
CHUNKS_PER_WORKER = 8

_detectors: Detectors | None = None
_max_bytes = DEFAULT_MAX_BYTES
_redactor: Redactor | None = None


@dataclass(frozen=True, slots=True)
class FileResult:
    source: SourceFile
    facts: tuple[Fact, ...] = ()
    problem: str | None = None  # why the file could not be read at all
    rows: list[Any] | None = None  # the facts as the cache keeps them, when there is a cache and they may be kept


def _initialise(detectors: Detectors, max_bytes: int = DEFAULT_MAX_BYTES, redactor: Redactor | None = None) -> None:
    global _detectors, _max_bytes, _redactor
    _detectors, _max_bytes, _redactor = detectors, max_bytes, redactor


def extract_file(source: SourceFile) -> FileResult:
    try:
        data = read_regular(source.abspath, _max_bytes)
    except OSError as exc:
        return FileResult(source, problem=f"cannot be read: {exc.strerror or exc}")
    if b"\0" in data[:BINARY_PROBE]:
        return FileResult(source, problem="binary file (NUL bytes)")
    from auditor.extract import extract  # here, not at the top: a cached run never loads the extractors

    facts = tuple(extract(source.path, source.kind, data, _detectors))
    # Made here, beside the extraction: checking every file's facts for secrets is work the
    # workers share, not the main process alone.
    rows = cache_rows(source.path, facts, _redactor) if _redactor is not None else None
    return FileResult(source, facts, rows=rows)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def extract_all(
    files: Sequence[SourceFile],
    detectors: Detectors,
    jobs: int,
    track: Callable[[Iterator[FileResult], int], Iterator[FileResult]] = lambda results, total: results,
    max_bytes: int = DEFAULT_MAX_BYTES,
    redactor: Redactor | None = None,
) -> list[FileResult]:
    """Every file's result, in the order of `files`; with `redactor`, each with its cache rows."""
    workers = min(jobs, MAX_WORKERS, len(files) // FILES_PER_WORKER)
    if workers <= 1 or len(files) < PARALLEL_MIN_FILES:
        _initialise(detectors, max_bytes, redactor)
        return list(track((extract_file(f) for f in files), len(files)))
    results: dict[str, FileResult] = {}
    for result in track(_pooled(files, (detectors, max_bytes, redactor), workers), len(files)):
        results[result.source.path] = result
    return [results[f.path] for f in files]


def extract_chunk(sources: Sequence[SourceFile]) -> list[FileResult]:
    return [extract_file(source) for source in sources]


def chunks(files: Sequence[SourceFile], workers: int) -> list[list[SourceFile]]:
    """Files in runs of up to CHUNK_FILES: one message to a worker and back per run, not per
    file, and still some runs per worker, so that one slow file does not leave the others idle."""
    size = max(1, min(CHUNK_FILES, len(files) // (workers * CHUNKS_PER_WORKER)))
    return [list(files[i : i + size]) for i in range(0, len(files), size)]


def _pooled(
    files: Sequence[SourceFile], setup: tuple[Detectors, int, Redactor | None], workers: int
) -> Iterator[FileResult]:
    pending = list(files)
    while pending:
        done: set[str] = set()
        try:
            with _pool(workers, setup) as pool:
                futures: dict[Future[list[FileResult]], list[SourceFile]] = {
                    pool.submit(extract_chunk, chunk): chunk for chunk in chunks(pending, workers)
                }
                for future in as_completed(futures):
                    for result in future.result():
                        done.add(result.source.path)
                        yield result
            pending = []
        except BrokenProcessPool:
            unfinished = [chunk for chunk in futures.values() if chunk[0].path not in done]
            # The runs most likely in flight when a worker died (the pool queues one more than it
            # has workers) are tried file by file, each alone.
            suspects = [source for chunk in unfinished[: workers + 1] for source in chunk]
            pending = [source for chunk in unfinished[workers + 1 :] for source in chunk]
            for source in suspects:
                yield _isolated(source, setup)


def _isolated(source: SourceFile, setup: tuple[Detectors, int, Redactor | None]) -> FileResult:
    try:
        with _pool(1, setup) as pool:
            return pool.submit(extract_file, source).result()
    except BrokenProcessPool:
        return FileResult(source, problem="the extractor crashed on this file (worker process died)")


def _pool(jobs: int, setup: tuple[Detectors, int, Redactor | None]) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=jobs, mp_context=forking(), initializer=_initialise, initargs=setup)


def forking() -> BaseContext:
    """Processes made by fork on Linux, where it is cheap and a worker inherits what the parent
    loaded (the rule packs, `history`'s facts); elsewhere the platform's default."""
    return multiprocessing.get_context("fork" if sys.platform == "linux" else None)
