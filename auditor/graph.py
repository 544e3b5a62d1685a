"""The graph: first-party modules and their imports, and what they reach — products,
vendors, hosts, owners — as a `networkx.MultiDiGraph`; plus the questions only the graph
answers: who imports whom, which chains of imports expose a module to a vendor, and which
modules are coupling hotspots.

Node ids are `kind:name` (`module:app.llm`, `distribution:instructor`, `product:openai`,
`vendor:OpenAI`, `owner:Microsoft`, and `project` for the manifests). Edges carry
`relation`: imports, uses, declares, locks, ships, provided-by, hosted-by, owned-by.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import networkx as nx

from auditor.audit import COUPLING_KINDS, UsageRecord
from auditor.facts import DependencyFact, Fact, ImportFact
from auditor.modules import ModuleIndex
from auditor.packs import RuleSet



@dataclass
class ProjectGraph:
    graph: nx.MultiDiGraph
    module_of_path: dict[str, str] = field(default_factory=dict)

    def module_node(self, path: str) -> str | None:
        name = self.module_of_path.get(path)
        return f"module:{name}" if name else None


def build_graph(facts: Iterable[Fact], inventory: list[UsageRecord], modules: ModuleIndex, ruleset: RuleSet,
                paths: Iterable[str]) -> ProjectGraph:
    graph = nx.MultiDiGraph()
    result = ProjectGraph(graph)
    for path in paths:
        name = modules.module_name(path) or path
        result.module_of_path[path] = name
        graph.add_node(f"module:{name}", kind="module", name=name, path=path)
    for fact in facts:
        if not isinstance(fact, ImportFact) or fact.unresolved:
            continue
        source = result.module_of_path.get(fact.loc.path)
        target_path = modules.resolve(fact.loc.path, fact.module, fact.symbol, fact.level)
        target = result.module_of_path.get(target_path) if target_path else None
        if source and target and target != source:
            graph.add_edge(f"module:{source}", f"module:{target}", relation="imports", line=fact.loc.line)
    _add_distributions(graph, facts, ruleset)
    products = {p.id: p for p in ruleset.products}
    uses: Counter[tuple[str, str]] = Counter()
    for record in inventory:
        source = result.module_of_path.get(record.path)
        if source and record.product and record.kind in COUPLING_KINDS:
            uses[(source, record.product)] += 1
    for (source, product_id), count in sorted(uses.items()):
        product = products[product_id]
        graph.add_node(f"product:{product_id}", kind="product", name=product_id, title=product.title,
                       layer=product.layer, abstraction=product.abstraction)
        graph.add_edge(f"module:{source}", f"product:{product_id}", relation="uses", weight=count)
        vendor = product.vendor
        graph.add_node(f"vendor:{vendor}", kind="vendor", name=vendor)
        if not graph.has_edge(f"product:{product_id}", f"vendor:{vendor}"):
            graph.add_edge(f"product:{product_id}", f"vendor:{vendor}", relation="provided-by")
        owner = ruleset.owner_of(vendor)
        if owner:
            graph.add_node(f"owner:{owner}", kind="owner", name=owner)
            if not graph.has_edge(f"vendor:{vendor}", f"owner:{owner}"):
                graph.add_edge(f"vendor:{vendor}", f"owner:{owner}", relation="owned-by")
        if product.host:
            graph.add_node(f"vendor:{product.host}", kind="vendor", name=product.host)
            if not graph.has_edge(f"product:{product_id}", f"vendor:{product.host}"):
                graph.add_edge(f"product:{product_id}", f"vendor:{product.host}", relation="hosted-by")
    return result


def _add_distributions(graph: nx.MultiDiGraph, facts: Iterable[Fact], ruleset: RuleSet) -> None:
    """Declared and locked distributions: `project → instructor → openai`, as the manifests say."""
    for fact in facts:
        if not isinstance(fact, DependencyFact):
            continue
        node = f"distribution:{fact.name}"
        graph.add_node(node, kind="distribution", name=fact.name)
        if fact.group != "locked":
            graph.add_node("project", kind="project", name="project")
            graph.add_edge("project", node, relation="declares", path=fact.loc.path, group=fact.group)
        for child in fact.requires:
            graph.add_node(f"distribution:{child}", kind="distribution", name=child)
            graph.add_edge(node, f"distribution:{child}", relation="locks")
        product = ruleset.product_for_distribution(fact.name)
        if product is not None and not graph.has_edge(node, f"product:{product.id}"):
            graph.add_node(f"product:{product.id}", kind="product", name=product.id, title=product.title,
                           layer=product.layer, abstraction=product.abstraction)
            graph.add_edge(node, f"product:{product.id}", relation="ships")


def importers(project: ProjectGraph) -> dict[str, set[str]]:
    """File path -> the paths of the project's files that import it."""
    graph = project.graph
    found: dict[str, set[str]] = {}
    for source, target, data in graph.edges(data=True):
        if data.get("relation") == "imports":
            found.setdefault(graph.nodes[target]["path"], set()).add(graph.nodes[source]["path"])
    return found


