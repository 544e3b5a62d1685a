"""Measure lockaudit's speed and peak memory on a real source tree.

Why: a scan's time only means something next to a floor. The floor here is the least
any AST-based auditor must do: start Python, read every file lockaudit analyses and
`ast.parse` the Python ones. Reporting the scan as "N x the ast.parse floor" keeps
figures comparable across machines and releases, and shows where the time goes.

Each run of each measurement is a fresh child process (cold for Python; the OS file
cache is warm, because this script reads every file first to count lines). Floor and
scan runs alternate so that machine noise falls on both alike.

With --html it also renders the HTML report of the tree from a saved audit (whole
process), records its size and, when Debian's chromium and Playwright are installed, the
time a headless browser takes to load it and to filter every finding row by a search.

Usage: python benchmarks/bench.py PATH [--runs 5] [--jobs N] [--label NAME] [--json OUT] [--html] [--cache]
"""

from __future__ import annotations

import argparse
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
from typing import Any, NoReturn

MARKER = "lockaudit_bench"
# ru_maxrss is KiB on Linux and bytes on macOS; both children report KiB.
_RSS_TO_KIB = "(1024 if sys.platform == 'darwin' else 1)"

# The floor child: file list as JSON [[abspath, kind], ...] on stdin. Timer starts first.
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
    if kind == "python":
        try:
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
            "wall_s": {"median": median, "min": min(self.wall_s), "max": max(self.wall_s),
                       "all": self.wall_s},
            "peak_rss_mib": max(self.rss_kib) / 1024,
            "files_per_s": files / median if median else None,
            "lines_per_s": lines / median if median else None,
        }
        if self.children_rss_kib:
            out["peak_children_rss_mib"] = max(self.children_rss_kib) / 1024
        if self.inner_s:
            out["in_process_s"] = {"median": statistics.median(self.inner_s), "min": min(self.inner_s),
                                   "max": max(self.inner_s), "all": self.inner_s}
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
    proc = subprocess.run([sys.executable, "-c", FLOOR_CODE], input=files_json,
                          capture_output=True, text=True)
    wall = time.perf_counter() - start
    report = marker_line(proc.stdout)
    if proc.returncode != 0 or report is None:
        raise BenchError(f"floor child failed (exit {proc.returncode}):\n{tail(proc.stderr)}", 1)
    series.wall_s.append(wall)
    series.inner_s.append(report["elapsed_s"])
    series.rss_kib.append(report["rss_kib"])
    return report


def run_scan(argv: list[str], series: Series) -> int:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", SCAN_CODE, *argv],
                          stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    report = marker_line(proc.stderr)
    if proc.returncode not in (0, 1) or report is None:
        raise BenchError(f"scan failed (exit {proc.returncode}): lockaudit {' '.join(argv)}\n"
                         f"{tail(proc.stderr)}", 1)
    series.wall_s.append(wall)
    series.rss_kib.append(report["rss_kib"])
    series.children_rss_kib.append(report["children_rss_kib"])
    return proc.returncode


def scan_has_option(option: str) -> bool:
    proc = subprocess.run([sys.executable, "-m", "auditor", "scan", "--help"],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise BenchError(f"`python -m auditor scan --help` failed (exit {proc.returncode}):\n"
                         f"{tail(proc.stderr)}", 1)
    return option in proc.stdout


CHROMIUM = Path("/usr/bin/chromium")
TOUCHED = 10


def bench_cache(root: Path, runs: int, jobs: int | None) -> dict[str, Any]:
    """Whole-process times on a copy of the tree: a cold scan (empty cache), a warm re-scan with
    nothing changed, a re-scan after editing 10 Python files, and `lockaudit check` on 10 files
    as the per-file pre-commit hook runs it (after a whole-project scan warmed the cache)."""
    import shutil

    def timed(argv: list[str], cwd: Path, cache: Path) -> float:
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "auditor", *argv], cwd=cwd, capture_output=True,
                              env={**os.environ, "LOCKAUDIT_CACHE_DIR": str(cache), "CI": "1"})
        elapsed = time.perf_counter() - start
        if proc.returncode not in (0, 1):
            raise BenchError(f"lockaudit {' '.join(argv)} failed (exit {proc.returncode}):\n"
                             f"{tail(proc.stderr.decode(errors='replace'))}", 1)
        return elapsed

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
    result: dict[str, Any] = {name: {"median": statistics.median(times), "all": times} for name, times in series.items()}
    result["warm_share_of_cold"] = result["warm"]["median"] / result["cold"]["median"]
    result["touched_files"] = python_files
    return result


