"""The coupling graph as JSON (node-link), GraphML or Graphviz DOT. Names come from the
scanned tree: JSON and GraphML keep their values (invisible characters as `\\u` escapes or
character references), DOT, which people read and graphviz draws, shows them visibly."""

from __future__ import annotations

import io
import re
from typing import Any

import networkx as nx

from auditor.report.escape import json_document, visible, xml_text

_DOT_ID = re.compile(r"[^\w.:-]")
SHAPES = {
    "module": "box",
    "distribution": "folder",
    "project": "tab",
    "product": "component",
    "vendor": "ellipse",
    "owner": "house",
}


def render_graph(graph: nx.MultiDiGraph[Any], fmt: str) -> str:
    if fmt == "json":
        data = nx.node_link_data(graph, edges="edges")
        data["nodes"].sort(key=lambda n: n["id"])
        data["edges"].sort(key=lambda e: (e["source"], e["target"], e.get("relation", ""), e.get("line", 0)))
        return json_document(data, indent=2)
    if fmt == "graphml":
        buffer = io.BytesIO()
        nx.write_graphml(graph, buffer)
        return xml_text(buffer.getvalue().decode("utf-8"))
    lines = ["digraph lockaudit {", "  rankdir=LR;"]
    for node, data in sorted(graph.nodes(data=True)):
        lines.append(
            f"  {_quote(node)} [label={_quote(data.get('name', node))}, "
            f"shape={SHAPES.get(data.get('kind', ''), 'ellipse')}];"
        )
    seen = set()
    for source, target, data in sorted(graph.edges(data=True), key=lambda e: (e[0], e[1])):
        key = (source, target, data.get("relation"))
        if key in seen:
            continue
        seen.add(key)
        lines.append(f"  {_quote(source)} -> {_quote(target)} [label={_quote(data.get('relation', ''))}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _quote(text: object) -> str:
    """A DOT string: module names come from the tree, so invisible characters show as escapes."""
    escaped = visible(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'
