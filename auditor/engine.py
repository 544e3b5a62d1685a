"""Engine: inventory + rules → findings.

File-scope rules are declarative: a rule's `when` (validated against the closed grammar in
`schemas/when-1.schema.json`) is evaluated on each inventory record. Project-scope rules
name one of the few checks written here in Python because they need the whole project.
Rule wording, severity and effort come from the packs.
"""

from __future__ import annotations

import fnmatch
import functools
import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from auditor import limits
from auditor.audit import CODE_LAYERS, Finding, Place, UsageRecord
from auditor.boundary import Boundary
from auditor.catalog import PIPELINE_CHECKS, Feature, Rule, RuleSet
from auditor.config import Policy
from auditor.facts import DependencyFact, Fact, ImportFact, ToolFact, by_type
from auditor.graph import ChainFinder, ProjectGraph
from auditor.owners import owner_layers  # the table the reports show: one computation
from auditor.roles import Roles
from auditor.severity import SEVERITIES

F = TypeVar("F", bound=Fact)
MAX_MATCHED_TEXT = 1000  # regex predicates see at most this much of a value


def fingerprint(rule_id: str, path: str, scope: str, matched: str, occurrence: int = 0) -> str:
    """Stable across moved lines and unrelated edits: no line numbers, no cell index.

    `occurrence` numbers identical matches within one scope in source order, so every
    finding has its own fingerprint and a baseline counts them as a multiset.
    """
    normalised = " ".join(matched.split())
    key = "\0".join((rule_id, path, scope, normalised, str(occurrence)))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


def import_text(records: list[UsageRecord]) -> str:
    """The normalised import statement behind the records of one site."""
    symbols = sorted({r.symbol for r in records if r.symbol})
    name = records[0].name
    return f"from {name} import {', '.join(symbols)}" if symbols else f"import {name}"


@dataclass(frozen=True)
class Project:
    """What project-scope checks see besides the inventory."""

    facts: list[Fact]
    graph: ProjectGraph
    boundary: Boundary
    roles: Roles
    vulnerabilities: dict[str, Any] = field(default_factory=dict)
    kinds: dict[type, list[Fact]] | None = None  # the facts by type, when the caller has them so

    def in_adapter(self, path: str) -> bool:
        return self.boundary.contains(path)

    def of(self, kind: type[F]) -> list[F]:
        """The facts of one kind, in scan order (the checks each want one kind of thousands)."""
        return self._by_type.get(kind, [])  # type: ignore[return-value]

    @functools.cached_property
    def _by_type(self) -> dict[type, list[Fact]]:
        return self.kinds if self.kinds is not None else by_type(self.facts)


