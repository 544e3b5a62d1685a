"""Engine: inventory + rules → findings.

For now one rule, `sdk-import-outside-adapter`: a vendor product that is not a neutral
abstraction layer, imported in a file outside the configured adapter paths. Its wording
and severity come from `rules/core.yaml`; the declarative matcher replaces this module's
hand-written condition when rule packs gain `when`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import pathspec

from auditor.audit import Finding, UsageRecord
from auditor.packs import RuleSet

SDK_IMPORT = "sdk-import-outside-adapter"


def fingerprint(rule_id: str, path: str, scope: str, matched: str) -> str:
    """Stable across moved lines and unrelated edits: no line numbers, no cell index."""
    normalised = " ".join(matched.split())
    digest = hashlib.sha256("\0".join((rule_id, path, scope, normalised)).encode("utf-8"))
    return digest.hexdigest()[:20]


def find(inventory: Iterable[UsageRecord], ruleset: RuleSet, adapters: Iterable[str]) -> list[Finding]:
    rule = ruleset.rules.get(SDK_IMPORT)
    if rule is None:
        return []
    adapter_spec = pathspec.GitIgnoreSpec.from_lines(list(adapters))
    products = {p.id: p for p in ruleset.products}
    findings: list[Finding] = []
    seen: set[tuple] = set()
    for record in inventory:
        if record.kind != "import" or record.product is None or record.site in seen:
            continue
        product = products[record.product]
        if product.abstraction or adapter_spec.match_file(record.path):
            continue
        seen.add(record.site)
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
                fingerprint=fingerprint(rule.id, record.path, record.scope, record.name),
                vendor=record.vendor,
                owner=record.owner,
                layer=record.layer,
                product=record.product,
                host=record.host,
            )
        )
    findings.sort(key=lambda f: (f.path, f.cell if f.cell is not None else -1, f.line, f.column, f.rule_id))
    return findings
