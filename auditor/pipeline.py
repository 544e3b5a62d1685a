"""The pipeline: discover → extract → inventory → findings, assembled into an `Audit`.

Stages that need heavy libraries (networkx, the extractors) are imported where they run, so
a warm re-scan that the result cache answers never loads them."""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar, cast

from auditor import __version__, baseline, vcs
from auditor.audit import Audit, Finding, Skipped, Suppressed, UsageRecord
from auditor.cache import FactCache, content_hash
from auditor.catalog import RuleSet
from auditor.config import Config, lexical_relative
from auditor.discover import Discovery, SourceFile, discover
from auditor.facts import DependencyFact, ErrorFact, Fact, by_type
from auditor.files import printable_name, read_regular
from auditor.limits import MAX_FILE_FACTS, MAX_SCAN_FACTS
from auditor.patterns import PathPatterns
from auditor.redact import Redactor
from auditor.roles import KnownRoles, Roles, assign_roles

T = TypeVar("T")

if TYPE_CHECKING:
    from auditor.boundary import Boundary, Profile, Traits
    from auditor.graph import Import, ProjectGraph
    from auditor.inventory import Switches
    from auditor.link import Links
    from auditor.modules import ModuleIndex
    from auditor.workers import FileResult


@dataclass(frozen=True)
class ScanOptions:
    """How to scan, beyond the configuration: `cli_exclude` are root-relative patterns from
    the command line; `track` wraps the stream of per-file results, so a caller can show
    progress; `suppressions=False` shows what `# lockaudit: ignore` comments hide."""

    cli_exclude: Sequence[str] = ()
    jobs: int = 1
    track: Callable[[Iterator[FileResult], int], Iterator[FileResult]] = lambda results, total: results
    vulns: bool = False
    suppressions: bool = True
    baseline: Path | None = None  # compare against this baseline file: findings become new or unchanged
    since: str | None = None  # report only findings in files changed since the merge base with this ref
    files: frozenset[str] | None = None  # the per-file hook: only these files' file-scope findings
    cache: Path | None = None  # the fact cache's folder; None: extract every file
    memo: Memo | None = None  # what one process's scans keep for the next (`history`)
    repository: dict[str, Any] | None = None  # what was scanned, when the caller knows it; else asked of git
    digests: Mapping[str, str] | None = None  # content ids the caller knows (git's blob ids, in `history`)
    sizes: Mapping[str, int] | None = None  # the regular files the caller wrote, with their sizes (`history`)
    # False: only what a history point reads; no snippets, import chains, hotspots or exposure,
    # which took a fifth of a commit's analysis and which no point shows.
    details: bool = True