def find(
    inventory: Iterable[UsageRecord],
    ruleset: RuleSet,
    project: Project,
    policy: Policy = Policy(),
    matched: dict[tuple[Any, ...], frozenset[str]] | None = None,
    with_chains: bool = True,
) -> list[Finding]:
    """Every rule on the inventory; `policy` (the configuration) switches rules off per path,
    re-rates them, and says which vendors are allowed. Findings in code whose role does not
    count (tests, examples, …) are reported at `info`, unless an override rates them; the
    project-wide checks look at the counted code only. `matched`: the file-scope rules each
    site's context matches, which a caller running these rules again (`history`) keeps;
    `with_chains` False leaves each finding's import chain out."""
    records = list(inventory)
    counted = [r for r in records if project.roles.counts(r.path)]
    in_adapter = project.in_adapter
    neutral = {p.id: p.abstraction for p in ruleset.products}
    features = {f.id: f for f in ruleset.features}
    products = {p.id: p for p in ruleset.products}
    sites: dict[tuple[Any, ...], list[UsageRecord]] = {}
    for record in records:  # inventory order is source order; an import statement is one site
        sites.setdefault((record.kind, *record.site, record.call, record.value), []).append(record)
    # One context per site, whatever the number of rules: a file of thousands of model ids
    # costs thousands of contexts, not thousands times the rules; each is matched against the
    # rules of its kind once, and a context seen before is not matched again.
    if matched is None:
        matched = {}
    elif len(matched) > MAX_MATCHED_CONTEXTS:
        matched.clear()  # started afresh, and kept again
    candidates = _by_kind(ruleset)
    by_rule: dict[str, list[list[UsageRecord]]] = defaultdict(list)
    for group in sites.values():
        key = _context(group[0], neutral, in_adapter, policy)
        rules = matched.get(key)
        if rules is None:
            context = dict(zip(CONTEXT_FIELDS, key, strict=True))
            rules = matched[key] = frozenset(r.id for r in candidates(key[0]) if matches(r.when, context))
        for rule_id in rules:
            by_rule[rule_id].append(group)
    findings: list[Finding] = []
    occurrences: Counter[tuple[str, str, str, str]] = Counter()
    for rule in ruleset.rules.values():
        if rule.id in policy.disabled:
            continue
        if rule.scope == "project":
            if rule.when["check"] in PIPELINE_CHECKS:
                continue
            check = CHECKS[rule.when["check"]]
            for found, values in check(counted, ruleset, rule.when.get("params", {}), project):
                if not policy.applies(rule.id, found.path):
                    continue
                # A check may anchor on a place no record stands for (an import of an adapter's
                # vendor name in a test): the finding's role is its file's, whatever made it.
                anchor = replace(found, role=project.roles.role(found.path))
                text = " ".join(values.get(k, "") for k in ("vendor", "name", "chain", "layers", "ids"))
                severity = _severity(policy, project.roles, rule.id, anchor.path, rule.severity)
                findings.append(
                    make_finding(
                        rule,
                        anchor,
                        values,
                        severity,
                        rule.effort,
                        text,
                        0,
                        subject=text,
                        placeless=rule.when["check"] in WHOLE_PROJECT,
                    )
                )
            continue
        for group in by_rule.get(rule.id, ()):
            record = group[0]
            if not policy.applies(rule.id, record.path):
                continue
            feature = features.get(record.name) if record.kind == "feature" else None
            values = _values(record, products, feature)
            text = import_text(group) if record.kind == "import" else f"{record.kind} {record.name} {record.call or ''}"
            key = (rule.id, record.path, record.scope, text)
            occurrence = occurrences[key]
            occurrences[key] += 1
            by_feature = feature if rule.by_feature else None  # the feature sets severity and effort
            severity = by_feature.severity if by_feature is not None else rule.severity
            effort = by_feature.effort if by_feature is not None else rule.effort
            severity = _severity(policy, project.roles, rule.id, record.path, severity)
            findings.append(
                make_finding(
                    rule,
                    record,
                    values,
                    severity,
                    effort,
                    text,
                    occurrence,
                    subject=record.name if by_feature is not None else "",
                )
            )
    finder = ChainFinder(project.graph)
    chains: dict[tuple[str, str | None, str | None], tuple[str, ...]] = {}  # a file's findings share them
    for i, f in enumerate(findings if with_chains else ()):
        if not f.chain:
            place = (f.path, f.vendor, f.product)
            if place not in chains:
                chains[place] = finder.chain(*place)
            findings[i] = replace(f, chain=chains[place])
    return sort_findings(findings)


def _by_kind(ruleset: RuleSet) -> Callable[[str], list[Rule]]:
    """The file-scope rules a site of each kind could match: those whose `when` names its kind
    (every site is tried on a few of the rules)."""
    rules = [(rule, _kinds(rule.when)) for rule in ruleset.rules.values() if rule.scope != "project"]
    chosen: dict[str, list[Rule]] = {}

    def of(kind: str) -> list[Rule]:
        if kind not in chosen:
            chosen[kind] = [rule for rule, kinds in rules if kinds is None or kind in kinds]
        return chosen[kind]

    return of


