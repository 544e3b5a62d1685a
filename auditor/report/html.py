"""The HTML portability report: one self-contained file (inline CSS, SVG and a little
vanilla JavaScript; no request to the network) for architecture reviews. Jinja2 with
autoescaping renders the template in `reports/`; everything from the scanned tree is
escaped, and every value the template shows first has its control, bidi and invisible
characters made visible (`_shown`): a bidi override changes what a reviewer reads as surely
as a `<` changes the markup. Every number comes from the Audit (the exit plans from its
scores); the coupling map's layered layout is drawn here, from the inventory of the counted code."""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter


from markupsafe import Markup, escape

from auditor.audit import Audit, UsageRecord, role_tally
from auditor.report.escape import visible
from auditor.report.text import leaks_heading
from auditor.resources import data_dir
from auditor.severity import SEVERITIES

MAP_KINDS = frozenset({"import", "client", "call", "feature", "config", "dependency"})
MAP_MODULES = 14  # the most coupled source files shown in the map
DEPENDENCY_STATUS = {
    "used": "declared and imported", "unused": "declared, never imported by the code analysed",
    "undeclared": "imported; no manifest lockaudit read declares it", "transitive": "locked only: another package pulls it in",
    "tool": "a tool: run, not imported",
}


def render_html(audit: Audit) -> str:
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(data_dir("reports"))), autoescape=True, finalize=_shown,
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )
    summary = audit.summary()
    portability = summary["scores"]["portability"]
    plans = summary["scores"].get("exit_plans", [])
    owners_of = {r.vendor: r.owner for r in audit.inventory if r.vendor and r.owner}
    headline = plans[0]["summary"][0].upper() + plans[0]["summary"][1:] + "." if plans else ""
    product, others = audit.split_findings()
    counted = [r for r in audit.inventory if audit.counted(r.role)]
    anchors: dict[str, str] = {}  # a file's first finding row: where its node on the map leads
    first_rows: dict[int, str] = {}
    for index, finding in enumerate(product):
        if finding.path not in anchors:
            anchors[finding.path] = first_rows[index] = f"file-{hashlib.sha256(finding.path.encode()).hexdigest()[:12]}"
    return environment.get_template("report.html.j2").render(
        audit=audit, summary=summary, project=audit.root.rstrip("/").rsplit("/", 1)[-1] or audit.root,
        portability=portability, exit_plans=plans, owners_of=owners_of, headline=headline,
        coupling_svg=coupling_map(counted, owners_of, anchors), first_rows=first_rows,
        concentration=[f for f in product if f.rule_id == "owner-concentration"],
        severities=list(reversed(SEVERITIES)),
        finding_vendors=sorted({f.vendor for f in audit.findings if f.vendor}),
        finding_layers=sorted({f.layer for f in audit.findings if f.layer}),
        finding_rules=sorted({f.rule_id for f in audit.findings}),
        product_findings=product, other_findings=others, other_files=len({f.path for f in others}),
        other_roles=role_tally(others),
        toolchain=[r for r in counted if r.kind == "config"],
        config_text=json.dumps(audit.config, ensure_ascii=False), dependency_status=DEPENDENCY_STATUS,
        leaks_heading=leaks_heading(len(summary["leaks"]), summary["boundary"]),
    )


def _shown(value: object) -> object:
    """Every `{{ … }}` value before autoescaping: text with its invisible characters made
    visible. Markup too: `join` and `e` return it, already escaped, and escapes add no markup.
    A tab is kept: to HTML it is a space, or a tab inside a quoted line of code. In Markup a
    newline is kept as well: a macro's own line breaks are layout, and written out as `\x0a`
    between a table's rows they became text the parser moves above the table."""
    if isinstance(value, Markup):
        return Markup(visible(str(value), keep="\t\n"))
    return visible(value, keep="\t") if isinstance(value, str) else value