@dataclass
class Memo:
    """What the scans of one process keep for the next, as `history` audits commit after commit:
    facts by (path, content hash), so an unchanged file is not read twice, and the last audit
    with its inputs, so a commit whose changes alter no fact (a version bump, a comment) is not
    analysed again."""

    facts: dict[tuple[str, str], tuple[Fact, ...]] = field(default_factory=dict)
    last: tuple[list[Any], Audit] | None = None
    packs: str = ""  # the rule packs' digest the facts were extracted with: others detect otherwise
    index: ModuleIndex | None = None  # the last commit's, updated to each next commit's files
    kept: Kept = field(default_factory=lambda: Kept())  # per-file results of the analysis stages
    roles: KnownRoles = field(default_factory=lambda: KnownRoles())
    redactors: dict[str, Redactor] = field(default_factory=dict)  # by the rule packs' digest: they remember
    # (folder, repository root): the fact cache the repository's own scans keep, read for what the
    # memo lacks and never written, so a history leaves the next scan's cache as it found it.
    cache: tuple[Path, Path] | None = None
    _caches: dict[str, FactCache] = field(default_factory=dict, repr=False)  # by the packs' digest

    def module_index(self, paths: list[str], project_dirs: Iterable[str]) -> ModuleIndex:
        """The last commit's module index, updated to these files, so the imports it resolved stay
        resolved unless a file added or removed changes them; the per-file results built on
        answers that changed are dropped."""
        from auditor.modules import ModuleIndex

        stale = self.index.update(paths, project_dirs) if self.index is not None else None
        if stale is None:
            self.index = ModuleIndex(paths, project_dirs)
        self.kept.forget(stale)
        assert self.index is not None
        return self.index

    def redactor(self, ruleset: RuleSet) -> Redactor:
        """The last commit's redactor while the packs are the same: it remembers what it redacted."""
        if ruleset.digest not in self.redactors:
            self.redactors[ruleset.digest] = Redactor(ruleset.secrets)
        return self.redactors[ruleset.digest]

    def extract(self, collected: Collected, ruleset: RuleSet, max_bytes: int, jobs: int = 1) -> None:
        """Extract what the memo lacks, so that the analysis finds every readable file here."""
        from auditor.workers import extract_all

        if ruleset.digest != self.packs:  # a commit that changes its packs: every file is read again
            self.facts.clear()
            self.packs = ruleset.digest
        pending = [s for s in collected.sources if (s.path, collected.digests.get(s.path, "")) not in self.facts]
        if pending and self.cache is not None:
            pending = self._from_cache(pending, collected, ruleset, max_bytes)
        for result in extract_all(pending, ruleset.detectors(), jobs, max_bytes=max_bytes):
            if result.problem is None and result.source.path in collected.digests:
                self.facts[(result.source.path, collected.digests[result.source.path])] = result.facts
        # Only this tree's versions are kept: the next commit shares them or has new ones, so the
        # memo holds one tree's facts however long the history.
        current = {(s.path, collected.digests.get(s.path, "")) for s in collected.sources}
        self.facts = {key: facts for key, facts in self.facts.items() if key in current}

    def _from_cache(
        self, pending: list[SourceFile], collected: Collected, ruleset: RuleSet, max_bytes: int
    ) -> list[SourceFile]:
        """The files the fact cache knows (by their content's hash, as a scan keeps them) taken
        from it; the others, to extract."""
        assert self.cache is not None
        if ruleset.digest not in self._caches:
            self._caches[ruleset.digest] = FactCache(*self.cache, ruleset.digest, collected.redactor)
        cache, left = self._caches[ruleset.digest], []
        for source in pending:
            if source.path not in cache.entries:  # nothing to compare its content with: not read for it
                left.append(source)
                continue
            try:
                facts = cache.lookup(source.path, content_hash(read_regular(source.abspath, max_bytes)))
            except OSError:
                facts = None  # the extraction says why it cannot be read
            if facts is None:
                left.append(source)
            else:
                self.facts[(source.path, collected.digests.get(source.path, ""))] = tuple(facts)
        return left

    def inputs(self, collected: Collected, config: Config, ruleset: RuleSet, options: ScanOptions) -> list[Any]:
        """Everything an audit depends on (`Collected.inputs`), with each file's facts rather than
        its bytes: a change that alters no fact leaves them equal."""
        files = [
            (s.path, s.kind, self.facts.get((s.path, collected.digests.get(s.path, "")))) for s in collected.sources
        ]
        return collected.inputs(config, ruleset, options, files)

    def recall(self, inputs: list[Any]) -> Audit | None:
        """The last audit, when its inputs equal these (list and tuple equality tries identity
        first, so an unchanged file's facts cost no comparison)."""
        return replace(self.last[1]) if self.last is not None and self.last[0] == inputs else None


class Kept:
    """What the analysis made of each file alone (`FileAnalysis`, and whether it holds errors),
    and the rules each site context matched, kept from one scan to the next in `history`: a
    file's result is reused while its facts are the same object (the memo hands out one tuple per
    file content) and no answer of the module index it asked for has changed since."""

    def __init__(self) -> None:
        self._context: Any = None
        self._results: dict[tuple[str, str], tuple[Sequence[Fact], frozenset[Any], Any]] = {}
        self.matched: dict[tuple[Any, ...], frozenset[str]] = {}  # the rules each site context matches

    def begin(self, context: Any, paths: Iterable[str]) -> None:
        """A new scan: results made under another context (rule packs, owners) are dropped, and
        so are those of files no longer there."""
        if context != self._context:
            self._context = context
            self._results.clear()
            self.matched.clear()
            return
        present = set(paths)
        self._results = {key: kept for key, kept in self._results.items() if key[1] in present}

    def forget(self, stale: set[Any] | None) -> None:
        """Drop what was built on these answers of the module index (None: on any)."""
        if stale is None:
            self._results.clear()
        elif stale:
            self._results = {key: kept for key, kept in self._results.items() if stale.isdisjoint(kept[1])}

    def get(
        self,
        stage: str,
        path: str,
        facts: Sequence[Fact],
        modules: ModuleIndex | None,
        make: Callable[[Sequence[Fact]], T],
    ) -> T:
        """`stage`'s result for the file at `path` holding `facts`, `make(facts)` unless kept
        (`modules`: the index `make` may ask, None when it asks none)."""
        kept = self._results.get((stage, path))
        if kept is not None and kept[0] is facts:
            return kept[2]
        asked: frozenset[Any] = frozenset()
        if modules is None:
            result = make(facts)
        else:
            with modules.asking() as questions:
                result = make(facts)
            asked = frozenset(questions)
        self._results[(stage, path)] = (facts, asked, result)
        return result


