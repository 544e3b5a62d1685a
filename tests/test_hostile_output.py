"""No string from the scanned tree or from a rule pack injects into an output: a repository's
own pack and file names carry terminal escapes, bidi overrides, zero-width characters,
mentions, links and HTML, and every format shows them as text (or, in the data formats,
keeps their values with the invisible ones escaped)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote
from xml.etree import ElementTree

import jsonschema
import pytest
import yaml

from auditor.report.escape import HIDDEN_CATEGORIES, json_text, md, md_code, relative_uri, visible, xml_text
from helpers import REPO, every_format

SARIF_SCHEMA = REPO / "tests" / "schemas" / "sarif-schema-2.1.0.json"

OSC52 = "\x1b]52;c;SGVsbG8=\x07"  # writes the clipboard
CLEAR = "\x1b[2J"
HOSTILE = (
    f"{OSC52}{CLEAR}\u202e\u200b @everyone @octocat #1 [x](javascript:alert(1)) <img src=x> | "
    "https://evil.example &#64;a &#x202e; $x$"
)
# Raw, none of these may reach a terminal, a Markdown file, SARIF or HTML.
RAW = ("\x1b", "\x07", "\u202e", "\u200b")
ODD_NAME = "dir é/100% #1 ?ü.py"  # percent, space, hash, question mark and non-ASCII: a URI must round-trip
FILES = {
    "app.py": "import evilsdk  # \u202e \x1b[2J @octocat\n",
    ODD_NAME: "import evilsdk\n",
    f"esc{CLEAR}\u202eb.py": "import evilsdk\n",
    "back\\slash.py": "import evilsdk\n",  # a separator to Windows tools: encoded
    "javascript:alert(1).py": "import evilsdk\n",  # looks like a URI scheme: encoded, so it is none
    "up\\..\\..\\x.py": "import evilsdk\n",  # climbs out to Windows tools: no SARIF location
}
DROPPED = {"up\\..\\..\\x.py": "'..' segment"}


def _pack() -> str:
    pack = {
        "id": "evil",
        "title": f"T {HOSTILE}",
        "vendor": f"V {HOSTILE}",
        "owner": f"O {HOSTILE}",
        "layer": "model-api",
        "catalog": {"products": [{"id": "evilsdk", "title": f"P {HOSTILE}", "modules": ["evilsdk"]}]},
        "rules": [
            {
                "id": "evil-rule",
                "title": f"R {HOSTILE}",
                "severity": "high",
                "effort": 3,
                "category": f"C {HOSTILE}",
                "message": f"M {HOSTILE} {{vendor}}",
                "remediation": f"F {HOSTILE}",
                "when": {"kind": "import", "fields": {"product": {"equals": "evilsdk"}}},
            }
        ],
    }
    return yaml.safe_dump(pack)


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], dict[str, str], Path]:
    base = tmp_path_factory.mktemp("hostile-output")
    root, out = base / "repo", base / "out"
    (root / "packs").mkdir(parents=True)
    out.mkdir()
    (root / "pyproject.toml").write_text('[tool.lockaudit]\nrules = ["packs"]\n')
    (root / "packs" / "evil.yaml").write_text(_pack())
    for name, text in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    command, outputs = every_format(root, out)
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result, {name: path.read_text(encoding="utf-8") for name, path in outputs.items()}, root


def test_the_hostile_pack_and_names_produce_findings(scanned) -> None:
    audit = json.loads(scanned[1]["json"])
    assert {f["path"] for f in audit["findings"] if f["rule_id"] == "evil-rule"} == set(FILES)
    assert {f["vendor"] for f in audit["findings"] if f["rule_id"] == "evil-rule"} == {f"V {HOSTILE}"}


def test_terminal_text_shows_escapes_visibly(scanned) -> None:
    result = scanned[0]
    for raw in RAW:
        assert raw not in result.stdout + result.stderr, repr(raw)
    for shown in (
        "\\x1b]52;c;SGVsbG8=\\x07",
        "\\x1b[2J",
        "\\u202e\\u200b",
        f"V {visible(HOSTILE)}",
        f"O {visible(HOSTILE)}",
        "esc\\x1b[2J\\u202eb.py:1:8",
    ):
        assert shown in result.stdout, shown


class _Rendered(HTMLParser):
    """The tags and the text nodes of rendered HTML, as GitHub's mention and reference filters see them."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.texts: list[str] = []
        self.code = ""  # the text inside <code>
        self._in_code = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._in_code = self._in_code or tag == "code"

    def handle_endtag(self, tag: str) -> None:
        self._in_code = self._in_code and tag != "code"

    def handle_data(self, data: str) -> None:
        self.texts.append(data)
        self.code += data if self._in_code else ""