def _kinds(when: dict[str, Any]) -> frozenset[str] | None:
    """The record kinds a `when` can match, or None when that is not known (under `not`)."""
    if "all" in when:
        known = [k for k in (_kinds(c) for c in when["all"]) if k is not None]
        return frozenset.intersection(*known) if known else None
    if "any" in when:
        each = [_kinds(c) for c in when["any"]]
        return None if any(k is None for k in each) else frozenset().union(*(k for k in each if k is not None))
    if "not" in when:
        return None
    kinds = when["kind"]
    return frozenset(kinds if isinstance(kinds, list) else [kinds])


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Source order: path, cell, line, column, then rule and message, so output is deterministic."""
    return sorted(
        findings, key=lambda f: (f.path, f.cell if f.cell is not None else -1, f.line, f.column, f.rule_id, f.message)
    )


def _severity(policy: Policy, roles: Roles, rule_id: str, path: str, default: str) -> str:
    """The configured severity; `info` outside the counted roles unless an override for the path says otherwise."""
    if roles.counts(path):
        return policy.severity_of(rule_id, path, default)
    return policy.path_severity(rule_id, path) or "info"


def make_finding(
    rule: Rule,
    record: UsageRecord,
    values: dict[str, str],
    severity: str,
    effort: int,
    text: str,
    occurrence: int,
    subject: str = "",
    placeless: bool = False,
) -> Finding:
    """`placeless`: the finding is about the whole project, so its fingerprint leaves out the
    place it points at, which moves as the code does (see `_describing`)."""
    marker = fingerprint(
        rule.id, "" if placeless else record.path, "<project>" if placeless else record.scope, text, occurrence
    )
    return Finding(
        rule_id=rule.id,
        title=rule.title,
        severity=severity,
        effort=effort,
        category=rule.category,
        message=rule.render(values),
        remediation=rule.remediation,
        path=record.path,
        line=record.line,
        column=record.column,
        cell=record.cell,
        scope=record.scope,
        fingerprint=marker,
        vendor=record.vendor,
        owner=record.owner,
        layer=record.layer,
        product=record.product,
        host=record.host,
        chain=tuple(values["chain"].split(" → ")) if values.get("chain") else (),
        role=record.role,
        subject=subject,
        places=(Place(record.line, record.column, record.cell, marker),),
    )


def group_repeats(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per rule, file, vendor and subject, listing its places: a table of 500 model
    ids is one finding, not 500 (project-wide and gate findings each have their own subject).
    Its fingerprint names the group, so it survives added and moved places; each place keeps
    its own fingerprint for the baseline."""
    groups: dict[tuple[str, str, str, str], list[Finding]] = {}
    for finding in findings:
        groups.setdefault((finding.rule_id, finding.path, finding.vendor or "", finding.subject), []).append(finding)
    grouped = []
    for (rule_id, path, vendor, subject), members in groups.items():
        first = members[0]
        places = tuple(p for m in members for p in m.places)
        key = fingerprint(rule_id, path, "<file>", f"{vendor} {subject}", 0)
        if len(places) == 1:
            grouped.append(replace(first, fingerprint=key))
            continue
        severity = max((m.severity for m in members), key=SEVERITIES.index)
        grouped.append(
            replace(
                first,
                fingerprint=key,
                places=places,
                severity=severity,
                effort=max(m.effort for m in members),
                message=f"{first.message} ({len(places)} places in this file)",
            )
        )
    return sort_findings(grouped)


# What a rule's `when` sees of a site, in `_context`'s order.
CONTEXT_FIELDS = (
    "kind",
    "name",
    "symbol",
    "call",
    "value",
    "vendor",
    "owner",
    "layer",
    "product",
    "host",
    "scope",
    "flags",
    "signal",
    "neutral",
    "path",
    "in_adapter",
    "vendor_policy",
)
MAX_MATCHED_CONTEXTS = 200_000  # a kept `matched` is emptied beyond this


def _context(
    record: UsageRecord, neutral: dict[str, bool], in_adapter: Callable[[str], bool], policy: Policy
) -> tuple[Any, ...]:
    return (
        record.kind,
        record.name,
        record.symbol,
        record.call,
        record.value,
        record.vendor,
        record.owner,
        record.layer,
        record.product,
        record.host,
        record.scope,
        record.flags,
        record.signal,
        neutral.get(record.product or "", False),
        record.path,
        in_adapter(record.path),
        policy.vendor_status(record.vendor),
    )