def _reach_graph(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Only the edges along which code reaches a vendor: imports, uses, provided-by."""
    return graph.edge_subgraph([(u, v, k) for u, v, k, d in graph.edges(keys=True, data=True)
                                if d.get("relation") in ("imports", "uses", "provided-by")])


def exposure_chain(project: ProjectGraph, module: str, vendor: str,
                   reach: nx.MultiDiGraph | None = None) -> list[str] | None:
    """The shortest import chain from a module to a vendor, as import-linter shows it;
    `reach` is the graph's reach subgraph, when the caller has built it already."""
    graph = project.graph
    target = f"vendor:{vendor}"
    if module not in graph or target not in graph:
        return None
    try:
        path = nx.shortest_path(reach if reach is not None else _reach_graph(graph), module, target)
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return None
    return [graph.nodes[n]["name"] for n in path]


class ChainFinder:
    """The chain behind a finding: the longest import path into the finding's module
    (who would feel a change there), then the module's shortest path to the vendor."""

    def __init__(self, project: ProjectGraph) -> None:
        self.project = project
        graph = project.graph
        self._importers = graph.edge_subgraph(
            [(u, v, k) for u, v, k, d in graph.edges(keys=True, data=True) if d.get("relation") == "imports"]
        ).reverse(copy=False)
        self._upstream: dict[str, list[str]] = {}
        self._reach = _reach_graph(graph)  # built once: every finding asks the same graph
        self._chains: dict[tuple[str, str], tuple[str, ...]] = {}

    def chain(self, path: str, vendor: str | None) -> tuple[str, ...]:
        module = self.project.module_node(path)
        if module is None or vendor is None:
            return ()
        key = (module, vendor)
        if key not in self._chains:
            onward = exposure_chain(self.project, module, vendor, self._reach)
            self._chains[key] = () if onward is None else (*self._upstream_of(module), *onward)
        return self._chains[key]

    def _upstream_of(self, module: str) -> list[str]:
        """Names of the modules on the longest shortest import path that ends at `module`, excluded."""
        if module not in self._upstream:
            chain: list[str] = []
            if module in self._importers:
                paths = nx.single_source_shortest_path(self._importers, module)
                farthest = max(paths, key=lambda n: (len(paths[n]), n))  # deterministic: longest, then by name
                chain = [self.project.graph.nodes[n]["name"] for n in reversed(paths[farthest][1:])]
            self._upstream[module] = chain
        return self._upstream[module]


def exposure(project: ProjectGraph, chains_per_vendor: int = 5) -> list[dict[str, object]]:
    """Per vendor: how many modules reach it, directly or through other modules, and the
    longest of the shortest chains that do (the deepest transitive exposure)."""
    graph = project.graph
    backwards = _reach_graph(graph).reverse(copy=False)
    rows = []
    for node, data in sorted(graph.nodes(data=True)):
        if data.get("kind") != "vendor" or node not in backwards:
            continue
        paths = nx.single_source_shortest_path(backwards, node)  # vendor ← … ← module, one search
        reaching = sorted(n for n in paths if graph.nodes[n].get("kind") == "module")
        chains = [[graph.nodes[n]["name"] for n in reversed(paths[module])] for module in reaching]
        chains.sort(key=lambda chain: (-len(chain), chain))
        direct = sum(1 for chain in chains if len(chain) <= 3)  # module → product → vendor
        rows.append({"vendor": data["name"], "modules": len(reaching), "direct": direct,
                     "chains": [" → ".join(chain) for chain in chains[:chains_per_vendor]]})
    rows.sort(key=lambda row: (-row["modules"], row["vendor"]))  # type: ignore[operator]
    return rows


def hotspots(project: ProjectGraph, counted: Callable[[str], bool] = lambda path: True,
             limit: int = 10) -> list[dict[str, object]]:
    """Counted modules ranked by their vendor coupling weighted by fan-in (how many modules import them)."""
    graph = project.graph
    rows = []
    for node, data in graph.nodes(data=True):
        if data.get("kind") != "module" or not counted(data["path"]):
            continue
        coupling = sum(d.get("weight", 0) for _, target, d in graph.out_edges(node, data=True)
                       if d.get("relation") == "uses" and not graph.nodes[target].get("abstraction", False))
        if not coupling:
            continue
        importers = {u for u, _, d in graph.in_edges(node, data=True) if d.get("relation") == "imports"}
        dependents = len(nx.ancestors(graph, node) & {n for n, d in graph.nodes(data=True) if d.get("kind") == "module"})
        rows.append({"module": data["name"], "path": data["path"], "coupling": coupling,
                     "fan_in": len(importers), "dependents": dependents, "score": coupling * (1 + dependents)})
    rows.sort(key=lambda r: (-r["score"], r["module"]))  # type: ignore[operator]
    return rows[:limit]
