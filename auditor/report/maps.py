"""The report's two pictures, as inline SVG: the coupling map (files → SDKs → vendors →
owners) and the boundary map (the adapter modules in their box, and the leaks reaching past
it to a vendor). Every label is made visible (`visible`) and escaped; each picture's
`aria-label` says what it shows, and the tables beside it give the same facts."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from markupsafe import Markup, escape

from auditor.audit import UsageRecord
from auditor.report.escape import visible

MAP_KINDS = frozenset({"import", "client", "call", "feature", "config", "dependency"})
MAP_MODULES = 14  # the most coupled source files shown in the map
BOUNDARY_LEAKS = 10  # the highest-ranked leaks drawn; the table lists them all
BOUNDARY_ADAPTERS = 12
WIDTH, ROW, NODE_W, NODE_H = 1100, 30, 220, 22


def coupling_map(
    inventory: list[UsageRecord], owners_of: dict[str, str], anchors: dict[str, str] | None = None
) -> Markup:
    """A layered SVG: files → products → vendors → owners, edge widths by usage; a file's node
    links to its first finding (`anchors`: path -> row id)."""
    uses: Counter[tuple[str, str]] = Counter()
    vendor_of: dict[str, str] = {}
    for record in inventory:
        if record.kind in MAP_KINDS and record.product and record.vendor:
            uses[(record.path, record.product)] += 1
            vendor_of.setdefault(record.product, record.vendor)
    if not uses:
        return Markup("<p>No vendor products are used.</p>")
    weight: Counter[str] = Counter()
    for (path, _), count in uses.items():
        weight[path] += count
    chosen = {path for path, _ in weight.most_common(MAP_MODULES)}
    edges: Counter[tuple[str, str]] = Counter()
    for (path, product), count in uses.items():
        if path in chosen:
            edges[(f"f:{path}", f"p:{product}")] += count
    for (_, product), count in uses.items():
        edges[(f"p:{product}", f"v:{vendor_of[product]}")] += count
    for vendor in sorted(set(vendor_of.values())):
        owner = owners_of.get(vendor, vendor)
        edges[(f"v:{vendor}", f"o:{owner}")] += sum(c for (s, t), c in edges.items() if t == f"v:{vendor}")
    code_first = sorted(chosen, key=lambda path: (not path.endswith((".py", ".pyi", ".ipynb")), path))
    columns = _ordered(
        [
            ("f", code_first),
            ("p", sorted({p for (_, p) in uses})),
            ("v", sorted(set(vendor_of.values()))),
            ("o", sorted({t[2:] for (_, t) in edges if t.startswith("o:")})),
        ],
        edges,
    )
    files, products, vendors, owners = (items for _, items in columns)
    width, row, node_w = WIDTH, ROW, NODE_W
    height = max(len(items) for _, items in columns) * row + 40
    position: dict[str, tuple[float, float]] = {}
    parts = []
    for index, (prefix, items) in enumerate(columns):
        x = 10 + index * (width - node_w - 20) / 3
        gap = (height - 40) / max(len(items), 1)
        for n, item in enumerate(items):
            y = 30 + n * gap
            position[f"{prefix}:{item}"] = (x, y)
            parts.append(_node(x, y, item, (anchors or {}).get(item) if prefix == "f" else None))
    heads = ["Files", "SDKs and tools", "Vendors", "Owners"]
    for index, head in enumerate(heads):
        parts.append(f'<text x="{10 + index * (width - node_w - 20) / 3:.0f}" y="16" font-weight="bold">{head}</text>')
    lines = []
    for (source, target), count in sorted(edges.items()):
        if source not in position or target not in position:
            continue
        lines.append(
            _edge(position[source], position[target], count, f"{visible(source[2:])} → {visible(target[2:])}: {count}")
        )
    label = (
        f"Coupling map: {len(files)} files use {len(products)} SDKs and tools from {len(vendors)} vendors "
        f"owned by {len(owners)} companies; the tables below give the same facts"
    )
    return Markup(
        f'<svg role="img" aria-label="{escape(label)}" viewBox="0 0 {width} {height:.0f}" width="100%">'
        + "".join(lines)
        + "".join(parts)
        + "</svg>"
    )


def boundary_map(
    boundary: dict[str, Any],
    leaks: list[dict[str, Any]],
    inventory: list[UsageRecord],
    anchors: dict[str, str] | None = None,
) -> Markup:
    """The adapter modules inside a dashed box, each joined to the vendors it wraps, and the
    highest-ranked leaks outside it, joined to their vendors by red lines that cross the box:
    what the boundary holds and where the code goes around it. Empty when no vendor is used."""
    vendors_of: dict[str, set[str]] = {}
    uses: Counter[str] = Counter()
    for record in inventory:
        if record.kind in MAP_KINDS and record.vendor:
            vendors_of.setdefault(record.path, set()).add(record.vendor)
            uses[record.path] += 1
    adapters = sorted(
        {m for a in boundary.get("adapters", ()) for m in a.get("modules", ())} & set(vendors_of),
        key=lambda path: (-uses[path], path),
    )  # the busiest are drawn, in path order
    shown_leaks = [leak for leak in leaks[:BOUNDARY_LEAKS] if leak.get("vendors")]
    if not adapters and not shown_leaks:
        return Markup("")
    extra_adapters = max(0, len(adapters) - BOUNDARY_ADAPTERS)
    adapters = sorted(adapters[:BOUNDARY_ADAPTERS])
    vendors = sorted(
        {v for a in adapters for v in vendors_of[a]} | {v for leak in shown_leaks for v in leak["vendors"]}
    )
    columns = [10.0, (WIDTH - NODE_W) / 2, WIDTH - NODE_W - 10.0]
    rows = max(len(shown_leaks), len(adapters) + (1 if extra_adapters else 0), len(vendors), 1)
    height = rows * ROW + 70
    position: dict[str, tuple[float, float]] = {}
    parts, lines, crossing = [], [], []  # crossing: the leaks, drawn under the adapters they go past

    def place(key: str, column: int, index: int, count: int) -> tuple[float, float]:
        gap = (height - 70) / max(count, 1)
        position[key] = (columns[column], 40 + index * gap + (gap - ROW) / 2)
        return position[key]

    for index, vendor in enumerate(vendors):
        parts.append(_node(*place(f"v:{vendor}", 2, index, len(vendors)), vendor))
    for index, path in enumerate(adapters):
        parts.append(
            _node(
                *place(f"a:{path}", 1, index, len(adapters) + (1 if extra_adapters else 0)),
                path,
                (anchors or {}).get(path),
            )
        )
        lines += [
            _edge(position[f"a:{path}"], position[f"v:{v}"], 1, f"{visible(path)} wraps {visible(v)}")
            for v in sorted(vendors_of[path])
        ]
    for index, leak in enumerate(shown_leaks):
        parts.append(
            _node(
                *place(f"l:{leak['path']}", 0, index, len(shown_leaks)),
                leak["path"],
                (anchors or {}).get(leak["path"]),
                "node leak",
                prefix=f"#{visible(str(leak.get('rank', index + 1)))} ",
            )
        )
        crossing += [
            _edge(
                position[f"l:{leak['path']}"],
                position[f"v:{v}"],
                1,
                f"{visible(leak['path'])} uses {visible(v)} directly: {visible(leak.get('reason', ''))}",
                "leak",
                bend=0.2,
            )
            for v in leak["vendors"]
            if f"v:{v}" in position
        ]
    top = 30.0
    box_x = columns[1] - 14
    if adapters:
        box = (
            f'<rect class="boundary" x="{box_x:.0f}" y="{top:.0f}" width="{NODE_W + 28}" '
            f'height="{height - 50:.0f}" rx="10"/>'
        )
        caption = f"adapter boundary ({boundary.get('source', '')})"
    else:
        box = (
            f'<line class="boundary" x1="{columns[1] + NODE_W / 2:.0f}" y1="{top:.0f}" '
            f'x2="{columns[1] + NODE_W / 2:.0f}" y2="{height - 20:.0f}"/>'
        )
        caption = "no adapter boundary"
    if extra_adapters:
        x, y = columns[1], 40 + len(adapters) * (height - 70) / (len(adapters) + 1)
        parts.append(f'<text x="{x + 6:.0f}" y="{y + 15:.0f}">… and {extra_adapters} more adapter modules</text>')
    heads = [
        (columns[0], f"Leaks: product code using a vendor SDK directly ({len(leaks)})" if leaks else "No leaks"),
        (box_x, caption),
        (columns[2], "Vendors"),
    ]
    parts += [f'<text x="{x:.0f}" y="16" font-weight="bold">{escape(text)}</text>' for x, text in heads]
    label = (
        f"Boundary map: {len(adapters) + extra_adapters} adapter modules wrap {len(vendors)} vendors; "
        f"{len(shown_leaks)} of {len(leaks)} leaks drawn crossing the boundary; the tables above give the same facts"
    )
    return Markup(
        f'<svg role="img" aria-label="{escape(label)}" viewBox="0 0 {WIDTH} {height:.0f}" width="100%">'
        + box
        + "".join(lines)
        + "".join(crossing)
        + "".join(parts)
        + "</svg>"
    )


LABEL_CHARS = 28  # what fits in a node at 12 px; a longer name keeps its end, the file's own name


def _node(x: float, y: float, text: str, anchor: str | None = None, kind: str = "node", prefix: str = "") -> str:
    """A labelled box, its full text on hover, linking to the file's first finding when it has one."""
    shown = visible(text)
    room = LABEL_CHARS - len(prefix)
    label = prefix + (shown if len(shown) <= room else "…" + shown[-(room - 1) :])
    shown = prefix + shown
    node = (
        f'<g class="{kind}"><rect x="{x:.0f}" y="{y:.0f}" width="{NODE_W}" height="{NODE_H}" rx="4"/>'
        f'<text x="{x + 6:.0f}" y="{y + 15:.0f}">{escape(label)}</text><title>{escape(shown)}</title></g>'
    )
    return f'<a href="#{anchor}">{node}</a>' if anchor else node


