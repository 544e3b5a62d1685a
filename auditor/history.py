"""History: one repository audited at past commits, as a series, and what changed said in words.

Each chosen commit's files are written from git's objects into a temporary folder (the
working tree is never touched, and git runs with none of the repository's programs, as in
every git call), then audited with that commit's own configuration. Facts are kept by
content hash across commits, so a file unchanged since the last point is not read again.
Every number and sentence the history's reports show is made here.
"""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor import __version__
from auditor.vcs import is_date
from auditor.words import count, ordinal

if TYPE_CHECKING:
    from auditor.catalog import RuleSet
    from auditor.config import ConfigLoad
    from auditor.pipeline import Memo, ScanOptions
    from auditor.vcs import Exported

HISTORY_SCHEMA_VERSION = "1.0"
DEFAULT_POINTS = 50  # commits audited when neither --every nor --tags chooses: evenly spread, newest kept
CHANGES_LISTED = 20  # findings listed as appeared or disappeared at one point; the counts are whole
SIGNIFICANT = 5  # effort points a vendor's effort must move to be worth a sentence
FOLDER_DEPTH = 2  # `app/agents/`: where a change happened, said at this depth


class HistoryError(Exception):
    """The history cannot be made; the message says why."""


@dataclass(frozen=True)
class Commit:
    sha: str
    committed: str
    subject: str


MAX_SERIES_BYTES = 16 * 1024 * 1024


def load_series(path: Path) -> dict[str, Any]:
    """A `lockaudit history --json` file, bounded and checked against its schema: it may come
    from anywhere (a CI artifact), and reports draw it."""
    from auditor.schema import schema_problem
    from auditor.serialise import UnreadableDocument, read_document

    try:
        document = read_document(path, MAX_SERIES_BYTES)
    except UnreadableDocument as exc:
        raise HistoryError(f"{path}: {exc}") from exc
    problem = schema_problem("history-1.schema.json", document)
    if problem is not None:
        raise HistoryError(f"{path}: not a lockaudit history ({problem}); write one with `lockaudit history --json`")
    return dict(document)


def choose(commits: Sequence[Commit], every: int | None, tags: set[str] | None) -> list[Commit]:
    """The commits to audit, oldest first: the tagged ones and HEAD (`--tags`), every Nth
    (`--every N`), or at most DEFAULT_POINTS spread evenly; the first and the newest are kept."""
    if not commits:
        return []
    if tags is not None:  # and HEAD, untagged or not: the last point is the state now
        return [c for c in commits[:-1] if c.sha in tags] + [commits[-1]]
    if every:
        chosen = list(commits[::every])
        return chosen if chosen[-1] is commits[-1] else [*chosen, commits[-1]]
    last, points = len(commits) - 1, min(len(commits), DEFAULT_POINTS)
    return [commits[round(i * last / (points - 1))] for i in range(points)] if points > 1 else list(commits)


def chosen_by(chosen: int, commits: int, every: int | None, tags: bool) -> str:
    """How the points were chosen, in words."""
    if tags:
        return f"the tagged commits and HEAD, {chosen} of {commits}"
    if every and every > 1:
        return f"every {ordinal(every)} commit, {chosen} of {commits}"
    return "every commit" if chosen == commits else f"{chosen} of {commits} commits, evenly spread"


def audit_history(
    root: Path,
    name: str,
    commits: Sequence[Commit],
    jobs: int = 1,
    progress: Callable[[int], None] = lambda done: None,
    cache: Path | None = None,
) -> list[dict[str, Any]]:
    """One point per commit of the repository `name` at `root`, oldest first, each reusing the
    facts of the files the commit before it shared. With `jobs` > 1 the first commit's files are
    extracted by `jobs` processes; then the commits are split into runs of consecutive commits,
    one per process, each starting from the first commit's facts where processes fork (Linux: the
    memo is inherited, not copied; the first run goes on in the first commit's folder) and from
    nothing elsewhere. `cache`: the fact cache folder whose entries for this repository (its last
    scan's) answer for unchanged files."""
    try:
        return _audit_history(root, name, commits, jobs, progress, cache)
    finally:
        gc.unfreeze()  # the caller's objects, frozen with the memo's, are the collector's again


