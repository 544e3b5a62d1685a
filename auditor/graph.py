"""The graph: first-party modules and their imports, and what they reach — products,
vendors, hosts, owners; plus the questions only the graph answers: who imports whom, which
chains of imports expose a module to a vendor, and which modules are coupling hotspots.

Node ids are `kind:name` (`module:app.llm`, `distribution:instructor`, `product:openai`,
`vendor:OpenAI`, `owner:Microsoft`, and `project` for the manifests). Edges carry
`relation`: imports, uses, declares, locks, ships, provided-by, hosted-by, owned-by.

The graph is plain dicts and sets, and every question is answered in one pass over it
(a search per vendor, one over the import graph's strongly connected components), so a
scan stays linear in modules, edges and findings. networkx is only loaded to export it.
"""

from __future__ import annotations

import heapq
from collections import Counter, deque
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from auditor.audit import COUPLING_KINDS, UsageRecord
from auditor.catalog import RuleSet
from auditor.facts import DependencyFact, Fact, ImportFact
from auditor.modules import ModuleIndex

if TYPE_CHECKING:
    import networkx as nx

N = TypeVar("N", bound=Hashable)
REACH = ("imports", "uses", "provided-by")  # the relations along which code reaches a vendor
UPSTREAM_LIMIT = 5  # importers shown in front of a finding's module: enough to see who feels a change


@dataclass
class ProjectGraph:
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> attributes, in the order added
    edges: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    module_of_path: dict[str, str] = field(default_factory=dict)
    # The indexes questions need, kept out of the way of building (a project has thousands of
    # import edges and `history` builds a graph per commit): pairs of the edges other than imports,
    # and what is made the first time it is asked for: the import pairs, the reach edges reversed.
    _pairs: set[tuple[str, str]] = field(default_factory=set, repr=False)
    _imports: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list, repr=False)
    _import_pairs: set[tuple[str, str]] | None = field(default=None, repr=False)
    _reverse: tuple[dict[str, set[str]], dict[str, set[str]]] | None = field(default=None, repr=False)
    _upstream: Upstream | None = field(default=None, repr=False)

    def module_node(self, path: str) -> str | None:
        name = self.module_of_path.get(path)
        return f"module:{name}" if name else None

    def add_node(self, node: str, **attributes: Any) -> None:
        self.nodes.setdefault(node, {}).update(attributes)

    def add_edge(self, source: str, target: str, **attributes: Any) -> None:
        self.nodes.setdefault(source, {})
        self.nodes.setdefault(target, {})
        edge = (source, target, attributes)
        self.edges.append(edge)
        if attributes.get("relation") == "imports":
            self._imports.append(edge)
            self._import_pairs = None
        else:
            self._pairs.add((source, target))
        self._reverse = self._upstream = None

    def add_imports(self, edges: Iterable[tuple[str, str, int, bool]]) -> None:
        """Import edges between module nodes already added (source, target, line, optional)."""
        made = [
            (source, target, {"relation": "imports", "line": line, "optional": True})
            if optional
            else (source, target, {"relation": "imports", "line": line})
            for source, target, line, optional in edges
        ]
        self.edges += made
        self._imports += made
        self._import_pairs = self._reverse = self._upstream = None

    def has_edge(self, source: str, target: str) -> bool:
        if (source, target) in self._pairs:
            return True
        if not (source.startswith("module:") and target.startswith("module:")):
            return False  # only modules import
        if self._import_pairs is None:
            self._import_pairs = {(u, v) for u, v, _ in self._imports}
        return (source, target) in self._import_pairs

    def name(self, node: str) -> str:
        return self.nodes[node].get("name", node)

    def import_edges(self) -> Iterable[tuple[str, str, dict[str, Any]]]:
        return iter(self._imports)

    def importers(self) -> dict[str, set[str]]:
        """Module node -> the module nodes importing it."""
        found: dict[str, set[str]] = {}
        for source, target, _ in self.import_edges():
            found.setdefault(target, set()).add(source)
        return found

    def upstream(self) -> Upstream:
        """Every module's dependents and deepest chain of importers, computed once per graph."""
        if self._upstream is None:
            self._upstream = Upstream(self.importers())
        return self._upstream

    def towards(self, vendor: str, hard: bool = False) -> dict[str, str | None]:
        """Every node that reaches `vendor:NAME` along imports, uses and provided-by edges, with the
        next node on one of its shortest ways there: one breadth-first search backwards from the vendor.
        With `hard`, only along imports that always run (not guarded by `except ImportError`, not
        under `TYPE_CHECKING`). Ties go to the first name in sorted order, so chains do not depend
        on the order of the files."""
        if self._reverse is None:
            every: dict[str, set[str]] = {}
            firm: dict[str, set[str]] = {}  # not only optional
            for source, edge_target, attributes in self.edges:
                if attributes.get("relation") in REACH:
                    every.setdefault(edge_target, set()).add(source)
                    if not attributes.get("optional"):
                        firm.setdefault(edge_target, set()).add(source)
            self._reverse = (every, firm)
        backward = self._reverse[1] if hard else self._reverse[0]
        target = f"vendor:{vendor}"
        onward: dict[str, str | None] = {target: None}
        if target not in backward:
            return {}
        queue = deque([target])
        while queue:
            current = queue.popleft()
            for source in sorted(backward.get(current, ())):
                if source not in onward:
                    onward[source] = current
                    queue.append(source)
        return onward

    def to_networkx(self) -> nx.MultiDiGraph[str]:
        """The same graph for export (node-link JSON, GraphML), in the order it was built."""
        import networkx as nx

        graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
        for node, attributes in self.nodes.items():
            graph.add_node(node, **attributes)
        for source, target, attributes in self.edges:
            graph.add_edge(source, target, **attributes)
        return graph


