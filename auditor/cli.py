"""Command line: `lockaudit scan` reports, `lockaudit check` gates.

Exit codes (DESIGN.md): 0 pass; 1 findings at or above the threshold; 2 bad invocation,
invalid lockaudit configuration, a broken rule pack, or nothing to analyse.
"""

from __future__ import annotations

import functools
import gc
import json
import os
import select
import signal
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from auditor import __version__
from auditor.report.escape import visible
from auditor.report.text import clean
from auditor.severity import DEFAULT_FAIL_ON, SEVERITIES
from auditor.suggest import did_you_mean
from auditor.words import count as _count

if TYPE_CHECKING:
    from auditor.audit import Audit
    from auditor.catalog import RuleSet
    from auditor.config import Config, ConfigLoad
    from auditor.ruletest import CatalogResult, ExampleResult
    from auditor.workers import FileResult

# Everything else is imported where a command needs it: `lockaudit --version` and `--help`
# load click and nothing of the pipeline, and `report` never loads the extractors.

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
PROGRESS_MIN_FILES = 200
GC_THRESHOLD = 100_000  # allocations between young-generation collections (Python's default: 700)


def _render(name: str, audit: Audit, stream: Any = None, include_suppressed: bool = False) -> str:
    """`stream`: where a text report goes, coloured only when that is a terminal and NO_COLOR is unset."""
    from auditor.report.formats import BY_NAME

    return BY_NAME[name].render(
        audit, colour=stream is not None and _colour(stream), include_suppressed=include_suppressed
    )


def _colour(stream: Any) -> bool:
    """NO_COLOR wins, then FORCE_COLOR (a CI log that shows colour), then whether it is a terminal."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return stream.isatty() and os.environ.get("TERM") != "dumb"


def _echo(message: str = "", err: bool = False, nl: bool = True) -> None:
    """Every line lockaudit prints may carry text from the scanned tree or its rule packs:
    no control sequence or invisible character reaches the terminal as itself."""
    click.echo(visible(message, keep="\n\t"), err=err, nl=nl)


def _fail(message: str) -> NoReturn:
    """Errors quote what the tree holds (a configuration value, a pack's text): redacted too."""
    from auditor.redact import built_in

    _echo(f"lockaudit: error: {built_in().text(message)}", err=True)
    sys.exit(EXIT_ERROR)


def output_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """`--format` and a `--NAME FILE` option for each format that writes a file (report/formats.py)."""
    from auditor.report.formats import FILE_FORMATS, FORMATS

    for fmt in reversed(FILE_FORMATS):
        command = click.option(
            f"--{fmt.name}", fmt.option, metavar="FILE", help=f"Write {fmt.what} to FILE ('-' for stdout)."
        )(command)
    command = click.option(
        "--history",
        "history_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Show the trend from this `lockaudit history --json` file in the HTML and Markdown reports.",
    )(command)
    command = click.option(
        "--sarif-include-suppressed",
        is_flag=True,
        help="Keep the findings `# lockaudit: ignore` hides in the SARIF, marked suppressed.",
    )(command)
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(sorted(f.name for f in FORMATS)),
        default="text",
        show_default=True,
        help="What goes to standard output.",
    )(command)


def document_options(what: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`--json`, `--markdown` and `--html FILE` for a command that writes one document (`what`),
    and `--quiet` for its summary on standard output."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        command = click.option("--quiet", "-q", is_flag=True, help="No summary on standard output.")(command)
        for name, form in (("html", "a self-contained HTML page"), ("markdown", "Markdown"), ("json", "JSON")):
            stdout = "" if name == "html" else " ('-' for stdout)"
            command = click.option(f"--{name}", f"{name}_out", metavar="FILE", help=f"Write {what} as {form}{stdout}.")(
                command
            )
        return command

    return decorate


def _outputs(options: dict[str, Any]) -> dict[str, str | None]:
    """Format name -> the file asked for (or None), taken out of a command's options."""
    from auditor.report.formats import FILE_FORMATS

    return {fmt.name: options.pop(fmt.option, None) for fmt in FILE_FORMATS}


def audit_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Arguments and output flags shared by every command that runs an audit."""

    @output_options
    @click.option(
        "--exclude",
        multiple=True,
        metavar="GLOB",
        help="Exclude paths (gitignore syntax, relative to PATH); repeatable.",
    )
    @click.option(
        "--select", multiple=True, metavar="RULE", help="Run only these rules (ids, comma-separated or repeated)."
    )
    @click.option(
        "--ignore", multiple=True, metavar="RULE", help="Do not run these rules (ids, comma-separated or repeated)."
    )
    @click.option(
        "--config",
        "config_file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Read configuration from this .lockaudit.toml or pyproject.toml instead of the nearest one.",
    )
    @click.option("--fail-on", type=click.Choice(SEVERITIES), help="Exit 1 on findings at or above this severity.")
    @click.option(
        "--jobs",
        "-j",
        type=click.IntRange(min=1),
        default=None,
        help="Processes for extraction (default: the CPUs available).",
    )
    @click.option(
        "--vulns",
        is_flag=True,
        help="Also look up known vulnerabilities of pinned dependencies with pip-audit (needs the network).",
    )
    @click.option("--no-cache", is_flag=True, help="Extract every file again; do not read or write the fact cache.")
    @click.option(
        "--cache-dir",
        type=click.Path(file_okay=False, path_type=Path),
        help="The fact cache's folder (default: $LOCKAUDIT_CACHE_DIR, or lockaudit/ in the user's cache folder).",
    )
    @click.option(
        "--quiet",
        "-q",
        is_flag=True,
        help="No summary: `check` prints only the findings that fail it, and its verdict when it fails.",
    )
    @click.option(
        "--no-suppressions", is_flag=True, help="Ignore # lockaudit: ignore[...] comments and show everything."
    )
    @click.option(
        "--baseline",
        "baseline_file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Compare with this baseline (default: the configured one, when it exists); only new findings fail.",
    )
    @click.option("--no-baseline", is_flag=True, help="Ignore the configured baseline: every finding counts.")
    @click.option(
        "--since",
        "since",
        metavar="REF",
        help="Report only findings in files changed since the merge base with REF (a branch or commit), "
        "and the changes that weaken the gate.",
    )
    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> Any:
        return command(**kwargs)

    return wrapper


# `lockaudit --help`: the commands in the order a user meets them, then examples and exit codes.
COMMAND_GROUPS = (
    ("Audit", ("scan", "report", "graph")),
    ("Organisation", ("portfolio", "history")),
    ("Gate", ("check", "baseline")),
    ("Set up", ("init", "config", "rules")),
)
OPTION_GROUPS = (  # a command's options by what they are for; the rest are listed under "Options"
    (
        "Output",
        ("fmt", "*_out", "sarif_include_suppressed", "history_file", "quiet", "output"),
    ),  # *_out: each format's file
    ("What is analysed", ("exclude", "select", "ignore", "config_file", "no_suppressions", "vulns")),
    ("Gate", ("fail_on", "baseline_file", "no_baseline", "since", "update_baseline", "project_hook")),
    ("Commits", ("start", "every", "tags")),
    ("Repositories", ("scan_dirs", "reports_dir", "history_files")),
    ("Policy", ("forbid_vendors", "allow_vendors")),
    ("Speed", ("jobs", "executor", "no_cache", "cache_dir")),
)
EPILOG = """\b
Examples:
  lockaudit scan --html report.html      audit the current project, write the HTML report
  lockaudit init                         adopt it: configuration, baseline, pre-commit hooks
  lockaudit check --since origin/main    the CI gate on a pull request's changes
  lockaudit check --quiet FILES          the pre-commit hook on staged files

\b
Exit codes:
  0  passed, or the scan completed
  1  findings at or above fail-on (default medium for check) that are not in the baseline
  2  bad invocation, invalid configuration or rule pack, nothing to analyse, or an internal error
"""


class _Command(click.Command):
    """A command whose --help lists its options in groups (OPTION_GROUPS), as Ruff's does."""

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = {
            param.name: param.get_help_record(ctx) for param in self.get_params(ctx) if isinstance(param, click.Option)
        }
        listed: set[str | None] = set()
        for title, patterns in OPTION_GROUPS:
            names = [
                name
                for pattern in patterns
                for name in rows
                if name == pattern or (pattern == "*_out" and name and name.endswith("_out"))
            ]
            group = [row for name in names if (row := rows.get(name))]
            listed.update(name for name in names if rows.get(name))
            if group:
                with formatter.section(title):
                    formatter.write_dl(group)
        rest = [row for name, row in rows.items() if row and name not in listed]
        if rest:
            with formatter.section("Options"):
                formatter.write_dl(rest)


class _Group(click.Group):
    """Turns a bug in lockaudit into a one-line message and exit 2, never a traceback."""

    command_class = _Command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        listed: set[str] = set()
        for title, names in COMMAND_GROUPS:
            rows = [(name, self.commands[name].get_short_help_str(limit=60)) for name in names if name in self.commands]
            listed.update(name for name, _ in rows)
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)
        rest = [
            (name, command.get_short_help_str(limit=60))
            for name, command in sorted(self.commands.items())
            if name not in listed
        ]
        if rest:
            with formatter.section("Other"):
                formatter.write_dl(rest)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except BrokenPipeError as exc:
            if not _stdout_closed():  # a pipe of lockaudit's own broke: a bug, reported below
                _internal_error(exc)
            # `lockaudit … | head`: the reader stopped early; end quietly, as Unix tools do.
            _silence_stdout()
            sys.exit(128 + getattr(signal, "SIGPIPE", 13))
        except KeyboardInterrupt:
            _echo("lockaudit: interrupted", err=True)
            sys.exit(130)
        except Exception as exc:
            _internal_error(exc)


