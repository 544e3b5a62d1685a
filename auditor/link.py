"""Link: calls on clients that another of the project's modules gives.

Extraction is a pure function of one file (so the fact cache works), yet real applications
rarely build a client where they use it: `app/llm.py` defines `get_client()` or `client =
OpenAI()`, and `app/chat.py` calls `get_client().chat.completions.create(...)`. Each file
records what it gives (`ClientSourceFact`) and what it calls on something imported
(`ForeignCallFact`); this pass joins the two through the project's own imports, following
re-exports a few steps, and adds the call facts that result, each naming its source (`via`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from auditor.facts import CallFact, ClientSourceFact, Fact, ForeignCallFact, ImportFact
from auditor.modules import ModuleIndex

MAX_HOPS = 4  # re-exports followed from the imported name to its definition


@dataclass
class Links:
    """What facts offer to the join, by the path of the file holding them: the clients each file
    gives, the names it imports at module level (through which it may pass one on), and the
    calls it makes on something imported."""

    sources: dict[str, dict[str, ClientSourceFact]] = field(default_factory=dict)
    reexports: dict[str, dict[str, ImportFact]] = field(default_factory=dict)
    foreign: list[ForeignCallFact] = field(default_factory=list)


def file_links(facts: Iterable[Fact]) -> Links:
    links = Links()
    for fact in facts:
        if isinstance(fact, ClientSourceFact):
            links.sources.setdefault(fact.loc.path, {})[fact.name] = fact
        elif isinstance(fact, ImportFact) and fact.symbol and fact.symbol != "*" and fact.scope == "<module>":
            links.reexports.setdefault(fact.loc.path, {}).setdefault(fact.symbol, fact)
        elif isinstance(fact, ForeignCallFact):
            links.foreign.append(fact)
    return links


def link_clients(facts: Iterable[Fact], modules: ModuleIndex, links: Iterable[Links] | None = None) -> list[Fact]:
    """The facts, with a `CallFact` for each foreign call whose client is found. `links`: what
    `file_links` gives for the facts, when the caller kept it per file."""
    facts = list(facts)
    sources: dict[str, dict[str, ClientSourceFact]] = {}
    reexports: dict[str, dict[str, ImportFact]] = {}
    foreign: list[ForeignCallFact] = []
    for each in links if links is not None else [file_links(facts)]:  # read, never changed: they are kept
        for path, given in each.sources.items():
            sources[path] = {**sources[path], **given} if path in sources else given
        for path, names in each.reexports.items():
            reexports[path] = {**names, **reexports[path]} if path in reexports else names  # the first stays
        foreign += each.foreign
    if not sources:
        return facts

    def find(importer: str, module: str, name: str, level: int, hops: int) -> tuple[str, ClientSourceFact] | None:
        path = modules.resolve(importer, module, None, level) if module or level else None
        if path is None or hops > MAX_HOPS:
            return None
        if name in sources.get(path, {}):
            return path, sources[path][name]
        again = reexports.get(path, {}).get(name)
        return find(path, again.module, name, again.level, hops + 1) if again is not None else None

    linked: list[Fact] = []
    for fact in foreign:
        module, _, name = fact.origin.rpartition(".")
        found = find(fact.loc.path, module, name, fact.level, 0) if name else None
        if found is None or found[1].called != fact.called:
            continue
        path, source = found
        linked.append(
            CallFact(
                fact.loc,
                fact.scope,
                source.receiver,
                source.service,
                fact.path,
                None,
                fact.keywords,
                fact.tool_types,
                fact.dict_keys,
                source.base_url,
                via=f"{modules.module_name(path)}.{source.name}",
            )
        )
    return facts + linked
