"""Engine: inventory + rules → findings.

For now one rule, `sdk-import-outside-adapter`: a vendor product that is not a neutral
abstraction layer, imported in a file outside the configured adapter paths. Its wording
and severity come from `rules/core.yaml`; the declarative matcher replaces this module's
hand-written condition when rule packs gain `when`.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable

from auditor.audit import Finding, UsageRecord
from auditor.packs import RuleSet
from auditor.patterns import PathPatterns

SDK_IMPORT = "sdk-import-outside-adapter"


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


def find(inventory: Iterable[UsageRecord], ruleset: RuleSet, adapters: PathPatterns) -> list[Finding]:
    rule = ruleset.rules.get(SDK_IMPORT)
    if rule is None:
        return []
    products = {p.id: p for p in ruleset.products}
    sites: dict[tuple, list[UsageRecord]] = {}
    for record in inventory:  # inventory order is source order
        if record.kind == "import" and record.product is not None:
            sites.setdefault(record.site, []).append(record)
    findings: list[Finding] = []
    occurrences: Counter[tuple[str, str, str]] = Counter()
    for records in sites.values():
        record = records[0]
        product = products[record.product]
        if product.abstraction or adapters.match(record.path):
            continue
        text = import_text(records)
        occurrence = occurrences[(record.path, record.scope, text)]
        occurrences[(record.path, record.scope, text)] += 1
        findings.append(
            Finding(
                rule_id=rule.id,
                title=rule.title,
                severity=rule.severity,
                effort=rule.effort,
                category=rule.category,
                message=rule.render({"product": product.title, "vendor": product.vendor, "module": record.name}),
                remediation=rule.remediation,
                path=record.path,
                line=record.line,
                column=record.column,
                cell=record.cell,
                scope=record.scope,
                fingerprint=fingerprint(rule.id, record.path, record.scope, text, occurrence),
                vendor=record.vendor,
                owner=record.owner,
                layer=record.layer,
                product=record.product,
                host=record.host,
            )
        )
    findings.sort(key=lambda f: (f.path, f.cell if f.cell is not None else -1, f.line, f.column, f.rule_id))
    return findings
