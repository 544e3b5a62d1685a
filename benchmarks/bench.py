"""Measure lockaudit's speed and peak memory on a real source tree, or its growth on synthetic ones.

Why: a scan's time only means something next to a floor. The floor here is the least
any AST-based auditor must do: start Python, read every file lockaudit analyses and
`ast.parse` the Python ones and the code cells of the notebooks (JSON-loaded, cells joined,
lines starting with `%` or `!` dropped). Reporting the scan as "N x the ast.parse floor"
keeps figures comparable across machines and releases, and shows where the time goes.

Each run of each measurement is a fresh child process (cold for Python; the OS file
cache is warm, because this script reads every file first to count lines). Floor and
scan runs alternate so that machine noise falls on both alike.

With --html it also renders the HTML report of the tree from a saved audit (whole
process), records its size and, when Debian's chromium and Playwright are installed, the
time a headless browser takes to load it and to filter every finding row by a search.

With --scale SHAPE it measures growth instead: it writes the synthetic tree of SHAPE (see
synth.py) at each of --factors into a temporary folder and measures each as above. Growth is
(scan - start-up) at factor f over the same at the first factor, where start-up is the median
whole-process scan of a one-module project, measured in the same rounds: at 1x start-up is
most of a scan, and it does not grow with the tree. The whole-process ratio is shown beside it.

Usage: python benchmarks/bench.py PATH [--runs 5] [--jobs N] [--label NAME] [--json OUT] [--html] [--cache]
       python benchmarks/bench.py --scale SHAPE [--factors 1,2,4,8] [--base N] [--runs 5] [--jobs N] [--json OUT]
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn

MARKER = "lockaudit_bench"
# ru_maxrss is KiB on Linux and bytes on macOS; both children report KiB.
_RSS_TO_KIB = "(1024 if sys.platform == 'darwin' else 1)"

# The floor child: file list as JSON [[abspath, kind], ...] on stdin. Timer starts first.
# A notebook's code cells are parsed as one source; lines starting with `%` or `!` (magics,
# shell escapes) are dropped, the least any auditor of notebooks must do.
FLOOR_CODE = f"""\
import time; t0 = time.perf_counter()
import ast, json, resource, sys
files = json.load(sys.stdin)
parsed = failed = unreadable = 0
for path, kind in files:
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        unreadable += 1
        continue
    if kind not in ("python", "notebook"):
        continue
    try:
        if kind == "notebook":
            data = "\\n".join(line for cell in json.loads(data)["cells"] if cell.get("cell_type") == "code"
                              for line in "".join(cell.get("source", "")).split("\\n")
                              if not line.lstrip().startswith(("%", "!")))
        ast.parse(data, filename=path)
        parsed += 1
    except Exception:
        failed += 1
elapsed = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // {_RSS_TO_KIB}
print(json.dumps({{"{MARKER}": 1, "elapsed_s": elapsed, "rss_kib": rss,
                  "parsed": parsed, "parse_failed": failed, "unreadable": unreadable}}))
"""

# The scan child: runs `lockaudit <argv...>` in-process, then reports its own peak RSS and
# that of its largest reaped child (worker processes, if any) on stderr.
SCAN_CODE = f"""\
import json, resource, sys
from auditor.cli import main
sys.argv = ["lockaudit", *sys.argv[1:]]
try:
    main()
    code = 0
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
sys.stdout.flush()
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // {_RSS_TO_KIB}
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // {_RSS_TO_KIB}
print(json.dumps({{"{MARKER}": 1, "rss_kib": own, "children_rss_kib": kids, "exit": code}}), file=sys.stderr)
sys.exit(code)
"""


class BenchError(Exception):
    """A problem to report without a traceback; code 2 for usage, 1 for a failed child."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


def fail(message: str, code: int = 2) -> NoReturn:
    print(f"bench: error: {message}", file=sys.stderr)
    sys.exit(code)


