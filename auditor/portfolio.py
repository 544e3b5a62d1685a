"""Portfolio: many repositories' JSON audits merged into one organisation view.

Each audit is made where its repository builds (a CI matrix, a batch runner, `portfolio
--scan`); merging is the only central step, and it computes every number the portfolio's
reports show. An audit is accepted or refused with a reason, never silently dropped.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from auditor import __version__
from auditor.audit import SCHEMA_VERSION
from auditor.owners import concentration
from auditor.schema import schema_problem
from auditor.serialise import UnreadableDocument, read_document

PORTFOLIO_SCHEMA_VERSION = "1.0"
MAX_AUDIT_BYTES = 64 * 1024 * 1024  # one repository's audit; the largest real ones are a few MiB
OLDEST_SCHEMA = (1, 2)  # 1.2 added what a portfolio merges: roles, leaks and exit plans
TOP_LEAKS = 20
POLICY_RULES = ("forbidden-vendor", "vendor-not-allowed")  # a repository's own policy findings
# How a repository reaches model vendors, best first (see `posture`).
POSTURES = ("none", "adapter", "neutral", "leaking", "direct")


class PortfolioError(Exception):
    """Nothing to merge; the message says why."""


@dataclass
class Entry:
    """One audit given to the portfolio: where it came from, and the document when accepted."""

    source: str  # the file (or folder, with --scan) as the user named it
    document: dict[str, Any] | None = None
    reason: str | None = None  # why it was refused
    report: str | None = None  # a link to the repository's own report
    name: str | None = None  # the repository's name in the portfolio, told apart from others' (merge)


@dataclass
class Merged:
    accepted: list[Entry] = field(default_factory=list)
    refused: list[Entry] = field(default_factory=list)
    replaced: list[dict[str, str]] = field(default_factory=list)  # the same repository given again


def read_audit(path: Path, source: str | None = None) -> Entry:
    """One JSON audit from a file, checked against the audit schema; refused with a reason when
    it cannot be merged. The file may come from anywhere: it is bounded and validated."""
    shown = source or str(path)
    try:
        document = read_document(path, MAX_AUDIT_BYTES)
    except UnreadableDocument as exc:
        folder = " (a folder: give --scan to scan checkouts)" if path.is_dir() else ""
        return Entry(shown, reason=f"{exc}{folder}")
    return check_audit(document, shown)


def check_audit(document: Any, source: str) -> Entry:
    """`document` as an entry: accepted when it is a lockaudit audit of a schema this version merges."""
    if not isinstance(document, dict) or "schema_version" not in document or "summary" not in document:
        return Entry(source, reason="not a lockaudit JSON audit (write one with `lockaudit scan --json FILE`)")
    version = _version(document.get("schema_version"))
    ours = _version_key(SCHEMA_VERSION)
    if version is None or version[0] != ours[0]:
        return Entry(
            source,
            reason=f"audit schema {str(document.get('schema_version'))[:20]!r} is not a {ours[0]}.x schema "
            f"this lockaudit ({__version__}) reads; scan the repository again with it",
        )
    if version < OLDEST_SCHEMA:
        return Entry(
            source,
            reason=f"audit schema {version[0]}.{version[1]} predates the leaks and exit plans a portfolio "
            f"merges (1.2); scan the repository again with lockaudit {__version__}",
        )
    problem = schema_problem("audit-1.schema.json", document)
    if problem is not None:
        return Entry(source, reason=f"not a valid lockaudit audit ({problem})")
    return Entry(source, document=document)


def merge(entries: list[Entry]) -> Merged:
    """Accepted audits by repository: the same repository given twice keeps the newer one (by
    commit time, then scan time), and says which it replaced. A repository is its origin
    (`github.com/acme/api`); one without an origin is its folder, so two checkouts that only
    share a folder's name stay two repositories, shown with their folders."""
    merged = Merged(refused=[e for e in entries if e.document is None])
    by_key: dict[tuple[str, str], Entry] = {}
    for entry in (e for e in entries if e.document is not None):
        name, root = _identity(entry)
        key = (name.casefold(), root)  # `github.com/Acme/API` is `github.com/acme/api`, cloned as typed
        kept = by_key.get(key)
        if kept is None:
            by_key[key] = entry
            continue
        newer, older = (entry, kept) if _age(entry) > _age(kept) else (kept, entry)
        by_key[key] = newer
        why = "the same audit" if _age(entry) == _age(kept) else "older"
        merged.replaced.append(
            {"repository": _identity(newer)[0], "kept": newer.source, "dropped": older.source, "why": why}
        )
    kept_names = [_identity(entry) for entry in by_key.values()]  # as the kept audits spell them
    shared = Counter(name for name, _ in kept_names)
    for (name, root), entry in zip(kept_names, by_key.values(), strict=True):
        entry.name = name if shared[name] == 1 else f"{name} ({'/'.join(Path(root).parts[-2:])})"
    named = Counter(entry.name for entry in by_key.values())
    for (name, root), entry in zip(kept_names, by_key.values(), strict=True):
        if named[entry.name] > 1:  # the folders' last parts are alike too: the whole folder tells them apart
            entry.name = f"{name} ({root})"
    merged.accepted = sorted(by_key.values(), key=repository_name)
    return merged