def _internal_error(exc: Exception) -> None:
    if os.environ.get("LOCKAUDIT_DEBUG"):
        raise exc
    _echo(
        f"lockaudit: internal error: {exc.__class__.__name__}: {clean(str(exc))} "
        "(set LOCKAUDIT_DEBUG=1 for the traceback, and please report it)",
        err=True,
    )
    sys.exit(EXIT_ERROR)


def _stdout_closed() -> bool:
    """Whether standard output is a pipe whose reader has gone."""
    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))
    except (AttributeError, OSError, ValueError):  # no poll (Windows) or no descriptor: assume the reader
        return True


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's own flush at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]}, epilog=EPILOG)
@click.version_option(__version__, prog_name="lockaudit")
def main() -> None:
    """lockaudit: how tied is this codebase to its AI vendors and their tools?"""
    # SIGPIPE stays ignored (Python's default): with the default action, a write to a worker
    # process that has just died would kill the whole scan. A closed stdout is handled above.
    # A scan allocates millions of short-lived, acyclic objects (syntax trees, facts): with the
    # default thresholds the cycle collector walks every live fact again and again, which made
    # time grow faster than the facts. Collections stay on, only rarer.
    gc.set_threshold(GC_THRESHOLD, 50, 50)


@main.command()
@click.argument("path", default=".", type=click.Path(exists=True, file_okay=True, dir_okay=True, path_type=Path))
@audit_options
def scan(path: Path, **options: Any) -> None:
    """Audit PATH and report. Exits 0 when the scan completes, unless --fail-on is given.

    PATH is a folder (default: the current one), or a file: then the current folder is the
    project and the report holds that file's file-scope findings."""
    outputs = _outputs(options)
    if path.is_dir():
        sys.exit(_run(path, outputs, **options))
    sys.exit(_run(Path("."), outputs, **options, files=_files_here((path,))))


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@audit_options
@click.option(
    "--update-baseline",
    is_flag=True,
    help="Drop baseline entries that no longer match (fixed findings); never adds new ones.",
)
@click.option(
    "--project-hook",
    is_flag=True,
    help="As the whole-project pre-commit hook runs it: only the project-scope rules (the staged-files "
    "hook reports the rest), and without a baseline it says how to add one instead of blocking.",
)
def check(paths: tuple[Path, ...], update_baseline: bool, project_hook: bool, **options: Any) -> None:
    """Gate for pre-commit and CI: exit 1 on findings at or above fail-on (default medium)
    that are not in the baseline.

    PATHS is one folder (default: the current one), or files (as pre-commit passes them):
    then the current folder is the project and only those files' file-scope findings count."""
    folders = [p for p in paths if p.is_dir()]
    if len(folders) > 1 or (folders and len(paths) > 1):
        _fail("give one folder, or only files")
    outputs = _outputs(options)
    if folders or not paths:
        sys.exit(
            _run(
                folders[0] if folders else Path("."),
                outputs,
                **options,
                gate=True,
                update_baseline=update_baseline,
                project_hook=project_hook,
            )
        )
    if project_hook:
        _fail("--project-hook checks the whole project: give no files (pass_filenames: false)")
    sys.exit(_run(Path("."), outputs, **options, gate=True, update_baseline=update_baseline, files=_files_here(paths)))