def bench_html(root: Path, runs: int) -> dict[str, Any]:
    """Render time (whole `lockaudit report` process), size, and browser load and search times."""
    with tempfile.TemporaryDirectory() as folder:
        audit, html = Path(folder) / "audit.json", Path(folder) / "report.html"
        proc = subprocess.run([sys.executable, "-m", "auditor", "scan", str(root), "--json", str(audit)],
                              capture_output=True, text=True, env={**os.environ, "CI": "1"})
        if proc.returncode not in (0, 1):
            raise BenchError(f"scan for the HTML report failed (exit {proc.returncode}):\n{tail(proc.stderr)}", 1)
        render: list[float] = []
        for _ in range(runs):
            start = time.perf_counter()
            proc = subprocess.run([sys.executable, "-m", "auditor", "report", str(audit), "--html", str(html)],
                                  capture_output=True, text=True)
            render.append(time.perf_counter() - start)
            if proc.returncode != 0:
                raise BenchError(f"rendering the HTML report failed:\n{tail(proc.stderr)}", 1)
        findings = len(json.loads(audit.read_text(encoding="utf-8"))["findings"])
        result: dict[str, Any] = {"findings": findings, "bytes": html.stat().st_size,
                                  "render_s": {"median": statistics.median(render), "all": render}}
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
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=["--no-sandbox", "--disable-gpu"])
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
    return {"chromium": version, "load_s": {"median": statistics.median(loads), "all": loads},
            "search_s": {"median": statistics.median(searches), "all": searches}}


def git_commit(path: Path) -> str | None:
    """HEAD of the git work tree holding path, or None if it is not one."""
    try:
        proc = subprocess.run(["git", "-C", str(path), "rev-parse", "HEAD"],
                              capture_output=True, text=True, timeout=30)
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
        rows.append((name, f"{w['median']:.3f}", f"{w['min']:.3f}", f"{w['max']:.3f}",
                     f"{s['peak_rss_mib']:.1f}", fmt_rate(s["files_per_s"]), fmt_rate(s["lines_per_s"])))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    body = "\n".join("  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i])
                               for i, c in enumerate(r)) for r in rows)
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
        f"scan = {result['ratio_scan_to_floor']:.2f} x the ast.parse floor "
        f"(medians, both including interpreter start)",
        f"floor without interpreter start: {inner:.3f} s median; "
        f"{floor['parse_failed']} file(s) failed to parse, {floor['unreadable']} unreadable",
    ]
    kids = scan.get("peak_children_rss_mib", 0.0)
    if kids:
        lines.append(f"scan worker processes: largest peak {kids:.1f} MiB")
    cache = result.get("cache")
    if cache:
        lines.append(f"cache: cold {cache['cold']['median']:.2f} s, warm (nothing changed) {cache['warm']['median']:.2f} s "
                     f"({100 * cache['warm_share_of_cold']:.0f}% of cold), after editing {TOUCHED} files "
                     f"{cache['touched']['median']:.2f} s, per-file hook on {TOUCHED} files {cache['hook']['median']:.2f} s "
                     "(medians, whole process)")
    html = result.get("html")
    if html:
        lines.append(f"HTML report: {html['findings']:,} findings, {html['bytes']:,} bytes, rendered in "
                     f"{html['render_s']['median']:.2f} s (median, whole process)")
        browser = html["browser"]
        lines.append(f"  {browser}" if isinstance(browser, str) else
                     f"  chromium {browser['chromium']}: load {browser['load_s']['median']:.2f} s, "
                     f"search over every row {browser['search_s']['median']:.3f} s (medians)")
    exits = sorted(set(result["scan_exit_codes"]))
    if exits != [0]:
        lines.append(f"scan exit codes seen: {exits} (1 = findings at the fail-on threshold)")
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python benchmarks/bench.py",
        description="Time lockaudit's scan of PATH against a read + ast.parse floor, with peak memory.")
    parser.add_argument("path", metavar="PATH", help="source tree to scan")
    parser.add_argument("--runs", type=int, default=5, help="runs of each measurement (default 5)")
    parser.add_argument("--jobs", type=int, metavar="N", help="pass --jobs N to the scan (if it has that option)")
    parser.add_argument("--label", metavar="NAME", help="name for this tree in the output")
    parser.add_argument("--json", metavar="OUT", dest="json_out", help="write all figures to OUT as JSON")
    parser.add_argument("--cache", action="store_true",
                        help="also time cold and warm scans with the cache, a re-scan after touching 10 files, "
                             "and the per-file hook on 10 files (on a copy of PATH)")
    parser.add_argument("--html", action="store_true",
                        help="also time rendering the HTML report and loading it in headless chromium")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.jobs is not None and args.jobs < 1:
        parser.error("--jobs must be at least 1")
    return args


