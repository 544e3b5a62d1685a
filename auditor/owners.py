"""Owners: who controls which layer of the project's stack, from the inventory and the
ownership catalog. The engine's concentration rule and the reports' owner table read this one
table, so a rule never disagrees with the table it points to."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from auditor.audit import USAGE_KINDS, UsageRecord
from auditor.catalog import RuleSet

# Usage kinds that put an owner in a layer of the project's stack: all but a portability
# insight (an SDK pointed at another vendor's compatible API is a way out, not a tie).
PRESENCE_KINDS = frozenset(USAGE_KINDS) - {"compatible-api"}


def owner_layers(
    inventory: list[UsageRecord], ruleset: RuleSet, counted: Callable[[str], bool] = lambda role: True
) -> dict[str, Any]:
    """Who controls which layer of this stack, how heavily, and how concentrated that is (see
    `concentration`)."""
    sites: dict[str, dict[str, set[tuple[Any, ...]]]] = defaultdict(lambda: defaultdict(set))
    vendors: dict[str, set[str]] = defaultdict(set)
    for record in inventory:
        if record.kind in PRESENCE_KINDS and record.owner and record.layer and counted(record.role):
            sites[record.owner][record.layer].add((record.kind, *record.site))
            vendors[record.owner].add(record.vendor or "")
    counts = {owner: {layer: len(found) for layer, found in by_layer.items()} for owner, by_layer in sites.items()}
    rows: list[dict[str, Any]] = []
    for owner in sites:
        deals = {(d.company, d.owner, d.status, d.as_of) for v in vendors[owner] for d in ruleset.deals_of(v)}
        rows.append(
            {
                "owner": owner,
                "vendors": sorted(v for v in vendors[owner] if v),
                "through": [{"company": c, "owner": o, "status": s, "as_of": a} for c, o, s, a in sorted(deals)],
            }
        )
    return concentration(counts, rows)


def concentration(counts: dict[str, dict[str, int]], rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The owner × layer table from usage sites per owner and layer (`counts`), one project's or
    an organisation's: each of `rows` (an owner's other columns) gains its `layers` and `share`.

    The index is a Herfindahl–Hirschman index over owners, each layer weighted equally: an
    owner's share is the mean over layers of its share of that layer's usage sites, and the
    index is the sum of squared shares × 10,000 (10,000: one owner holds every layer).
    """
    layers = sorted({layer for by_layer in counts.values() for layer, n in by_layer.items() if n})
    totals = {layer: sum(by_layer.get(layer, 0) for by_layer in counts.values()) for layer in layers}
    table = []
    for row in rows:
        by_layer = {layer: n for layer, n in sorted(counts.get(row["owner"], {}).items()) if n}
        share = sum(by_layer.get(layer, 0) / totals[layer] for layer in layers) / len(layers) if layers else 0.0
        entry = {"owner": row["owner"], "layers": by_layer, **row}  # owner and layers first, as always
        entry["share"] = round(share, 4)
        if "through" in entry:
            entry["through"] = entry.pop("through")
        table.append(entry)
    table.sort(key=lambda row: (-len(row["layers"]), -row["share"], row["owner"]))
    index = round(sum(row["share"] ** 2 for row in table) * 10_000) if table else 0
    return {"layers": layers, "owners": table, "index": index}