def coupling_map(inventory: list[UsageRecord], owners_of: dict[str, str],
                 anchors: dict[str, str] | None = None) -> Markup:
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
    weight = Counter()
    for (path, _), count in uses.items():
        weight[path] += count
    chosen = {path for path, _ in weight.most_common(MAP_MODULES)}
    edges: Counter[tuple[str, str]] = Counter()
    for (path, product), count in uses.items():
        if path in chosen:
            edges[(f"f:{path}", f"p:{product}")] += count
    for (path, product), count in uses.items():
        edges[(f"p:{product}", f"v:{vendor_of[product]}")] += count
    for vendor in sorted(set(vendor_of.values())):
        owner = owners_of.get(vendor, vendor)
        edges[(f"v:{vendor}", f"o:{owner}")] += sum(c for (s, t), c in edges.items() if t == f"v:{vendor}")
    code_first = sorted(chosen, key=lambda path: (not path.endswith((".py", ".pyi", ".ipynb")), path))
    columns = _ordered([("f", code_first), ("p", sorted({p for (_, p) in uses})),
                        ("v", sorted(set(vendor_of.values()))),
                        ("o", sorted({t[2:] for (_, t) in edges if t.startswith("o:")}))], edges)
    files, products, vendors, owners = (items for _, items in columns)
    width, row, node_w, node_h = 1100, 30, 220, 22
    height = max(len(items) for _, items in columns) * row + 40
    position: dict[str, tuple[float, float]] = {}
    parts = []
    for index, (prefix, items) in enumerate(columns):
        x = 10 + index * (width - node_w - 20) / 3
        gap = (height - 40) / max(len(items), 1)
        for n, item in enumerate(items):
            y = 30 + n * gap
            position[f"{prefix}:{item}"] = (x, y)
            shown = visible(item)
            label = shown if len(shown) <= 32 else "…" + shown[-31:]
            node = (f'<g class="node"><rect x="{x:.0f}" y="{y:.0f}" width="{node_w}" height="{node_h}" rx="4"/>'
                    f'<text x="{x + 6:.0f}" y="{y + 15:.0f}">{escape(label)}</text><title>{escape(shown)}</title></g>')
            anchor = (anchors or {}).get(item) if prefix == "f" else None
            parts.append(f'<a href="#{anchor}">{node}</a>' if anchor else node)  # to the file's findings
    heads = ["Files", "SDKs and tools", "Vendors", "Owners"]
    for index, head in enumerate(heads):
        parts.append(f'<text x="{10 + index * (width - node_w - 20) / 3:.0f}" y="16" font-weight="bold">{head}</text>')
    lines = []
    for (source, target), count in sorted(edges.items()):
        if source not in position or target not in position:
            continue
        (x1, y1), (x2, y2) = position[source], position[target]
        x1, y1, y2 = x1 + node_w, y1 + node_h / 2, y2 + node_h / 2
        middle = (x1 + x2) / 2
        stroke = 1 + 2 * math.log2(1 + count)
        lines.append(f'<path class="edge" d="M{x1:.0f},{y1:.0f} C{middle:.0f},{y1:.0f} {middle:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"'
                     f' stroke-width="{stroke:.1f}"><title>{escape(visible(source[2:]))} → {escape(visible(target[2:]))}: {count}</title></path>')
    label = (f"Coupling map: {len(files)} files use {len(products)} SDKs and tools from {len(vendors)} vendors "
             f"owned by {len(owners)} companies; the tables below give the same facts")
    return Markup(f'<svg role="img" aria-label="{escape(label)}" viewBox="0 0 {width} {height:.0f}" width="100%">'
                  + "".join(lines) + "".join(parts) + "</svg>")


def _ordered(columns: list[tuple[str, list[str]]], edges: Counter[tuple[str, str]],
             sweeps: int = 2) -> list[tuple[str, list[str]]]:
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
        def centre(node: str) -> float:
            near = [rank[n] for n in neighbours.get(node, ()) if n in rank]
            return sum(near) / len(near) if near else float(order[index].index(node))
        previous = {node: n for n, node in enumerate(order[index])}
        group = (lambda node: not node.endswith((".py", ".pyi", ".ipynb"))) if index == 0 else (lambda node: False)
        order[index].sort(key=lambda node: (group(node), centre(node), previous[node]))

    for _ in range(sweeps):
        for index in range(1, len(order)):
            arrange(index, index - 1)
        for index in range(len(order) - 2, -1, -1):
            arrange(index, index + 1)
    return [(prefix, [node[len(prefix) + 1:] for node in nodes]) for (prefix, _), nodes in zip(columns, order)]
