"""Scores: every number a report shows about the cost of leaving, computed once, here.

Leaving a vendor means, in product code (the counted roles):
- its **adapter work**: each adapter module using it is either switched off, when the
  adapter layer already serves another vendor through the same interface (1 point: a
  configuration change and a test), or rewritten, sized by its length (1 point up to 150
  lines, 3 up to 600, 5 up to 2,000, 7 beyond);
- its **leaks**, **provider-only features**, **configuration** (model ids, environment) and
  the rest of its findings: the sum of rule efforts, each (rule, file) pair counted once —
  fifty identical calls in one file are one change — and rules with `effort_per: project`
  (a search-and-replace across the tree) counted once per project.

Portability score = round(100 × K / (K + E)), where E is the total effort over all vendors
and K = 60, the effort at which the score halves. It is 100 with no coupling and never rises
when coupling is added to a fixed boundary (monotonic). The same SDK use costs less behind
the boundary than outside it: an adapter module costs its adapter work, a leak costs every
coupling rule it breaks. The three biggest items are its reasons.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from auditor.audit import Finding, UsageRecord
from auditor.boundary import Boundary, Profile
from auditor.owners import PRESENCE_KINDS
from auditor.severity import SEVERITIES
from auditor.words import count

HALF_SCORE_EFFORT = 60
REWRITE_EFFORT = ((150, 1), (600, 3), (2000, 5))  # lines up to which an adapter rewrite costs this much
LARGEST_REWRITE = 7
SWITCH_EFFORT = 1
# Finding categories by the step of an exit plan they belong to.
STEPS = {"coupling": "leaks", "architecture": "leaks", "feature": "features", "configuration": "configuration"}

# The usage kinds that make a file part of leaving a vendor (a setting or a hidden default is
# reached through another record of the same file).
EXIT_PLAN_KINDS = PRESENCE_KINDS - {"hidden-default", "setting"}


def effort_pairs(
    findings: list[Finding], once: frozenset[str] = frozenset()
) -> dict[tuple[str, str, str], tuple[int, Finding]]:
    """(vendor, rule, file) → (effort, the first finding of that pair); rules in `once` count per project."""
    pairs: dict[tuple[str, str, str], tuple[int, Finding]] = {}
    for finding in findings:
        key = (finding.vendor or "", finding.rule_id, "*" if finding.rule_id in once else finding.path)
        if key not in pairs or finding.effort > pairs[key][0]:
            pairs[key] = (finding.effort, pairs.get(key, (0, finding))[1])
    return pairs


def rewrite_effort(lines: int) -> int:
    return next((effort for limit, effort in REWRITE_EFFORT if lines <= limit), LARGEST_REWRITE)


def score(
    findings: list[Finding],
    inventory: list[UsageRecord],
    boundary: Boundary,
    profiles: dict[str, Profile],
    leaks: list[dict[str, Any]],
    ruleset: Any,
    counted: Callable[[str], bool],
) -> dict[str, Any]:
    """`counted(role)`: whether code of that role counts."""
    once = frozenset(rule.id for rule in ruleset.rules.values() if getattr(rule, "effort_per", "file") == "project")
    findings = [f for f in findings if counted(f.role)]
    pairs = effort_pairs(findings, once)
    records = [r for r in inventory if r.vendor and counted(r.role)]
    adapters = _adapter_work(boundary, profiles)
    plans = _exit_plans(pairs, records, adapters, leaks, ruleset)
    total = sum(plan["effort"] for plan in plans) + sum(e for (v, _, _), (e, _) in pairs.items() if not v)
    items = [
        (effort, vendor, rule, path, finding.message, SEVERITIES.index(finding.severity))
        for (vendor, rule, path), (effort, finding) in pairs.items()
        if effort
    ]
    items += [
        (m["effort"], vendor, "adapter-work", m["path"], m["note"], 0)
        for vendor, modules in adapters.items()
        for m in modules
    ]
    plan_effort = {plan["vendor"]: plan["effort"] for plan in plans}
    # Ties go to the vendor that costs most to leave, then to the more severe finding.
    costliest = sorted(items, key=lambda i: (-i[0], -plan_effort.get(i[1], 0), -i[5], i[1], i[2], i[3]))[:3]
    return {
        "portability": {
            "score": round(100 * HALF_SCORE_EFFORT / (HALF_SCORE_EFFORT + total)),
            "effort": total,
            "formula": f"round(100 * {HALF_SCORE_EFFORT} / ({HALF_SCORE_EFFORT} + effort))",
            "reasons": [
                {"vendor": vendor or None, "rule_id": rule, "path": path, "effort": effort, "message": message}
                for effort, vendor, rule, path, message, _ in costliest
            ],
        },
        "vendors": [
            {"vendor": p["vendor"], "effort": p["effort"], "files": p["files"], "call_sites": p["call_sites"]}
            for p in plans
        ],
        "exit_plans": plans,
    }


def _adapter_work(boundary: Boundary, profiles: dict[str, Profile]) -> dict[str, list[dict[str, Any]]]:
    """Per vendor: each adapter module using it, switched off or rewritten, and what that costs."""
    groups: list[tuple[set[str], list[str]]] = []
    if boundary.source == "inferred":
        groups = [
            (set(a.vendors) | {v for m in a.modules for v in profiles[m].vendors if m in profiles}, list(a.modules))
            for a in boundary.adapters
        ]
    elif boundary.source == "configured":
        inside = [p for p in boundary.direct if boundary.contains(p)]
        groups = [({v for p in inside for v in profiles[p].vendors}, inside)]
    work: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for served, paths in groups:
        for path in paths:
            profile = profiles.get(path)
            if profile is None:
                continue
            for vendor in sorted(profile.vendors):
                others = sorted(served - {vendor})
                paths_used = sorted(call for v, call in profile.call_paths if v == vendor)
                if others:
                    effort, change = SWITCH_EFFORT, "switch"
                    note = (
                        f"switch off: the adapter layer serves {', '.join(others[:4])}"
                        f"{' and more' if len(others) > 4 else ''} through the same interface"
                    )
                else:
                    effort, change = rewrite_effort(profile.lines), "rewrite"
                    note = f"rewrite for another vendor ({count(profile.lines, 'line')}, {count(len(paths_used), 'API path')})"
                work[vendor].append(
                    {
                        "path": path,
                        "lines": profile.lines,
                        "call_paths": len(paths_used),
                        "features": sorted(profile.features),
                        "effort": effort,
                        "change": change,
                        "others": others,
                        "note": note,
                    }
                )
    return work


def _exit_plans(
    pairs: dict[tuple[str, str, str], tuple[int, Finding]],
    records: list[UsageRecord],
    adapters: dict[str, list[dict[str, Any]]],
    leaks: list[dict[str, Any]],
    ruleset: Any,
) -> list[dict[str, Any]]:
    features = {f.id: f for f in ruleset.features}
    by_vendor: dict[str | None, dict[str, Any]] = {}

    def plan(vendor: str | None) -> dict[str, Any]:
        return by_vendor.setdefault(
            vendor,
            {
                "vendor": vendor,
                "owner": ruleset.owner_of(vendor),
                "effort": 0,
                "files": set(),
                "call_sites": set(),
                "call_paths": set(),
                "switchable": set(),
                "adapter": {"effort": 0, "modules": []},
                "leaks": {"effort": 0, "modules": {}},
                "features": {"effort": 0, "changes": {}},
                "configuration": {"effort": 0, "changes": {}},
                "other": {"effort": 0, "changes": {}},
            },
        )

    for record in records:
        if record.kind in EXIT_PLAN_KINDS:
            entry = plan(record.vendor)
            entry["files"].add(record.path)
            if record.kind in ("client", "call"):
                entry["call_sites"].add((record.kind, *record.site))
            if record.kind == "call":
                entry["call_paths"].add((record.path, record.call or record.name))
    for vendor, modules in adapters.items():
        entry = plan(vendor)
        entry["adapter"]["modules"] = modules
        entry["adapter"]["effort"] = sum(m["effort"] for m in modules)
        switchable = {m["path"] for m in modules if m["change"] == "switch"}
        entry["switchable"] = {cp for cp in entry["call_paths"] if cp[0] in switchable}
    rank = {leak["path"]: leak["rank"] for leak in leaks}
    for (vendor, rule_id, path), (effort, finding) in sorted(pairs.items()):
        if not vendor or not effort:  # insights cost nothing to leave
            continue
        entry = plan(vendor)
        step = STEPS.get(finding.category, "other")
        if step == "leaks" and path not in rank and finding.category == "architecture":
            step = "other"  # a project-wide architecture finding, not one module
        part = entry[step]
        part["effort"] += effort
        if step == "leaks":
            module = part["modules"].setdefault(path, {"path": path, "rank": rank.get(path), "effort": 0, "rules": []})
            module["effort"] += effort
            module["rules"].append(rule_id)
        elif step == "features":
            feature = features.get(finding.subject)
            item = part["changes"].setdefault(
                finding.subject or finding.title,
                {
                    "id": finding.subject,
                    "title": feature.title if feature else finding.title,
                    "substitute": feature.substitute if feature else "",
                    "files": 0,
                    "effort": 0,
                },
            )
            item["files"] += 1
            item["effort"] += effort
        else:
            item = part["changes"].setdefault(
                rule_id, {"rule_id": rule_id, "title": finding.title, "files": 0, "places": 0, "effort": 0}
            )
            item["files"] += 1
            item["places"] += len(finding.places) or 1
            item["effort"] += effort
    result = []
    for entry in by_vendor.values():
        steps = ("adapter", "leaks", "features", "configuration", "other")
        entry["effort"] = sum(entry[s]["effort"] for s in steps)
        if not entry["effort"]:
            continue
        entry["leaks"]["modules"] = sorted(
            entry["leaks"]["modules"].values(), key=lambda m: (m["rank"] or 10**9, m["path"])
        )
        for step in ("features", "configuration", "other"):
            entry[step]["changes"] = sorted(
                entry[step]["changes"].values(), key=lambda i: (-i["effort"], str(i.get("title")))
            )
        entry["call_paths"] = {"total": len(entry["call_paths"]), "switchable": len(entry["switchable"])}
        entry["files"], entry["call_sites"] = len(entry["files"]), len(entry["call_sites"])
        del entry["switchable"]
        entry["summary"] = _summary(entry)
        result.append(entry)
    result.sort(key=lambda p: (-p["effort"], -p["files"], p["vendor"]))
    return result


def _summary(plan: dict[str, Any]) -> str:
    """One sentence a person can act on: what leaving this vendor takes."""
    parts = []
    modules = plan["adapter"]["modules"]
    switched = [m for m in modules if m["change"] == "switch"]
    rewritten = [m for m in modules if m["change"] == "rewrite"]
    if rewritten:
        lines = sum(m["lines"] for m in rewritten)
        parts.append(f"rewrite {len(rewritten)} adapter module{'s' if len(rewritten) != 1 else ''} ({lines:,} lines)")
    if switched:
        parts.append(f"switch off {len(switched)} adapter module{'s' if len(switched) != 1 else ''}")
    leaks = plan["leaks"]["modules"]
    if leaks:
        parts.append(f"fix {len(leaks)} leak{'s' if len(leaks) != 1 else ''}")
    features = plan["features"]["changes"]
    if features:
        parts.append(f"replace {len(features)} provider-only feature{'s' if len(features) != 1 else ''}")
    config = sum(i["places"] for i in plan["configuration"]["changes"])
    if config:
        parts.append(f"move {config} model id{'s' if config != 1 else ''} and settings to configuration")
    other = plan["other"]["changes"]
    if other:
        named = ", ".join(item["rule_id"] for item in other[:2]) + (" …" if len(other) > 2 else "")
        parts.append(f"{len(other)} more change{'s' if len(other) != 1 else ''} ({named})")
    points = "effort point" if plan["effort"] == 1 else "effort points"
    text = f"leaving {plan['vendor']}: " + ", ".join(parts) + f" — {plan['effort']} {points}"
    paths = plan["call_paths"]
    if paths["switchable"]:
        text += (
            f"; a configuration change for {paths['switchable']} of {paths['total']} call path"
            f"{'s' if paths['total'] != 1 else ''}"
        )
    return text