def _audit_history(
    root: Path,
    name: str,
    commits: Sequence[Commit],
    jobs: int,
    progress: Callable[[int], None],
    cache: Path | None,
) -> list[dict[str, Any]]:
    from auditor.workers import forking

    points: list[dict[str, Any]] = []
    memo = _memo(root, cache)
    jobs = 1 if len(commits) <= 2 else jobs
    scratch = scratch_folder(root, commits, jobs)
    if jobs <= 1:
        for point in _points(root, name, commits, memo, scratch=scratch):
            points.append(point)
            progress(len(points))
        return points
    runs = _runs(commits, jobs)
    global _seed
    with tempfile.TemporaryDirectory(prefix="lockaudit-history-", dir=scratch) as folder:
        first = _Tree(Path(folder))
        # Every process extracts the first commit's files; one process then analyses it and the
        # commits after it in this folder, while the others start further on.
        first.extract(root, commits[0], memo, jobs)
        _seed = (memo, first)
        try:
            with ProcessPoolExecutor(max_workers=len(runs), mp_context=forking()) as pool:
                every = len(runs)
                for run in pool.map(
                    _run_points, [root] * every, [name] * every, runs, [cache] * every, [scratch] * every, range(every)
                ):
                    points.extend(run)
                    progress(len(points))
        finally:
            _seed = None
    return points


# Commits' worth of work a later run does before its first point: a whole tree to write, and the
# files changed since the first commit to extract.
LATER_START = 4


def _runs(commits: Sequence[Commit], jobs: int) -> list[Sequence[Commit]]:
    """Consecutive runs, one per process; the first (which goes on where the first commit was
    extracted) takes a few more, so that all end together."""
    per_run = (len(commits) + LATER_START * (jobs - 1)) / jobs
    runs, start = [], 0
    for index in range(jobs):
        size = per_run if index == 0 else per_run - LATER_START
        end = len(commits) if index == jobs - 1 else min(len(commits), start + max(1, round(size)))
        if start < end:
            runs.append(commits[start:end])
        start = end
    return runs


_seed: tuple[Memo, _Tree] | None = None  # what a forked process starts from: the first commit's facts and folder


def _memo(root: Path, cache: Path | None) -> Memo:
    """What a run of commits starts from when no process before it left anything: nothing but
    the fact cache, when there is one."""
    from auditor.pipeline import Memo

    return Memo(cache=(cache, root) if cache is not None else None)


def _run_points(
    root: Path, name: str, commits: Sequence[Commit], cache: Path | None, scratch: str | None, index: int
) -> list[dict[str, Any]]:
    if _seed is None:  # not forked: nothing to start from
        return list(_points(root, name, commits, _memo(root, cache), scratch=scratch))
    memo, first = _seed
    return list(_points(root, name, commits, memo, scratch=scratch, tree=first if index == 0 else None))


MEMORY_FOLDER = "/dev/shm"  # memory-backed storage on Linux
ROOM = 4  # times the largest tree: each process's tree, and room to spare


def scratch_folder(root: Path, commits: Sequence[Commit], jobs: int) -> str | None:
    """Where the commits' trees are written: in memory when the machine offers it with room for a
    tree per process, else (None) the system's temporary folder. A history writes and removes a
    tree's files at every commit; on a disk that costs more than the analysis (measured: most of a
    history's time on a virtual machine's disk). A temporary folder the user chose (TMPDIR) is theirs."""
    from auditor import vcs

    if not commits or os.environ.get("TMPDIR") or not os.access(MEMORY_FOLDER, os.W_OK | os.X_OK):
        return None
    try:
        largest = max(vcs.tree_bytes(root, commits[0].sha), vcs.tree_bytes(root, commits[-1].sha))
        free = os.statvfs(MEMORY_FOLDER)
    except (OSError, vcs.VcsError):
        return None
    return MEMORY_FOLDER if free.f_bavail * free.f_frsize >= ROOM * (jobs + 1) * largest else None