class FileAnalysis(NamedTuple):
    """What the analysis stages make of one file's facts alone (see `Kept`)."""

    records: list[UsageRecord]  # inventory records, fact by fact
    switches: Switches  # what may switch a hidden default on
    imports: list[Import]  # the project's files its imports load
    traits: dict[str, Traits]  # what its profile reads from its facts
    links: Links  # the clients it gives and the calls it makes on imported ones
    kinds: dict[type, list[Fact]]  # its facts by type


@dataclass
class Analysis:
    """Everything the stages computed, before it is summarised into an `Audit`."""

    facts: list[Fact]
    inventory: list[UsageRecord]
    graph: ProjectGraph
    boundary: Boundary
    roles: Roles
    profiles: dict[str, Profile]
    leaks: list[dict[str, Any]]
    findings: list[Finding]
    suppressed: list[Suppressed]
    skipped: list[Skipped]
    files_analysed: int
    vulnerabilities: dict[str, Any]
    since: dict[str, Any] | None = None  # ref, merge base and the changed files, with --since
    notices: list[str] = field(default_factory=list)  # for the user on stderr, not part of the audit


def analyse(
    root: Path,
    config: Config,
    ruleset: RuleSet,
    problems: Iterable[tuple[str, str]] = (),
    options: ScanOptions = ScanOptions(),
) -> Analysis:
    """`problems` are (path, reason) pairs found before the scan, such as a broken pyproject.toml."""
    ruleset = ruleset.with_owners(config.owners)
    since = _since(root, options)
    return _analyse(_collect(root, config, ruleset, problems, options, since), root, config, ruleset, options, since)


@dataclass
class Collected:
    """Discovery, and what the fact cache already knows: the cheap first stage."""

    found: Discovery
    sources: list[SourceFile]
    skipped: list[Skipped]
    problems: list[tuple[str, str]]
    cache: FactCache | None
    digests: dict[str, str]  # content hashes, when there is a cache
    roles: Roles  # each file's role, and which roles count
    redactor: Redactor  # the rule set's secret patterns, for the cache and every output
    boundary: dict[str, Any] | None  # the per-file hook's: the last whole-project scan's, not inferred again

    @property
    def partial(self) -> bool:
        """Only some files are analysed (the per-file hook): the result describes no whole project."""
        return len(self.sources) < len(self.found.files)

    def inputs(self, config: Config, ruleset: RuleSet, options: ScanOptions, files: list[Any]) -> list[Any]:
        """Everything a whole-project result depends on, `files` being what each file holds:
        when they are unchanged, so is the audit."""
        return [
            __version__,
            ruleset.digest,
            config.as_dict(),
            sorted(options.cli_exclude),
            options.suppressions,
            options.details,
            files,
            sorted((s.path, s.reason) for s in self.skipped),
            sorted(self.problems),
            sorted(self.roles.of.items()),
            sorted(self.roles.counted),
        ]

    def state(self, config: Config, ruleset: RuleSet, options: ScanOptions) -> str:
        """The result cache's key: the inputs, with each file's content hash."""
        files = sorted((s.path, s.kind, self.digests.get(s.path)) for s in self.sources)
        key = self.inputs(config, ruleset, options, files)
        return hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()