@dataclass
class Series:
    """The runs of one measurement."""

    wall_s: list[float] = field(default_factory=list)  # parent-measured, interpreter start included
    rss_kib: list[int] = field(default_factory=list)  # the child's own peak RSS
    children_rss_kib: list[int] = field(default_factory=list)  # scan only: largest worker
    inner_s: list[float] = field(default_factory=list)  # floor only: child-measured elapsed

    def summary(self, files: int, lines: int) -> dict[str, Any]:
        median = statistics.median(self.wall_s)
        out: dict[str, Any] = {
            "runs": len(self.wall_s),
            "wall_s": {"median": median, "min": min(self.wall_s), "max": max(self.wall_s), "all": self.wall_s},
            "peak_rss_mib": max(self.rss_kib) / 1024,
            "files_per_s": files / median if median else None,
            "lines_per_s": lines / median if median else None,
        }
        if self.children_rss_kib:
            out["peak_children_rss_mib"] = max(self.children_rss_kib) / 1024
        if self.inner_s:
            out["in_process_s"] = {
                "median": statistics.median(self.inner_s),
                "min": min(self.inner_s),
                "max": max(self.inner_s),
                "all": self.inner_s,
            }
        return out


def marker_line(text: str) -> dict[str, Any] | None:
    """The last JSON line a child printed with the benchmark marker, if any."""
    for line in reversed(text.splitlines()):
        if line.startswith("{") and MARKER in line:
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                continue
    return None


def tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])


def run_floor(files_json: str, series: Series) -> dict[str, Any]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", FLOOR_CODE], input=files_json, capture_output=True, text=True)
    wall = time.perf_counter() - start
    report = marker_line(proc.stdout)
    if proc.returncode != 0 or report is None:
        raise BenchError(f"floor child failed (exit {proc.returncode}):\n{tail(proc.stderr)}", 1)
    series.wall_s.append(wall)
    series.inner_s.append(report["elapsed_s"])
    series.rss_kib.append(report["rss_kib"])
    return report


def run_scan(argv: list[str], series: Series, output: bool = False) -> tuple[int, str]:
    """Exit code and, with `output`, what the scan wrote on stdout (else "": it goes to /dev/null)."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", SCAN_CODE, *argv],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE if output else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    wall = time.perf_counter() - start
    report = marker_line(proc.stderr)
    if proc.returncode not in (0, 1) or report is None:
        raise BenchError(f"scan failed (exit {proc.returncode}): lockaudit {' '.join(argv)}\n{tail(proc.stderr)}", 1)
    series.wall_s.append(wall)
    series.rss_kib.append(report["rss_kib"])
    series.children_rss_kib.append(report["children_rss_kib"])
    return proc.returncode, proc.stdout or ""


def scan_has_option(option: str) -> bool:
    proc = subprocess.run([sys.executable, "-m", "auditor", "scan", "--help"], capture_output=True, text=True)
    if proc.returncode != 0:
        raise BenchError(f"`python -m auditor scan --help` failed (exit {proc.returncode}):\n{tail(proc.stderr)}", 1)
    return option in proc.stdout


CHROMIUM = Path("/usr/bin/chromium")
TOUCHED = 10


def timed(argv: list[str], cwd: Path, cache: Path) -> float:
    """One whole `lockaudit` process, with its own cache folder: seconds, interpreter start included."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "auditor", *argv],
        cwd=cwd,
        capture_output=True,
        env={**os.environ, "LOCKAUDIT_CACHE_DIR": str(cache), "CI": "1"},
    )
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise BenchError(
            f"lockaudit {' '.join(argv)} failed (exit {proc.returncode}):\n{tail(proc.stderr.decode(errors='replace'))}",
            1,
        )
    return elapsed


HISTORY_TARGET = 3.0  # issue 18: history over 50 commits in under 3x one cold scan


def bench_history(root: Path, runs: int, commits: int, jobs: int | None) -> dict[str, Any]:
    """`lockaudit history` over the last `commits` first-parent commits of PATH (a git clone),
    against one cold scan with no cache, each a whole process, runs alternating."""
    jobs_args = ["--jobs", str(jobs)] if jobs else []
    series: dict[str, list[float]] = {"cold": [], "history": []}
    with tempfile.TemporaryDirectory() as folder:
        for run in range(runs):
            cache = Path(folder) / f"cache-{run}"
            series["cold"].append(
                timed(["scan", str(root), "--no-cache", "--json", os.devnull, *jobs_args], root, cache)
            )
            history = ["history", str(root), "--since", f"HEAD~{commits - 1}", "--json", os.devnull, *jobs_args]
            series["history"].append(timed(history, root, cache))
    result: dict[str, Any] = {name: {"median": statistics.median(t), "all": t} for name, t in series.items()}
    result["commits"] = commits
    result["ratio"] = result["history"]["median"] / result["cold"]["median"]
    result["target"] = HISTORY_TARGET
    return result