class _Tree:
    """A folder that follows a run of commits, commit by commit: each commit's files are written
    from git's objects (those that changed since the last), and its configuration is read there."""

    def __init__(self, folder: Path) -> None:
        from auditor.config import DEDICATED
        from auditor.roles import LAYOUT_FILES

        self.folder = folder
        self.exported: dict[str, bytes] = {}  # path -> object id, of what the folder holds
        self._built_in: dict[bool, Any] = {}  # the built-in packs, by count_announced: loaded once
        self._judged: dict[str, bool] = {}  # by path: a tree of thousands is listed again at every commit
        # What a scan reads: its sources, and the files that shape it (ignores, configuration,
        # layout, the mark of a virtual environment committed with the code).
        self._shaping = frozenset({".gitignore", DEDICATED, *LAYOUT_FILES, "pyvenv.cfg"})

    def _wanted(self, path: str) -> bool:
        from auditor.discover import file_kind

        if path not in self._judged:
            base = path.rsplit("/", 1)[-1]
            self._judged[path] = base in self._shaping or file_kind(base, path) is not None
        return self._judged[path]

    def checkout(self, root: Path, commit: Commit) -> tuple[Exported, ConfigLoad, RuleSet] | str:
        """The commit's files written here, with what was left out; its configuration; its rule
        packs. Or why the commit cannot be audited."""
        from auditor import vcs
        from auditor.config import ConfigError, load_config
        from auditor.packs import PackError, load_rules

        try:
            written = vcs.export(root, commit.sha, self.folder, self._wanted, self.exported, vcs.MAX_SHOW_BYTES)
        except vcs.VcsError as exc:  # this commit's tree cannot be written: said, and the next starts afresh
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder.mkdir()
            self.exported = {}
            return str(exc)[:500]
        self.exported = written.files
        try:
            loaded = load_config(self.folder, alone=True)  # the commit's own, never a file above the folder
            rules, announced = loaded.config.rules, loaded.config.count_announced
            if rules:  # packs in the tree may change with it: read at every commit
                ruleset = load_rules(rules, announced)
            else:
                if announced not in self._built_in:
                    self._built_in[announced] = load_rules((), announced)
                ruleset = self._built_in[announced]
            loaded.config.check_against(set(ruleset.rules), ruleset.vendors())
        except (ConfigError, PackError) as exc:
            return str(exc)[:500]
        return written, loaded, ruleset

    def options(self, written: Exported, memo: Memo, jobs: int, **more: Any) -> ScanOptions:
        from auditor.pipeline import ScanOptions

        digests = {path: oid.decode("ascii") for path, oid in written.files.items()}  # git already hashed them
        return ScanOptions(jobs=jobs, memo=memo, digests=digests, sizes=written.sizes, details=False, **more)

    def extract(self, root: Path, commit: Commit, memo: Memo, jobs: int) -> None:
        """The commit's files extracted into `memo` by `jobs` processes, not analysed (a commit
        that cannot be audited is left to the run that audits it, which says why)."""
        from auditor.pipeline import extract_tree

        ready = self.checkout(root, commit)
        if not isinstance(ready, str):
            written, loaded, ruleset = ready
            problems = [*loaded.problems, *written.left_out]
            extract_tree(self.folder, loaded.config, ruleset, problems, self.options(written, memo, jobs))