def _values(record: UsageRecord, products: dict[str, Any], feature: Feature | None) -> dict[str, str]:
    product = products.get(record.product or "")
    return {
        "vendor": record.vendor or "",
        "owner": record.owner or "",
        "name": record.name,
        "value": record.value or "",
        "call": record.call or record.name,
        "product": record.product or "",
        "product_title": product.title if product else record.name,
        "feature_title": feature.title if feature else record.name,
    }


def matches(condition: dict[str, Any], record: dict[str, Any]) -> bool:
    """Evaluate a validated `when` on one record's fields."""
    if "all" in condition:
        return all(matches(c, record) for c in condition["all"])
    if "any" in condition:
        return any(matches(c, record) for c in condition["any"])
    if "not" in condition:
        return not matches(condition["not"], record)
    kinds = condition["kind"]
    if record["kind"] not in (kinds if isinstance(kinds, list) else [kinds]):
        return False
    if "in_adapter" in condition and record["in_adapter"] != condition["in_adapter"]:
        return False
    if "vendor_policy" in condition and record.get("vendor_policy") != condition["vendor_policy"]:
        return False
    if "path" in condition and not _glob(condition["path"], record["path"]):
        return False
    return all(_predicate(p, record.get(field)) for field, p in condition.get("fields", {}).items())


def _predicate(predicate: dict[str, Any], value: Any) -> bool:
    ((operator, operand),) = predicate.items()
    if operator == "exists":
        return (value is not None and value != ()) == operand
    if operator == "contains":
        return operand in (value or ())
    if operator == "equals":
        return value == operand
    if operator == "in":
        return value in operand
    if value is None:
        return False
    text = str(value)[:MAX_MATCHED_TEXT]
    if operator == "glob":
        return _glob(operand, text)
    return _compiled(operand).search(text) is not None  # regex, bounded input


def _glob(patterns: str | list[str], text: str) -> bool:
    return any(fnmatch.fnmatchcase(text, p) for p in ([patterns] if isinstance(patterns, str) else patterns))


@functools.lru_cache(maxsize=512)
def _compiled(pattern: str) -> Any:
    """On RE2: a repository's own pack may hold any pattern, and this one meets every string."""
    return limits.regex(pattern)


# -- project-scope checks ---------------------------------------------------------------

Check = Callable[[list[UsageRecord], RuleSet, dict[str, Any], Project], Iterator[tuple[UsageRecord, dict[str, str]]]]

# What makes a module the one a project-level finding describes: using the SDK, not naming a
# model in a data file (a YAML of benchmark results names hundreds).
_WEIGHT = {"client": 3, "call": 3, "import": 1, "env": 1}
_TELLING = {"client": 0, "import": 1, "call": 2, "env": 3}  # within the module, the line to point at


def _describing(records: list[UsageRecord], context: Iterable[UsageRecord] = ()) -> UsageRecord:
    """Where a finding about the whole project points: among `records`, the module using the
    vendor most (clients and calls weigh more than imports; `context` adds the vendor's other
    records to the count), at its client or its first plain import. A type-only, optional or
    in-function import is the last choice: it is not what a reader means by "where we use
    OpenAI"."""
    weight: Counter[str] = Counter()
    for record in {id(r): r for r in (*records, *context)}.values():
        weight[record.path] += _WEIGHT.get(record.kind, 0)

    def rank(record: UsageRecord) -> tuple[int, str, bool, int, int, int]:
        soft = any(flag in record.flags for flag in ("type_checking", "optional", "in_function"))
        return (
            -weight[record.path],
            record.path,
            soft,
            _TELLING.get(record.kind, len(_TELLING)),
            record.line,
            record.column,
        )

    return min(records, key=rank)


