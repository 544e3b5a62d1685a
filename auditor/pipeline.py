"""The pipeline: discover → extract → inventory → findings, assembled into an `Audit`."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from auditor import __version__, baseline, vcs
from auditor.audit import Audit, Finding, Suppressed, UsageRecord
from auditor.config import Config
from auditor.discover import Skipped, discover
from auditor.engine import PIPELINE_CHECKS, Project, find, sort_findings
from auditor.gate import gate_changes
from auditor.graph import Boundary, ProjectGraph, build_graph, exposure, hotspots, infer_boundary
from auditor.score import owner_layers, score
from auditor.redact import Redactor
from auditor.snippet import quote
from auditor.suppress import apply as apply_suppressions
from auditor.vulns import audit as audit_vulnerabilities
from auditor.facts import DependencyFact, ErrorFact, Fact, ImportFact
from auditor.inventory import build_inventory
from auditor.modules import ModuleIndex
from auditor.packs import RuleSet
from auditor.patterns import PathPatterns
from auditor.workers import FileResult, extract_all


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


@dataclass
class Analysis:
    """Everything the stages computed, before it is summarised into an `Audit`."""

    facts: list[Fact]
    inventory: list[UsageRecord]
    graph: ProjectGraph
    boundary: Boundary
    findings: list[Finding]
    suppressed: list[Suppressed]
    skipped: list[Skipped]
    files_analysed: int
    vulnerabilities: dict[str, Any]
    since: dict[str, Any] | None = None  # ref, merge base and the changed files, with --since


def analyse(root: Path, config: Config, ruleset: RuleSet, problems: Iterable[tuple[str, str]] = (),
            options: ScanOptions = ScanOptions()) -> Analysis:
    """`problems` are (path, reason) pairs found before the scan, such as a broken pyproject.toml."""
    ruleset = ruleset.with_owners(config.owners)
    since = None
    if options.since is not None:  # before the scan, so a shallow clone fails fast and plainly
        base = vcs.merge_base(root, options.since)
        since = {"ref": options.since, "merge_base": base, "changed": sorted(vcs.changed_files(root, base))}
    found = discover(root, exclude=(config.exclude_patterns(), PathPatterns(options.cli_exclude)))
    skipped: list[Skipped] = [*found.skipped, *(Skipped(path, reason) for path, reason in problems)]
    facts: list[Fact] = []
    analysed = 0
    reported = {path for path, _ in problems}  # e.g. a broken pyproject.toml, already listed
    sources = found.files
    if options.files is not None:
        skipped = [s for s in skipped if s.path in options.files]
        if config.adapters:  # the boundary is configured: the other files are not needed to judge these
            sources = [s for s in sources if s.path in options.files]
    for result in extract_all(sources, ruleset.detectors(), options.jobs, options.track):
        if result.problem is not None:
            skipped.append(Skipped(result.source.path, result.problem))
            continue
        whole_file_failed = False
        for fact in result.facts:
            if isinstance(fact, ErrorFact) and fact.loc.path in reported:
                continue
            if isinstance(fact, ErrorFact):
                detail = f": {fact.detail}" if fact.detail else ""
                skipped.append(Skipped(fact.loc.path, f"{fact.reason}{detail}"))
                whole_file_failed |= fact.loc.cell is None and not fact.partial
            facts.append(fact)
        analysed += not whole_file_failed

    python_paths = [s.path for s in found.files if s.kind == "python"]
    modules = ModuleIndex(python_paths, found.project_dirs)
    inventory = build_inventory(facts, modules, ruleset)
    graph = build_graph(facts, inventory, modules, ruleset, python_paths)
    configured = config.adapter_patterns()
    dynamic_loading = any(isinstance(f, ImportFact) and f.unresolved for f in facts)
    boundary = infer_boundary(graph, configured, PathPatterns(ruleset.auxiliary_paths), dynamic_loading)
    vulnerabilities = (audit_vulnerabilities([f for f in facts if isinstance(f, DependencyFact)]).as_dict()
                       if options.vulns else {"status": "not-requested"})
    project = Project(facts, graph, boundary, lambda p: boundary.contains(p, configured), vulnerabilities)
    policy = config.policy()
    findings = find(inventory, ruleset, project, policy)
    applied = apply_suppressions(findings, facts if options.suppressions else (), ruleset, policy)
    own = applied.findings
    if since is not None:
        own += gate_changes(root, since["merge_base"], config.source, config.baseline_path(root), facts, found.files,
                            set(since["changed"]), ruleset, policy)
    findings = quote(root, sort_findings(applied.kept + own))
    suppressed = [replace(s, finding=f) for s, f in zip(applied.suppressed, quote(root, [s.finding for s in applied.suppressed]))]
    redactor = Redactor(ruleset.secrets)  # nothing key-shaped goes further than this
    return Analysis(facts, redactor.records(inventory), graph, boundary, redactor.findings(findings),
                    redactor.suppressed(suppressed), redactor.skipped(sorted(skipped, key=Skipped.sort_key)),
                    analysed, vulnerabilities, since)


def run_audit(root: Path, config: Config, ruleset: RuleSet, problems: Iterable[tuple[str, str]] = (),
              options: ScanOptions = ScanOptions()) -> Audit:
    started, clock = datetime.now(timezone.utc), time.perf_counter()
    ruleset = ruleset.with_owners(config.owners)
    result = analyse(root, config, ruleset, problems, options)
    boundary = result.boundary
    baseline_summary = None
    if options.baseline is not None:
        comparison = baseline.compare(result.findings, baseline.load(options.baseline))
        result.findings = comparison.findings
        baseline_summary = baseline.summary(os.path.relpath(options.baseline, root), comparison)
    if options.files is not None:  # the per-file hook: the whole-project hook judges the rest
        file_scope = {r.id for r in ruleset.rules.values() if r.scope == "file" or r.when.get("check") in PIPELINE_CHECKS}
        result.findings = [f for f in result.findings if f.path in options.files and f.rule_id in file_scope]
        result.suppressed = [s for s in result.suppressed if s.finding.path in options.files]
    since_summary = None
    if result.since is not None:  # findings elsewhere were there before this change
        changed = set(result.since["changed"])
        total = len(result.findings)
        result.findings = [f for f in result.findings if f.path in changed]
        result.suppressed = [s for s in result.suppressed if s.finding.path in changed]
        since_summary = {"ref": result.since["ref"], "merge_base": result.since["merge_base"],
                         "changed_files": len(changed), "findings_elsewhere": total - len(result.findings)}
    return Audit(
        root=str(root),
        tool_version=__version__,
        config={**config.as_dict(), "cli_exclude": list(options.cli_exclude)},
        packs=[{"id": p.id, "title": p.title, "version": p.version} for p in ruleset.packs],
        files_analysed=result.files_analysed,
        inventory=result.inventory,
        findings=result.findings,
        boundary={"source": boundary.source, "modules": list(boundary.modules), "direct": boundary.direct,
                  "total": boundary.total},
        hotspots=hotspots(result.graph),
        exposure=exposure(result.graph),
        scores=score(result.findings, result.inventory),
        concentration=owner_layers(result.inventory, ruleset),
        vulnerabilities=result.vulnerabilities,
        skipped=result.skipped,
        suppressed=result.suppressed,
        baseline=baseline_summary,
        since=since_summary,
        scan={"started": started.isoformat(timespec="seconds"), "seconds": round(time.perf_counter() - clock, 2)},
    )