def bench_cache(root: Path, runs: int, jobs: int | None) -> dict[str, Any]:
    """Whole-process times on a copy of the tree: a cold scan (empty cache), a warm re-scan with
    nothing changed, a re-scan after editing 10 Python files, and `lockaudit check` on 10 files
    as the per-file pre-commit hook runs it (after a whole-project scan warmed the cache)."""
    import shutil

    jobs_args = ["--jobs", str(jobs)] if jobs else []
    series: dict[str, list[float]] = {"cold": [], "warm": [], "touched": [], "hook": []}
    with tempfile.TemporaryDirectory() as folder:
        tree = Path(folder) / "tree"
        shutil.copytree(root, tree, symlinks=True, ignore=shutil.ignore_patterns(".git"))
        from auditor.discover import discover

        python_files = sorted(f.path for f in discover(tree).files if f.kind == "python")[:TOUCHED]
        scan = ["scan", ".", "--format", "json", *jobs_args]
        for run in range(runs):
            cache = Path(folder) / f"cache-{run}"
            series["cold"].append(timed(scan, tree, cache))
            series["warm"].append(timed(scan, tree, cache))
            for path in python_files:  # a new edit each run, so the hashes change every time
                with open(tree / path, "a", encoding="utf-8") as handle:
                    handle.write(f"\n# benchmark edit {run}\n")
            series["touched"].append(timed(scan, tree, cache))
            for path in python_files:
                with open(tree / path, "a", encoding="utf-8") as handle:
                    handle.write(f"# staged edit {run}\n")
            series["hook"].append(timed(["check", "--quiet", *jobs_args, *python_files], tree, cache))
    result: dict[str, Any] = {
        name: {"median": statistics.median(times), "all": times} for name, times in series.items()
    }
    result["warm_share_of_cold"] = result["warm"]["median"] / result["cold"]["median"]
    result["touched_files"] = python_files
    return result


def bench_html(root: Path, runs: int) -> dict[str, Any]:
    """Render time (whole `lockaudit report` process), size, and browser load and search times."""
    with tempfile.TemporaryDirectory() as folder:
        audit, html = Path(folder) / "audit.json", Path(folder) / "report.html"
        proc = subprocess.run(
            [sys.executable, "-m", "auditor", "scan", str(root), "--json", str(audit)],
            capture_output=True,
            text=True,
            env={**os.environ, "CI": "1"},
        )
        if proc.returncode not in (0, 1):
            raise BenchError(f"scan for the HTML report failed (exit {proc.returncode}):\n{tail(proc.stderr)}", 1)
        render: list[float] = []
        for _ in range(runs):
            start = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-m", "auditor", "report", str(audit), "--html", str(html)],
                capture_output=True,
                text=True,
            )
            render.append(time.perf_counter() - start)
            if proc.returncode != 0:
                raise BenchError(f"rendering the HTML report failed:\n{tail(proc.stderr)}", 1)
        findings = len(json.loads(audit.read_text(encoding="utf-8"))["findings"])
        result: dict[str, Any] = {
            "findings": findings,
            "bytes": html.stat().st_size,
            "render_s": {"median": statistics.median(render), "all": render},
        }
        result["browser"] = browser_times(html, runs)
    return result