Import = tuple[str, str, int, bool]  # importer's path, the imported file's, line, optional


def file_imports(facts: Iterable[Fact], modules: ModuleIndex) -> list[Import]:
    """The project's own files the import statements among `facts` load."""
    found = []
    for fact in facts:
        if not isinstance(fact, ImportFact) or fact.unresolved:
            continue
        target = modules.resolve(fact.loc.path, fact.module, fact.symbol, fact.level)
        if target is not None:
            found.append((fact.loc.path, target, fact.loc.line, fact.optional or fact.type_checking))
    return found


def build_graph(
    facts: Iterable[Fact],
    inventory: list[UsageRecord],
    modules: ModuleIndex,
    ruleset: RuleSet,
    paths: Iterable[str],
    imports: Iterable[Import] | None = None,
) -> ProjectGraph:
    """`imports`: what `file_imports` gives for the facts, when the caller kept it per file."""
    facts = list(facts)
    graph = ProjectGraph()
    module_of_path = graph.module_of_path
    node_of: dict[str, str] = {}  # path -> its module node, named once rather than at each import
    for path in paths:
        name = modules.module_name(path) or path
        module_of_path[path] = name
        node_of[path] = node = f"module:{name}"
        graph.add_node(node, kind="module", name=name, path=path)
    edges = []
    for importer, target_path, line, optional in imports if imports is not None else file_imports(facts, modules):
        source, target = node_of.get(importer), node_of.get(target_path)
        if source and target and target != source:
            edges.append((source, target, line, optional))
    graph.add_imports(edges)
    _add_distributions(graph, facts, ruleset)
    products = {p.id: p for p in ruleset.products}
    uses: Counter[tuple[str, str]] = Counter()
    hard: set[tuple[str, str]] = set()  # used by something that always runs, not only an optional import
    for record in inventory:
        source = graph.module_of_path.get(record.path)
        if source and record.product and record.kind in COUPLING_KINDS:
            uses[(source, record.product)] += 1
            if record.kind != "import" or not {"optional", "type_checking"} & set(record.flags):
                hard.add((source, record.product))
    for (source, product_id), count in sorted(uses.items()):
        product = products[product_id]
        graph.add_node(
            f"product:{product_id}",
            kind="product",
            name=product_id,
            title=product.title,
            layer=product.layer,
            abstraction=product.abstraction,
        )
        graph.add_edge(
            f"module:{source}",
            f"product:{product_id}",
            relation="uses",
            weight=count,
            **({} if (source, product_id) in hard else {"optional": True}),
        )
        vendor = product.vendor
        graph.add_node(f"vendor:{vendor}", kind="vendor", name=vendor)
        _add_once(graph, f"product:{product_id}", f"vendor:{vendor}", "provided-by")
        owner = ruleset.owner_of(vendor)
        if owner:
            graph.add_node(f"owner:{owner}", kind="owner", name=owner)
            _add_once(graph, f"vendor:{vendor}", f"owner:{owner}", "owned-by")
        if product.host:
            graph.add_node(f"vendor:{product.host}", kind="vendor", name=product.host)
            _add_once(graph, f"product:{product_id}", f"vendor:{product.host}", "hosted-by")
    return graph


def _add_once(graph: ProjectGraph, source: str, target: str, relation: str) -> None:
    if not graph.has_edge(source, target):
        graph.add_edge(source, target, relation=relation)


def _add_distributions(graph: ProjectGraph, facts: Iterable[Fact], ruleset: RuleSet) -> None:
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
            graph.add_node(
                f"product:{product.id}",
                kind="product",
                name=product.id,
                title=product.title,
                layer=product.layer,
                abstraction=product.abstraction,
            )
            graph.add_edge(node, f"product:{product.id}", relation="ships")