def _render(markdown: str) -> _Rendered:
    markdown_it = pytest.importorskip("markdown_it")
    return _Rendered(markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown))


def _linkable(texts: list[str]) -> list[str]:
    """Text nodes GitHub would turn into a mention, an issue reference or an autolink."""
    return [t for t in texts if re.search(r"@\w|#\d|://|www\.", t)]


TRICKY = [
    HOSTILE,
    "a`b",
    "``x`` and `",
    "back\\slash \\` \\*",
    "&amp; &lt; &#64;b",
    "~~s~~ _e_ *e* **b**",
    "<!-- c --> <b>x</b>",
    "line\nbreak\ttab\x00nul\x85nel\u2028ls",
    "#1 at the start",
    "1. a list",
    "- an item",
    "> a quote",
    "www.evil.example and a@b.example",
    "[a]: http://x",
    "|---|",
    "$\\color{red}x$",
    "\U000e0041 tag \ufeff bom \u2066isolate\u2069",
]


@pytest.mark.parametrize("text", TRICKY)
def test_markdown_escaping_renders_the_original_text(text: str) -> None:
    paragraph = _render(md(text))
    assert paragraph.tags == ["p"] and "".join(paragraph.texts).strip() == visible(text), paragraph.texts
    assert not _linkable(paragraph.texts)
    cell = _render(f"| h |\n|---|\n| {md(text)} |\n")
    assert cell.tags == ["table", "thead", "tr", "th", "tbody", "tr", "td"]
    assert "".join(cell.texts).split("h", 1)[1].strip() == visible(text)
    span = _render(md_code(text))
    assert span.tags == ["p", "code"] and span.code == visible(text)
    in_table = _render(f"| h |\n|---|\n| {md_code(text, table=True)} |\n")
    assert in_table.tags[-1] == "code" and in_table.code == visible(text)


def test_markdown_report_neither_mentions_links_nor_injects(scanned) -> None:
    markdown = scanned[1]["markdown"]
    for raw in RAW:
        assert raw not in markdown, repr(raw)
    assert not re.search(r"@(?!<!-- -->)", markdown)  # no @everyone, no @octocat
    assert "#1" not in markdown and not re.search(r"(?<!\\)(\]\(|<img)", markdown)
    rendered = _render(markdown)
    assert set(rendered.tags) <= {
        "h2",
        "h3",
        "p",
        "strong",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "code",
        "ol",
        "ul",
        "li",
    }  # no link, image or HTML from the tree
    assert rendered.tags.count("h2") + rendered.tags.count("h3") == len(re.findall(r"(?m)^##+ ", markdown))
    assert not _linkable(rendered.texts)
    text = "".join(rendered.texts)
    assert f"V {visible(HOSTILE)}" in text  # shown as the original, escapes made visible


def _uris(run: dict) -> list[dict]:
    locations = [loc["physicalLocation"]["artifactLocation"] for r in run["results"] for loc in r.get("locations", ())]
    return locations + [
        rel["physicalLocation"]["artifactLocation"] for r in run["results"] for rel in r.get("relatedLocations", ())
    ]


def test_sarif_texts_are_visible_and_uris_relative_encoded(scanned) -> None:
    text = scanned[1]["sarif"]
    for raw in RAW:
        assert raw not in text, repr(raw)
    sarif = json.loads(text)
    jsonschema.Draft7Validator(json.loads(SARIF_SCHEMA.read_text())).validate(sarif)
    (run,) = sarif["runs"]
    messages = [r["message"]["text"] for r in run["results"]]
    assert f"M {visible(HOSTILE)} V {visible(HOSTILE)}" in messages
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert rules["evil-rule"]["shortDescription"]["text"] == f"R {visible(HOSTILE)}"
    assert rules["evil-rule"]["help"]["markdown"] == md(f"F {HOSTILE}")
    located: set[str] = set()
    for location in _uris(run):
        uri = location["uri"]
        assert location["uriBaseId"] == "SRCROOT" and "SRCROOT" in run["originalUriBaseIds"]
        assert re.fullmatch(r"[A-Za-z0-9_.~/%-]+", uri) and not uri.startswith("/") and ".." not in uri.split("/")
        located.add(unquote(uri))
    assert located == set(FILES) - set(DROPPED)  # the odd name and the escape-laden one round-trip
    assert relative_uri(ODD_NAME)[0] == "dir%20%C3%A9/100%25%20%231%20%3F%C3%BC.py"
    for result in run["results"]:
        path = result["properties"].get("path")
        if path in DROPPED:
            assert "locations" not in result and "relatedLocations" not in result
            assert DROPPED[path] in result["properties"]["locationDropped"]
    assert {u["path"] for u in run["properties"]["unlocated"]} == set(DROPPED)