def browser_times(html: Path, runs: int) -> dict[str, Any] | str:
    """Load time to the `load` event and time for a search that hides every row, or why not measured."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return "not measured: Playwright for Python is not installed"
    if not CHROMIUM.exists():
        return f"not measured: {CHROMIUM} is missing"
    loads, searches = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        for _ in range(runs):
            page = browser.new_page()
            start = time.perf_counter()
            page.goto(html.as_uri(), wait_until="load")
            loads.append(time.perf_counter() - start)
            start = time.perf_counter()
            page.fill("#f-text", "no row contains this text")
            page.wait_for_function("document.querySelectorAll('tr.finding:not([hidden])').length === 0")
            searches.append(time.perf_counter() - start)
            page.close()
        version = browser.version
        browser.close()
    return {
        "chromium": version,
        "load_s": {"median": statistics.median(loads), "all": loads},
        "search_s": {"median": statistics.median(searches), "all": searches},
    }


def git_commit(path: Path) -> str | None:
    """HEAD of the git work tree holding path, or None if it is not one."""
    try:
        proc = subprocess.run(["git", "-C", str(path), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return (proc.stdout.strip() or None) if proc.returncode == 0 else None


def fmt_rate(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def table(result: dict[str, Any]) -> str:
    floor, scan = result["floor"], result["scan"]
    rows = [("", "median s", "min s", "max s", "peak MiB", "files/s", "lines/s")]
    for name, s in (("floor (read + ast.parse)", floor), ("lockaudit scan", scan)):
        w = s["wall_s"]
        rows.append(
            (
                name,
                f"{w['median']:.3f}",
                f"{w['min']:.3f}",
                f"{w['max']:.3f}",
                f"{s['peak_rss_mib']:.1f}",
                fmt_rate(s["files_per_s"]),
                fmt_rate(s["lines_per_s"]),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    body = "\n".join(
        "  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(r)) for r in rows
    )
    t = result["tree"]
    inner = floor["in_process_s"]["median"]
    lines = [
        f"{result['label'] or t['path']}: {t['files']:,} files ({t['python_files']:,} Python, "
        f"{t['notebooks']:,} notebooks, {t['other_files']:,} manifests and configuration), {t['lines']:,} lines"
        + (f", git {t['git_commit'][:12]}" if t["git_commit"] else ""),
        f"{result['runs']} runs each, {result['python']} on {result['cpu_count']} CPUs"
        + (f", --jobs {result['jobs']}" if result["jobs"] is not None else ""),
        "",
        body,
        "",
        f"scan = {result['ratio_scan_to_floor']:.2f} x the ast.parse floor (medians, both including interpreter start)",
        f"floor without interpreter start: {inner:.3f} s median; "
        f"{floor['parse_failed']} file(s) failed to parse, {floor['unreadable']} unreadable",
    ]
    kids = scan.get("peak_children_rss_mib", 0.0)
    if kids:
        lines.append(f"scan worker processes: largest peak {kids:.1f} MiB")
    cache = result.get("cache")
    if cache:
        lines.append(
            f"cache: cold {cache['cold']['median']:.2f} s, warm (nothing changed) {cache['warm']['median']:.2f} s "
            f"({100 * cache['warm_share_of_cold']:.0f}% of cold), after editing {TOUCHED} files "
            f"{cache['touched']['median']:.2f} s, per-file hook on {TOUCHED} files {cache['hook']['median']:.2f} s "
            "(medians, whole process)"
        )
    history = result.get("history")
    if history:
        verdict = "within" if history["ratio"] < history["target"] else "over"
        lines.append(
            f"history: {history['commits']} commits in {history['history']['median']:.2f} s against one cold scan's "
            f"{history['cold']['median']:.2f} s: {history['ratio']:.1f} x ({verdict} the {history['target']:.0f} x target; "
            "medians, whole process)"
        )
    html = result.get("html")
    if html:
        lines.append(
            f"HTML report: {html['findings']:,} findings, {html['bytes']:,} bytes, rendered in "
            f"{html['render_s']['median']:.2f} s (median, whole process)"
        )
        browser = html["browser"]
        lines.append(
            f"  {browser}"
            if isinstance(browser, str)
            else f"  chromium {browser['chromium']}: load {browser['load_s']['median']:.2f} s, "
            f"search over every row {browser['search_s']['median']:.3f} s (medians)"
        )
    exits = sorted(set(result["scan_exit_codes"]))
    if exits != [0]:
        lines.append(f"scan exit codes seen: {exits} (1 = findings at the fail-on threshold)")
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python benchmarks/bench.py",
        description="Time lockaudit's scan of PATH against a read + ast.parse floor, with peak memory.",
    )
    parser.add_argument("path", metavar="PATH", nargs="?", help="source tree to scan (not with --scale)")
    parser.add_argument("--runs", type=int, default=5, help="runs of each measurement (default 5)")
    parser.add_argument("--jobs", type=int, metavar="N", help="pass --jobs N to the scan (if it has that option)")
    parser.add_argument("--label", metavar="NAME", help="name for this tree in the output")
    parser.add_argument("--json", metavar="OUT", dest="json_out", help="write all figures to OUT as JSON")
    parser.add_argument(
        "--cache",
        action="store_true",
        help="also time cold and warm scans with the cache, a re-scan after touching 10 files, "
        "and the per-file hook on 10 files (on a copy of PATH)",
    )
    parser.add_argument(
        "--html", action="store_true", help="also time rendering the HTML report and loading it in headless chromium"
    )
    parser.add_argument(
        "--history",
        type=int,
        metavar="N",
        help="also time `lockaudit history` over the last N commits of PATH (a git clone) against a cold scan",
    )
    try:
        shapes = load_synth().SHAPES
    except BenchError as exc:
        fail(str(exc), exc.code)
    parser.add_argument(
        "--scale",
        metavar="SHAPE",
        choices=shapes,
        help=f"measure growth on synthetic trees of SHAPE ({', '.join(shapes)}; see synth.py) instead of scanning PATH",
    )
    parser.add_argument(
        "--factors",
        default="1,2,4,8",
        metavar="F,F...",
        help="with --scale: the scales to generate, ascending (default 1,2,4,8)",
    )
    parser.add_argument(
        "--base",
        type=int,
        metavar="N",
        help="with --scale: items per unit of scale (modules, calls per module, notebooks "
        "or functions; default synth.py's)",
    )
    args = parser.parse_args(argv)
    if args.scale is None:
        if args.path is None:
            parser.error("PATH is required (or measure growth with --scale SHAPE)")
        if args.base is not None or args.factors != parser.get_default("factors"):
            parser.error("--factors and --base go with --scale")
    else:
        if args.path is not None:
            parser.error("PATH is not used with --scale: the trees are generated")
        if args.html or args.cache:
            parser.error("--html and --cache measure PATH; they do not go with --scale")
        try:
            args.factors = [int(part) for part in args.factors.split(",")]
        except ValueError:
            parser.error(f"--factors must be whole numbers separated by commas, not {args.factors!r}")
        if any(f < 1 for f in args.factors) or args.factors != sorted(set(args.factors)):
            parser.error("--factors must be ascending, distinct and at least 1")
        if args.base is not None and args.base < 1:
            parser.error("--base must be at least 1")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.jobs is not None and args.jobs < 1:
        parser.error("--jobs must be at least 1")
    return args


def import_auditor() -> ModuleType:
    try:
        import auditor
    except ImportError as exc:
        raise BenchError(
            f"cannot import lockaudit's package `auditor` ({exc}); install it with pip install -e ."
        ) from exc
    return auditor


def scan_flags(jobs: int | None) -> list[str]:
    """The options every measured scan gets: JSON output, no cache, and --jobs if asked for."""
    flags = ["--format", "json"]
    if scan_has_option("--no-cache"):
        flags.append("--no-cache")  # the scan series is the cold scan; --cache measures the cache
    if jobs is not None:
        if not scan_has_option("--jobs"):
            raise BenchError(
                "this lockaudit's `scan` has no --jobs option (see `python -m auditor scan "
                "--help`); run the benchmark without --jobs"
            )
        flags += ["--jobs", str(jobs)]
    return flags


@dataclass
class TreeFiles:
    """The files lockaudit would analyse under a root, as the floor child gets them."""

    files: list[Any]  # auditor.discover.SourceFile
    skipped: int
    discover_s: float
    lines: int
    unreadable: int
    files_json: str

    def counts(self) -> dict[str, Any]:
        return {
            "files": len(self.files),
            "python_files": sum(1 for f in self.files if f.kind == "python"),
            "notebooks": sum(1 for f in self.files if f.kind == "notebook"),
            "other_files": sum(1 for f in self.files if f.kind not in ("python", "notebook")),
            "lines": self.lines,
            "unreadable": self.unreadable,
            "skipped_by_discover": self.skipped,
            "discover_s": self.discover_s,
        }


def tree_files(root: Path) -> TreeFiles:
    """Discover root's files and read each once: counts its lines and warms the OS file cache,
    so every run sees the same cache."""
    from auditor.discover import discover

    start = time.perf_counter()
    found = discover(root)
    discover_s = time.perf_counter() - start
    if not found.files:
        raise BenchError(f"no Python file or notebook to analyse under {root}")
    lines = unreadable = 0
    for f in found.files:
        try:
            lines += Path(f.abspath).read_bytes().count(b"\n")
        except OSError:
            unreadable += 1
    return TreeFiles(
        found.files,
        len(found.skipped),
        discover_s,
        lines,
        unreadable,
        json.dumps([[str(f.abspath), f.kind] for f in found.files]),
    )


def environment(auditor: ModuleType, args: argparse.Namespace) -> dict[str, Any]:
    here = Path(__file__).resolve().parent
    return {
        "lockaudit": {
            "version": getattr(auditor, "__version__", None),
            "git_commit": git_commit(Path(auditor.__file__).resolve().parent),
            "bench_git_commit": git_commit(here),
        },
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "python_executable": sys.executable,
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "runs": args.runs,
        "jobs": args.jobs,
    }


def bench(args: argparse.Namespace) -> dict[str, Any]:
    root = Path(args.path)
    if not root.is_dir():
        raise BenchError(f"{args.path!r} is not a folder" if root.exists() else f"{args.path!r} does not exist")
    root = root.resolve()
    if args.json_out and not Path(args.json_out).resolve().parent.is_dir():
        raise BenchError(f"cannot write {args.json_out!r}: its folder does not exist")
    auditor = import_auditor()
    scan_argv = ["scan", str(root), *scan_flags(args.jobs)]
    tree = tree_files(root)
    files, lines, files_json = tree.files, tree.lines, tree.files_json

    floor, scan = Series(), Series()
    floor_report: dict[str, Any] = {}
    exit_codes: list[int] = []
    for i in range(args.runs):
        print(f"run {i + 1}/{args.runs} ...", file=sys.stderr, flush=True)
        floor_report = run_floor(files_json, floor)
        exit_codes.append(run_scan(scan_argv, scan)[0])

    html = bench_html(root, args.runs) if args.html else None
    cache = bench_cache(root, args.runs, args.jobs) if args.cache else None
    history = bench_history(root, args.runs, args.history, args.jobs) if args.history else None
    n = len(files)
    floor_summary = floor.summary(n, lines)
    floor_summary.update(
        parsed=floor_report["parsed"], parse_failed=floor_report["parse_failed"], unreadable=floor_report["unreadable"]
    )
    scan_summary = scan.summary(n, lines)
    return {
        "label": args.label,
        "tree": {"path": str(root), "git_commit": git_commit(root), **tree.counts()},
        **environment(auditor, args),
        "floor": floor_summary,
        "scan": scan_summary,
        "ratio_scan_to_floor": scan_summary["wall_s"]["median"] / floor_summary["wall_s"]["median"],
        "scan_exit_codes": exit_codes,
        "html": html,
        "cache": cache,
        "history": history,
        "commands": {
            "floor": [sys.executable, "-c", FLOOR_CODE],
            "floor_stdin": "JSON list of [abspath, kind] for every discovered file",
            "scan": [sys.executable, "-c", SCAN_CODE, *scan_argv],
            "scan_equivalent": [sys.executable, "-m", "auditor", *scan_argv],
        },
    }


# -- growth on synthetic trees (--scale) ---------------------------------------------------

STARTUP_MODULE = 'print("hello")\n'
GROWTH_TARGET = 9 / 8  # the "8x the work costs <= 9x the time", as a ratio to the work


@functools.cache
def load_synth() -> ModuleType:
    """synth.py from beside this script, however this script was started."""
    path = Path(__file__).resolve().parent / "synth.py"
    spec = importlib.util.spec_from_file_location("lockaudit_bench_synth", path)
    if spec is None or spec.loader is None or not path.is_file():
        raise BenchError(f"cannot load the tree generator {path.name} next to bench.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def audit_counts(output: str) -> dict[str, Any]:
    """What a scan's JSON says it did: files analysed and skipped, usages, findings and their places."""
    try:
        audit = json.loads(output)
        findings = audit["findings"]
        return {
            "files_analysed": audit["summary"]["files_analysed"],
            "files_skipped": audit["summary"]["files_skipped"],
            "usages": len(audit["inventory"]),
            "findings": len(findings),
            "places": sum(len(f.get("places") or [None]) for f in findings),
        }
    except (ValueError, KeyError, TypeError) as exc:
        raise BenchError(f"the scan's JSON output could not be read ({exc})", 1) from None