def _collect(
    root: Path,
    config: Config,
    ruleset: RuleSet,
    problems: Iterable[tuple[str, str]],
    options: ScanOptions,
    since: dict[str, Any] | None = None,
) -> Collected:
    found = discover(
        root,
        exclude=(config.exclude_patterns(), PathPatterns(options.cli_exclude)),
        max_bytes=config.max_file_size,
        tracked=since["tracked"] if since else None,
        sizes=options.sizes,
    )
    problems = list(problems)
    # With --since the project's layout (pytest testpaths, build files) is the merge base's.
    at_base = (lambda rel: vcs.show(root, since["merge_base"], rel)) if since else None
    roles = assign_roles(
        root,
        found,
        ruleset.role_conventions,
        config.role_patterns(),
        config.include_roles,
        config.max_file_size,
        at_base,
        options.memo.roles if options.memo is not None else None,
    )
    skipped: list[Skipped] = [*found.skipped, *(Skipped(path, reason) for path, reason in problems)]
    sources = list(found.files)
    redactor = options.memo.redactor(ruleset) if options.memo is not None else Redactor(ruleset.secrets)
    boundary = None
    if options.files is not None:
        skipped = [s for s in skipped if s.path in options.files]
        if not config.adapters and options.cache is not None:
            # Judged against the boundary the last whole-project scan inferred (the whole-project
            # hook infers it again), the staged files need none of the others.
            boundary = FactCache(options.cache, root, ruleset.digest, redactor).last_boundary()
        if config.adapters or boundary is not None:
            sources = [s for s in sources if s.path in options.files]
    # A partial run (the per-file hook) extracts its few files afresh and leaves the cache alone,
    # which describes the whole tree.
    partial = len(sources) < len(found.files)
    cache = (
        FactCache(options.cache, root, ruleset.digest, redactor) if options.cache is not None and not partial else None
    )
    digests: dict[str, str] = {}
    if cache is not None or options.memo is not None:
        known = options.digests or {}
        for source in sources:
            if source.path in known:  # no need to read it to know what it holds
                digests[source.path] = known[source.path]
                continue
            try:
                digests[source.path] = content_hash(read_regular(source.abspath, config.max_file_size))
            except OSError:
                continue  # the extraction reports why it cannot be read
    return Collected(found, sources, skipped, problems, cache, digests, roles, redactor, boundary)


def _has_errors(facts: Sequence[Fact]) -> bool:
    return any(isinstance(fact, ErrorFact) for fact in facts)


def _since(root: Path, options: ScanOptions) -> dict[str, Any] | None:
    if options.since is None:
        return None
    base = vcs.merge_base(root, options.since)  # before the scan, so a shallow clone fails fast and plainly
    changed = _with_contents(root, vcs.changed_files(root, base))
    return {
        "ref": options.since,
        "merge_base": base,
        "changed": sorted(changed),
        "tracked": frozenset(vcs.tracked(root)),
    }


def _with_contents(root: Path, changed: set[str]) -> set[str]:
    """Git names a changed submodule by its folder; every file in it is part of the change."""
    files = set(changed)
    for rel in changed:
        folder = root / rel
        if folder.is_dir() and not folder.is_symlink():
            files.discard(rel)
            for parent, folders, names in os.walk(folder):  # never follows a symlinked folder
                folders[:] = [name for name in folders if name != ".git"]
                prefix = "/".join(printable_name(part) for part in Path(parent).relative_to(root).parts)
                files.update(f"{prefix}/{printable_name(name)}" for name in names if name != ".git")
    return files