def repository_name(entry: Entry) -> str:
    """The repository's name in the portfolio (after `merge`), else as its audit gives it."""
    return entry.name or _identity(entry)[0]


def _identity(entry: Entry) -> tuple[str, str]:
    """(name, folder): an origin's name stands alone; a folder's name needs its folder."""
    document = entry.document or {}
    repository = document.get("repository") or {}
    root = str(document.get("root", entry.source))
    name = str((repository.get("name") if isinstance(repository, dict) else None) or Path(root).name or entry.source)
    return (name, "") if "/" in name else (name, root)


def build(
    merged: Merged,
    neutral_products: frozenset[str],
    forbid: tuple[str, ...] = (),
    allow: tuple[str, ...] = (),
    histories: tuple[dict[str, Any], ...] = (),
) -> dict[str, Any]:
    """The portfolio document: every number its reports show. `neutral_products` are the
    catalog's neutral layers in front of model vendors (LiteLLM, LangChain, …; see
    `RuleSet.standing_between`): reaching models only through one counts as portable."""
    if not merged.accepted:
        raise PortfolioError("no audit to merge" + (": every one was refused" if merged.refused else ""))
    repositories = [_repository(entry, neutral_products) for entry in merged.accepted]
    trends = {series["repository"]: series for series in histories}
    for repository in repositories:  # a history given for it: its score over time, and the trend in words
        series = trends.get(repository["name"])
        points = [p for p in series["points"] if "error" not in p] if series else []
        repository["trend"] = (
            {
                "points": [{"committed": p["committed"], "score": p["score"], "effort": p["effort"]} for p in points],
                "sentences": series["trend"],
            }
            if series
            else None
        )
    repositories.sort(key=lambda r: (r["score"], -r["effort"], r["name"]))  # the most locked-in first
    vendors = _vendors(repositories)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    owner_rows: dict[str, dict[str, Any]] = {}
    for entry in merged.accepted:
        for row in (entry.document or {})["summary"]["owners"]["owners"]:
            for layer, sites in row["layers"].items():
                counts[row["owner"]][layer] += sites
            known = owner_rows.setdefault(
                row["owner"], {"owner": row["owner"], "vendors": set(), "repositories": 0, "through": set()}
            )
            known["vendors"].update(row.get("vendors", []))
            known["repositories"] += 1
            # The deals that make it this owner's (Astral's tools OpenAI's, as announced): kept, so
            # no reader takes an announced acquisition for a completed one.
            known["through"].update(tuple(sorted(deal.items())) for deal in row.get("through", []))
    rows = [
        {**row, "vendors": sorted(row["vendors"]), "through": [dict(deal) for deal in sorted(row["through"])]}
        for row in owner_rows.values()
    ]
    documents = [e.document or {} for e in merged.accepted]
    return {
        "schema_version": PORTFOLIO_SCHEMA_VERSION,
        "tool": {"name": "lockaudit", "version": __version__},
        # The newest scan merged, not the time of merging: the same audits make the same portfolio.
        "as_of": max((str(d.get("scan", {}).get("started", "")) for d in documents), default="") or None,
        "totals": _totals(repositories, vendors),
        "repositories": repositories,
        "vendors": vendors,
        "owners": concentration({o: dict(by_layer) for o, by_layer in counts.items()}, rows),
        "leaks": _leaks(merged.accepted),
        "policy": _policy(repositories, merged.accepted, forbid, allow),
        "inputs": {
            "refused": [{"source": e.source, "reason": e.reason} for e in merged.refused],
            "replaced": merged.replaced,
            "lockaudit_versions": sorted({str(d["tool"].get("version", "?")) for d in documents}),
            "schema_versions": sorted({str(d["schema_version"]) for d in documents}, key=_version_key),
            "packs_differ": len({_packs(d) for d in documents}) > 1,
            "histories_unmatched": sorted(set(trends) - {r["name"] for r in repositories}),
        },
    }


