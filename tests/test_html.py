"""The HTML report as a file: self-contained, every section in order, hostile text escaped."""

from __future__ import annotations

import re
from pathlib import Path

from helpers import FIXTURES, lockaudit, scan_json

HOSTILE_NAME = 'evil"><img src=x onerror=alert(2)><script>alert(1)<script>{{ 7*7 }}.py'


def render(root: Path, out: Path) -> str:
    result = lockaudit("scan", root, "--html", out)
    assert result.returncode == 0, result.stderr
    return out.read_text(encoding="utf-8")


def test_self_contained_with_every_section_in_order(tmp_path: Path) -> None:
    html = render(FIXTURES / "concentrated-stack", tmp_path / "r.html")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html), "no request may leave the file"
    assert "<link" not in html and "@import" not in html
    headings = re.findall(r'<h2 id="h-\w+">(\d)\. ', html)
    assert headings == ["1", "2", "3", "4", "5", "6", "7", "8", "9"]
    assert "Leaving OpenAI: " in html and "<svg" in html
    assert "Astral → OpenAI (announced 2026-03-19)" in html and "GitHub → Microsoft (completed 2018-10-26)" in html


def test_hostile_file_names_and_values_are_text(tmp_path: Path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    (root / HOSTILE_NAME).write_text('import openai\nMODEL = "gpt-4o"\n')
    (root / "app.py").write_text("import os\n")
    html = render(root, tmp_path / "r.html")
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;script&gt;" in html
    assert "{{ 7*7 }}" in html and ">49<" not in html
    assert html.count("<script>") == 1  # only the report's own filter script


def test_report_command_renders_html_from_a_saved_audit(tmp_path: Path) -> None:
    saved, direct = tmp_path / "audit.json", tmp_path / "direct.html"
    assert lockaudit("scan", FIXTURES / "demo", "--json", saved, "--html", direct).returncode == 0
    assert lockaudit("report", saved, "--html", tmp_path / "r.html").returncode == 0
    assert (tmp_path / "r.html").read_text() == direct.read_text()


def test_exit_plans_show_the_scores_numbers(tmp_path: Path) -> None:
    """The HTML computes nothing: every vendor's effort and each step's is the audit's."""
    for name in ("demo", "concentrated-stack", "provider-plugins"):
        plans = scan_json(FIXTURES / name)["summary"]["scores"]["exit_plans"]
        html = render(FIXTURES / name, tmp_path / f"{name}.html")
        shown = dict(re.findall(r"<strong>Leaving ([^<]+)</strong> — (\d+) effort points", html))
        assert shown == {plan["vendor"]: str(plan["effort"]) for plan in plans}
        for plan in plans:
            for module in plan["adapter"]["modules"]:
                assert f"<td>adapter</td><td><code>{module['path']}</code>" in html


def test_the_coupling_map_undoes_crossings_keeps_code_before_manifests_and_links_to_findings(tmp_path) -> None:
    from collections import Counter

    from auditor.report.maps import _ordered

    edges = Counter(
        {
            ("f:a.py", "p:zeta"): 1,
            ("f:b.py", "p:alpha"): 1,
            ("f:pyproject.toml", "p:alpha"): 1,
            ("p:alpha", "v:A"): 2,
            ("p:zeta", "v:Z"): 1,
            ("v:A", "o:A"): 2,
            ("v:Z", "o:Z"): 1,
        }
    )
    columns = _ordered(
        [("f", ["a.py", "b.py", "pyproject.toml"]), ("p", ["alpha", "zeta"]), ("v", ["A", "Z"]), ("o", ["A", "Z"])],
        edges,
    )
    files, products = columns[0][1], columns[1][1]
    position = {**{f"f:{n}": i for i, n in enumerate(files)}, **{f"p:{n}": i for i, n in enumerate(products)}}
    pairs = [(position[s], position[t]) for s, t in edges if s.startswith("f:")]
    crossings = sum(1 for (a, b) in pairs for (c, d) in pairs if a < c and b > d)
    assert crossings == 0 and files[-1] == "pyproject.toml"  # code first, then the manifests
    html = tmp_path / "report.html"
    assert lockaudit("scan", FIXTURES / "web-app", "--html", html, "--no-cache").returncode == 0
    page = html.read_text()
    links = re.findall(r'<a href="#(file-[0-9a-f]{12})"><g class="node">', page)
    assert links and all(f'<tr id="{anchor}" class="finding"' in page for anchor in links)


def _boundary_svg(page: str) -> str:
    found = re.search(r'<svg role="img" aria-label="Boundary map: .*?</svg>', page, re.S)
    assert found, "the boundary map is drawn"
    return found.group(0)


def test_the_boundary_map_boxes_the_adapters_and_draws_each_leak_crossing_it(tmp_path: Path) -> None:
    audit = scan_json(FIXTURES / "demo")
    boundary, leaks = audit["summary"]["boundary"], audit["summary"]["leaks"]
    html = tmp_path / "report.html"
    assert lockaudit("scan", FIXTURES / "demo", "--html", html, "--no-cache").returncode == 0
    svg = _boundary_svg(html.read_text())
    assert svg.count('class="boundary"') == 1 and "adapter boundary (inferred)" in svg
    adapters = {m for a in boundary["adapters"] for m in a["modules"]}
    assert adapters == {"support_bot/llm.py", "support_bot/tokens.py"}
    inside = re.findall(r'<g class="node">.*?<title>([^<]+)</title>', svg)
    assert adapters <= set(inside)
    drawn = re.findall(r'<path class="leak"[^>]*><title>([^<]+?) uses ([^<]+?) directly', svg)
    assert sorted(drawn) == sorted((leak["path"], v) for leak in leaks for v in leak["vendors"])
    assert set(re.findall(r'<g class="node leak">.*?<title>([^<]+)</title>', svg)) == {
        f"#{leak['rank']} {leak['path']}" for leak in leaks
    }
    # each leak's node leads to its findings
    for leak in leaks:
        assert re.search(r'<a href="#(file-[0-9a-f]{12})"><g class="node leak">.*?' + re.escape(leak["path"]), svg)


def test_the_boundary_map_says_when_there_is_no_boundary_and_escapes_names(tmp_path: Path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    for name in (HOSTILE_NAME, "b.py", "c.py", "d.py"):
        (root / name).write_text("import openai\nclient = openai.OpenAI()\n")
    audit = scan_json(root, "--no-cache")
    assert audit["summary"]["boundary"]["source"] == "none" and audit["summary"]["leaks"]
    svg = _boundary_svg(render(root, tmp_path / "r.html"))
    assert "no adapter boundary" in svg and '<rect class="boundary"' not in svg
    assert "<img src=x" not in svg and "&lt;script&gt;" in svg
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "app.py").write_text("import json\n")
    assert 'aria-label="Boundary map' not in render(empty, tmp_path / "e.html")


def test_the_coupling_map_orders_a_node_with_no_neighbour_in_the_next_column(tmp_path: Path) -> None:
    """More files than the map shows: a product only the hidden files use has no neighbour among
    the files drawn, and keeps its place instead of failing the report."""
    files = {f"app/m{n:02}.py": "import openai\nopenai.OpenAI()\nopenai.OpenAI()\n" for n in range(16)}
    files["app/zz_rare.py"] = "import anthropic\n"  # the least coupled file: not drawn
    root = tmp_path / "p"
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    page = render(root, tmp_path / "r.html")
    svg = re.search(r'<svg role="img" aria-label="Coupling map: .*?</svg>', page, re.S)
    assert svg and ">anthropic<" in svg.group(0) and ">app/zz_rare.py<" not in svg.group(0)
