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
    """Who controls which layer of this stack, how heavily, and how concentrated that is.

    The index is a Herfindahl–Hirschman index over owners, each layer weighted equally: an
    owner's share is the mean over layers of its share of that layer's usage sites, and the
    index is the sum of squared shares × 10,000 (10,000: one owner holds every layer).
    """
    sites: dict[str, dict[str, set[tuple[Any, ...]]]] = defaultdict(lambda: defaultdict(set))
    vendors: dict[str, set[str]] = defaultdict(set)
    for record in inventory:
        if record.kind in PRESENCE_KINDS and record.owner and record.layer and counted(record.role):
            sites[record.owner][record.layer].add((record.kind, *record.site))
            vendors[record.owner].add(record.vendor or "")
    layers = sorted({layer for by_layer in sites.values() for layer in by_layer})
    totals = {layer: sum(len(by_layer.get(layer, ())) for by_layer in sites.values()) for layer in layers}
    rows: list[dict[str, Any]] = []
    for owner, by_layer in sites.items():
        share = sum(len(by_layer.get(layer, ())) / totals[layer] for layer in layers) / len(layers)
        deals = {(d.company, d.owner, d.status, d.as_of) for v in vendors[owner] for d in ruleset.deals_of(v)}
        rows.append(
            {
                "owner": owner,
                "layers": {layer: len(found) for layer, found in sorted(by_layer.items())},
                "vendors": sorted(v for v in vendors[owner] if v),
                "share": round(share, 4),
                "through": [{"company": c, "owner": o, "status": s, "as_of": a} for c, o, s, a in sorted(deals)],
            }
        )
    rows.sort(key=lambda row: (-len(row["layers"]), -row["share"], row["owner"]))
    index = round(sum(row["share"] ** 2 for row in rows) * 10_000) if rows else 0
    return {"layers": layers, "owners": rows, "index": index}