def _files_here(paths: tuple[Path, ...]) -> frozenset[str]:
    """Files given on the command line, relative to the current folder, which is the project."""
    root = Path(".").resolve()
    files = set()
    for path in paths:
        try:
            files.add(path.resolve().relative_to(root).as_posix())
        except ValueError:
            _fail(f"{path} is outside the current folder; run lockaudit from the project's top folder")
    return frozenset(files)


@main.command("baseline")
@click.argument("path", default=".", type=click.Path(exists=True, file_okay=False, dir_okay=True, path_type=Path))
@click.option(
    "--output",
    "-o",
    "output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write it (default: the configured baseline, lockaudit-baseline.json).",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read configuration from this .lockaudit.toml or pyproject.toml instead of the nearest one.",
)
@click.option(
    "--exclude", multiple=True, metavar="GLOB", help="Exclude paths (gitignore syntax, relative to PATH); repeatable."
)
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Processes for extraction.")
def baseline_command(
    path: Path, output: Path | None, config_file: Path | None, exclude: tuple[str, ...], jobs: int | None
) -> None:
    """Accept today's findings: write them to the baseline, so `check` fails only on new ones."""
    from auditor import baseline
    from auditor.cache import default_folder
    from auditor.pipeline import ScanOptions, run_audit
    from auditor.workers import default_jobs

    root, loaded, ruleset = _prepare(path, config_file)
    target = output or loaded.config.baseline_path(root)
    if target is None:
        _fail(
            _inherited_baseline(
                loaded.config,
                "lockaudit writes no baseline for a folder inside it; run "
                "`lockaudit baseline` on that folder, or name a file with --output",
            )
        )
    _refuse_inputs(root, loaded.config, [str(target)], baseline_too=False)
    _writable(str(target))  # before the scan, not after it
    audit = run_audit(
        root,
        loaded.config,
        ruleset,
        loaded.problems,
        ScanOptions(cli_exclude=exclude, jobs=jobs or default_jobs(), track=_progress, cache=default_folder()),
    )
    try:
        baseline.write(target, baseline.entries_of(audit.findings), __version__)
    except OSError as exc:
        _fail(f"cannot write {str(target)!r}: {exc.strerror or exc}")
    _echo(f"lockaudit baseline: wrote {_count(len(audit.findings), 'finding')} to {os.path.relpath(target)}", err=True)


def _at_a_terminal() -> bool:
    """Whether a progress bar may show: on a terminal's stderr, never in CI logs or pipes."""
    return sys.stderr.isatty() and not os.environ.get("CI")


def _bar_stream(show: bool) -> Any:
    """Where a progress bar draws: stderr when it shows, else nowhere."""
    import io

    return sys.stderr if show else io.StringIO()


def _progress(results: Iterator[FileResult], total: int) -> Iterator[FileResult]:
    """A progress bar on stderr for long scans at a terminal; silent in CI and pipes."""
    if total < PROGRESS_MIN_FILES or not _at_a_terminal():
        return results
    return _bar(results, total)


def _silent(results: Iterator[FileResult], total: int) -> Iterator[FileResult]:
    return results  # --quiet: no bar either


def _bar(results: Iterator[FileResult], total: int) -> Iterator[FileResult]:
    with click.progressbar(results, length=total, label="Scanning", file=sys.stderr, show_pos=True) as bar:
        yield from bar


def _prepare(path: Path, config_file: Path | None, since: str | None = None) -> tuple[Path, ConfigLoad, RuleSet]:
    """The root, its configuration and the rule packs, or exit 2 saying what is wrong. With
    `since`, the configuration and packs are the merge base's: the gate a change is judged by."""
    from auditor import vcs
    from auditor.config import ConfigError, lexical_relative, load_config
    from auditor.packs import PackError, load_rules
    from auditor.vcs import VcsError

    root = path.resolve()
    try:
        commit = vcs.merge_base(root, since) if since is not None else None
    except VcsError as exc:
        _fail(str(exc))
    try:
        loaded = load_config(root, config_file, commit)
        ruleset = load_rules(loaded.config.rules, loaded.config.count_announced)
        loaded.config.check_against(set(ruleset.rules), ruleset.vendors())
    except (ConfigError, PackError, VcsError) as exc:
        from_tree = config_file is None or lexical_relative(config_file, root) is not None
        where = (
            f" (as at the merge base {commit[:12]}, whose configuration judges the change)"
            if commit and from_tree
            else ""
        )
        _fail(f"{exc}{where}")
    for notice in loaded.notices:
        _echo(f"lockaudit: note: {clean(notice)}", err=True)
    return root, loaded, ruleset


@dataclass(frozen=True)
class RunRequest:
    """What `scan` and `check` were asked for: their options, as click parsed them."""

    outputs: dict[str, str | None]  # format name -> file, '-' or None (report/formats.py)
    fmt: str = "text"
    exclude: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    config_file: Path | None = None
    fail_on: str | None = None
    jobs: int | None = None
    vulns: bool = False
    no_cache: bool = False
    cache_dir: Path | None = None
    quiet: bool = False
    no_suppressions: bool = False
    baseline_file: Path | None = None
    no_baseline: bool = False
    since: str | None = None
    sarif_include_suppressed: bool = False
    history_file: Path | None = None
    gate: bool = False  # `check`: exit 1 on failing findings, and say why
    update_baseline: bool = False
    project_hook: bool = False
    files: frozenset[str] | None = None  # the files given (pre-commit), not the whole project


def _run(path: Path, outputs: dict[str, str | None], **options: Any) -> int:
    """Scan, write the reports, and for `check` judge: the exit code."""
    request = RunRequest(outputs, **options)
    _checked_outputs(request.fmt, request.outputs)
    root, loaded, ruleset = _prepare(path, request.config_file, request.since)
    config = _chosen_rules(loaded.config, set(ruleset.rules), request.select, request.ignore)
    if request.fail_on is not None:  # the reports' verdicts (Markdown, JUnit) judge by the threshold the exit code uses
        import dataclasses

        config = dataclasses.replace(config, fail_on=request.fail_on)
    _refuse_inputs(root, config, list(request.outputs.values()))
    chosen = _baseline_of(root, config, request)
    trend = _trend(request.history_file)
    audit = _audit(root, config, ruleset, loaded.problems, chosen, request)
    audit.trend = _of_this(trend, audit, request.history_file)
    nothing = audit.files_analysed == 0 and request.files is None
    # With nothing analysed the machine formats still say what was skipped and why, but no text
    # summary: a perfect score of nothing would mislead.
    _emit(audit, request.fmt, request.outputs, request.quiet or nothing, request.sarif_include_suppressed)
    if nothing:
        found = f"; {len(audit.skipped)} could not be analysed: " if audit.skipped else ""
        listed = "; ".join(f"{clean(s.path)} ({clean(s.reason)})" for s in audit.skipped[:5])
        _echo(
            f"lockaudit: error: nothing to analyse: no Python file or notebook under {path} "
            f"was analysed{found}{listed}",
            err=True,
        )
        return EXIT_ERROR
    return _judge(root, audit, ruleset, config.fail_on, chosen, request)