def _env_spread(
    records: list[UsageRecord], ruleset: RuleSet, params: dict[str, Any], project: Project
) -> Iterator[tuple[UsageRecord, dict[str, str]]]:
    """A vendor's environment variables read in at least `min_modules` files."""
    by_vendor: dict[str, list[UsageRecord]] = defaultdict(list)
    for record in records:
        if record.kind == "env" and record.vendor and not (record.value or "").startswith("write"):
            by_vendor[record.vendor].append(record)
    for vendor, found in sorted(by_vendor.items()):
        paths = sorted({r.path for r in found})
        if len(paths) >= int(params.get("min_modules", 3)):
            shown = ", ".join(paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")
            yield _describing(found), {"vendor": vendor, "count": str(len(paths)), "paths": shown}


def _single_model_vendor(
    records: list[UsageRecord], ruleset: RuleSet, params: dict[str, Any], project: Project
) -> Iterator[tuple[UsageRecord, dict[str, str]]]:
    """Every model-API product used comes from one vendor, with neither a neutral layer
    nor an adapter boundary of the project's own in between."""
    products = {p.id: p for p in ruleset.products}
    used = [
        (r, product)
        for r in records
        if r.kind in ("import", "client") and (product := products.get(r.product or "")) is not None
    ]
    between = ruleset.between(params)
    if any(r.product in between for r, _ in used):
        return
    model_api = [r for r, p in used if p.layer == "model-api" and not p.abstraction]
    if model_api and all(project.in_adapter(r.path) for r in model_api):
        return
    vendors = {r.vendor for r in model_api}
    if len(vendors) == 1:
        vendor = next(iter(vendors))
        anchor = _describing(model_api, (r for r in records if r.vendor == vendor and r.kind in ("call", "env")))
        yield anchor, {"vendor": anchor.vendor or ""}


def _no_adapter_boundary(
    records: list[UsageRecord], ruleset: RuleSet, params: dict[str, Any], project: Project
) -> Iterator[tuple[UsageRecord, dict[str, str]]]:
    """Vendor SDKs are used directly in too many modules for any small set to be the adapter."""
    if project.boundary.source != "none":
        return
    products = {p.id: p for p in ruleset.products}
    direct_use = [
        r
        for r in records
        if r.kind in ("import", "client") and r.product in products and not products[r.product].abstraction
    ]
    if direct_use:
        first = _describing(direct_use, (r for r in records if r.kind in ("call", "env")))
        direct = project.boundary.direct
        shown = ", ".join(direct[:5]) + (f" and {len(direct) - 5} more" if len(direct) > 5 else "")
        yield (
            first,
            {
                "count": str(len(direct)),
                "total": str(project.boundary.total),
                "vendor": first.vendor or "",
                "paths": shown,
            },
        )


def _provider_type_leak(
    records: list[UsageRecord], ruleset: RuleSet, params: dict[str, Any], project: Project
) -> Iterator[tuple[UsageRecord, dict[str, str]]]:
    """A name an adapter imports from a vendor SDK, imported from the adapter by code outside it."""
    vendor_symbols: dict[tuple[str, str], UsageRecord] = {}
    for record in records:
        if record.kind == "import" and record.symbol and record.vendor and project.in_adapter(record.path):
            vendor_symbols[(record.path, record.symbol)] = record
    if not vendor_symbols:
        return
    graph = project.graph
    targets_by_line: dict[tuple[str, int], set[str]] = defaultdict(set)
    for importer, target, data in graph.import_edges():
        targets_by_line[(importer, data["line"])].add(target)
    seen: set[tuple[str, int, str, str]] = set()
    for fact in project.of(ImportFact):
        if not fact.symbol or project.in_adapter(fact.loc.path):
            continue
        source = graph.module_of_path.get(fact.loc.path)
        for target in sorted(targets_by_line.get((f"module:{source}", fact.loc.line), ())):
            key = (fact.loc.path, fact.loc.line, fact.symbol, target)
            origin = vendor_symbols.get((graph.nodes[target]["path"], fact.symbol))
            if origin is None or key in seen:
                continue
            seen.add(key)
            anchor = UsageRecord(
                "import",
                fact.loc.path,
                fact.loc.line,
                fact.loc.column,
                fact.loc.cell,
                name=origin.name,
                symbol=fact.symbol,
                vendor=origin.vendor,
                owner=origin.owner,
                layer=origin.layer,
                product=origin.product,
                host=origin.host,
                scope=fact.scope,
            )
            chain = " → ".join([source or fact.loc.path, graph.name(target), origin.name])
            yield anchor, {"vendor": origin.vendor or "", "name": fact.symbol, "chain": chain}


def _owner_concentration(
    records: list[UsageRecord], ruleset: RuleSet, params: dict[str, Any], project: Project
) -> Iterator[tuple[UsageRecord, dict[str, str]]]:
    """One owner controls `min_layers` or more layers of the stack."""
    table = owner_layers(records, ruleset)
    for row in table["owners"]:
        layers = list(row["layers"])
        if len(layers) < int(params.get("min_layers", 3)):
            continue
        owned = [r for r in records if r.owner == row["owner"] and r.layer in layers]
        anchor = _describing(owned, (r for r in records if r.owner == row["owner"] and r.kind in ("call", "env")))
        deals = "; ".join(f"{d['company']} → {d['owner']} ({d['status']} {d['as_of']})" for d in row["through"])
        alternatives = "; ".join(
            f"{layer}: {ruleset.alternatives[layer]}" for layer in layers if layer in ruleset.alternatives
        )
        anchor = replace(anchor, vendor=row["owner"], owner=row["owner"], product=None, host=None)
        yield (
            anchor,
            {
                "vendor": row["owner"],
                "owner": row["owner"],
                "count": str(len(layers)),
                "layers": ", ".join(layers),
                "through": deals or "direct",
                "alternatives": alternatives,
            },
        )


def _uv_lock_without_export(
    records: list[UsageRecord], ruleset: RuleSet, params: dict[str, Any], project: Project
) -> Iterator[tuple[UsageRecord, dict[str, str]]]:
    """uv.lock is readable only by uv; a pylock.toml or requirements export is the standard form."""
    lock = next((r for r in records if r.kind == "config" and r.signal == "uv-lock"), None)
    exported = any(f.source in ("requirements", "pylock") for f in project.of(DependencyFact))
    if lock is not None and not exported:
        yield lock, {"vendor": lock.vendor or "", "name": lock.path}


def _single_vendor_evals(
    records: list[UsageRecord], ruleset: RuleSet, params: dict[str, Any], project: Project
) -> Iterator[tuple[UsageRecord, dict[str, str]]]:
    """Promptfoo evals whose providers are all one vendor's models: a switch is never tested."""
    configs = {f.loc.path for f in project.of(ToolFact) if f.product == "promptfoo"}
    providers = [r for r in records if r.kind == "model-id" and r.path in configs and ":" in (r.value or "")]
    vendors = {r.vendor for r in providers}
    if len(providers) >= 1 and len(vendors) == 1:
        yield providers[0], {"vendor": providers[0].vendor or "", "count": str(len(providers))}


def _declarations(dependencies: list[DependencyFact]) -> list[DependencyFact]:
    """What the project declares: its pyproject's runtime dependencies when it has any (a
    requirements.txt beside them is then an export of the lock), else its requirements files."""
    manifest = [
        f
        for f in dependencies
        if f.source in ("pyproject", "setup.cfg") and not f.group.startswith("group:") and f.group != "dev"
    ]
    if manifest:
        return manifest
    return [f for f in dependencies if f.source == "requirements"]


def _declared_vs_imported(
    records: list[UsageRecord], ruleset: RuleSet, params: dict[str, Any], project: Project
) -> Iterator[tuple[UsageRecord, dict[str, str]]]:
    """Like deptry, for AI SDKs: declared but never imported, or imported but never declared."""
    manifests = [f for f in project.of(DependencyFact) if f.group != "locked"]
    if not manifests:
        return  # no manifest: nothing is declared, so nothing can be missing
    sources = {(f.loc.path, f.loc.line, f.name) for f in _declarations(project.of(DependencyFact))}
    every = {(f.loc.path, f.loc.line, f.name) for f in manifests}  # dev groups count as declared for imports
    declared: dict[str | None, UsageRecord] = {}
    anywhere: set[str | None] = set()
    for record in records:
        if record.kind == "dependency" and record.layer in CODE_LAYERS:
            key = (record.path, record.line, record.name)
            if key in sources:
                declared.setdefault(record.product, record)
            if key in every:
                anywhere.add(record.product)
    importable = {p.id for p in ruleset.products if p.modules}
    imported: dict[str, UsageRecord] = {}
    for record in records:  # the counted code only: examples and tests often bring their own SDKs
        if (
            record.kind == "import"
            and record.product
            and record.layer in CODE_LAYERS
            and "type_checking" not in record.flags
        ):
            imported.setdefault(record.product, record)
    if params.get("mode") == "declared-not-imported":
        # A distribution serving many services (`boto3`, `oci`) is imported under its own name,
        # whatever its AI service is reached through.
        unused = [(p, r) for p, r in sorted(declared.items()) if p not in imported and p in importable]
        tops = {f.module.split(".")[0] for f in project.of(ImportFact) if not f.level and f.module} if unused else set()
        for _, record in unused:
            if record.name.replace("-", "_") not in tops:
                yield record, {"vendor": record.vendor or "", "name": record.name}
    else:
        for product, record in sorted(imported.items()):
            if product not in anywhere and "optional" not in record.flags:  # a guarded import is optional by design
                yield record, {"vendor": record.vendor or "", "name": record.name}


def _transitive_provider(
    records: list[UsageRecord], ruleset: RuleSet, params: dict[str, Any], project: Project
) -> Iterator[tuple[UsageRecord, dict[str, str]]]:
    """A declared dependency whose locked closure pulls a provider SDK in: `instructor → openai`."""
    locked = {f.name: f for f in project.of(DependencyFact) if f.group == "locked"}
    declared = {f.name: f for f in _declarations(project.of(DependencyFact))}
    if not locked or not declared:
        return
    for name in sorted(declared):
        own = ruleset.product_for_distribution(name)
        if own is not None and not own.abstraction:
            continue  # a provider SDK declared directly is direct coupling, reported elsewhere
        queue, parents = [name], {name: ""}
        while queue:
            current = queue.pop(0)
            for child in locked[current].requires if current in locked else ():
                if child in parents:
                    continue
                parents[child] = current
                product = ruleset.product_for_distribution(child)
                if (
                    product is not None
                    and not product.abstraction
                    and product.layer == "model-api"
                    and child not in declared
                ):
                    chain = [child]
                    while parents[chain[-1]]:
                        chain.append(parents[chain[-1]])
                    fact = declared[name]
                    anchor = UsageRecord(
                        "dependency",
                        fact.loc.path,
                        fact.loc.line,
                        fact.loc.column,
                        None,
                        name=name,
                        vendor=product.vendor,
                        owner=ruleset.owner_of(product.vendor),
                        layer=product.layer,
                        product=product.id,
                    )
                    yield anchor, {"vendor": product.vendor, "name": name, "chain": " → ".join(reversed(chain))}
                queue.append(child)


def _vulnerable_provider_sdk(
    records: list[UsageRecord], ruleset: RuleSet, params: dict[str, Any], project: Project
) -> Iterator[tuple[UsageRecord, dict[str, str]]]:
    """A provider SDK or AI layer pinned to a version with known vulnerabilities (needs `--vulns`)."""
    vulnerable = {entry["package"].split("==")[0]: entry for entry in project.vulnerabilities.get("vulnerable", [])}
    for record in records:
        if record.kind == "dependency" and record.name in vulnerable:
            entry = vulnerable.pop(record.name)
            ids = ", ".join(v["id"] for v in entry["vulnerabilities"])
            fixes = sorted({f for v in entry["vulnerabilities"] for f in v["fix_versions"]})
            yield (
                record,
                {
                    "vendor": record.vendor or "",
                    "name": entry["package"],
                    "ids": ids,
                    "fix": ", ".join(fixes) or "none published",
                },
            )


# The checks whose finding describes the project, not a place: they point at `_describing`'s choice.
WHOLE_PROJECT = frozenset({"env-spread", "single-model-vendor", "no-adapter-boundary", "owner-concentration"})

CHECKS: dict[str, Check] = {
    "env-spread": _env_spread,
    "single-model-vendor": _single_model_vendor,
    "no-adapter-boundary": _no_adapter_boundary,
    "provider-type-leak": _provider_type_leak,
    "owner-concentration": _owner_concentration,
    "uv-lock-without-export": _uv_lock_without_export,
    "single-vendor-evals": _single_vendor_evals,
    "declared-vs-imported": _declared_vs_imported,
    "transitive-provider": _transitive_provider,
    "vulnerable-dependency": _vulnerable_provider_sdk,
}