def posture(summary: dict[str, Any], neutral_used: bool) -> str:
    """How product code reaches model vendors: `none` (no SDK in product code), `adapter` (all
    of it behind an adapter boundary), `neutral` (only through a neutral layer such as LiteLLM),
    `leaking` (a boundary exists, and some modules bypass it) or `direct` (no boundary)."""
    boundary, leaks = summary.get("boundary", {}), summary.get("leaks", [])
    if not boundary.get("direct"):
        return "neutral" if neutral_used else "none"
    if boundary.get("source") in ("configured", "inferred"):
        return "adapter" if not leaks else "leaking"
    return "direct"


def _repository(entry: Entry, neutral_products: frozenset[str]) -> dict[str, Any]:
    document = entry.document or {}
    summary = document["summary"]
    counted = set(summary.get("roles", {}).get("counted", ["product"]))
    repository = document.get("repository") or {}
    scores = summary["scores"]
    effort_by_vendor = {row["vendor"]: row["effort"] for row in scores.get("vendors", [])}
    neutral_used = sorted(
        {
            r["product"]
            for r in document["inventory"]
            if r.get("product") in neutral_products and r.get("role", "product") in counted
        }
    )
    return {
        "name": repository_name(entry),
        "source": entry.source,
        "report": entry.report,
        "commit": repository.get("commit"),
        "committed": repository.get("committed"),
        "scanned": document.get("scan", {}).get("started"),
        "lockaudit": document["tool"].get("version"),
        "score": scores["portability"]["score"],
        "effort": scores["portability"]["effort"],
        "files_analysed": summary["files_analysed"],
        "findings": summary["findings"]["total"],
        "posture": posture(summary, bool(neutral_used)),
        "neutral_layers": neutral_used,
        "leaks": len(summary.get("leaks", [])),
        "boundary": summary.get("boundary", {}).get("source"),
        "vendors": sorted(  # the costliest to leave first
            (
                {
                    "vendor": row["vendor"],
                    "owner": row.get("owner"),
                    "files": row["files"],
                    "call_sites": row["call_sites"],
                    "effort": effort_by_vendor.get(row["vendor"], 0),
                }
                for row in summary["vendors"]
            ),
            key=lambda v: (-v["effort"], -v["files"], v["vendor"]),
        ),
    }