def _analyse(
    collected: Collected,
    root: Path,
    config: Config,
    ruleset: RuleSet,
    options: ScanOptions,
    since: dict[str, Any] | None,
) -> Analysis:
    from auditor.boundary import Boundary, infer_boundary, module_traits, profile_modules
    from auditor.engine import Project, find, group_repeats, sort_findings
    from auditor.gate import BUDGET_REASON, gate_changes
    from auditor.graph import build_graph, file_imports, importers
    from auditor.inventory import build_inventory, fact_records, fact_switches
    from auditor.leaks import rank_leaks
    from auditor.link import file_links, link_clients
    from auditor.modules import ModuleIndex
    from auditor.snippet import quote
    from auditor.suppress import apply as apply_suppressions
    from auditor.vulns import audit as audit_vulnerabilities
    from auditor.workers import FileResult, extract_all

    found, cache, digests = collected.found, collected.cache, collected.digests
    skipped = list(collected.skipped)
    unread = {entry.path for entry in skipped}  # files not analysed at all, or only in part by a budget
    facts: list[Fact] = []
    analysed = 0
    reported = {path for path, _ in collected.problems}  # e.g. a broken pyproject.toml, already listed
    cached, pending = [], []
    memo = options.memo.facts if options.memo is not None else None
    per_file = options.memo.kept if options.memo is not None else Kept()
    per_file.begin((ruleset.digest, ruleset.count_announced, config.owners), (s.path for s in collected.sources))
    files: list[tuple[str, Sequence[Fact]]] = []  # each file's facts, as the stages keep results by file
    for source in collected.sources:  # facts the cache knows for this very content, or extraction
        key = (source.path, digests.get(source.path, ""))
        facts_known: Sequence[Fact] | None = memo.get(key) if memo is not None else None
        if facts_known is None and cache is not None and source.path in digests:
            facts_known = cache.lookup(*key)
        if facts_known is None:
            pending.append(source)
        else:
            cached.append(FileResult(source, tuple(facts_known)))
    remembered = {result.source.path for result in cached}  # the cache has them already
    for result in chain(
        cached,
        extract_all(
            pending,
            ruleset.detectors(),
            options.jobs,
            options.track,
            config.max_file_size,
            collected.redactor if cache else None,
        ),
    ):
        if result.problem is not None:
            skipped.append(Skipped(result.source.path, result.problem))
            unread.add(result.source.path)
            continue
        if len(facts) + len(result.facts) > MAX_SCAN_FACTS:
            skipped.append(
                Skipped(
                    result.source.path, f"{BUDGET_REASON} of {MAX_SCAN_FACTS} facts (a tree made to exhaust the scan?)"
                )
            )
            unread.add(result.source.path)
            continue
        if cache is not None and result.source.path in digests and result.source.path not in remembered:
            cache.keep(result.source.path, digests[result.source.path], result.rows)
        whole_file_failed = False
        file_facts: Sequence[Fact] = result.facts
        if len(file_facts) > MAX_FILE_FACTS:  # thousands of literals, generated to make every later stage slow
            file_facts = [f for f in file_facts if not isinstance(f, ErrorFact)][:MAX_FILE_FACTS] + [
                f for f in file_facts if isinstance(f, ErrorFact)
            ]
            skipped.append(
                Skipped(
                    result.source.path,
                    f"partly analysed: more than {MAX_FILE_FACTS} facts, the first {MAX_FILE_FACTS} kept",
                )
            )
            unread.add(result.source.path)
        if per_file.get("errors", result.source.path, file_facts, None, _has_errors):
            kept_facts = []
            for fact in file_facts:
                if isinstance(fact, ErrorFact) and fact.loc.path in reported:
                    continue
                if isinstance(fact, ErrorFact):
                    detail = f": {fact.detail}" if fact.detail else ""
                    skipped.append(Skipped(fact.loc.path, f"{fact.reason}{detail}"))
                    whole_file_failed |= fact.loc.cell is None and not fact.partial
                kept_facts.append(fact)
            file_facts = kept_facts
        files.append((result.source.path, file_facts))
        facts.extend(file_facts)
        analysed += not whole_file_failed
        if whole_file_failed:
            unread.add(result.source.path)

    notices = list(found.notes)
    if cache is not None and (notice := cache.save()):
        notices.append(notice)
    if not analysed and found.filtered:  # say by what, or "nothing to analyse" is a riddle
        notices.append(
            "left out before analysis: "
            + ", ".join(
                f"{count} {noun}{'s' if count != 1 else ''} {why}"
                for (noun, why), count in sorted(found.filtered.items(), key=lambda item: (-item[1], item[0]))
            )
        )
    python_paths = [s.path for s in found.files if s.kind == "python"]
    modules = (
        options.memo.module_index(python_paths, found.project_dirs)
        if options.memo is not None
        else ModuleIndex(python_paths, found.project_dirs)
    )
    own_facts = len(facts)
    products, structure = {p.id: p for p in ruleset.products}, ruleset.structure

    def of_file(held: Sequence[Fact]) -> FileAnalysis:
        return FileAnalysis(
            fact_records(held, modules, ruleset, products),
            fact_switches(held),
            file_imports(held, modules),
            module_traits(held, structure),
            file_links(held),
            by_type(held),
        )

    each = [per_file.get("analysis", path, held, modules, of_file) for path, held in files]
    facts = link_clients(facts, modules, [e.links for e in each])  # calls on clients other modules give
    linked = facts[own_facts:]
    roles = collected.roles
    by_fact = [*(r for e in each for r in e.records), *fact_records(linked, modules, ruleset, products)]
    switches = [*(e.switches for e in each), fact_switches(linked)]
    inventory = build_inventory(facts, modules, ruleset, roles, by_fact, switches)
    graph = build_graph(facts, inventory, modules, ruleset, python_paths, [i for e in each for i in e.imports])
    imported_by = importers(graph)
    if roles.promote(imported_by, config.role_patterns()):
        inventory = [replace(r, role=role) if (role := roles.role(r.path)) != r.role else r for r in inventory]
    profiles = profile_modules(inventory, facts, python_paths, roles, ruleset, [e.traits for e in each])
    users = {path: {i for i in found_by if i in profiles} for path, found_by in imported_by.items() if path in profiles}
    configured = config.adapter_patterns()
    if collected.boundary is not None and not configured:
        boundary = Boundary.from_dict(collected.boundary, configured)
    else:
        boundary = infer_boundary(profiles, users, facts, modules, ruleset, configured, graph.module_of_path)
    leaks = rank_leaks(boundary, profiles, users, graph.module_of_path)
    kinds: dict[type, list[Fact]] = {}
    for part in [*(e.kinds for e in each), by_type(linked)]:
        for kind, of_kind in part.items():
            kinds.setdefault(kind, []).extend(of_kind)
    vulnerabilities = (
        audit_vulnerabilities(cast(list[DependencyFact], kinds.get(DependencyFact, []))).as_dict()
        if options.vulns
        else {"status": "not-requested"}
    )
    project = Project(facts, graph, boundary, roles, vulnerabilities, kinds)
    policy = config.policy()
    findings = find(inventory, ruleset, project, policy, per_file.matched, options.details)
    applied = apply_suppressions(findings, facts if options.suppressions else (), ruleset, policy)
    own = applied.findings
    if since is not None:
        excludes = (config.exclude_patterns(), PathPatterns(options.cli_exclude))
        own += gate_changes(
            root,
            since["merge_base"],
            config.source if config.explicit else None,
            config.baseline_path(root),
            facts,
            found.files,
            set(since["changed"]),
            ruleset,
            policy,
            [entry for entry in skipped if entry.path in unread],
            since["tracked"],
            excluded=lambda path: any(patterns.match(path) for patterns in excludes),
            counts=roles.counts,
        )
    kept = group_repeats(sort_findings(applied.kept + own))
    redactor = collected.redactor  # nothing key-shaped goes further than this
    quoted = [*kept, *(s.finding for s in applied.suppressed)]
    if options.details:
        quoted = quote(
            root, quoted, config.max_file_size, files={s.path: s.abspath for s in found.files}, redactor=redactor
        )  # each file read once for both
    findings = quoted[: len(kept)]
    suppressed = [replace(s, finding=f) for s, f in zip(applied.suppressed, quoted[len(kept) :])]
    return Analysis(
        facts,
        redactor.records(inventory),
        graph,
        boundary,
        roles,
        profiles,
        leaks,
        redactor.findings(findings),
        redactor.suppressed(suppressed),
        redactor.skipped(sorted(skipped, key=Skipped.sort_key)),
        analysed,
        vulnerabilities,
        since,
        notices,
    )


