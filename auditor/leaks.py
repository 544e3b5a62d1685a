"""Leaks: product modules outside the adapter boundary that import, construct, call or type
against a vendor SDK, ranked by what fixing them costs, so a reviewer knows where to start.

The rank weighs how much of the project depends on the module (every module that imports
it, directly or through others), how many vendors and call sites it touches, and whether its
vendor types cross into persistence (a database model, or one that imports the module) or a
public API (a route or view). Each leak says why it ranks where it does.
"""

from __future__ import annotations

import math
from typing import Any

from auditor.boundary import Boundary, Profile
from auditor.graph import Upstream


def rank_leaks(
    boundary: Boundary, profiles: dict[str, Profile], importers: dict[str, set[str]], names: dict[str, str]
) -> list[dict[str, Any]]:
    """`importers`: product path -> product paths importing it; `names`: path -> module name."""
    if boundary.source == "not-needed":
        return []
    upstream = Upstream(importers)  # every module's dependents and deepest chain, in one pass
    leaks: list[dict[str, Any]] = []
    for path in boundary.direct:
        profile = profiles.get(path)  # the per-file hook analyses only some of the files
        if profile is None or not profile.direct or boundary.contains(path):
            continue
        dependents = upstream.dependents.get(path, 0)
        direct_users = _users(path, importers)
        carried = (
            bool(profile.vendor_types) and not profile.clients
        )  # its classes hold vendor types: they go where its importers take them
        persistence = (
            path
            if profile.persistence
            else next((i for i in sorted(direct_users) if carried and profiles[i].persistence), None)
        )
        public = path if profile.web else next((i for i in sorted(direct_users) if carried and profiles[i].web), None)
        sites = sum(profile.vendors.values())
        weight = (
            (1 + math.log2(1 + len(direct_users)))
            * (1 + math.log2(1 + dependents) / 4)
            * (1 + 0.5 * (len(profile.vendors) - 1))
            * (1 + min(sites, 20) / 20)
            * (2 if persistence else 1)
            * (1.5 if public else 1)
            * (0.5 if profile.type_only else 1)
        )
        leaks.append(
            {
                "path": path,
                "module": names.get(path, path),
                "vendors": sorted(profile.vendors),
                "sites": sites,
                "call_paths": len(profile.call_paths),
                "features": sorted(profile.features),
                "fan_in": len(direct_users),
                "dependents": dependents,
                "persistence": persistence,
                "public_api": public,
                "type_only": profile.type_only,
                "weight": round(weight, 2),
                "reason": _reason(profile, direct_users, dependents, persistence, public, len(profiles)),
                "chain": [names.get(p, p) for p in (*upstream.chain(path), path)],
            }
        )
    leaks.sort(key=lambda leak: (-leak["weight"], leak["path"]))
    for rank, leak in enumerate(leaks, 1):
        leak["rank"] = rank
    return leaks


def _users(path: str, importers: dict[str, set[str]]) -> set[str]:
    """The modules that import it, counting those that import it through a package's
    `__init__.py` re-exporting its names (`from camel.types import ChatCompletion`)."""
    users = set(importers.get(path, ()))
    for user in list(users):
        if user.endswith("__init__.py") and path.startswith(user.rsplit("/", 1)[0] + "/"):
            users |= importers.get(user, set())
    users.discard(path)
    return users


def _reason(
    profile: Profile, users: set[str], dependents: int, persistence: str | None, public: str | None, modules: int
) -> str:
    names = sorted(profile.vendors)
    vendors = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    parts = []
    if users:
        parts.append(
            f"imported by {len(users)} module{'s' if len(users) != 1 else ''}"
            # through cycles half a large project may depend on everything: then it says nothing
            + (f" ({dependents} depend on it)" if len(users) < dependents < modules / 2 else "")
        )
    else:
        parts.append("no module imports it")
    what = "uses " + vendors + (" types" if profile.carries_types or profile.type_only else "")
    if profile.clients:
        what += f", builds {profile.clients} client{'s' if profile.clients != 1 else ''}"
    if profile.call_paths:
        what += f", calls {len(profile.call_paths)} API path{'s' if len(profile.call_paths) != 1 else ''}"
    parts.append(what)
    if persistence:
        parts.append(
            "its vendor types reach the database" + ("" if persistence == profile.path else f" through {persistence}")
        )
    if public:
        parts.append("it is a public API" if public == profile.path else f"a public API ({public}) serves its types")
    return "; ".join(parts)
