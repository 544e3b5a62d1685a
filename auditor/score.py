"""Scores: the effort to leave each vendor, and the project's portability score.

Effort to leave a vendor is the sum of rule efforts over that vendor's findings, each
(rule, file) pair counted once: fifty identical calls in one file are one change.

Portability score = round(100 × K / (K + E)), where E is the total effort over all
vendors (insights have effort 0) and K = 60, the effort at which the score halves. It is
100 with no coupling, falls as coupling is added and never rises with it (monotonic),
and is shown with the three (rule, file) pairs that cost the most points.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from auditor.audit import Finding, UsageRecord
from auditor.severity import SEVERITIES

HALF_SCORE_EFFORT = 60


def effort_pairs(findings: list[Finding]) -> dict[tuple[str, str, str], tuple[int, Finding]]:
    """(vendor, rule, file) → (effort, the first finding of that pair)."""
    pairs: dict[tuple[str, str, str], tuple[int, Finding]] = {}
    for finding in findings:
        key = (finding.vendor or "", finding.rule_id, finding.path)
        if key not in pairs or finding.effort > pairs[key][0]:
            pairs[key] = (finding.effort, pairs.get(key, (0, finding))[1])
    return pairs


def score(findings: list[Finding], inventory: list[UsageRecord]) -> dict[str, Any]:
    pairs = effort_pairs(findings)
    by_vendor: dict[str, dict[str, Any]] = defaultdict(lambda: {"effort": 0, "files": set(), "call_sites": set()})
    for (vendor, _, path), (effort, _) in pairs.items():
        if vendor:
            by_vendor[vendor]["effort"] += effort
    for record in inventory:
        if record.vendor and record.kind in ("import", "client", "call", "feature", "model-id", "env", "endpoint",
                                             "config", "dependency"):
            by_vendor[record.vendor]["files"].add(record.path)
            if record.kind in ("client", "call"):
                by_vendor[record.vendor]["call_sites"].add((record.kind, *record.site))
    vendors = sorted(
        ({"vendor": vendor, "effort": data["effort"], "files": len(data["files"]),
          "call_sites": len(data["call_sites"])} for vendor, data in by_vendor.items()),
        key=lambda row: (-row["effort"], -row["files"], row["vendor"]),
    )
    total = sum(effort for effort, _ in pairs.values())
    vendor_effort = {row["vendor"]: row["effort"] for row in vendors}
    # Ties go to the vendor that costs most to leave, then to the more severe finding.
    costliest = sorted(pairs.items(), key=lambda item: (
        -item[1][0], -vendor_effort.get(item[0][0], 0), -SEVERITIES.index(item[1][1].severity), item[0]))[:3]
    return {
        "portability": {
            "score": round(100 * HALF_SCORE_EFFORT / (HALF_SCORE_EFFORT + total)),
            "effort": total,
            "formula": f"round(100 * {HALF_SCORE_EFFORT} / ({HALF_SCORE_EFFORT} + effort))",
            "reasons": [
                {"vendor": vendor or None, "rule_id": rule, "path": path, "effort": effort,
                 "message": finding.message}
                for (vendor, rule, path), (effort, finding) in costliest if effort
            ],
        },
        "vendors": vendors,
    }


# Usage kinds that put an owner in a layer of the project's stack (portability insights do not).
PRESENCE_KINDS = frozenset({"import", "client", "call", "feature", "model-id", "env", "endpoint", "config",
                            "dependency", "hidden-default", "setting"})


def owner_layers(inventory: list[UsageRecord], ruleset: Any) -> dict[str, Any]:
    """Who controls which layer of this stack, how heavily, and how concentrated that is.

    The index is a Herfindahl–Hirschman index over owners, each layer weighted equally: an
    owner's share is the mean over layers of its share of that layer's usage sites, and the
    index is the sum of squared shares × 10,000 (10,000: one owner holds every layer).
    """
    sites: dict[str, dict[str, set[tuple]]] = defaultdict(lambda: defaultdict(set))
    vendors: dict[str, set[str]] = defaultdict(set)
    for record in inventory:
        if record.kind in PRESENCE_KINDS and record.owner and record.layer:
            sites[record.owner][record.layer].add((record.kind, *record.site))
            vendors[record.owner].add(record.vendor or "")
    layers = sorted({layer for by_layer in sites.values() for layer in by_layer})
    totals = {layer: sum(len(by_layer.get(layer, ())) for by_layer in sites.values()) for layer in layers}
    rows = []
    for owner, by_layer in sites.items():
        share = sum(len(by_layer.get(layer, ())) / totals[layer] for layer in layers) / len(layers)
        deals = {(d.company, d.owner, d.status, d.as_of) for v in vendors[owner] for d in ruleset.deals_of(v)}
        rows.append({
            "owner": owner,
            "layers": {layer: len(found) for layer, found in sorted(by_layer.items())},
            "vendors": sorted(v for v in vendors[owner] if v),
            "share": round(share, 4),
            "through": [{"company": c, "owner": o, "status": s, "as_of": a} for c, o, s, a in sorted(deals)],
        })
    rows.sort(key=lambda row: (-len(row["layers"]), -row["share"], row["owner"]))
    index = round(sum(row["share"] ** 2 for row in rows) * 10_000) if rows else 0
    return {"layers": layers, "owners": rows, "index": index}
