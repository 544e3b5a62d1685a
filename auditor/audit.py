"""The `Audit`: everything one scan found, the single object every output format renders."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from auditor.severity import DEFAULT_FAIL_ON, at_least

# Every kind of usage record, in the order the audit schema lists them (tests/test_vocabulary.py
# holds the schemas and the code together); each stage's subset below names its purpose.
USAGE_KINDS = (
    "import",
    "client",
    "call",
    "feature",
    "model-id",
    "env",
    "endpoint",
    "compatible-api",
    "hidden-default",
    "setting",
    "config",
    "dependency",
)
# Layers whose products code imports; products of the other layers are tools a project runs.
CODE_LAYERS = ("model-api", "orchestration", "tokenizer")
# Usage kinds that couple a module to a vendor's SDK (not literals or settings).
COUPLING_KINDS = frozenset({"import", "client", "call", "feature"})


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file, or part of one, that was not fully analysed, and why."""

    path: str
    reason: str

    def sort_key(self) -> tuple[str, list[str | int]]:
        """Path, then reason with numbers compared as numbers ("cell 4" before "cell 11")."""
        return self.path, [int(p) if p.isdecimal() else p for p in re.split(r"(\d+)", self.reason)]


SCHEMA_VERSION = "1.8"  # 1.1: finding snippets and chains, scan time; 1.2: roles, places, leaks, exit plans;
# 1.3: `via` on calls through a client built elsewhere; 1.4: the `check` flag on model ids;
# 1.5: exposure counts modules reached only through optional imports apart (`optional`);
# 1.6: `signal` on toolchain records, the stable id rules match;
# 1.7: `signal` on every record a catalog entry with an id detects (features, hidden defaults, model ids);
# 1.8: `repository` (name, commit), which a portfolio merges by


@dataclass(frozen=True, slots=True)
class UsageRecord:
    """One detected usage of a vendor product (an inventory entry)."""

    kind: str
    path: str
    line: int
    column: int
    cell: int | None
    name: str  # the module (for imports)
    symbol: str | None = None
    vendor: str | None = None
    owner: str | None = None
    layer: str | None = None
    product: str | None = None
    host: str | None = None
    scope: str = "<module>"
    flags: tuple[str, ...] = ()
    expression: str | None = None  # source of an unresolved dynamic import
    call: str | None = None  # the API path called on a client (`chat.completions.create`)
    value: str | None = None  # a literal: model id, endpoint, base_url, service name, env access
    role: str = "product"  # the file's role: product, test, example, docs, script, benchmark, …
    via: str | None = None  # a call's client came from this getter, property or module (`Service.get_client`)
    # The stable id of what detected it, which rules match: a toolchain sign (facts.TOOL_SIGNALS),
    # or the id of the catalog's feature, hidden default or model family. People read `name`/`value`.
    signal: str | None = None

    @property
    def site(self) -> tuple[str, int | None, int, int, str]:
        """One place using one name: the symbols of one import statement share a site."""
        return (self.path, self.cell, self.line, self.column, self.name)


@dataclass(frozen=True, slots=True)
class Snippet:
    """The source lines around a finding: `lines[0]` is line `start` (of the cell, in a notebook)."""

    start: int
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Place:
    """One place a finding occurs: a file repeats a rule as one finding with many places."""

    line: int
    column: int
    cell: int | None
    fingerprint: str  # this place's own fingerprint (what a baseline matches, place by place)


@dataclass(frozen=True, slots=True)
class Finding:
    rule_id: str
    title: str
    severity: str
    effort: int
    category: str
    message: str
    remediation: str
    path: str
    line: int
    column: int
    cell: int | None
    scope: str
    fingerprint: str
    vendor: str | None = None
    owner: str | None = None
    layer: str | None = None
    product: str | None = None
    host: str | None = None
    snippet: Snippet | None = None  # quoted by the pipeline, secrets redacted
    chain: tuple[str, ...] = ()  # how code reaches the vendor through this place: importer → … → vendor
    baseline_state: str | None = None  # with a baseline: new, or unchanged (accepted in the baseline)
    role: str = "product"  # the role of the finding's file
    subject: str = ""  # what the finding is about within its rule (a feature id): repeats group by it
    places: tuple[Place, ...] = ()  # every place in the file, the first included