def test_html_shows_escapes_and_no_markup(scanned) -> None:
    html = scanned[1]["html"]
    for raw in RAW:
        assert raw not in html, repr(raw)
    assert "<img src=x" not in html and "javascript:alert" not in html.replace("javascript:alert(1)", "")
    assert "\\x1b]52;c;SGVsbG8=\\x07\\x1b[2J\\u202e\\u200b" in html
    assert "&lt;img src=x&gt;" in html


@pytest.mark.parametrize("name", ["json", "cyclonedx"])
def test_data_formats_keep_real_values_with_invisible_characters_escaped(scanned, name: str) -> None:
    text = scanned[1][name]
    for raw in RAW:
        assert raw not in text, repr(raw)  # \u escapes in the JSON text, not the characters
    document = json.loads(text)
    if name == "json":
        assert {r["vendor"] for r in document["inventory"] if r.get("product") == "evilsdk"} == {f"V {HOSTILE}"}
        assert set(FILES) <= {r["path"] for r in document["inventory"]}
    else:
        from helpers import cyclonedx_problem

        assert cyclonedx_problem(text) is None
        assert f"V {HOSTILE}" in {c.get("supplier", {}).get("name") for c in document["components"]}


def test_junit_shows_invisible_characters_and_stays_valid_xml(scanned) -> None:
    text = scanned[1]["junit"]
    for raw in RAW:
        assert raw not in text, repr(raw)
    files = {case.get("file") for case in ElementTree.fromstring(text).iter("testcase")}
    assert {visible(path) for path in FILES} <= files


@pytest.mark.parametrize("fmt", ["dot", "graphml", "json"])
def test_the_coupling_graph_is_inert(scanned, fmt: str) -> None:
    import xml.dom.minidom

    result = subprocess.run(
        [sys.executable, "-m", "auditor", "graph", str(scanned[2]), "--format", fmt],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    for raw in RAW:
        assert raw not in result.stdout, repr(raw)
    if fmt == "graphml":
        xml.dom.minidom.parseString(result.stdout)  # C0 controls cannot be in XML: shown instead
    elif fmt == "json":
        assert f"esc{CLEAR}\u202eb.py" in {n.get("path") for n in json.loads(result.stdout)["nodes"]}


def test_visible_covers_every_invisible_character() -> None:
    """Every control, format, surrogate and line/paragraph separator Unicode knows, and nothing else."""
    for code in range(0x110000):
        char = chr(code)
        hidden = unicodedata.category(char) in HIDDEN_CATEGORIES
        assert (visible(char) != char) == hidden, hex(code)
    assert visible("é 日本 a\tb\n") == "é 日本 a\\x09b\\x0a" and visible("a\tb", keep="\t") == "a\tb"
    assert visible("\u202e\x9b\U000e0041") == "\\u202e\\x9b\\U000e0041"


def test_json_text_escapes_only_invisible_characters_and_keeps_values() -> None:
    value = {"k": "é\u202e\x1b\x7f\U000e0041\ud800 日本"}
    text = json_text(json.dumps(value, ensure_ascii=False, indent=1))
    assert json.loads(text) == value and "é" in text and "日本" in text
    assert not any(unicodedata.category(c) in HIDDEN_CATEGORIES for c in text.replace("\n", ""))
    every = "".join(chr(c) for c in range(0x7F, 0x110000) if unicodedata.category(chr(c)) in HIDDEN_CATEGORIES)
    assert json_text(every).isascii() and xml_text(every).isascii()  # the prefilter misses none Python knows


@pytest.mark.parametrize(
    "path, uri",
    [
        ("a b/c#d?e%f.py", "a%20b/c%23d%3Fe%25f.py"),
        ("bad\udcffname.py", "bad%FFname.py"),  # a name that was not UTF-8 on disk keeps its byte
        ("/etc/passwd", None),
        ("../up.py", None),
        ("a/../b.py", None),
        ("a//b.py", None),
        ("./a.py", None),
        ("file:x.py", "file%3Ax.py"),
        ("javascript:alert(1)", "javascript%3Aalert%281%29"),
        ("a\\..\\b.py", None),
        ("a\\b.py", "a%5Cb.py"),
        ("\\\\server\\x.py", None),
        ("", None),
        ("a/b:c.py", "a/b%3Ac.py"),  # a colon after the first segment is no scheme
    ],
)
def test_relative_uri(path: str, uri: str | None) -> None:
    assert relative_uri(path)[0] == uri
    if uri is not None:
        assert unquote(uri, errors="surrogateescape") == path
