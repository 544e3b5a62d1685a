"""Snippets and chains: every format shows the code around a finding, quoted once by the
pipeline with the extractors' line numbering, and how code reaches the vendor through it."""

from __future__ import annotations

import json
from pathlib import Path

from auditor.packs import load_rules
from auditor.redact import MARK, Redactor
from helpers import lockaudit, scan_json, write_tree

NOTEBOOK = {
    "cells": [
        {"cell_type": "markdown", "source": ["# title\n", "more\n"]},
        {"cell_type": "code", "source": ["x = 1\n", "import anthropic\n", "y = anthropic.Anthropic()"]},
    ],
    "metadata": {},
    "nbformat": 4,
    "nbformat_minor": 5,
}


def project(root: Path) -> None:
    """A latin-1 module with CRLF line ends behind an importer, and a notebook."""
    write_tree(
        root,
        {
            "pyproject.toml": '[tool.lockaudit]\nadapters = ["app/adapter.py"]\n',
            "app/__init__.py": "",
            "app/web.py": "from app import llm\n\n\ndef answer(q):\n    return llm.client\n",
            "nb.ipynb": json.dumps(NOTEBOOK),
        },
    )
    (root / "app" / "llm.py").write_bytes(
        b"# -*- coding: latin-1 -*-\r\n# caf\xe9\r\nimport openai\r\n\r\nclient = openai.OpenAI()\r\n"
        b'reply = client.chat.completions.create(model="gpt-4o", messages=[])\r\n'
    )


def test_snippets_and_chains_in_the_json(tmp_path: Path) -> None:
    project(tmp_path)
    found = {
        (f["rule_id"], f["path"], f["cell"], f["line"]): (f["snippet"], f["chain"])
        for f in scan_json(tmp_path)["findings"]
    }
    chain = ["app.web", "app.llm", "openai", "OpenAI"]
    assert found == {
        ("sdk-import-outside-adapter", "app/llm.py", None, 3): (
            {
                "start": 1,
                "lines": ["# -*- coding: latin-1 -*-", "# café", "import openai", "", "client = openai.OpenAI()"],
            },
            chain,
        ),
        # The notebook is a demo, not product code: every model call of the product goes to OpenAI.
        # (at the module's client, the line that says most about its use of the vendor)
        ("single-model-vendor", "app/llm.py", None, 5): (
            {
                "start": 3,
                "lines": [
                    "import openai",
                    "",
                    "client = openai.OpenAI()",
                    'reply = client.chat.completions.create(model="gpt-4o", messages=[])',
                ],
            },
            chain,
        ),
        ("client-outside-adapter", "app/llm.py", None, 5): (
            {
                "start": 3,
                "lines": [
                    "import openai",
                    "",
                    "client = openai.OpenAI()",
                    'reply = client.chat.completions.create(model="gpt-4o", messages=[])',
                ],
            },
            chain,
        ),
        ("hard-coded-model-id", "app/llm.py", None, 6): (
            {
                "start": 4,
                "lines": [
                    "",
                    "client = openai.OpenAI()",
                    'reply = client.chat.completions.create(model="gpt-4o", messages=[])',
                ],
            },
            chain,
        ),
        # In a notebook, lines count within the cell (as the extractor reports them).
        ("sdk-import-outside-adapter", "nb.ipynb", 1, 2): (
            {"start": 1, "lines": ["x = 1", "import anthropic", "y = anthropic.Anthropic()"]},
            [],
        ),
        ("client-outside-adapter", "nb.ipynb", 1, 3): (
            {"start": 1, "lines": ["x = 1", "import anthropic", "y = anthropic.Anthropic()"]},
            [],
        ),
    }


def test_snippets_in_sarif_and_html(tmp_path: Path) -> None:
    project(tmp_path / "p")
    sarif, html = tmp_path / "out.sarif", tmp_path / "out.html"
    assert lockaudit("scan", tmp_path / "p", "--sarif", sarif, "--html", html).returncode == 0
    results = json.loads(sarif.read_text())["runs"][0]["results"]
    model = next(r for r in results if r["ruleId"] == "hard-coded-model-id")["locations"][0]["physicalLocation"]
    assert model["region"]["snippet"]["text"] == 'reply = client.chat.completions.create(model="gpt-4o", messages=[])'
    assert model["contextRegion"]["startLine"] == 4 and model["contextRegion"]["endLine"] == 6
    page = html.read_text()
    assert (
        '<span class="line hit"><span class="no" aria-hidden="true">6</span>'
        "reply = client.chat.completions.create(model=&#34;gpt-4o&#34;, messages=[])</span>"
    ) in page
    assert "Chain: <code>app.web → app.llm → openai → OpenAI</code>" in page


BASE = {
    "rule_id": "r",
    "title": "t",
    "severity": "low",
    "effort": 1,
    "category": "c",
    "message": "m",
    "remediation": "r",
    "column": 1,
    "cell": None,
    "scope": "<module>",
    "fingerprint": "0" * 20,
}
REDACTOR = Redactor(load_rules().secrets)


def test_a_long_line_is_clipped_and_a_vanished_file_has_no_snippet(tmp_path: Path) -> None:
    from auditor.audit import Finding
    from auditor.snippet import MAX_LINE, quote

    (tmp_path / "m.py").write_text("import openai  # " + "x" * 1000 + "\n\tclient = 1\n")
    first, gone, past_end = quote(
        tmp_path,
        [
            Finding(path="m.py", line=1, **BASE),
            Finding(path="gone.py", line=1, **BASE),
            Finding(path="m.py", line=9, **BASE),
        ],
        redactor=REDACTOR,
    )
    assert first.snippet is not None and first.snippet.start == 1
    assert len(first.snippet.lines[0]) == MAX_LINE and first.snippet.lines[0].endswith("…")
    assert first.snippet.lines[1] == "    client = 1"  # tabs shown as four spaces
    assert gone.snippet is None and past_end.snippet is None


def test_a_window_inside_a_private_key_and_a_clipped_secret_show_nothing_of_them(tmp_path: Path) -> None:
    """Redaction is decided on the whole file's lines and comes before clipping: a window
    without the BEGIN line hides the key's lines, and a key cut by the clip is still hidden."""
    from auditor.audit import Finding
    from auditor.snippet import MAX_LINE, quote

    body = [
        "MIIEpAIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF0qFbZ4QwfKbTlk0X8Yl2Y4Ok1Jr",
        "Qb8W2Yc7V0w9bXk1nQ0dJtQ2m9lX1sFzqJk3v9a",
    ]
    key = "sk-proj-" + "Zq8vT3xLm2Pw9Rk4Nd7Ys1Hb" * 3
    long_line = "x = 1  # " + "y" * (MAX_LINE - 20) + f' key="{key}"'
    (tmp_path / "m.py").write_text(
        'K = """-----BEGIN PRIVATE KEY-----\n'
        + "\n".join(body * 4)
        + '\n-----END PRIVATE KEY-----"""\nimport openai\n'
        + long_line
        + "\n"
    )
    quoted = quote(tmp_path, [Finding(path="m.py", line=11, **BASE)], redactor=REDACTOR)
    assert quoted[0].snippet is not None and quoted[0].snippet.lines == (
        MARK,
        '-----END PRIVATE KEY-----"""',
        "import openai",
        long_line[: long_line.index(key)] + "…",
    )  # no "[REDA…"
