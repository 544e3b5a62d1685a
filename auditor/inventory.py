"""Inventory: which import facts are vendor usages, named the way users name them.

Relative and first-party imports are the project's own; everything else is matched
against the rule packs' catalog by longest module prefix. `from google import genai`
imports the module `google.genai`, so a `from X import n` whose `X.n` reaches deeper into
the catalog than `X` is recorded as module `X.n`.
"""

from __future__ import annotations

from collections.abc import Iterable

from auditor.audit import UsageRecord
from auditor.facts import Fact, ImportFact
from auditor.modules import ModuleIndex
from auditor.packs import RuleSet

FLAG_NAMES = ("type_checking", "optional", "in_function", "conditional", "dynamic")


def build_inventory(facts: Iterable[Fact], modules: ModuleIndex, ruleset: RuleSet) -> list[UsageRecord]:
    records = []
    for fact in facts:
        if isinstance(fact, ImportFact):
            record = _import_record(fact, modules, ruleset)
            if record is not None:
                records.append(record)
    records.sort(key=_order)
    return records


def _import_record(fact: ImportFact, modules: ModuleIndex, ruleset: RuleSet) -> UsageRecord | None:
    flags = tuple(name for name in FLAG_NAMES if getattr(fact, name))
    loc = fact.loc
    if fact.unresolved:
        return UsageRecord(
            "import", loc.path, loc.line, loc.column, loc.cell, name="",
            scope=fact.scope, flags=(*flags, "unresolved"), expression=fact.expression,
        )
    if fact.level or modules.is_first_party(loc.path, fact.module, fact.symbol):
        return None
    name, symbol = fact.module, fact.symbol
    if symbol and symbol != "*":
        deeper = f"{name}.{symbol}"
        if ruleset.catalog_depth(deeper) > ruleset.catalog_depth(name):
            name, symbol = deeper, None
    product = ruleset.product_for_module(name)
    if product is None:
        return None
    return UsageRecord(
        "import", loc.path, loc.line, loc.column, loc.cell, name=name, symbol=symbol,
        vendor=product.vendor, owner=product.owner, layer=product.layer, product=product.id,
        host=product.host, scope=fact.scope, flags=flags,
    )


def _order(record: UsageRecord) -> tuple:
    return (record.path, record.cell if record.cell is not None else -1, record.line, record.column,
            record.name, record.symbol or "", record.expression or "")