def bench(args: argparse.Namespace) -> dict[str, Any]:
    root = Path(args.path)
    if not root.is_dir():
        raise BenchError(f"{args.path!r} is not a folder" if root.exists() else f"{args.path!r} does not exist")
    root = root.resolve()
    if args.json_out and not Path(args.json_out).resolve().parent.is_dir():
        raise BenchError(f"cannot write {args.json_out!r}: its folder does not exist")
    try:
        import auditor
        from auditor.discover import discover
    except ImportError as exc:
        raise BenchError(f"cannot import lockaudit's package `auditor` ({exc}); install it with pip install -e .")

    scan_argv = ["scan", str(root), "--format", "json"]
    if scan_has_option("--no-cache"):
        scan_argv.append("--no-cache")  # the scan series is the cold scan; --cache measures the cache
    if args.jobs is not None:
        if not scan_has_option("--jobs"):
            raise BenchError("this lockaudit's `scan` has no --jobs option (see `python -m auditor scan "
                             "--help`); run the benchmark without --jobs")
        scan_argv += ["--jobs", str(args.jobs)]

    start = time.perf_counter()
    found = discover(root)
    discover_s = time.perf_counter() - start
    files = found.files
    if not files:
        raise BenchError(f"no Python file or notebook to analyse under {root}")
    lines = unreadable = 0
    for f in files:  # also warms the OS file cache, so every run sees the same cache
        try:
            lines += f.abspath.read_bytes().count(b"\n")
        except OSError:
            unreadable += 1
    python_files = sum(1 for f in files if f.kind == "python")
    files_json = json.dumps([[str(f.abspath), f.kind] for f in files])

    floor, scan = Series(), Series()
    floor_report: dict[str, Any] = {}
    exit_codes: list[int] = []
    for i in range(args.runs):
        print(f"run {i + 1}/{args.runs} ...", file=sys.stderr, flush=True)
        floor_report = run_floor(files_json, floor)
        exit_codes.append(run_scan(scan_argv, scan))

    html = bench_html(root, args.runs) if args.html else None
    cache = bench_cache(root, args.runs, args.jobs) if args.cache else None
    n = len(files)
    floor_summary = floor.summary(n, lines)
    floor_summary.update(parsed=floor_report["parsed"], parse_failed=floor_report["parse_failed"],
                         unreadable=floor_report["unreadable"])
    scan_summary = scan.summary(n, lines)
    here = Path(__file__).resolve().parent
    return {
        "label": args.label,
        "tree": {"path": str(root), "git_commit": git_commit(root), "files": n,
                 "python_files": python_files,
                 "notebooks": sum(1 for f in files if f.kind == "notebook"),
                 "other_files": sum(1 for f in files if f.kind not in ("python", "notebook")), "lines": lines,
                 "unreadable": unreadable, "skipped_by_discover": len(found.skipped),
                 "discover_s": discover_s},
        "lockaudit": {"version": getattr(auditor, "__version__", None),
                      "git_commit": git_commit(Path(auditor.__file__).resolve().parent),
                      "bench_git_commit": git_commit(here)},
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "python_executable": sys.executable,
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "runs": args.runs,
        "jobs": args.jobs,
        "floor": floor_summary,
        "scan": scan_summary,
        "ratio_scan_to_floor": scan_summary["wall_s"]["median"] / floor_summary["wall_s"]["median"],
        "scan_exit_codes": exit_codes,
        "html": html,
        "cache": cache,
        "commands": {
            "floor": [sys.executable, "-c", FLOOR_CODE],
            "floor_stdin": "JSON list of [abspath, kind] for every discovered file",
            "scan": [sys.executable, "-c", SCAN_CODE, *scan_argv],
            "scan_equivalent": [sys.executable, "-m", "auditor", *scan_argv],
        },
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        result = bench(args)
    except BenchError as exc:
        fail(str(exc), exc.code)
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 130
    print(table(result))
    if args.json_out:
        try:
            Path(args.json_out).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        except OSError as exc:
            fail(f"cannot write {args.json_out!r}: {exc.strerror or exc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