def extract_tree(
    root: Path,
    config: Config,
    ruleset: RuleSet,
    problems: Iterable[tuple[str, str]] = (),
    options: ScanOptions = ScanOptions(),
) -> None:
    """What `run_audit` extracts into `options.memo`, without the analysis: `history` extracts its
    first commit with every process before they fork, and analyses it in one of them."""
    if options.memo is not None:
        ruleset = ruleset.with_owners(config.owners)
        collected = _collect(root, config, ruleset, problems, options)
        options.memo.extract(collected, ruleset, config.max_file_size, options.jobs)


def run_audit(
    root: Path,
    config: Config,
    ruleset: RuleSet,
    problems: Iterable[tuple[str, str]] = (),
    options: ScanOptions = ScanOptions(),
) -> Audit:
    """The whole audit, then what the options ask of it: a baseline to compare with, only
    the files given (the per-file hook) or changed (`--since`). A whole-project audit whose
    inputs are all unchanged comes from the result cache."""
    started, clock = datetime.now(UTC), time.perf_counter()
    ruleset = ruleset.with_owners(config.owners)
    since = _since(root, options)
    collected = _collect(root, config, ruleset, problems, options, since)
    # Only a whole-project audit that depends on nothing but the files is remembered: not one
    # that asked the network (--vulns) or git (--since), nor the per-file hook's partial one.
    whole = collected.cache is not None and not options.vulns and since is None and not collected.partial
    state = collected.state(config, ruleset, options) if whole else None
    audit = collected.cache.load_audit(state) if state and collected.cache else None
    inputs = None
    if options.memo is not None and since is None and not collected.partial:
        options.memo.extract(collected, ruleset, config.max_file_size, options.jobs)
        inputs = options.memo.inputs(collected, config, ruleset, options)
        audit = options.memo.recall(inputs)
    if audit is None:
        audit = _assemble(_analyse(collected, root, config, ruleset, options, since), root, config, ruleset, options)
        if state and collected.cache:
            collected.cache.save_audit(state, audit)
        if inputs is not None and options.memo is not None:
            options.memo.last = (inputs, audit)
    audit.scan = {"started": started.isoformat(timespec="seconds")}
    if options.files is None:  # not the per-file hook, which runs on every commit and merges into nothing
        audit.repository = options.repository or vcs.describe(root)
    if options.baseline is not None:
        entries = _baseline_entries(root, options.baseline, since)
        if options.files is not None:  # the per-file hook saw only its files: the rest of the baseline is not fixed
            entries = [e for e in entries if e.path in options.files]
        comparison = baseline.compare(audit.findings, entries)
        audit.findings = comparison.findings
        audit.baseline = baseline.summary(os.path.relpath(options.baseline, root), comparison)
        audit.baseline_kept = comparison.kept
    if options.files is not None:  # the per-file hook: the whole-project hook judges the rest
        file_scope = ruleset.file_scope()
        audit.findings = [f for f in audit.findings if f.path in options.files and f.rule_id in file_scope]
        audit.suppressed = [s for s in audit.suppressed if s.finding.path in options.files]
    if since is not None:  # findings elsewhere were there before this change
        changed = set(since["changed"])
        total = len(audit.findings)
        from auditor.gate import CONFIG_RULE, UNSEEN_RULE

        # A file the scan's budget dropped fails the gate wherever it is (see gate._unseen), and
        # so does a weakened configuration, which may sit above the scanned folder.
        audit.findings = [f for f in audit.findings if f.path in changed or f.rule_id in (UNSEEN_RULE, CONFIG_RULE)]
        audit.suppressed = [s for s in audit.suppressed if s.finding.path in changed]
        audit.since = {
            "ref": since["ref"],
            "merge_base": since["merge_base"],
            "changed_files": len(changed),
            "findings_elsewhere": total - len(audit.findings),
        }
    audit.scan["seconds"] = round(time.perf_counter() - clock, 2)
    return audit