def growth(value: float, first: float) -> float | None:
    return value / first if first > 0 else None


def bench_scale(args: argparse.Namespace) -> dict[str, Any]:
    """Each factor's synthetic tree, floor and scan; a one-module project's scan as start-up.
    Every run is one round over the start-up and all factors, so noise falls on all alike."""
    if args.json_out and not Path(args.json_out).resolve().parent.is_dir():
        raise BenchError(f"cannot write {args.json_out!r}: its folder does not exist")
    auditor = import_auditor()
    synth = load_synth()
    flags = scan_flags(args.jobs)
    with tempfile.TemporaryDirectory(prefix="lockaudit-scale-") as folder:
        startup_root = Path(folder) / "startup"
        startup_root.mkdir()
        (startup_root / "main.py").write_text(STARTUP_MODULE, encoding="utf-8")
        startup_tree = tree_files(startup_root)
        trees, descriptions = [], []
        for factor in args.factors:
            print(f"generating {args.scale} x{factor} ...", file=sys.stderr, flush=True)
            try:
                descriptions.append(synth.generate(Path(folder) / f"x{factor}", args.scale, factor, args.base))
            except synth.SynthError as exc:
                raise BenchError(str(exc)) from None
            trees.append(tree_files(Path(folder) / f"x{factor}"))
        startup_floor, startup_scan = Series(), Series()
        floors, scans = [Series() for _ in trees], [Series() for _ in trees]
        counts: list[dict[str, Any]] = [{} for _ in trees]
        floor_reports: list[dict[str, Any]] = [{} for _ in trees]
        startup_argv = ["scan", str(startup_root), *flags]
        for run in range(args.runs):
            print(f"run {run + 1}/{args.runs} ...", file=sys.stderr, flush=True)
            run_floor(startup_tree.files_json, startup_floor)
            run_scan(startup_argv, startup_scan, output=True)
            for i, (factor, tree) in enumerate(zip(args.factors, trees)):
                floor_reports[i] = run_floor(tree.files_json, floors[i])
                _, output = run_scan(["scan", str(Path(folder) / f"x{factor}"), *flags], scans[i], output=True)
                counts[i] = audit_counts(output)

    startup_s = statistics.median(startup_scan.wall_s)
    results = []
    for factor, tree, description, floor, scan, count, report in zip(
        args.factors, trees, descriptions, floors, scans, counts, floor_reports
    ):
        floor_summary = floor.summary(len(tree.files), tree.lines)
        floor_summary.update(
            parsed=report["parsed"], parse_failed=report["parse_failed"], unreadable=report["unreadable"]
        )
        scan_summary = scan.summary(len(tree.files), tree.lines)
        tree_counts = tree.counts()
        del tree_counts["discover_s"]
        results.append(
            {
                "factor": factor,
                "tree": {**tree_counts, "synth": description},
                "audit": count,
                "floor": floor_summary,
                "scan": scan_summary,
                "ratio_scan_to_floor": scan_summary["wall_s"]["median"] / floor_summary["wall_s"]["median"],
                "scan_minus_startup_s": scan_summary["wall_s"]["median"] - startup_s,
            }
        )
    first = results[0]
    for result in results:
        result["work"] = result["factor"] / first["factor"]
        result["growth"] = growth(result["scan_minus_startup_s"], first["scan_minus_startup_s"])
        result["whole_process_growth"] = growth(result["scan"]["wall_s"]["median"], first["scan"]["wall_s"]["median"])
        result["floor_growth"] = growth(
            result["floor"]["in_process_s"]["median"], first["floor"]["in_process_s"]["median"]
        )
    last = results[-1]
    return {
        "mode": "scale",
        "label": args.label,
        "shape": args.scale,
        "base": descriptions[0]["base"],
        "factors": args.factors,
        **environment(auditor, args),
        "startup": {
            "tree": f"one module: {STARTUP_MODULE.strip()}",
            "scan": startup_scan.summary(1, 1),
            "floor": startup_floor.summary(1, 1),
        },
        "results": results,
        "growth": {
            "definition": "(median scan wall time - median start-up scan wall time) at the last factor "
            "over the same at the first",
            "work": last["work"],
            "time": last["growth"],
            "whole_process": last["whole_process_growth"],
            "target": GROWTH_TARGET * last["work"],
            "met": None if last["growth"] is None else last["growth"] <= GROWTH_TARGET * last["work"],
        },
        "commands": {
            "floor": [sys.executable, "-c", FLOOR_CODE],
            "floor_stdin": "JSON list of [abspath, kind] for every discovered file",
            "scan": [sys.executable, "-c", SCAN_CODE, "scan", "TREE", *flags],
            "scan_equivalent": [sys.executable, "-m", "auditor", "scan", "TREE", *flags],
        },
    }


