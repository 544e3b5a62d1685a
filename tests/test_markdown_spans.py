"""The Markdown summary read back as GitHub reads it: every code span shows its text exactly
(no backslash from an escape that does not work inside a span), in a table as elsewhere, and
nothing from the scanned tree or a saved audit becomes a link, an image or HTML."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.report.escape import MD_BREAK
from helpers import lockaudit, write_tree

markdown_it = pytest.importorskip("markdown_it")

CLIENT = "import openai\nclient = openai.OpenAI()\n"
# Names with every character a backslash escape would show inside a span: `_`, `*`, `|`, a
# backtick, a backslash; and a run of backticks, which needs a longer fence.
TRICKY_NAMES = ["app/my_llm__client.py", "app/star*name|pipe.py", "app/tick`name``x.py", "app/back\\slash_.py"]
HOSTILE_NAMES = [
    "app/[x](https:evil.example)<img src=x onerror=alert(1)>.py",
    "app/![i](https:x) <b>bold<b>.py",
    "app/<a href=https:evil.example>a<a>.py",
    "app/_e_ *s* ~~t~~ &amp;.py",
    "app/a|b|c.py",
]


class Rendered:
    """A Markdown document as markdown-it-py parses it with GitHub's tables and raw HTML on."""

    def __init__(self, markdown: str) -> None:
        self.tokens = markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table").parse(markdown)
        self.blocks: list[tuple[str, Any]] = []  # (innermost block: td, th, li, p or h, its inline token)
        self.rows: list[list[Any]] = []  # each body row's cells
        stack: list[str] = []
        for token in self.tokens:
            if token.nesting == 1:
                stack.append(token.type[:-5])
                if token.type == "tr_open":
                    self.rows.append([])
            elif token.nesting == -1:
                stack.pop()
            elif token.type == "inline":
                where = next((kind for kind in reversed(stack) if kind in ("td", "th", "list_item", "heading")), "p")
                self.blocks.append(({"list_item": "li", "heading": "h"}.get(where, where), token))
                if where == "td":
                    self.rows[-1].append(token)

    def codes(self, where: str) -> list[str]:
        return [
            child.content
            for kind, token in self.blocks
            if kind == where
            for child in token.children
            if child.type == "code_inline"
        ]

    def injected(self) -> list[str]:
        """Links, images and HTML: none may come from the tree (the empty comment that breaks a
        mention or an autolink is lockaudit's own)."""
        found = [t.type for t in self.tokens if t.type == "html_block"]
        for _, token in self.blocks:
            for child in token.children:
                if child.type in ("link_open", "image") or (child.type == "html_inline" and child.content != MD_BREAK):
                    found.append(f"{child.type}: {child.content or child.attrs}")
        return found


def text(inline: Any) -> str:
    """What a reader sees of an inline run: its text and code, markup and the empty comment left out."""
    return "".join(child.content for child in inline.children if child.type in ("text", "code_inline"))


def _project(root: Path, names: list[str]) -> None:
    write_tree(root, dict.fromkeys(names, CLIENT))


def _saved_audit(root: Path, tmp_path: Path) -> dict[str, Any]:
    saved = tmp_path / "audit.json"
    result = lockaudit("scan", root, "--json", saved)
    assert result.returncode == 0, result.stderr
    return json.loads(saved.read_text())


def _report(audit: dict[str, Any], tmp_path: Path) -> str:
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(audit))
    result = lockaudit("report", changed, "--format", "markdown")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    return result.stdout


def _findings_table(rendered: Rendered) -> list[list[str]]:
    return [[text(cell) for cell in row] for row in rendered.rows if len(row) == 4]


def test_paths_rule_ids_and_messages_in_the_findings_table_show_the_original_text(tmp_path: Path) -> None:
    root = tmp_path / "project"
    _project(root, TRICKY_NAMES)
    out = tmp_path / "summary.md"
    result = lockaudit("check", root, "--markdown", out)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    audit = json.loads(lockaudit("scan", root, "--format", "json").stdout)
    rendered = Rendered(out.read_text())
    table = _findings_table(rendered)
    assert sorted(table) == sorted(
        [f["severity"], f["rule_id"], f"{f['path']}:{f['line']}", f["message"]] for f in audit["findings"]
    )
    assert sorted(rendered.codes("td")) == sorted(f["rule_id"] for f in audit["findings"])
    leaks = [text(token) for kind, token in rendered.blocks if kind == "li"]
    assert [leak.split(" (")[0] for leak in leaks] == [leak["path"] for leak in audit["summary"]["leaks"]]
    assert not rendered.injected()