def importers(project: ProjectGraph) -> dict[str, set[str]]:
    """File path -> the paths of the project's files that import it."""
    nodes = project.nodes
    found: dict[str, set[str]] = {}
    for source, target, _ in project.import_edges():
        found.setdefault(nodes[target]["path"], set()).add(nodes[source]["path"])
    return found


class Upstream:
    """Who imports a node, directly or through others, answered for every node at once.

    `importers` maps a node to the nodes that import it. The strongly connected components
    of that graph (import cycles) are found once; then, from the components nothing imports
    down to the imported ones, each node gets its deepest chain of importers (a parent
    pointer) and its number of dependents (a bit set per component, freed once its last
    importee has read it). Both are linear in the nodes and edges, up to a word-sized factor
    for the bit sets."""

    def __init__(self, importers: Mapping[N, Iterable[N]]) -> None:
        self._importers = {node: set(found) for node, found in importers.items()}
        self.parent: dict[Any, Any] = {}
        self.dependents: dict[Any, int] = {}
        self._walk()

    def chain(self, node: N, limit: int = UPSTREAM_LIMIT) -> list[N]:
        """The node's importers on its deepest chain, nearest last, at most `limit` of them."""
        chain: list[N] = []
        seen = {node}
        current = self.parent.get(node)
        while current is not None and current not in seen and len(chain) < limit:  # a cycle is shown once
            chain.append(current)
            seen.add(current)
            current = self.parent.get(current)
        chain.reverse()
        return chain

    def _walk(self) -> None:
        imports: dict[Any, set[Any]] = {}
        for node, found in self._importers.items():
            imports.setdefault(node, set())
            for importer in found:
                imports.setdefault(importer, set()).add(node)
        components = strongly_connected(imports)
        component_of = {node: index for index, members in enumerate(components) for node in members}
        depth: dict[Any, int] = {}
        reach: dict[int, int] = {}  # component -> its bits and those of every node importing it
        start = 0  # members of a component get consecutive bits, in the order components are walked
        readers = {
            index: len({component_of[m] for n in members for m in imports[n]} - {index})
            for index, members in enumerate(components)
        }
        # Tarjan's order lists a component after every component it imports: walk it backwards.
        for index in range(len(components) - 1, -1, -1):
            members = components[index]
            outside = {component_of[i] for n in members for i in self._importers.get(n, ()) if component_of[i] != index}
            above = 0
            for other in outside:
                above |= reach[other]
                readers[other] -= 1
                if not readers[other]:
                    del reach[other]
            if readers[index]:
                reach[index] = above | (((1 << len(members)) - 1) << start)
            start += len(members)
            count = above.bit_count() + len(members) - 1
            frontier: list[tuple[int, str, Any]] = []
            for node in members:
                self.dependents[node] = count
                best = max(
                    ((depth[i], str(i), i) for i in self._importers.get(node, ()) if component_of[i] != index),
                    default=None,
                )
                depth[node] = best[0] + 1 if best else 0
                self.parent[node] = best[2] if best else None
                heapq.heappush(frontier, (-depth[node], str(node), node))
            if len(members) > 1:
                self._within(members, frontier, depth, imports)

    def _within(
        self,
        members: list[Any],
        frontier: list[tuple[int, str, Any]],
        depth: dict[Any, int],
        imports: dict[Any, set[Any]],
    ) -> None:
        """Deepest chains inside an import cycle: the deepest member first, each member settled once,
        so parents point only at settled members and no chain loops."""
        inside, settled = set(members), set()
        while frontier:
            negative, _, node = heapq.heappop(frontier)
            if node in settled or -negative != depth[node]:
                continue
            settled.add(node)
            for imported in imports[node]:
                if imported in inside and imported not in settled and depth[node] + 1 > depth[imported]:
                    depth[imported] = depth[node] + 1
                    self.parent[imported] = node
                    heapq.heappush(frontier, (-depth[imported], str(imported), imported))
        for node in members:  # the member settled first, when nothing outside imports the cycle
            if self.parent[node] is None:
                self.parent[node] = max((depth[i], str(i), i) for i in self._importers[node] if i in inside)[2]