def _baseline_of(root: Path, config: Config, request: RunRequest) -> Path | None:
    """The baseline the findings are compared with, if any; exit 2 when --update-baseline has none."""
    chosen = None if request.no_baseline else request.baseline_file or config.baseline_path(root)
    if (
        chosen is None
        and not request.no_baseline
        and config.inherited
        and config.base is not None
        and (config.base / config.baseline).is_file()
    ):
        note = _inherited_baseline(config, "it does not judge a folder inside it; pass --baseline to use one")
        _echo(f"lockaudit: note: {clean(note)}", err=True)
    if chosen is not None and request.baseline_file is None and not chosen.is_file():
        chosen = None  # the configured baseline is optional until `lockaudit baseline` writes it
    if request.update_baseline and request.files is not None:
        _fail("--update-baseline needs the whole project: run it on a folder, not on files")
    if request.update_baseline and chosen is None:
        _fail("--update-baseline needs a baseline: write one with `lockaudit baseline`, or pass --baseline FILE")
    return chosen


def _audit(
    root: Path,
    config: Config,
    ruleset: RuleSet,
    problems: list[tuple[str, str]],
    chosen: Path | None,
    request: RunRequest,
) -> Audit:
    """The pipeline's audit, the fixed baseline entries dropped when asked, its notices printed."""
    from auditor import baseline
    from auditor.cache import default_folder
    from auditor.pipeline import ScanOptions, run_audit
    from auditor.vcs import VcsError
    from auditor.workers import default_jobs

    options = ScanOptions(
        cli_exclude=request.exclude,
        jobs=request.jobs or default_jobs(),
        track=_silent if request.quiet else _progress,
        vulns=request.vulns,
        suppressions=not request.no_suppressions,
        baseline=chosen,
        since=request.since,
        files=request.files,
        cache=None if request.no_cache else (request.cache_dir or default_folder()),
    )
    try:
        audit = run_audit(root, config, ruleset, problems, options)
    except (baseline.BaselineError, VcsError) as exc:
        _fail(str(exc))
    if request.update_baseline and chosen is not None and audit.baseline is not None:
        _drop_fixed(chosen, audit)
    for notice in audit.notices:
        _echo(f"lockaudit: note: {clean(notice)}", err=True)
    if audit.vulnerabilities.get("notice"):
        _echo(f"lockaudit: note: {clean(audit.vulnerabilities['notice'])}", err=True)
    return audit


def _judge(
    root: Path, audit: Audit, ruleset: RuleSet, configured: str | None, chosen: Path | None, request: RunRequest
) -> int:
    """The exit code: 1 when findings fail the threshold (`--fail-on`, or for `check` the
    configured one or the default); for `check`, the verdict in words (gate.verdict)."""
    from auditor.gate import verdict

    if request.files is not None and audit.files_analysed == 0 and not audit.skipped:
        if not request.quiet:
            _echo("lockaudit check: passed: none of the files given is one lockaudit analyses", err=True)
        return EXIT_OK
    threshold = request.fail_on or (configured or DEFAULT_FAIL_ON if request.gate else None)
    failing = audit.failing(threshold) if threshold else []
    if request.project_hook:
        file_scope = ruleset.file_scope()
        failing = [f for f in failing if f.rule_id not in file_scope]  # the staged-files hook reports those
        if chosen is None and failing:  # every commit would fail on findings it did not make
            _echo(
                f"lockaudit: note: {_count(len(failing), 'project finding')} at or above '{threshold}' and no "
                "baseline: this hook lets the commit through; accept today's findings with `lockaudit init` or "
                "`lockaudit baseline`, and it fails on new ones",
                err=True,
            )
            return EXIT_OK
    if request.gate and request.quiet and failing and request.fmt == "text":  # a hook's output: one line each
        document = "-" in request.outputs.values()  # standard output holds a document: the lines go beside it
        for finding in failing:
            cell = f"[cell {finding.cell}]" if finding.cell is not None else ""
            _echo(
                f"{clean(_from_here(root, finding.path))}{cell}:{finding.line}:{finding.column}: {finding.severity} "
                f"{finding.rule_id} {clean(finding.message)}",
                err=document,
            )
    if request.gate:
        for line in verdict(
            audit, threshold or DEFAULT_FAIL_ON, len(failing), updated=request.update_baseline, quiet=request.quiet
        ):
            _echo(clean(line), err=True)
    return EXIT_FINDINGS if failing else EXIT_OK


def _chosen_rules(config: Config, known: set[str], select: tuple[str, ...], ignore: tuple[str, ...]) -> Config:
    """`--select` and `--ignore`, as Ruff names them: rules switched off on top of `disable`."""
    import dataclasses

    def ids(values: tuple[str, ...], option: str) -> set[str]:
        found = {part.strip() for value in values for part in value.split(",") if part.strip()}
        for rule_id in sorted(found - known):
            _fail(f"{option} names no known rule {rule_id!r}{did_you_mean(rule_id, known)}")
        return found

    selected, ignored = ids(select, "--select"), ids(ignore, "--ignore")
    if not selected and not ignored:
        return config
    off = ignored | ((known - selected) if selected else set())
    return dataclasses.replace(config, disable=frozenset(config.disable | off))


def _checked_outputs(fmt: str, outputs: dict[str, str | None]) -> dict[str, str | None]:
    """`outputs`, once standard output goes to one document at most and every file's folder exists."""
    _check_outputs(fmt, outputs)
    for destination in outputs.values():
        _writable(destination)
    return outputs


def _writable(destination: str | None) -> None:
    """An output file's folder must exist: said before a scan, not after it."""
    if destination and destination != "-" and not Path(destination).resolve().parent.is_dir():
        _fail(f"cannot write {destination!r}: its folder does not exist")