@dataclass(frozen=True, slots=True)
class Suppressed:
    """A finding a `# lockaudit: ignore[…]` comment suppressed, and that comment."""

    finding: Finding
    path: str
    line: int
    cell: int | None
    reason: str


@dataclass
class Audit:
    root: str
    tool_version: str
    config: dict[str, Any]  # the effective configuration and where it came from
    packs: list[dict[str, Any]]
    files_analysed: int
    inventory: list[UsageRecord] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    boundary: dict[str, Any] = field(default_factory=dict)  # the adapter boundary used
    leaks: list[dict[str, Any]] = field(default_factory=list)  # product code bypassing it, ranked
    roles: dict[str, Any] = field(default_factory=dict)  # files per role and which roles count
    hotspots: list[dict[str, Any]] = field(default_factory=list)
    scores: dict[str, Any] = field(default_factory=dict)
    exposure: list[dict[str, Any]] = field(default_factory=list)
    concentration: dict[str, Any] = field(default_factory=dict)  # the owner × layer table
    vulnerabilities: dict[str, Any] = field(default_factory=lambda: {"status": "not-requested"})
    scan: dict[str, Any] = field(default_factory=dict)  # when it ran and how long it took
    repository: dict[str, Any] | None = None  # name, commit, committed (vcs.describe): what was scanned
    suppressed: list[Suppressed] = field(default_factory=list)
    baseline: dict[str, Any] | None = None  # the baseline compared against: path, new, unchanged, fixed
    since: dict[str, Any] | None = None  # with --since: ref, merge base, changed files, findings left out
    notices: list[str] = field(default_factory=list)  # for stderr only: not part of any report
    trend: dict[str, Any] | None = None  # a `lockaudit history` series given with --history: drawn, not saved
    baseline_kept: list[Any] | None = None  # the baseline's entries still matched: what --update-baseline keeps

    def adapter_groups(self) -> list[tuple[str, list[str]]]:
        """The inferred boundary's reasons, each with the patterns it explains, in first-seen order."""
        groups: dict[str, list[str]] = {}
        for adapter in self.boundary.get("adapters", ()):
            groups.setdefault(adapter["reason"], []).append(adapter["pattern"])
        return list(groups.items())

    def counted(self, role: str) -> bool:
        """Whether code of this role counts in the score, the tables and the gate."""
        return role in self.roles.get("counted", ("product",))

    def failing(self, threshold: str) -> list[Finding]:
        """The findings that fail a gate at `threshold`: at or above it, and not accepted in the baseline."""
        return [f for f in self.findings if at_least(f.severity, threshold) and f.baseline_state != "unchanged"]

    def gate(self) -> tuple[str, list[Finding]]:
        """What a report says of the gate: its threshold (the configured one, which `--fail-on`
        sets for the run, else the default) and the product-code findings that fail it."""
        threshold = self.config.get("fail_on") or DEFAULT_FAIL_ON
        return threshold, [f for f in self.failing(threshold) if self.counted(f.role)]

    def split_findings(self) -> tuple[list[Finding], list[Finding]]:
        """The findings in counted code, and the rest (tests, examples, …), each in order."""
        counted = [f for f in self.findings if self.counted(f.role)]
        return counted, [f for f in self.findings if not self.counted(f.role)]

    def files_by_vendor(self) -> dict[str, set[str]]:
        """The counted files using each vendor."""
        found: dict[str, set[str]] = {}
        for record in self.inventory:
            if record.vendor is not None and self.counted(record.role):
                found.setdefault(record.vendor, set()).add(record.path)
        return found

    def summary(self) -> dict[str, Any]:
        vendors: dict[str, dict[str, Any]] = {}
        files = self.files_by_vendor()
        for record in self.inventory:
            if record.vendor is None or not self.counted(record.role):
                continue
            entry = vendors.setdefault(
                record.vendor,
                {
                    "vendor": record.vendor,
                    "owner": record.owner,
                    "files": files[record.vendor],
                    "sites": {},
                    "products": set(),
                },
            )
            entry["sites"].setdefault(record.kind, set()).add(record.site)
            if record.product:
                entry["products"].add(record.product)
        by_severity: dict[str, int] = {}
        by_role: dict[str, int] = {}
        for finding in self.findings:
            by_severity[finding.severity] = by_severity.get(finding.severity, 0) + 1
            by_role[finding.role] = by_role.get(finding.role, 0) + 1
        rows = [
            {
                "vendor": v["vendor"],
                "owner": v["owner"],
                "files": len(v["files"]),
                "import_sites": len(v["sites"].get("import", ())),
                "call_sites": len(v["sites"].get("call", ())) + len(v["sites"].get("client", ())),
                "sites": {kind: len(sites) for kind, sites in sorted(v["sites"].items())},
                "products": sorted(v["products"]),
            }
            for v in vendors.values()
        ]
        rows.sort(key=lambda r: (-r["files"], -sum(r["sites"].values()), r["vendor"]))
        return {
            "files_analysed": self.files_analysed,
            "files_skipped": len({s.path for s in self.skipped}),
            "vendors": rows,
            "unresolved_imports": sum(1 for r in self.inventory if "unresolved" in r.flags),
            "findings": {
                "total": len(self.findings),
                "by_severity": by_severity,
                "by_role": by_role,
                "suppressed": len(self.suppressed),
            },
            "roles": self.roles,
            "boundary": self.boundary,
            "leaks": self.leaks,
            "scores": self.scores,
            "hotspots": self.hotspots,
            "exposure": self.exposure,
            "owners": self.concentration,
            "vulnerabilities": self.vulnerabilities,
            "dependencies": self.dependencies(),
        }

    def dependencies(self) -> list[dict[str, Any]]:
        """Per product: where it is declared and locked, how many files import it, and the
        dependency findings about it (declared but unused, used but undeclared, transitive)."""
        rows: dict[str, dict[str, Any]] = {}
        for record in self.inventory:
            if record.kind not in ("dependency", "import") or not record.product:
                continue
            row = rows.setdefault(
                record.product,
                {
                    "product": record.product,
                    "vendor": record.vendor,
                    "owner": record.owner,
                    "layer": record.layer,
                    "declared": [],
                    "locked": [],
                    "imported_by": set(),
                    "findings": [],
                },
            )
            if record.kind == "import":
                if "type_checking" not in record.flags and self.counted(record.role):
                    row["imported_by"].add(record.path)
            elif (record.call or "").endswith(":locked"):
                row["locked"].append({"at": f"{record.path}:{record.line}", "version": record.value})
            else:
                group = (record.call or "").split(":", 1)[-1]
                row["declared"].append({"at": f"{record.path}:{record.line}", "group": group, "spec": record.value})
        for finding in self.findings:
            if finding.category == "dependencies" and finding.product in rows:
                rows[finding.product]["findings"].append(
                    {"rule_id": finding.rule_id, "message": finding.message, "chain": list(finding.chain)}
                )
        return [
            dict(row, imported_by=len(row["imported_by"]), status=_status(row))
            for _, row in sorted(rows.items())
            if row["declared"] or row["locked"] or (row["imported_by"] and row["layer"] in CODE_LAYERS)
        ]


def role_tally(findings: list[Finding]) -> list[tuple[str, int]]:
    """Findings per role of their file, the most frequent first."""
    roles: dict[str, int] = {}
    for finding in findings:
        roles[finding.role] = roles.get(finding.role, 0) + 1
    return sorted(roles.items(), key=lambda item: (-item[1], item[0]))


def _status(row: dict[str, Any]) -> str:
    if row["layer"] not in CODE_LAYERS:
        return "tool"
    if not row["declared"]:
        return "undeclared" if row["imported_by"] else "transitive"
    return "used" if row["imported_by"] else "unused"