def _baseline_entries(root: Path, path: Path, since: dict[str, Any] | None) -> list[baseline.Entry]:
    """With `--since`, a baseline inside the tree is read as it was at the merge base: entries
    a change adds to it hide nothing until they are merged (they are reported as baseline-grew)."""
    rel = lexical_relative(path, root)  # as written: a symlink in the change chooses nothing
    if since is None or rel is None:
        return baseline.load(path)
    data = vcs.show(root, since["merge_base"], rel)
    return baseline.parse(data, f"{rel} at {since['merge_base'][:12]}") if data is not None else []


def _assemble(result: Analysis, root: Path, config: Config, ruleset: RuleSet, options: ScanOptions) -> Audit:
    from auditor.graph import exposure, hotspots
    from auditor.owners import owner_layers
    from auditor.score import score

    boundary, roles = result.boundary, result.roles
    counted = roles.counted.__contains__
    return Audit(
        root=str(root),
        tool_version=__version__,
        config={**config.as_dict(), "cli_exclude": list(options.cli_exclude)},
        packs=[{"id": p.id, "title": p.title, "version": p.version} for p in ruleset.packs],
        files_analysed=result.files_analysed,
        inventory=result.inventory,
        findings=result.findings,
        boundary=boundary.as_dict(),
        leaks=result.leaks,
        roles=roles.as_dict(),
        hotspots=hotspots(result.graph, roles.counts) if options.details else [],
        exposure=exposure(result.graph) if options.details else [],
        scores=score(result.findings, result.inventory, boundary, result.profiles, result.leaks, ruleset, counted),
        concentration=owner_layers(result.inventory, ruleset, counted),
        vulnerabilities=result.vulnerabilities,
        skipped=result.skipped,
        suppressed=result.suppressed,
        notices=result.notices,
    )
