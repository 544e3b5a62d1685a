"""The project graph: import edges, what modules reach, chains, hotspots, and its formats."""

from __future__ import annotations

import io
import json

import networkx as nx

from auditor.config import load_config
from auditor.graph import exposure_chain
from auditor.packs import load_rules
from auditor.pipeline import analyse
from helpers import FIXTURES, lockaudit

SHOP = FIXTURES / "inferred-adapter"


def shop_graph():
    loaded = load_config(SHOP)
    return analyse(SHOP, loaded.config, load_rules()).graph


def test_edges_from_modules_to_owners() -> None:
    graph = shop_graph().graph
    relations = {(u, v, d["relation"]) for u, v, d in graph.edges(data=True)}
    assert ("module:shop.reviews", "module:shop.ai.client", "imports") in relations
    assert ("module:shop.search", "module:shop.ai.client", "imports") in relations  # `from shop.ai import client`
    assert ("module:shop.ai.client", "product:openai", "uses") in relations
    assert ("product:openai", "vendor:OpenAI", "provided-by") in relations
    assert ("vendor:OpenAI", "owner:OpenAI", "owned-by") in relations
    users = {u for u, v, d in graph.edges(data=True) if d["relation"] == "uses"}
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