def test_code_spans_in_list_items_and_paragraphs_show_the_original_text(tmp_path: Path) -> None:
    root = tmp_path / "project"
    adapter = "app/my_llm__client.py"
    write_tree(
        root,
        {
            "app/__init__.py": "",
            adapter: CLIENT + "def ask(q):\n    return client.models.list()\n",
            **{f"app/use_{n}.py": "from app.my_llm__client import ask\nask(1)\n" for n in "abc"},
        },
    )
    baseline = "base_line*|`x``\\y__.json"
    made = lockaudit("baseline", root, "-o", root / baseline)
    assert made.returncode == 0, made.stderr
    result = lockaudit("check", root, "--baseline", root / baseline, "--format", "markdown")
    assert "Traceback" not in result.stderr, result.stderr
    rendered = Rendered(result.stdout)
    assert rendered.codes("li") == [adapter]
    assert rendered.codes("p") == ["medium", "[tool.lockaudit]", f'adapters = ["{adapter}"]', baseline]
    assert not rendered.injected()


@pytest.mark.parametrize("rule_id", ["my_rule__x", "a*b|c", "tick`x``y", "back\\slash\\|", "`", "|", "\\", " _ "])
def test_code_spans_in_a_table_cell_keep_pipes_backticks_and_backslashes(tmp_path: Path, rule_id: str) -> None:
    root = tmp_path / "project"
    _project(root, ["app/client.py"])
    audit = _saved_audit(root, tmp_path)
    for finding in audit["findings"]:
        finding["rule_id"] = rule_id
    rendered = Rendered(_report(audit, tmp_path))
    table = _findings_table(rendered)
    assert len(table) == len(audit["findings"]) and {row[1] for row in table} == {rule_id}
    assert rendered.codes("td") == [rule_id] * len(audit["findings"])


HOSTILE = "med_ium` <img src=x onerror=alert(1)> [l](https://evil.example) <b>|\\"


def test_the_gate_threshold_of_a_saved_audit_is_shown_not_rendered(tmp_path: Path) -> None:
    root = tmp_path / "project"
    write_tree(root, {"app/plain.py": "print(1)\n"})  # no findings: no severity is compared with it
    audit = _saved_audit(root, tmp_path)
    audit["config"]["fail_on"] = HOSTILE
    rendered = Rendered(_report(audit, tmp_path))
    assert not rendered.injected()
    assert rendered.codes("p")[0] == HOSTILE


def test_numbers_of_a_saved_audit_cannot_inject_or_break_a_table(tmp_path: Path) -> None:
    root = tmp_path / "project"
    _project(root, TRICKY_NAMES)
    audit = _saved_audit(root, tmp_path)
    summary = audit["summary"]
    summary["files_analysed"] = summary["scores"]["portability"]["score"] = HOSTILE
    summary["boundary"]["direct"] = HOSTILE
    summary["scores"]["exit_plans"][0].update(files=HOSTILE, vendor="Open_AI*|x")
    summary["leaks"][0]["rank"] = HOSTILE
    for finding in audit["findings"]:  # all or none: the table sorts by line
        finding["line"] = HOSTILE
    rendered = Rendered(_report(audit, tmp_path))
    assert not rendered.injected()
    plans = [[text(cell) for cell in row] for row in rendered.rows if len(row) == 5]
    assert plans[0][:2] == ["Open_AI*|x", HOSTILE]
    assert len(_findings_table(rendered)) == len(audit["findings"])
    assert any(text(cell) == f"{audit['findings'][0]['path']}:{HOSTILE}" for row in rendered.rows for cell in row)


def test_hostile_file_names_become_neither_links_images_nor_html(tmp_path: Path) -> None:
    root = tmp_path / "project"
    _project(root, HOSTILE_NAMES)
    result = lockaudit("scan", root, "--format", "markdown")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    rendered = Rendered(result.stdout)
    assert not rendered.injected()
    where = {row[2].rsplit(":", 1)[0] for row in _findings_table(rendered)}
    assert where == set(HOSTILE_NAMES)