def _edge(
    start: tuple[float, float], end: tuple[float, float], count: int, title: str, kind: str = "edge", bend: float = 0.5
) -> str:
    """A curve from the right of one node to the left of another, wider the more it is used;
    `bend` is where along the way it turns (a leak turns early, so it is seen to cross the
    adapters' column rather than end at one)."""
    (x1, y1), (x2, y2) = start, end
    x1, y1, y2 = x1 + NODE_W, y1 + NODE_H / 2, y2 + NODE_H / 2
    first, second = x1 + (x2 - x1) * bend, x2 - (x2 - x1) * bend
    stroke = 1 + 2 * math.log2(1 + count)
    return (
        f'<path class="{kind}" d="M{x1:.0f},{y1:.0f} C{first:.0f},{y1:.0f} {second:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"'
        f' stroke-width="{stroke:.1f}"><title>{escape(title)}</title></path>'
    )


def _ordered(
    columns: list[tuple[str, list[str]]], edges: Counter[tuple[str, str]], sweeps: int = 2
) -> list[tuple[str, list[str]]]:
    """Each column ordered by the mean position of its neighbours in the column before (then,
    sweeping back, after): the barycentre heuristic, enough to undo most crossings. Code files
    stay before manifests; ties keep the order they had."""
    neighbours: dict[str, list[str]] = {}
    for source, target in edges:
        neighbours.setdefault(source, []).append(target)
        neighbours.setdefault(target, []).append(source)
    order = [[f"{prefix}:{item}" for item in items] for prefix, items in columns]

    def arrange(index: int, reference: int) -> None:
        rank = {node: n for n, node in enumerate(order[reference])}
        previous = {node: n for n, node in enumerate(order[index])}

        def centre(node: str) -> float:
            """(A node with no neighbour there keeps its place: `list.sort` hides the list it sorts.)"""
            near = [rank[n] for n in neighbours.get(node, ()) if n in rank]
            return sum(near) / len(near) if near else float(previous[node])

        def group(node: str) -> bool:
            return index == 0 and not node.endswith((".py", ".pyi", ".ipynb"))

        order[index].sort(key=lambda node: (group(node), centre(node), previous[node]))

    for _ in range(sweeps):
        for index in range(1, len(order)):
            arrange(index, index - 1)
        for index in range(len(order) - 2, -1, -1):
            arrange(index, index + 1)
    return [(prefix, [node[len(prefix) + 1 :] for node in nodes]) for (prefix, _), nodes in zip(columns, order)]
