"""History: one repository audited at past commits, as a series, and what changed said in words.

Each chosen commit's files are written from git's objects into a temporary folder (the
working tree is never touched, and git runs with none of the repository's programs, as in
every git call), then audited with that commit's own configuration. Facts are kept by
content hash across commits, so a file unchanged since the last point is not read again.
Every number and sentence the history's reports show is made here.
"""

from __future__ import annotations

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
    from auditor.pipeline import Memo

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
    extracted by `jobs` processes; then the other commits are split into runs of consecutive
    commits, one per process, each starting from the first commit's facts where processes fork
    (Linux: the memo is inherited, not copied) and from nothing elsewhere. `cache`: the fact
    cache folder whose entries for this repository (its last scan's) answer for unchanged files."""
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
    points.extend(_points(root, name, commits[:1], memo, jobs, scratch))
    progress(len(points))
    rest = commits[1:]
    size = -(-len(rest) // jobs)
    runs = [rest[i : i + size] for i in range(0, len(rest), size)]
    global _seed
    _seed = memo
    try:
        with ProcessPoolExecutor(max_workers=len(runs), mp_context=forking()) as pool:
            every = len(runs)
            for run in pool.map(_run_points, [root] * every, [name] * every, runs, [cache] * every, [scratch] * every):
                points.extend(run)
                progress(len(points))
    finally:
        _seed = None
    return points


_seed: Memo | None = None  # the memo a forked process starts from: the first commit's facts


def _memo(root: Path, cache: Path | None) -> Memo:
    """What a run of commits starts from when no process before it left anything: nothing but
    the fact cache, when there is one."""
    from auditor.pipeline import Memo

    return Memo(cache=(cache, root) if cache is not None else None)


def _run_points(
    root: Path, name: str, commits: Sequence[Commit], cache: Path | None, scratch: str | None
) -> list[dict[str, Any]]:
    return list(_points(root, name, commits, _seed if _seed is not None else _memo(root, cache), scratch=scratch))


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


def _points(
    root: Path, name: str, commits: Sequence[Commit], memo: Memo, jobs: int = 1, scratch: str | None = None
) -> Iterator[dict[str, Any]]:
    """Each commit of one run, audited in one temporary folder (in `scratch`, else the system's)
    that follows the run commit by commit; `jobs` processes extract what `memo` does not know."""
    from auditor import vcs
    from auditor.config import DEDICATED, ConfigError, load_config
    from auditor.discover import file_kind
    from auditor.packs import PackError, load_rules
    from auditor.pipeline import ScanOptions, run_audit
    from auditor.roles import LAYOUT_FILES

    # What a scan reads: its sources, and the files that shape it (ignores, configuration, layout,
    # the mark of a virtual environment committed with the code).
    shaping = frozenset({".gitignore", DEDICATED, *LAYOUT_FILES, "pyvenv.cfg"})

    judged: dict[str, bool] = {}  # by path: a tree of thousands is listed again at every commit

    def wanted(path: str) -> bool:
        if path not in judged:
            base = path.rsplit("/", 1)[-1]
            judged[path] = base in shaping or file_kind(base, path) is not None
        return judged[path]

    built_in: dict[bool, Any] = {}  # the built-in packs, by count_announced: loaded once for the run
    exported: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory(prefix="lockaudit-history-", dir=scratch) as folder:
        tree = Path(folder)
        for commit in commits:
            try:
                written = vcs.export(root, commit.sha, tree, wanted, exported, vcs.MAX_SHOW_BYTES)
                exported = written.files
            except vcs.VcsError as exc:  # this commit's tree cannot be written: said, and the next starts afresh
                yield {**_identity(commit), "error": str(exc)[:500]}
                shutil.rmtree(tree, ignore_errors=True)
                tree.mkdir()
                exported = {}
                continue
            try:
                loaded = load_config(tree, alone=True)  # the commit's own, never a file above the temporary folder
                rules, announced = loaded.config.rules, loaded.config.count_announced
                if rules:  # packs in the tree may change with it: read at every commit
                    ruleset = load_rules(rules, announced)
                else:
                    if announced not in built_in:
                        built_in[announced] = load_rules((), announced)
                    ruleset = built_in[announced]
                loaded.config.check_against(set(ruleset.rules), ruleset.vendors())
            except (ConfigError, PackError) as exc:
                yield {**_identity(commit), "error": str(exc)[:500]}
                continue
            problems = [*loaded.problems, *written.left_out]
            repository = {"name": name, "commit": commit.sha, "committed": commit.committed}
            digests = {path: oid.decode("ascii") for path, oid in exported.items()}  # git already hashed them
            options = ScanOptions(
                jobs=jobs, memo=memo, repository=repository, digests=digests, sizes=written.sizes, details=False
            )
            audited = point(run_audit(tree, loaded.config, ruleset, problems, options), commit)
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