def _vendors(repositories: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per vendor across the organisation: who uses it, how much, and the effort to leave it."""
    table: dict[str, dict[str, Any]] = {}
    for repo in repositories:
        for row in repo["vendors"]:
            entry = table.setdefault(
                row["vendor"],
                {"vendor": row["vendor"], "owner": row["owner"], "files": 0, "call_sites": 0, "effort": 0, "by": []},
            )
            entry["files"] += row["files"]
            entry["call_sites"] += row["call_sites"]
            entry["effort"] += row["effort"]
            entry["by"].append({"repository": repo["name"], "effort": row["effort"], "files": row["files"]})
    for entry in table.values():
        entry["by"].sort(key=lambda b: (-b["effort"], -b["files"], b["repository"]))
        entry["repositories"] = len(entry["by"])
    return sorted(table.values(), key=lambda v: (-v["effort"], -v["files"], v["vendor"]))


def _totals(repositories: list[dict[str, Any]], vendors: list[dict[str, Any]]) -> dict[str, Any]:
    scores = sorted(r["score"] for r in repositories)
    middle = len(scores) // 2
    # Between two middle scores, the half rounds up (50 and 51: 51), not to the even one.
    median = scores[middle] if len(scores) % 2 else (scores[middle - 1] + scores[middle] + 1) // 2
    return {
        "repositories": len(repositories),
        "effort": sum(r["effort"] for r in repositories),
        "median_score": median,
        "vendors": len(vendors),
        "postures": {p: sum(1 for r in repositories if r["posture"] == p) for p in POSTURES},
    }


def _leaks(entries: list[Entry]) -> list[dict[str, Any]]:
    """The heaviest leaks of the organisation: each repository's ranked leaks, by weight."""
    found = [
        {
            "repository": repository_name(entry),
            "path": leak["path"],
            "vendors": leak["vendors"],
            "weight": leak["weight"],
            "rank": leak.get("rank"),
            "reason": leak.get("reason", ""),
            "report": entry.report,
        }
        for entry in entries
        for leak in (entry.document or {})["summary"].get("leaks", [])
    ]
    found.sort(key=lambda leak: (-leak["weight"], leak["repository"], leak["path"]))
    return found[:TOP_LEAKS]


def _policy(
    repositories: list[dict[str, Any]], entries: list[Entry], forbid: tuple[str, ...], allow: tuple[str, ...]
) -> dict[str, Any]:
    """Who uses a vendor the organisation's policy forbids (`forbid`, or outside `allow`), and
    the policy findings of each repository's own configuration."""
    forbidden = {v.casefold() for v in forbid}
    allowed = {v.casefold() for v in allow}
    violations = []
    for repo in repositories:
        for row in repo["vendors"]:
            name = row["vendor"].casefold()
            if name in forbidden or (allowed and name not in allowed):
                why = "forbidden" if name in forbidden else "not allowed"
                violations.append(
                    {"repository": repo["name"], "vendor": row["vendor"], "files": row["files"], "why": why}
                )
    own = [
        {
            "repository": repository_name(entry),
            "vendor": finding.get("vendor"),
            "rule_id": finding["rule_id"],
            "path": finding["path"],
        }
        for entry in entries
        for finding in (entry.document or {})["findings"]
        if finding["rule_id"] in POLICY_RULES
    ]
    return {"forbid": sorted(forbid), "allow": sorted(allow), "violations": violations, "repositories": own}


def _age(entry: Entry) -> tuple[datetime, datetime]:
    """When its commit was made, then when it was scanned, as instants (the zones differ)."""
    document = entry.document or {}
    repository = document.get("repository") or {}
    return _instant(repository.get("committed")), _instant(document.get("scan", {}).get("started"))


def _instant(text: Any) -> datetime:
    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)  # unknown: older than any known time
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _packs(document: dict[str, Any]) -> str:
    return json.dumps(sorted((str(p.get("id")), str(p.get("version"))) for p in document.get("packs", [])))


def _version(text: Any) -> tuple[int, int] | None:
    major, dot, minor = str(text).partition(".")
    return (int(major), int(minor)) if dot and major.isdecimal() and minor.isdecimal() else None


def _version_key(text: str) -> tuple[int, int]:
    return _version(text) or (0, 0)
