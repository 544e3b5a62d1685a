"""Shared helpers for the tests: run lockaudit as users do, and project its JSON for goldens."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
GOLDEN = Path(__file__).resolve().parent / "golden"
SCHEMA = REPO / "auditor" / "schemas" / "audit-1.schema.json"


def lockaudit(*args: str | Path, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the real command line in a child process, as a user or CI would."""
    return subprocess.run(
        [sys.executable, "-m", "auditor", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run_in_repo(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """One of the project's own checks (mypy, ruff, lint-imports), run by this interpreter from
    the repository's root, as CI and the developer hooks run it."""
    return subprocess.run(
        [sys.executable, *map(str, args)], cwd=REPO, capture_output=True, text=True, encoding="utf-8", timeout=timeout
    )


def write_tree(root: Path, files: dict[str, str]) -> None:
    """Write a small project: relative path -> text."""
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def git(root: Path, *args: str, date: str | None = None) -> str:
    """Run git in `root` as a throwaway identity (committing at `date`, when given); fail the
    test if git fails."""
    return subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date} if date else None,
    ).stdout


def git_repository(root: Path, files: dict[str, str]) -> None:
    """A repository on branch main whose first commit holds `files`."""
    write_tree(root, files)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")


def timeless(audit: dict[str, Any]) -> dict[str, Any]:
    """The audit without its scan time, the one part two runs of one scan may differ in."""
    scan = audit.pop("scan")
    assert set(scan) == {"started", "seconds"} and scan["seconds"] >= 0
    return audit


def scan_json(path: Path, *extra: str) -> dict[str, Any]:
    """The JSON audit of `path`, without its scan time."""
    result = lockaudit("scan", path, "--format", "json", *extra)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return timeless(json.loads(result.stdout))


def _at(entry: dict[str, Any]) -> str:
    cell = f"[{entry['cell']}]" if entry["cell"] is not None else ""
    return f"{entry['path']}{cell}:{entry['line']}:{entry['column']}"


def project(audit: dict[str, Any]) -> dict[str, Any]:
    """The parts of an audit a golden file pins down, in the audit's own order."""
    return {
        "inventory": [
            {
                "at": _at(r),
                "kind": r["kind"],
                "name": r["name"],
                "symbol": r["symbol"],
                "call": r["call"],
                "value": r["value"],
                "vendor": r["vendor"],
                "product": r["product"],
                "layer": r["layer"],
                "host": r["host"],
                "scope": r["scope"],
                "flags": r["flags"],
                "expression": r["expression"],
                "role": r["role"],
                **({"via": r["via"]} if r.get("via") else {}),
                **({"signal": r["signal"]} if r.get("signal") else {}),
            }
            for r in audit["inventory"]
        ],
        "findings": [
            {
                "at": _at(f),
                "rule": f["rule_id"],
                "vendor": f["vendor"],
                "product": f["product"],
                "scope": f["scope"],
                "chain": " → ".join(f["chain"]),
                "role": f["role"],
                "severity": f["severity"],
                "places": [p["line"] for p in f["places"]],
            }
            for f in audit["findings"]
        ],
        "skipped": audit["skipped"],
        "boundary": audit["summary"]["boundary"],
        "leaks": [
            {"rank": leak["rank"], "path": leak["path"], "vendors": leak["vendors"], "reason": leak["reason"]}
            for leak in audit["summary"]["leaks"]
        ],
        "roles": audit["summary"]["roles"],
        "owners": {row["owner"]: sorted(row["layers"]) for row in audit["summary"]["owners"]["owners"]},
        "dependencies": [
            {
                "product": d["product"],
                "status": d["status"],
                "imported_by": d["imported_by"],
                "declared": [x["at"] for x in d["declared"]],
                "locked": [x["at"] for x in d["locked"]],
                "findings": [x["rule_id"] for x in d["findings"]],
            }
            for d in audit["summary"]["dependencies"]
        ],
    }


def cyclonedx_problem(document: str) -> str | None:
    """The CycloneDX library's own validation against the 1.6 JSON schema (None: valid); it needs
    the library's json-validation extra, which only the tests install."""
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(document)
    return None if error is None else str(error)


HISTORIES = FIXTURES / "histories"
HISTORY_DATES = ("2026-01-05T12:00:00+00:00", "2026-03-02T12:00:00+00:00", "2026-05-04T12:00:00+00:00")


def history_repository(root: Path, name: str, remote: str | None = None) -> list[str]:
    """fixtures/histories/NAME as a git repository in `root`: each snapshot (1/, 2/, 3/) one
    commit, on fixed dates by a fixed identity, so the commits are the same on every machine.
    The commits, oldest first."""
    import shutil

    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    if remote is not None:
        git(root, "remote", "add", "origin", remote)
    commits = []
    for step, date in zip(sorted(p.name for p in (HISTORIES / name).iterdir()), HISTORY_DATES, strict=True):
        for child in root.iterdir():
            if child.name != ".git":
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        shutil.copytree(HISTORIES / name / step, root, dirs_exist_ok=True)
        git(root, "add", "-A")
        git(root, "commit", "-qm", f"step {step}", date=date)
        commits.append(git(root, "rev-parse", "HEAD").strip())
    return commits


def every_format(root: Path, out: Path, prefix: Sequence[str] = ()) -> tuple[list[str], dict[str, Path]]:
    """`lockaudit scan ROOT` writing each registered file format into `out` (after `prefix`, such
    as a command that drops privileges): the command, and the file each format goes to."""
    from auditor.report.formats import FILE_FORMATS

    outputs = {fmt.name: out / f"report{fmt.extension}" for fmt in FILE_FORMATS}
    command = [*prefix, sys.executable, "-m", "auditor", "scan", str(root), "--no-cache"]
    command += [arg for name, path in outputs.items() for arg in (f"--{name}", str(path))]
    return command, outputs
