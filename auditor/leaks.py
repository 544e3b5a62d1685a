"""Leaks: product modules outside the adapter boundary that import, construct, call or type
against a vendor SDK, ranked by what fixing them costs, so a reviewer knows where to start.

The rank weighs how much of the project depends on the module (every module that imports
it, directly or through others), how many vendors and call sites it touches, and whether its
vendor types cross into persistence (a database model, or one that imports the module) or a
public API (a route or view). Each leak says why it ranks where it does.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Any

from auditor.boundary import Boundary, Profile


def rank_leaks(boundary: Boundary, profiles: dict[str, Profile], importers: dict[str, set[str]],
               names: dict[str, str]) -> list[dict[str, Any]]:
    """`importers`: product path -> product paths importing it; `names`: path -> module name."""
    if boundary.source == "not-needed":
        return []
    leaks = []
    for path in boundary.direct:
        profile = profiles.get(path)  # the per-file hook analyses only some of the files
        if profile is None or not profile.direct or boundary.contains(path):
            continue
        dependents = _dependents(path, importers)
        direct_users = _users(path, importers)
        carried = bool(profile.vendor_types) and not profile.clients  # its classes hold vendor types: they go where its importers take them
        persistence = path if profile.persistence else next(
            (i for i in sorted(direct_users) if carried and profiles[i].persistence), None)
        public = path if profile.web else next(
            (i for i in sorted(direct_users) if carried and profiles[i].web), None)
        sites = sum(profile.vendors.values())
        weight = ((1 + math.log2(1 + len(direct_users))) * (1 + math.log2(1 + len(dependents)) / 4)
                  * (1 + 0.5 * (len(profile.vendors) - 1))
                  * (1 + min(sites, 20) / 20) * (2 if persistence else 1) * (1.5 if public else 1)
                  * (0.5 if profile.type_only else 1))
        leaks.append({
            "path": path, "module": names.get(path, path), "vendors": sorted(profile.vendors),
            "sites": sites, "call_paths": len(profile.call_paths), "features": sorted(profile.features),
            "fan_in": len(direct_users), "dependents": len(dependents),
            "persistence": persistence, "public_api": public, "type_only": profile.type_only,
            "weight": round(weight, 2),
            "reason": _reason(profile, direct_users, dependents, persistence, public, len(profiles)),
            "chain": _chain(path, importers, names),
        })
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


def _dependents(path: str, importers: dict[str, set[str]]) -> set[str]:
    """Every module that imports `path`, directly or through others."""
    seen: set[str] = set()
    queue = deque(importers.get(path, ()))
    while queue:
        current = queue.popleft()
        if current in seen or current == path:
            continue
        seen.add(current)
        queue.extend(importers.get(current, ()))
    return seen


def _reason(profile: Profile, users: set[str], dependents: set[str], persistence: str | None,
            public: str | None, modules: int) -> str:
    names = sorted(profile.vendors)
    vendors = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    parts = []
    if users:
        parts.append(f"imported by {len(users)} module{'s' if len(users) != 1 else ''}"
                     # through cycles half a large project may depend on everything: then it says nothing
                     + (f" ({len(dependents)} depend on it)" if len(users) < len(dependents) < modules / 2 else ""))
    else:
        parts.append("no module imports it")
    what = "uses " + vendors + (" types" if profile.carries_types or profile.type_only else "")
    if profile.clients:
        what += f", builds {profile.clients} client{'s' if profile.clients != 1 else ''}"
    if profile.call_paths:
        what += f", calls {len(profile.call_paths)} API path{'s' if len(profile.call_paths) != 1 else ''}"
    parts.append(what)
    if persistence:
        parts.append("its vendor types reach the database" + ("" if persistence == profile.path
                                                               else f" through {persistence}"))
    if public:
        parts.append("it is a public API" if public == profile.path else f"a public API ({public}) serves its types")
    return "; ".join(parts)


def _chain(path: str, importers: dict[str, set[str]], names: dict[str, str], limit: int = 6) -> list[str]:
    """A longest shortest path of importers ending at the module: who feels a change there first."""
    parents: dict[str, str | None] = {path: None}
    queue = deque([path])
    last = path
    while queue:
        current = queue.popleft()
        last = current
        for importer in sorted(importers.get(current, ())):
            if importer not in parents:
                parents[importer] = current
                queue.append(importer)
    chain = []
    node: str | None = last
    while node is not None:
        chain.append(names.get(node, node))
        node = parents[node]
    return chain[-limit:]
