"""The project graph: import edges, what modules reach, chains, hotspots, and its formats."""

from __future__ import annotations

import io
import json
import random

import networkx as nx
import pytest

from auditor.config import load_config
from auditor.graph import Upstream, exposure_chain, strongly_connected
from auditor.packs import load_rules
from auditor.pipeline import analyse
from helpers import FIXTURES, lockaudit

SHOP = FIXTURES / "inferred-adapter"


def shop_graph():
    loaded = load_config(SHOP)
    return analyse(SHOP, loaded.config, load_rules()).graph


def test_edges_from_modules_to_owners() -> None:
    graph = shop_graph()
    relations = {(u, v, d["relation"]) for u, v, d in graph.edges}
    assert ("module:shop.reviews", "module:shop.ai.client", "imports") in relations
    assert ("module:shop.search", "module:shop.ai.client", "imports") in relations  # `from shop.ai import client`
    assert ("module:shop.ai.client", "product:openai", "uses") in relations
    assert ("product:openai", "vendor:OpenAI", "provided-by") in relations
    assert ("vendor:OpenAI", "owner:OpenAI", "owned-by") in relations
    users = {u for u, v, d in graph.edges if d["relation"] == "uses"}
    assert users == {"module:shop.ai.client"}


def test_shortest_exposure_chain_and_hotspots() -> None:
    project = shop_graph()
    chain = exposure_chain(project, "module:shop.views", "OpenAI")
    assert chain is not None and chain[0] == "shop.views" and chain[-3:] == ["shop.ai.client", "openai", "OpenAI"]
    assert len(chain) == 5
    assert exposure_chain(project, "module:shop.config", "OpenAI") is None


def test_hotspots_rank_coupling_by_dependents() -> None:
    result = lockaudit("scan", SHOP, "--format", "json")
    hotspots = json.loads(result.stdout)["summary"]["hotspots"]
    assert [h["module"] for h in hotspots] == ["shop.ai.client"]
    assert hotspots[0]["dependents"] == 4 and hotspots[0]["fan_in"] == 3  # orders, search, reviews; views via them


def test_graph_command_formats() -> None:
    as_json = json.loads(lockaudit("graph", SHOP).stdout)
    assert {"module:shop.ai.client", "vendor:OpenAI"} <= {n["id"] for n in as_json["nodes"]}
    graphml = nx.read_graphml(io.BytesIO(lockaudit("graph", SHOP, "--format", "graphml").stdout.encode()))
    assert graphml.has_edge("module:shop.ai.client", "product:openai")
    dot = lockaudit("graph", SHOP, "--format", "dot").stdout
    assert dot.startswith("digraph lockaudit {") and '"module:shop.ai.client" -> "product:openai"' in dot


def test_transitive_exposure_per_vendor() -> None:
    result = lockaudit("scan", SHOP, "--format", "json")
    (openai,) = json.loads(result.stdout)["summary"]["exposure"]
    assert openai["vendor"] == "OpenAI" and openai["modules"] == 5 and openai["direct"] == 1
    assert openai["chains"][0] == "shop.views → shop.orders → shop.ai.client → openai → OpenAI"


def _random_importers(seed: int, nodes: int, edges: int, cycles: bool) -> dict[int, set[int]]:
    """node -> its importers; without cycles every importer has a larger number than what it imports."""
    rng = random.Random(seed)
    found: dict[int, set[int]] = {n: set() for n in range(nodes)}
    for _ in range(edges):
        a, b = rng.sample(range(nodes), 2)
        imported, importer = (a, b) if cycles or a < b else (b, a)
        found[imported].add(importer)
    return found


def _ancestors(node: int, importers: dict[int, set[int]]) -> set[int]:
    seen: set[int] = set()
    stack = list(importers[node])
    while stack:
        current = stack.pop()
        if current not in seen:
            seen.add(current)
            stack.extend(importers[current])
    seen.discard(node)
    return seen


@pytest.mark.parametrize("seed", range(12))
def test_upstream_counts_every_dependent_once_and_chains_are_real_import_paths(seed: int) -> None:
    importers = _random_importers(seed, nodes=60, edges=90 + 10 * seed, cycles=seed % 2 == 1)
    upstream = Upstream(importers)
    for node in importers:
        assert upstream.dependents[node] == len(_ancestors(node, importers))
        chain = [*upstream.chain(node, limit=1000), node]
        assert len(set(chain)) == len(chain)  # no loop, even through import cycles
        assert all(earlier in importers[later] for earlier, later in zip(chain, chain[1:]))
        assert (len(chain) == 1) == (not importers[node])


def test_upstream_chain_is_the_deepest_in_an_acyclic_graph() -> None:
    importers = _random_importers(3, nodes=40, edges=80, cycles=False)
    deepest: dict[int, int] = {}
    for node in range(39, -1, -1):  # importers have larger numbers: they are settled first
        deepest[node] = max((deepest[i] + 1 for i in importers[node]), default=0)
    upstream = Upstream(importers)
    assert all(len(upstream.chain(node, limit=1000)) == deepest[node] for node in importers)
    assert all(len(upstream.chain(node)) == min(deepest[node], 5) for node in importers)


def test_strongly_connected_components_are_mutually_reachable_and_ordered() -> None:
    importers = _random_importers(7, nodes=50, edges=70, cycles=True)
    imports: dict[int, set[int]] = {n: set() for n in importers}
    for imported, found in importers.items():
        for importer in found:
            imports[importer].add(imported)
    components = strongly_connected(imports)
    assert sorted(n for c in components for n in c) == sorted(importers)
    position = {n: i for i, c in enumerate(components) for n in c}
    for node in importers:
        reach = _ancestors(node, imports) | {node}  # what it imports, transitively
        assert {n for n in reach if node in _ancestors(n, imports) | {n}} == set(components[position[node]])
        assert all(position[m] <= position[node] for m in imports[node])  # imported components come first
    assert any(len(c) > 1 for c in components)


def test_a_vendor_reached_only_through_an_optional_import_is_counted_apart(tmp_path) -> None:
    """One guarded import inside a function must not make every importer 'exposed' to the vendor."""
    from helpers import write_tree

    files = {
        "app/__init__.py": "",
        "app/plugins.py": (
            "def load():\n    try:\n        import langchain_openai\n    except ImportError:\n        return None\n"
            "    return langchain_openai\n"
        ),
        "app/llm.py": "import anthropic\n\nclient = anthropic.Anthropic()\n",
    }
    for i in range(6):
        files[f"app/m{i}.py"] = "from app import plugins\nfrom app import llm\n"
    write_tree(tmp_path, files)
    rows = {
        row["vendor"]: row
        for row in json.loads(lockaudit("scan", tmp_path, "--format", "json", "--no-cache").stdout)["summary"][
            "exposure"
        ]
    }
    assert (rows["OpenAI"]["modules"], rows["OpenAI"]["optional"]) == (0, 7)
    assert all(chain.endswith("(optional import)") for chain in rows["OpenAI"]["chains"])
    assert (rows["Anthropic"]["modules"], rows["Anthropic"]["optional"]) == (7, 0)
    assert list(rows) == ["Anthropic", "OpenAI"]  # ranked by the modules that always reach it
