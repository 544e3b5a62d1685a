"""The pipeline: discover → extract → inventory → findings, assembled into an `Audit`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from auditor import __version__
from auditor.audit import Audit
from auditor.config import Config
from auditor.discover import Skipped, SourceFile, discover
from auditor.engine import find
from auditor.extract import extract
from auditor.facts import ErrorFact, Fact
from auditor.inventory import build_inventory
from auditor.modules import ModuleIndex
from auditor.packs import RuleSet
from auditor.patterns import PathPatterns

BINARY_PROBE = 8192


def run_audit(
    root: Path,
    config: Config,
    ruleset: RuleSet,
    problems: Iterable[tuple[str, str]] = (),
    cli_exclude: Sequence[str] = (),
    track: Callable[[Sequence[SourceFile]], Iterable[SourceFile]] = iter,
) -> Audit:
    """`problems` are (path, reason) pairs found before the scan, such as a broken
    pyproject.toml; `cli_exclude` are root-relative patterns from the command line;
    `track` wraps the file list, so a caller can show progress."""
    found = discover(root, exclude=(config.exclude_patterns(), PathPatterns(cli_exclude)))
    skipped: list[Skipped] = [*found.skipped, *(Skipped(path, reason) for path, reason in problems)]
    facts: list[Fact] = []
    analysed = []
    detectors = ruleset.detectors()
    for source in track(found.files):
        try:
            data = source.abspath.read_bytes()
        except OSError as exc:
            skipped.append(Skipped(source.path, f"cannot be read: {exc.strerror or exc}"))
            continue
        if b"\0" in data[:BINARY_PROBE]:
            skipped.append(Skipped(source.path, "binary file (NUL bytes)"))
            continue
        whole_file_failed = False
        for fact in extract(source.path, source.kind, data, detectors):
            if isinstance(fact, ErrorFact):
                detail = f": {fact.detail}" if fact.detail else ""
                skipped.append(Skipped(fact.loc.path, f"{fact.reason}{detail}"))
                whole_file_failed |= fact.loc.cell is None
            facts.append(fact)
        if not whole_file_failed:
            analysed.append(source)

    modules = ModuleIndex((s.path for s in found.files if s.kind == "python"), found.project_dirs)
    inventory = build_inventory(facts, modules, ruleset)
    return Audit(
        root=str(root),
        tool_version=__version__,
        config={**config.as_dict(), "cli_exclude": list(cli_exclude)},
        packs=[{"id": p.id, "title": p.title, "version": p.version} for p in ruleset.packs],
        files_analysed=len(analysed),
        inventory=inventory,
        findings=find(inventory, ruleset, config.adapter_patterns()),
        skipped=sorted(skipped, key=Skipped.sort_key),
    )