def strongly_connected(successors: Mapping[N, Iterable[N]]) -> list[list[N]]:
    """The strongly connected components (Tarjan, without recursion), each listed after every
    component it has an edge to; members sorted, nodes visited in sorted order."""
    index_of: dict[N, int] = {}
    low: dict[N, int] = {}
    stack: list[N] = []
    on_stack: set[N] = set()
    components: list[list[N]] = []
    order = sorted(successors, key=str)
    for root in order:
        if root in index_of:
            continue
        work = [(root, iter(sorted(successors.get(root, ()), key=str)))]
        index_of[root] = low[root] = len(index_of)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index_of:
                    index_of[child] = low[child] = len(index_of)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(successors.get(child, ()), key=str))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index_of[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index_of[node]:
                members = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    members.append(member)
                    if member == node:
                        break
                components.append(sorted(members, key=str))
    return components


class ChainFinder:
    """The chain behind a finding: the deepest import chain into the finding's module (who
    would feel a change there, the nearest few), then the module's shortest path to the vendor."""

    def __init__(self, project: ProjectGraph) -> None:
        self.project = project
        self._towards: dict[tuple[str, bool], dict[str, str | None]] = {}

    def chain(self, path: str, vendor: str | None, product: str | None = None) -> tuple[str, ...]:
        """`product`: the finding's own, which its chain goes through when the module uses it."""
        module = self.project.module_node(path)
        if module is None or vendor is None:
            return ()
        project = self.project
        if (
            product
            and project.has_edge(module, f"product:{product}")
            and project.has_edge(f"product:{product}", f"vendor:{vendor}")
        ):
            onward: list[str] | None = [project.name(module), product, vendor]
        else:
            onward = self.onward(module, vendor)
        if onward is None:
            return ()
        name = self.project.name
        return (*(name(n) for n in project.upstream().chain(module)), *onward)

    def onward(self, module: str, vendor: str) -> list[str] | None:
        """The names on the module's shortest way to the vendor, through imports that always run
        when there is one; None if it does not reach the vendor at all."""
        for hard in (True, False):
            if (vendor, hard) not in self._towards:
                self._towards[(vendor, hard)] = self.project.towards(vendor, hard)
            towards = self._towards[(vendor, hard)]
            if module in towards:
                break
        else:
            return None
        chain: list[str] = []
        node: str | None = module
        while node is not None:
            chain.append(self.project.name(node))
            node = towards[node]
        return chain


def exposure_chain(project: ProjectGraph, module: str, vendor: str) -> list[str] | None:
    """The shortest import chain from a module to a vendor, as import-linter shows it."""
    return ChainFinder(project).onward(module, vendor)


def exposure(project: ProjectGraph, chains_per_vendor: int = 5) -> list[dict[str, object]]:
    """Per vendor: how many modules reach it through imports that always run, directly or
    through other modules, how many more only through optional ones (`try: import … except
    ImportError`, `TYPE_CHECKING`), and the deepest of the shortest chains, hard ones first."""
    finder = ChainFinder(project)
    rows = []
    for _node, data in sorted(project.nodes.items()):
        if data.get("kind") != "vendor":
            continue
        vendor = data["name"]
        reach = project.towards(vendor)
        if not reach:
            continue
        hard = project.towards(vendor, hard=True)
        finder._towards[(vendor, False)], finder._towards[(vendor, True)] = reach, hard
        reaching = sorted(n for n in reach if project.nodes[n].get("kind") == "module")
        chains = [(module not in hard, finder.onward(module, vendor) or []) for module in reaching]
        chains.sort(key=lambda item: (item[0], -len(item[1]), item[1]))
        firm = [chain for optional, chain in chains if not optional]
        direct = sum(1 for chain in firm if len(chain) <= 3)  # module → product → vendor
        rows.append(
            {
                "vendor": vendor,
                "modules": len(firm),
                "direct": direct,
                "optional": len(chains) - len(firm),
                "chains": [
                    " → ".join(chain) + (" (optional import)" if optional else "")
                    for optional, chain in chains[:chains_per_vendor]
                ],
            }
        )
    rows.sort(key=lambda row: (-row["modules"], -row["optional"], row["vendor"]))
    return rows


def hotspots(
    project: ProjectGraph, counted: Callable[[str], bool] = lambda path: True, limit: int = 10
) -> list[dict[str, object]]:
    """Counted modules ranked by their vendor coupling weighted by fan-in (how many modules import them)."""
    nodes = project.nodes
    coupling: Counter[str] = Counter()
    for source, target, data in project.edges:
        if data.get("relation") == "uses" and not nodes[target].get("abstraction", False):
            coupling[source] += data.get("weight", 0)
    candidates = [
        n for n, c in coupling.items() if c and nodes[n].get("kind") == "module" and counted(nodes[n]["path"])
    ]
    if not candidates:
        return []
    importers_of = project.importers()
    upstream = project.upstream()
    rows = []
    for node in candidates:
        data = nodes[node]
        dependents = upstream.dependents.get(node, 0)
        rows.append(
            {
                "module": data["name"],
                "path": data["path"],
                "coupling": coupling[node],
                "fan_in": len(importers_of.get(node, ())),
                "dependents": dependents,
                "score": coupling[node] * (1 + dependents),
            }
        )
    rows.sort(key=lambda r: (-r["score"], r["module"]))
    return rows[:limit]
