"""Command line: `lockaudit scan` reports, `lockaudit check` gates.

Exit codes (DESIGN.md): 0 pass; 1 findings at or above the threshold; 2 bad invocation,
invalid lockaudit configuration, a broken rule pack, or nothing to analyse.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, NoReturn

import click

from auditor import __version__
from auditor.config import ConfigError, load_config
from auditor.discover import SourceFile
from auditor.packs import PackError, load_rules
from auditor.pipeline import run_audit
from auditor.report import write_output
from auditor.report.json import render_json
from auditor.report.text import render_text
from auditor.severity import SEVERITIES, at_least

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
DEFAULT_GATE = "medium"
PROGRESS_MIN_FILES = 200
RENDERERS: dict[str, Callable[..., str]] = {"text": render_text, "json": render_json}


def _fail(message: str) -> NoReturn:
    click.echo(f"lockaudit: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def audit_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Arguments and output flags shared by every command that runs an audit."""

    @click.argument(
        "path", default=".", type=click.Path(exists=True, file_okay=False, dir_okay=True, path_type=Path)
    )
    @click.option("--json", "json_out", metavar="FILE", help="Write the JSON audit to FILE ('-' for stdout).")
    @click.option(
        "--format", "fmt", type=click.Choice(sorted(RENDERERS)), default="text", show_default=True,
        help="What goes to standard output.",
    )
    @click.option("--exclude", multiple=True, metavar="GLOB", help="Exclude paths (gitignore syntax); repeatable.")
    @click.option("--fail-on", type=click.Choice(SEVERITIES), help="Exit 1 on findings at or above this severity.")
    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> Any:
        return command(**kwargs)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lockaudit")
def main() -> None:
    """lockaudit: how tied is this codebase to its AI vendors and their tools?"""


@main.command()
@audit_options
def scan(path: Path, json_out: str | None, fmt: str, exclude: tuple[str, ...], fail_on: str | None) -> None:
    """Audit PATH and report. Exits 0 when the scan completes, unless --fail-on is given."""
    sys.exit(_run(path, json_out, fmt, exclude, fail_on))


@main.command()
@audit_options
def check(path: Path, json_out: str | None, fmt: str, exclude: tuple[str, ...], fail_on: str | None) -> None:
    """Gate for pre-commit and CI: exit 1 on findings at or above fail-on (default medium)."""
    sys.exit(_run(path, json_out, fmt, exclude, fail_on, gate=True))


def _progress(files: Sequence[SourceFile]) -> Iterable[SourceFile]:
    """A progress bar on stderr for long scans at a terminal; silent in CI and pipes."""
    if len(files) < PROGRESS_MIN_FILES or not sys.stderr.isatty() or os.environ.get("CI"):
        return files
    return _bar(files)


def _bar(files: Sequence[SourceFile]) -> Iterator[SourceFile]:
    with click.progressbar(files, label="Scanning", file=sys.stderr, show_pos=True) as bar:
        yield from bar


def _run(path: Path, json_out: str | None, fmt: str, exclude: tuple[str, ...], fail_on: str | None,
         gate: bool = False) -> int:
    root = path.resolve()
    try:
        loaded = load_config(root)
        ruleset = load_rules(loaded.config.rules)
    except (ConfigError, PackError) as exc:
        _fail(str(exc))
    config = loaded.config
    if exclude:
        config = replace(config, exclude=(*config.exclude, *exclude))
    audit = run_audit(root, config, ruleset, loaded.problems, track=_progress)

    if json_out and json_out != "-":
        try:
            write_output(json_out, render_json(audit))
        except OSError as exc:
            _fail(f"cannot write {json_out}: {exc.strerror or exc}")
    if json_out == "-":  # JSON owns stdout; a person still gets the summary on stderr
        write_output("-", render_json(audit))
        if fmt != "json":
            click.echo(render_text(audit), err=True, nl=False)
    else:
        write_output("-", RENDERERS[fmt](audit))

    if audit.files_analysed == 0:
        click.echo(f"lockaudit: error: nothing to analyse: no readable Python files or notebooks under {path}", err=True)
        return EXIT_ERROR
    threshold = fail_on or (config.fail_on or DEFAULT_GATE if gate else None)
    if threshold and any(at_least(f.severity, threshold) for f in audit.findings):
        return EXIT_FINDINGS
    return EXIT_OK