def _from_here(root: Path, path: str) -> str:
    """A finding's path as a terminal or an editor opens it from the current folder, when that
    folder is inside the scanned root or holds it; otherwise relative to the root, as scanned."""
    here = Path.cwd()
    if here.is_relative_to(root) or root.is_relative_to(here):
        return os.path.relpath(root / path, here)
    return path


def _inherited_baseline(config: Config, consequence: str) -> str:
    where = os.path.dirname(config.source or "")
    return (
        f"the configuration is {config.source}, whose baseline ({where}/{config.baseline}) holds the findings "
        f"of a scan of {where}/; {consequence}"
    )


def _refuse_inputs(root: Path, config: Config, destinations: list[str | None], baseline_too: bool = True) -> None:
    """A report written over a file the scan reads would destroy the project's own file, or,
    in a tree under review, let the output of one run feed the next."""
    from auditor.discover import file_kind

    own_baseline = config.baseline_path(root)
    inputs = {own_baseline.resolve()} if baseline_too and own_baseline is not None else set()
    if config.source is not None:
        inputs.add(((config.base or root) / Path(config.source).name).resolve())
    for destination in destinations:
        if destination is None or destination == "-":
            continue
        target = Path(destination).resolve()
        scanned = (
            target.is_relative_to(root)
            and target.is_file()
            and file_kind(target.name, target.relative_to(root).as_posix()) is not None
        )
        if target in inputs or scanned:
            _fail(f"{destination} is one of the files lockaudit reads; write the report somewhere else")


def _emit(
    audit: Audit, fmt: str, destinations: dict[str, str | None], quiet: bool = False, include_suppressed: bool = False
) -> None:
    """Write each requested file atomically; one format owns stdout: `-` if given, else --format."""
    from auditor.report import write_output

    to_stdout = _check_outputs(fmt, destinations)
    for name, destination in destinations.items():
        if destination is not None and destination != "-":
            _write(destination, _render(name, audit, include_suppressed=include_suppressed))
    if to_stdout:  # a machine format owns stdout; a person still gets the summary on stderr
        write_output("-", _render(to_stdout[0], audit, include_suppressed=include_suppressed))
        if fmt == "text" and not quiet:
            click.echo(_render("text", audit, sys.stderr), err=True, nl=False)  # escaped, coloured on purpose
    elif not (quiet and fmt == "text"):
        write_output("-", _render(fmt, audit, sys.stdout, include_suppressed))


def _write(destination: str, text: str) -> None:
    """One output written atomically, or exit 2 saying why it cannot be."""
    from auditor.report import write_output

    try:
        write_output(destination, text)
    except OSError as exc:
        _fail(f"cannot write {destination!r}: {exc.strerror or exc}")


def _check_outputs(fmt: str, destinations: dict[str, str | None]) -> list[str]:
    """The format that goes to standard output, if any, or exit 2 before anything is scanned or
    written: one stream cannot take two documents."""
    to_stdout = [name for name, destination in destinations.items() if destination == "-"]
    if len(to_stdout) > 1:
        _fail(f"only one output can go to standard output, not {' and '.join(to_stdout)}")
    if to_stdout and fmt not in ("text", to_stdout[0]):
        _fail(f"--format {fmt} and --{to_stdout[0]} - both want standard output")
    return to_stdout


def _drop_fixed(path: Path, audit: Audit) -> None:
    """Rewrite the baseline with only the entries and places findings still match; never add one."""
    from auditor import baseline

    assert audit.baseline is not None and audit.baseline_kept is not None
    try:
        baseline.write(path, audit.baseline_kept, __version__)
    except OSError as exc:
        _fail(f"cannot write {str(path)!r}: {exc.strerror or exc}")
    fixed, places = len(audit.baseline["fixed"]), audit.baseline.get("fixed_places", 0)
    extra = f" and {_count(places, 'fixed place')} from entries still matched" if places else ""
    _echo(
        f"lockaudit check: dropped {_count(fixed, 'fixed entry', 'fixed entries')}{extra} from {os.path.relpath(path)}",
        err=True,
    )


# Local hooks: they run the lockaudit installed beside pre-commit, so no repository URL is assumed.
PRE_COMMIT_SNIPPET = """\
# .pre-commit-config.yaml (lockaudit installed in the same environment as pre-commit)
repos:
  - repo: local
    hooks:
      - id: lockaudit
        name: lockaudit (staged files)
        entry: lockaudit check --quiet
        language: system
        require_serial: true
        types_or: [python, pyi, jupyter, toml, yaml, text, dockerfile, makefile, ini, json]
      - id: lockaudit-project
        name: lockaudit (whole project)
        entry: lockaudit check --quiet --project-hook
        language: system
        pass_filenames: false
        require_serial: true
"""


@main.command("init")
@click.argument("path", default=".", type=click.Path(exists=True, file_okay=False, dir_okay=True, path_type=Path))
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Processes for extraction.")
def init_command(path: Path, jobs: int | None) -> None:
    """Adopt lockaudit on PATH: write [tool.lockaudit] with the inferred adapter boundary, accept
    today's findings into the baseline, and print the pre-commit configuration to add."""
    from auditor import baseline
    from auditor.cache import default_folder
    from auditor.files import write_atomic
    from auditor.limits import load_toml
    from auditor.pipeline import ScanOptions, run_audit
    from auditor.workers import default_jobs

    root, loaded, ruleset = _prepare(path, None)
    if loaded.config.source is not None:
        _fail(f"{loaded.config.source} already configures lockaudit; run `lockaudit baseline` to refresh the baseline")
    options = ScanOptions(jobs=jobs or default_jobs(), track=_progress, cache=default_folder())
    audit = run_audit(root, loaded.config, ruleset, loaded.problems, options)
    boundary = audit.boundary
    lines = ["", "[tool.lockaudit]"]
    if boundary.get("source") == "inferred" and boundary.get("config"):
        lines += [
            f"# The adapter boundary lockaudit inferred ({boundary.get('confidence')} confidence): confirm or edit.",
            boundary["config"],
        ]
    else:
        lines += [
            "# No adapter layer was found in the code's structure: list the modules that may import SDKs.",
            "adapters = []",
        ]
    counted = audit.roles.get("counted", ["product"])
    lines += [
        f"# Counted in the score and the gate: {', '.join(counted)} code; tests, examples and scripts are",
        '# reported at info. include-roles = ["test"] counts more; [tool.lockaudit.roles] moves paths.',
        'baseline = "lockaudit-baseline.json"',
        "",
    ]
    pyproject = root / "pyproject.toml"
    target = pyproject if pyproject.is_file() else root / ".lockaudit.toml"
    existing = target.read_text(encoding="utf-8") if target.is_file() else ""
    text = (
        existing
        + ("\n" if existing and not existing.endswith("\n") else "")
        + "\n".join(
            lines
            if target == pyproject
            else [line.replace("[tool.lockaudit]", "# lockaudit's configuration") for line in lines]
        )
    )
    try:
        load_toml(text.encode())  # what is written must read back
        write_atomic(target, text)
    except (ValueError, OSError) as exc:
        _fail(f"cannot write {target.name}: {exc}")
    _echo(f"lockaudit init: wrote the configuration to {os.path.relpath(target)}", err=True)
    root, loaded, ruleset = _prepare(path, None)  # the baseline is judged by what was just written
    audit = run_audit(root, loaded.config, ruleset, loaded.problems, options)
    destination = loaded.config.baseline_path(root)
    assert destination is not None  # init wrote the configuration into root itself
    try:
        baseline.write(destination, baseline.entries_of(audit.findings), __version__)
    except OSError as exc:
        _fail(f"cannot write {str(destination)!r}: {exc.strerror or exc}")
    _echo(
        f"lockaudit init: accepted {_count(len(audit.findings), 'finding')} into {os.path.relpath(destination)}; "
        "`lockaudit check` now fails only on new ones",
        err=True,
    )
    _echo("Add the hooks to pre-commit, and `lockaudit check` (or `--since origin/main` on pull requests) to CI:\n")
    _echo(PRE_COMMIT_SNIPPET, nl=False)


