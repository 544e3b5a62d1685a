"""What a literal value names, wherever it was read (Python, notebooks, configuration files):
a model of a known family, through any routing prefix, or a vendor endpoint. The vocabulary
is the packs' (`Detectors`); the shapes of routing and URLs are here."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from auditor.catalog import Detectors, host_matches

_ROUTE_HEAD = re.compile(r"[A-Za-z][\w.-]{0,40}")


def model_family(value: str, detectors: Detectors) -> tuple[str, bool, str | None] | None:
    """The model family `value` belongs to, (family, needs context, the routing prefix). Routing
    is an open shape: `provider:model`, `provider/model`, nested (`openrouter:openai/gpt-4o`,
    `gateway/openai:gpt-5`) and OpenRouter's suffixes (`:free`). A known routing prefix is
    model context for an ambiguous family (`openai:o3`); behind an unknown one, only a family
    that needs no context counts, so `notes/o3` is not a model."""
    candidate, routed_via, unknown = value, None, False
    for _ in range(4):
        for form in (candidate, _without_suffix(candidate, detectors.routing_suffixes)):
            if form is not None and detectors.model_prefilter.fullmatch(form):
                for family, pattern, needs_context in detectors.model_families:
                    if pattern.fullmatch(form):
                        if needs_context and routed_via is None and unknown:
                            return None
                        return family, needs_context and routed_via is None, routed_via
        cut = min((i for i in (candidate.find("/"), candidate.find(":")) if i > 0), default=-1)
        if cut < 0:
            return None
        head, rest = candidate[:cut], candidate[cut + 1 :]
        known = head.lower() in detectors.routing_prefixes
        if not rest or not (known or _ROUTE_HEAD.fullmatch(head)):
            return None
        unknown |= not known
        candidate, routed_via = rest, (head if known and routed_via is None else routed_via)
    return None


def _without_suffix(candidate: str, suffixes: frozenset[str]) -> str | None:
    """`candidate` without a routing suffix the packs name (OpenRouter's `:free`), if it has one."""
    base, colon, suffix = candidate.rpartition(":")
    return base if colon and base and suffix.lower() in suffixes else None


def endpoint(value: str, hosts: tuple[str, ...]) -> str | None:
    """A URL whose host is a known vendor endpoint, without credentials or query."""
    try:
        parts = urlsplit(value)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return None
    if not host:
        return None
    names = [f"{host}:{port}", host] if port else [host]
    if not any(host_matches(name, pattern) for name in names for pattern in hosts):
        return None
    netloc = f"{host}:{port}" if port else host
    return f"{parts.scheme}://{netloc}{parts.path}"