def _points(
    root: Path,
    name: str,
    commits: Sequence[Commit],
    memo: Memo,
    jobs: int = 1,
    scratch: str | None = None,
    tree: _Tree | None = None,
) -> Iterator[dict[str, Any]]:
    """Each commit of one run, audited in one folder that follows the run commit by commit: `tree`,
    else a temporary folder (in `scratch`, else the system's); `jobs` processes extract what
    `memo` does not know."""
    from auditor.pipeline import run_audit

    with contextlib.ExitStack() as stack:
        if tree is None:
            tree = _Tree(
                Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="lockaudit-history-", dir=scratch)))
            )
        for commit in commits:
            ready = tree.checkout(root, commit)
            if isinstance(ready, str):
                yield {**_identity(commit), "error": ready}
                continue
            written, loaded, ruleset = ready
            repository = {"name": name, "commit": commit.sha, "committed": commit.committed}
            options = tree.options(written, memo, jobs, repository=repository)
            problems = [*loaded.problems, *written.left_out]
            audited = point(run_audit(tree.folder, loaded.config, ruleset, problems, options), commit)
            # What the memo holds lives on from commit to commit: out of the collector's sight, the
            # next commit's short-lived objects do not make it walk them again and again (a third
            # of the analysis, measured).
            gc.freeze()
            yield audited


def _identity(commit: Commit) -> dict[str, Any]:
    return {"commit": commit.sha, "committed": commit.committed, "subject": commit.subject}


def point(audit: Any, commit: Commit) -> dict[str, Any]:
    """What the series keeps of one commit's audit."""
    from auditor.score import effort_pairs

    scores = audit.scores
    product, _ = audit.split_findings()
    folders: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (vendor, _, path), (cost, _) in effort_pairs(product).items():  # each (vendor, rule, file) once
        if vendor:
            folders[vendor][folder_of(path)] += cost
    files = {vendor: len(paths) for vendor, paths in audit.files_by_vendor().items()}
    effort = {row["vendor"]: row["effort"] for row in scores["vendors"]}
    layers: dict[str, list[str]] = defaultdict(list)
    for row in audit.concentration["owners"]:
        for layer in row["layers"]:
            layers[layer].append(row["owner"])
    return {
        **_identity(commit),
        "score": scores["portability"]["score"],
        "effort": scores["portability"]["effort"],
        "vendors": {v: {"effort": effort.get(v, 0), "files": files.get(v, 0)} for v in sorted({*files, *effort})},
        "folders": {vendor: dict(sorted(by.items())) for vendor, by in sorted(folders.items())},
        "owners": dict(sorted(layers.items())),
        "findings": sorted({f.fingerprint: _finding(f) for f in product}.items()),
        "files_analysed": audit.files_analysed,
        "skipped": len(audit.skipped),
    }


def _finding(finding: Any) -> dict[str, str]:
    return {"rule_id": finding.rule_id, "path": finding.path, "message": finding.message}


def folder_of(path: str) -> str:
    parts = path.split("/")[:-1][:FOLDER_DEPTH]
    return "/".join(parts) + "/" if parts else "./"


def series(name: str, since: str, points: list[dict[str, Any]], chosen_by: str) -> dict[str, Any]:
    """The history document: the points with what appeared and disappeared since the one before,
    and the trend in words."""
    shown = []
    before: dict[str, dict[str, str]] | None = None  # the last audited point's findings
    for entry in points:
        if "error" in entry:
            shown.append(entry)
            continue
        now = dict(entry.pop("findings"))
        appeared = [now[k] for k in sorted(set(now) - set(before))] if before is not None else []
        gone = [before[k] for k in sorted(set(before) - set(now))] if before is not None else []
        entry["appeared"] = {"count": len(appeared), "findings": appeared[:CHANGES_LISTED]}
        entry["disappeared"] = {"count": len(gone), "findings": gone[:CHANGES_LISTED]}
        before = now
        shown.append(entry)
    return {
        "schema_version": HISTORY_SCHEMA_VERSION,
        "tool": {"name": "lockaudit", "version": __version__},
        "repository": name,
        "since": since,
        "chosen_by": chosen_by,
        "points": shown,
        "trend": trend(
            [p for p in shown if "error" not in p],
            exact=chosen_by == "every commit",
            since=since if is_date(since) else None,
        ),
    }