@main.command("config")
@click.argument("path", default=".", type=click.Path(exists=True, file_okay=False, dir_okay=True, path_type=Path))
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read configuration from this .lockaudit.toml or pyproject.toml instead of the nearest one.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def config_command(path: Path, config_file: Path | None, fmt: str) -> None:
    """The effective configuration for PATH, and where each value came from."""
    _, loaded, _ = _prepare(path, config_file)
    config = loaded.config
    values = config.as_dict()
    sources = config.sources()
    if fmt == "json":
        _echo(json.dumps({"source": config.source, "values": values, "sources": sources}, indent=2))
        return
    _echo(f"# read from: {config.source or 'nothing (defaults only)'}")
    for key, source in sources.items():
        value = values[key.replace("-", "_")]
        if value is None:  # only fail-on may be unset
            _echo(f"# {key} is not set: `check` fails on '{DEFAULT_FAIL_ON}' and above, `scan` never fails  # {source}")
        else:
            _echo(f"{key} = {_toml_value(value)}  # {source}")
    for path_, reason in loaded.problems:
        _echo(f"# {path_}: {reason}")


def _toml_value(value: Any) -> str:
    if isinstance(value, dict):
        return (
            "{ " + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + " }" if value else "{}"
        )
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False)


@main.group()
def rules() -> None:
    """List, show and test rule packs."""


def _load_rules(folders: tuple[Path, ...] = ()) -> RuleSet:
    from auditor.packs import PackError, load_rules

    try:
        return load_rules(folders)
    except PackError as exc:
        _fail(str(exc))


@rules.command("list")
@click.option(
    "--rules",
    "folders",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Also load the packs in this folder; repeatable.",
)
def rules_list(folders: tuple[Path, ...]) -> None:
    """Every rule: id, severity, effort, scope, pack and title."""
    ruleset = _load_rules(folders)
    width = max(len(r.id) for r in ruleset.rules.values())
    for rule in sorted(ruleset.rules.values(), key=lambda r: r.id):
        severity = "by feature" if rule.by_feature else rule.severity
        effort = "by feature" if rule.by_feature else str(rule.effort)
        _echo(
            f"{rule.id:<{width}}  {severity:<10}  effort {effort:<10}  {rule.scope:<7}  {rule.pack:<10}  {rule.title}"
        )


@rules.command("show")
@click.argument("rule_id")
@click.option(
    "--rules",
    "folders",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Also load the packs in this folder; repeatable.",
)
def rules_show(rule_id: str, folders: tuple[Path, ...]) -> None:
    """One rule in full: metadata, condition and examples."""
    ruleset = _load_rules(folders)
    rule = ruleset.rules.get(rule_id)
    if rule is None:
        _fail(f"no rule '{rule_id}'{did_you_mean(rule_id, ruleset.rules)}")
    shown = {
        "id": rule.id,
        "title": rule.title,
        "pack": rule.pack,
        "severity": "by feature" if rule.by_feature else rule.severity,
        "effort": "by feature" if rule.by_feature else rule.effort,
        "category": rule.category,
        "scope": rule.scope,
        "message": rule.message,
        "remediation": rule.remediation,
        "links": list(rule.links),
        "when": rule.when,
        "examples": {
            "trigger": [dict(e.files) for e in rule.examples if e.trigger],
            "ignore": [dict(e.files) for e in rule.examples if not e.trigger],
        },
    }
    import yaml

    _echo(yaml.safe_dump(shown, sort_keys=False, allow_unicode=True, width=100), nl=False)


@rules.command("test")
@click.argument("folder", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
def rules_test(folder: Path | None) -> None:
    """Run the examples of the packs in FOLDER (default: the built-in packs). Exit 1 on a failure."""
    from auditor.catalog import EXAMPLELESS_CHECKS
    from auditor.ruletest import run_catalog_examples, run_examples

    ruleset = _load_rules((folder,) if folder else ())
    ours = {p.source for p in ruleset.packs if folder is None or (folder / p.source).exists()}
    chosen = [r for r in ruleset.rules.values() if _pack_file(ruleset, r.pack) in ours]
    if not chosen:
        _fail(f"no rules in {folder}")
    results: list[ExampleResult | CatalogResult] = [
        *run_examples(ruleset, chosen),
        *run_catalog_examples(ruleset, [e for e in ruleset.catalog_examples if e.source in ours]),
    ]
    failed = [r for r in results if not r.passed]
    for result in failed:
        _echo(f"FAIL {result.describe()}")
    missing = [
        f"{r.id}: no examples" for r in chosen if not r.examples and r.when.get("check") not in EXAMPLELESS_CHECKS
    ]
    missing += [
        f"{where}: needs examples that match and that do not"
        for where in ruleset.unexampled
        if where.partition(":")[0] in ours
    ]
    for problem in missing:
        _echo(f"FAIL {problem}")
    _echo(f"{len(results) - len(failed)} passed, {len(failed) + len(missing)} failed")
    sys.exit(EXIT_FINDINGS if failed or missing else EXIT_OK)


def _pack_file(ruleset: RuleSet, pack_id: str) -> str:
    return next(p.source for p in ruleset.packs if p.id == pack_id)


@main.command()
@click.argument("path", default=".", type=click.Path(exists=True, file_okay=False, dir_okay=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["json", "graphml", "dot"]), default="json", show_default=True)
@click.option("--output", "-o", metavar="FILE", default="-", help="Where to write the graph ('-' for stdout).")
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read configuration from this .lockaudit.toml or pyproject.toml instead of the nearest one.",
)
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Processes for extraction.")
def graph(path: Path, fmt: str, output: str, config_file: Path | None, jobs: int | None) -> None:
    """The coupling graph of PATH: modules, their imports, products, vendors, hosts, owners."""
    from auditor.cache import default_folder
    from auditor.pipeline import ScanOptions, analyse
    from auditor.workers import default_jobs

    root, loaded, ruleset = _prepare(path, config_file)
    _writable(output)
    result = analyse(
        root,
        loaded.config,
        ruleset,
        loaded.problems,
        ScanOptions(jobs=jobs or default_jobs(), track=_progress, cache=default_folder()),
    )
    from auditor.report.graph import render_graph

    _write(output, render_graph(result.graph.to_networkx(), fmt))