def fmt_growth(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def scale_table(result: dict[str, Any]) -> str:
    rows = [
        (
            "factor",
            "files",
            "lines",
            "usages",
            "findings",
            "floor s",
            "scan s",
            "scan/floor",
            "peak MiB",
            "scan-start s",
            "growth",
            "whole",
            "floor",
        )
    ]
    for r in result["results"]:
        rows.append(
            (
                f"{r['factor']}",
                f"{r['tree']['files']:,}",
                f"{r['tree']['lines']:,}",
                f"{r['audit']['usages']:,}",
                f"{r['audit']['findings']:,} ({r['audit']['places']:,})",
                f"{r['floor']['wall_s']['median']:.3f}",
                f"{r['scan']['wall_s']['median']:.3f}",
                f"{r['ratio_scan_to_floor']:.2f}x",
                f"{r['scan']['peak_rss_mib']:.1f}",
                f"{r['scan_minus_startup_s']:.3f}",
                fmt_growth(r["growth"]),
                fmt_growth(r["whole_process_growth"]),
                fmt_growth(r["floor_growth"]),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    body = "\n".join("  ".join(cell.rjust(widths[i]) for i, cell in enumerate(row)) for row in rows)
    start, g = result["startup"], result["growth"]
    synth = result["results"][0]["tree"]["synth"]
    lines = [
        f"{result['label'] or 'synthetic ' + result['shape']}: shape {result['shape']}, base {result['base']}, "
        f"factors {result['factors']}",
        f"{result['runs']} runs each, {result['python']} on {result['cpu_count']} CPUs"
        + (f", --jobs {result['jobs']}" if result["jobs"] is not None else ""),
        f"x{result['factors'][0]}: {synth['expected']}",
        "",
        body,
        "",
        f"start-up (scan of a one-module project): {start['scan']['wall_s']['median']:.3f} s median; "
        f"floor of it {start['floor']['wall_s']['median']:.3f} s",
        "growth = (scan - start-up) over the same at the first factor; whole = whole-process scan over the first's; "
        "floor = the floor's in-process time over the first's; findings (places)",
    ]
    skipped = [r["factor"] for r in result["results"] if r["audit"]["files_skipped"]]
    if skipped:
        lines.append(f"warning: the scan skipped files at factor(s) {skipped}; see --json for the counts")
    if g["time"] is None:
        lines.append(
            f"{g['work']:g}x the work: growth not measured, the first factor's scan was no slower "
            f"than start-up (whole process {fmt_growth(g['whole_process'])})"
        )
    else:
        lines.append(
            f"{g['work']:g}x the work costs {g['time']:.2f}x the time (scan minus start-up; whole process "
            f"{g['whole_process']:.2f}x); target <= {g['target']:.2f}x: {'met' if g['met'] else 'NOT met'}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        result = bench_scale(args) if args.scale else bench(args)
    except BenchError as exc:
        fail(str(exc), exc.code)
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 130
    print(scale_table(result) if args.scale else table(result))
    if args.json_out:
        try:
            Path(args.json_out).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        except OSError as exc:
            fail(f"cannot write {args.json_out!r}: {exc.strerror or exc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