def trend(points: list[dict[str, Any]], exact: bool = True, since: str | None = None) -> list[str]:
    """What changed from the first point to the last, in sentences a reader can act on: the
    score, then each vendor by how much it moved, then the owners of each layer. When not every
    commit was audited (`exact` false), a change is placed between two points. `since` names
    the start as the user gave it (a date); else the first point's date."""
    if len(points) < 2:
        return ["one point only: there is no trend to tell yet"] if points else []
    first, last = points[0], points[-1]
    since = since or first["committed"][:10]
    said = []
    moved: list[tuple[int, str]] = []  # (how far, sentence) per vendor
    if first["score"] != last["score"]:
        direction = "rose" if last["score"] > first["score"] else "fell"
        said.append(f"the portability score {direction} from {first['score']} to {last['score']} since {since}")
    else:
        said.append(f"the portability score held at {last['score']} since {since}")
    for vendor in sorted(set(first["vendors"]) | set(last["vendors"])):
        was = first["vendors"].get(vendor, {}).get("effort", 0)
        now = last["vendors"].get(vendor, {}).get("effort", 0)
        where = _where(first["folders"].get(vendor, {}), last["folders"].get(vendor, {}), now > was)
        if vendor not in first["vendors"]:
            at = next(i for i, p in enumerate(points) if vendor in p["vendors"])
            cost = f"; leaving it would now cost {count(now, 'point')}{where}" if now else ""
            moved.append((now, f"{vendor} arrived {_when(points, at, exact)}{cost}"))
        elif vendor not in last["vendors"]:
            at = next(i for i in range(len(points) - 1, -1, -1) if vendor in points[i]["vendors"]) + 1
            cost = f"; leaving it cost {count(was, 'point')} at first" if was else ""
            moved.append((was, f"{vendor} left {_when(points, at, exact)}{cost}"))
        elif abs(now - was) >= SIGNIFICANT:
            direction = "rose" if now > was else "fell"
            moved.append(
                (abs(now - was), f"effort to leave {vendor} {direction} from {was} to {count(now, 'point')}{where}")
            )
    said += [sentence for _, sentence in sorted(moved, key=lambda m: -m[0])]
    for layer in sorted(set(first["owners"]) | set(last["owners"])):
        was_owners, now_owners = first["owners"].get(layer, []), last["owners"].get(layer, [])
        if not was_owners or not now_owners or set(was_owners) == set(now_owners):
            continue
        if len(was_owners) == len(now_owners) == 1:
            said.append(f"{layer}: {was_owners[0]} then, {now_owners[0]} now")
            continue
        gained = [o for o in now_owners if o not in was_owners]
        lost = [o for o in was_owners if o not in now_owners]
        moves = [f"{', '.join(gained)} joined" if gained else "", f"{', '.join(lost)} left" if lost else ""]
        said.append(f"{layer}: " + "; ".join(m for m in moves if m))
    return said


def _when(points: list[dict[str, Any]], at: int, exact: bool) -> str:
    """When the change seen at point `at` happened: that commit when every commit was audited,
    else somewhere after the point before it."""
    commit = points[at]
    if exact or at == 0:
        return f"on {commit['committed'][:10]} (commit {commit['commit'][:12]})"
    before = points[at - 1]
    return (
        f"between {before['committed'][:10]} and {commit['committed'][:10]} "
        f"(after commit {before['commit'][:12]}, by {commit['commit'][:12]})"
    )


def _where(before: dict[str, int], after: dict[str, int], rose: bool) -> str:
    """`, mostly in app/agents/` when one folder carries most of the change."""
    change = {f: after.get(f, 0) - before.get(f, 0) for f in set(before) | set(after)}
    total = sum(change.values())
    if not total:
        return ""
    folder, moved = max(change.items(), key=lambda item: (item[1] if rose else -item[1], item[0]))
    if moved / total < 0.5:
        return ""
    preposition = "in" if rose else "from"  # what fell went away from somewhere
    return f", mostly {preposition} the top folder" if folder == "./" else f", mostly {preposition} {folder}"