@main.command()
@click.argument("audit_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@output_options
@click.option("--validate", is_flag=True, help="Check AUDIT_FILE against the audit's JSON schema first.")
def report(
    audit_file: Path,
    fmt: str,
    validate: bool,
    sarif_include_suppressed: bool,
    history_file: Path | None,
    **options: Any,
) -> None:
    """Render a saved JSON audit (from --json) in any format, without scanning again."""
    from auditor.report.load import AuditFileError, load_audit

    outputs = _outputs(options)
    _check_outputs(fmt, outputs)
    try:
        audit = load_audit(audit_file, validate)
    except AuditFileError as exc:
        _fail(str(exc))
    audit.trend = _of_this(_trend(history_file), audit, history_file)
    try:
        _emit(audit, fmt, outputs, include_suppressed=sarif_include_suppressed)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        if validate:
            raise  # a valid audit that does not render is lockaudit's bug
        _fail(
            f"{audit_file}: cannot be rendered ({exc.__class__.__name__}: {str(exc)[:200]}); "
            "--validate checks it against the audit schema"
        )


@main.command(cls=_Command, short_help="Merge many repositories' audits into one organisation view.")
@click.argument("inputs", nargs=-1, required=True, metavar="AUDIT.json…|DIR…")
@click.option(
    "--scan",
    "scan_dirs",
    is_flag=True,
    help="The arguments are checkouts (folders): scan each, in parallel, then merge.",
)
@click.option("--executor", metavar="dask://HOST:PORT", help="With --scan: run each scan on this Dask cluster.")
@document_options("the portfolio")
@click.option(
    "--reports",
    "reports_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write each repository's own HTML report into this folder, linked from the portfolio.",
)
@click.option(
    "--history",
    "history_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A repository's `lockaudit history --json` file, drawn as its trend; repeatable.",
)
@click.option("--forbid-vendors", metavar="A,B", default="", help="Vendors the organisation's policy forbids.")
@click.option("--allow-vendors", metavar="A,B", default="", help="The only vendors the policy allows.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Processes for --scan.")
def portfolio(
    inputs: tuple[str, ...],
    scan_dirs: bool,
    executor: str | None,
    json_out: str | None,
    markdown_out: str | None,
    html_out: str | None,
    reports_dir: Path | None,
    history_files: tuple[Path, ...],
    forbid_vendors: str,
    allow_vendors: str,
    jobs: int | None,
    quiet: bool,
) -> None:
    """Merge many repositories' JSON audits (or scan checkouts with --scan) into one
    organisation view: vendors and owners across repositories, effort to leave each, the
    repositories ranked, the heaviest leaks and policy breaches.

    \b
    Examples:
      lockaudit portfolio audits/*.json --html portfolio.html --reports reports/
      lockaudit portfolio --scan ~/src/api ~/src/worker --forbid-vendors OpenAI"""
    from auditor import portfolio as merging
    from auditor.packs import load_rules
    from auditor.report.portfolio import (
        render_portfolio_html,
        render_portfolio_json,
        render_portfolio_markdown,
        render_portfolio_text,
    )

    outputs = _documents(json_out, markdown_out, html_out)
    if html_out == "-" and reports_dir is not None:
        _fail("--reports links the reports from the HTML page: write it to a file, not '-'")
    if executor is not None and not scan_dirs:
        _fail("--executor runs scans: give --scan and checkouts")
    # What the command line alone decides is checked before any checkout is scanned.
    ruleset = load_rules()
    forbid, allow = _vendor_list(forbid_vendors), _vendor_list(allow_vendors)
    both = {v.casefold() for v in forbid} & {v.casefold() for v in allow}
    if both:
        _fail(f"{', '.join(sorted(both))}: both forbidden and allowed; give each vendor to one of the two")
    vendors = {p.vendor for p in ruleset.products} | set(ruleset.owners)
    for name in (*forbid, *allow):
        if name.casefold() not in {v.casefold() for v in vendors}:
            _echo(
                f"lockaudit: note: {name} is no vendor lockaudit knows, so the policy matches nothing for it"
                f"{did_you_mean(name, vendors)} (vendors are named as in the portfolio's Vendors table)",
                err=True,
            )
    histories = tuple(series for path in history_files if (series := _trend(path)) is not None)
    entries = _scanned(inputs, jobs, executor) if scan_dirs else [merging.read_audit(Path(i), i) for i in inputs]
    merged = merging.merge(entries)
    for entry in merged.refused:
        _echo(f"lockaudit: refused {clean(entry.source)}: {clean(entry.reason or '')}", err=True)
    if reports_dir is not None:
        _write_repository_reports(merged, reports_dir, Path(html_out).resolve().parent if html_out else Path.cwd())
    try:
        document = merging.build(merged, ruleset.standing_between(), forbid, allow, histories)
    except merging.PortfolioError as exc:
        _fail(str(exc))
    renderers = {"json": render_portfolio_json, "markdown": render_portfolio_markdown, "html": render_portfolio_html}
    _write_documents(document, outputs, renderers, None if quiet else render_portfolio_text)
    if merged.refused:
        sys.exit(EXIT_ERROR)


def _documents(json_out: str | None, markdown_out: str | None, html_out: str | None) -> dict[str, str | None]:
    """The files `portfolio` and `history` are asked to write, checked before any work."""
    return _checked_outputs("text", {"json": json_out, "markdown": markdown_out, "html": html_out})


def _write_documents(
    document: dict[str, Any],
    outputs: dict[str, str | None],
    renderers: Mapping[str, Callable[[dict[str, Any]], str]],
    summary: Callable[[dict[str, Any]], str] | None,
) -> None:
    """Each asked-for rendering of `document`, then the text summary unless a file took stdout."""
    for name, destination in outputs.items():
        if destination is not None:
            _write(destination, renderers[name](document))
    if summary is not None and "-" not in outputs.values():
        _echo(summary(document), nl=False)


def _trend(path: Path | None) -> dict[str, Any] | None:
    """The history series a report shows, or exit 2 saying why the file is not one."""
    if path is None:
        return None
    from auditor.history import HistoryError, load_series

    try:
        return load_series(path)
    except HistoryError as exc:
        _fail(str(exc))


def _of_this(trend: dict[str, Any] | None, audit: Audit, path: Path | None) -> dict[str, Any] | None:
    """The trend, when it is this repository's: another's would be shown as if it were its own."""
    scanned = (audit.repository or {}).get("name")
    if trend is not None and scanned and trend["repository"] != scanned:
        _fail(f"{path}: the history of {trend['repository']}, not of {scanned}: write one with `lockaudit history`")
    return trend


def _vendor_list(text: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in text.split(",") if v.strip())


def _scanned(inputs: tuple[str, ...], jobs: int | None, executor: str | None) -> list[Any]:
    """Each checkout scanned (in processes, or on Dask), as portfolio entries; progress on a terminal."""
    from auditor.batch import BatchError, scan_checkouts
    from auditor.cache import default_folder
    from auditor.portfolio import Entry, check_audit
    from auditor.workers import default_jobs

    entries = []
    results = scan_checkouts(list(inputs), jobs or default_jobs(), str(default_folder()), executor)
    show = _at_a_terminal() and len(inputs) > 1
    try:
        with click.progressbar(results, length=len(inputs), label="Scanning checkouts", file=_bar_stream(show)) as bar:
            for path, document, reason in bar:
                entries.append(check_audit(document, path) if document is not None else Entry(path, reason=reason))
    except BatchError as exc:
        _fail(str(exc))
    return entries


def _write_repository_reports(merged: Any, folder: Path, page_folder: Path) -> None:
    """Each accepted audit's own HTML report in `folder`, under a name made from its repository's
    (a name is text from elsewhere: only safe characters, and a digest keeps names apart)."""
    import hashlib
    import re

    from auditor.portfolio import repository_name
    from auditor.report.html import render_html
    from auditor.serialise import audit_from_dict

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _fail(f"cannot write into {str(folder)!r}: {exc.strerror or exc}")
    for entry in merged.accepted:
        name = repository_name(entry)
        slug = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-")[:60] or "repository"
        target = folder / f"{slug}-{hashlib.sha256(name.encode()).hexdigest()[:8]}.html"
        try:
            page = render_html(audit_from_dict(entry.document))
        except Exception as exc:  # an audit from elsewhere that fits the schema yet not the report: not linked
            _echo(
                f"lockaudit: note: no report for {clean(name)}: its audit cannot be rendered "
                f"({exc.__class__.__name__}: {clean(str(exc))[:200]})",
                err=True,
            )
            continue
        _write(str(target), page)
        entry.report = Path(os.path.relpath(target.resolve(), page_folder)).as_posix()


@main.command(cls=_Command, short_help="Audit past commits: the trend of the score and of each vendor.")
@click.argument("path", default=".", type=click.Path(exists=True, file_okay=False, dir_okay=True, path_type=Path))
@click.option(
    "--since",
    "start",
    required=True,
    metavar="DATE|REF",
    help="From this date (YYYY-MM-DD) or commit, on HEAD's first-parent line.",
)
@click.option("--every", type=click.IntRange(min=1), default=None, help="Audit every Nth commit (the newest always).")
@click.option("--tags", is_flag=True, help="Audit only the tagged commits.")
@document_options("the history")
@click.option(
    "--jobs", "-j", type=click.IntRange(min=1), default=None, help="Processes, each auditing a run of commits."
)
@click.option("--no-cache", is_flag=True, help="Do not read the facts the repository's last scan cached.")
def history(
    path: Path,
    start: str,
    every: int | None,
    tags: bool,
    json_out: str | None,
    markdown_out: str | None,
    html_out: str | None,
    jobs: int | None,
    no_cache: bool,
    quiet: bool,
) -> None:
    """Audit PATH at its past commits (never touching the working tree) and write the series:
    per commit the score, the effort per vendor, product files per vendor, owners per layer and
    the findings that appeared and went, with the trend in words. The commits are HEAD's
    first-parent line since --since; without --every or --tags, at most 50 of them, spread
    evenly, the first and the newest always.

    \b
    Examples:
      lockaudit history --since 2026-01-01 --html trend.html --json trend.json
      lockaudit history --since v1.0 --tags"""
    from auditor import vcs
    from auditor.cache import default_folder
    from auditor.history import Commit, audit_history, choose, chosen_by, series
    from auditor.report.history import (
        render_history_html,
        render_history_json,
        render_history_markdown,
        render_history_text,
    )
    from auditor.workers import default_jobs

    if every is not None and tags:
        _fail("--every and --tags choose commits two ways: give one")
    outputs = _documents(json_out, markdown_out, html_out)
    root = path.resolve()
    try:
        commits = [Commit(*c) for c in vcs.mainline(root, start)]
        chosen = choose(commits, every, vcs.tagged(root) if tags else None)
    except vcs.VcsError as exc:
        _fail(str(exc))
    if not chosen:  # a date gives at least the commit current then; only a history with no commit gives none
        _fail(f"no commit to audit since {start}")
    name = vcs.describe(root)["name"] or root.name
    show = _at_a_terminal() and not quiet
    with click.progressbar(length=len(chosen), label="Auditing commits", file=_bar_stream(show)) as bar:

        def progress(count: int) -> None:
            bar.update(count - bar.pos)

        try:
            cache = None if no_cache else default_folder()
            points = audit_history(root, name, chosen, jobs or min(2, default_jobs()), progress, cache)
        except vcs.VcsError as exc:
            _fail(str(exc))
    document = series(name, start, points, chosen_by(len(chosen), len(commits), every, tags))
    renderers = {"json": render_history_json, "markdown": render_history_markdown, "html": render_history_html}
    _write_documents(document, outputs, renderers, None if quiet else render_history_text)
