"""Batch: scan many checkouts for a portfolio, in local processes or on a Dask cluster.

Each task scans one checkout with its own configuration and returns the JSON audit that
`lockaudit scan --json` would write, or why it could not; nothing else crosses processes.
For more than one machine, Dask's scheduler does the distribution (`--executor dask://…`):
lockaudit writes no scheduler of its own.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

DASK = "dask://"


class BatchError(Exception):
    """The executor cannot be used; the message says why and what to do."""


def scan_checkout(path: str, cache: str | None = None) -> tuple[str, dict[str, Any] | None, str | None]:
    """(path, the audit document, None), or (path, None, why not). Runs in a worker process, so
    every failure is returned as text rather than raised across the process boundary."""
    from auditor.config import ConfigError, load_config
    from auditor.packs import PackError, load_rules
    from auditor.pipeline import ScanOptions, run_audit
    from auditor.report.json import render_json
    from auditor.vcs import VcsError

    root = Path(path).resolve()
    if not root.is_dir():
        return path, None, "not a folder"
    try:
        loaded = load_config(root, None, None)
        ruleset = load_rules(loaded.config.rules, loaded.config.count_announced)
        loaded.config.check_against(set(ruleset.rules), ruleset.vendors())
        audit = run_audit(
            root,
            loaded.config,
            ruleset,
            loaded.problems,
            ScanOptions(jobs=1, cache=Path(cache) if cache else None),
        )
    except (ConfigError, PackError, VcsError, OSError) as exc:
        return path, None, str(exc)[:500]
    except Exception as exc:  # lockaudit's bug on this checkout: it costs this checkout, not the batch
        return path, None, f"internal error: {exc.__class__.__name__}: {str(exc)[:300]} (please report it)"
    if audit.files_analysed == 0:
        return path, None, "no Python file or notebook was analysed"
    return path, json.loads(render_json(audit)), None


def scan_checkouts(
    paths: Sequence[str], jobs: int, cache: str | None, executor: str | None = None
) -> Iterator[tuple[str, dict[str, Any] | None, str | None]]:
    """Every checkout's result, in the order given."""
    if executor is not None:
        yield from _on_dask(paths, executor)
        return
    if jobs <= 1 or len(paths) <= 1:
        for path in paths:
            yield scan_checkout(path, cache)
        return
    done = 0
    try:
        with ProcessPoolExecutor(max_workers=min(jobs, len(paths))) as pool:
            for result in pool.map(scan_checkout, paths, [cache] * len(paths)):
                done += 1
                yield result
    except BrokenProcessPool:  # a worker was killed (out of memory?): the checkouts left are said, not lost
        for path in paths[done:]:
            yield path, None, "not scanned: a scanning process died (out of memory?); scan it alone to see why"


def _on_dask(paths: Sequence[str], executor: str) -> Iterator[tuple[str, dict[str, Any] | None, str | None]]:
    """On a Dask cluster (`dask://HOST:PORT`, as `dask.distributed.Client` takes it as
    `tcp://HOST:PORT`): each worker must be able to read the checkout at the path given."""
    if not executor.startswith(DASK) or len(executor) == len(DASK):
        raise BatchError(f"--executor {executor}: expected dask://HOST:PORT")
    try:
        distributed: Any = importlib.import_module("dask.distributed")  # an optional extra, untyped
    except ImportError as exc:
        raise BatchError("--executor dask://… needs dask.distributed: pip install 'lockaudit[dask]'") from exc
    address = "tcp://" + executor[len(DASK) :]
    try:
        client = distributed.Client(address, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise BatchError(f"--executor {executor}: cannot reach the Dask scheduler ({exc})") from exc
    with client:
        # No fact cache on workers: the caller's cache folder is a path on the caller's machine.
        futures = client.map(scan_checkout, list(paths), cache=None, pure=False)
        for path, future in zip(paths, futures, strict=True):
            try:
                yield future.result()
            except Exception as exc:  # a worker died or lost the task: that checkout, not the batch
                yield path, None, f"the Dask task failed: {exc.__class__.__name__}: {str(exc)[:300]}"
