"""Notebook extraction: magics neutralised, cells located, broken cells reported."""

from __future__ import annotations

import json

from auditor.extract.notebook import extract_notebook, neutralise_magics
from auditor.facts import ErrorFact, ImportFact


def notebook(*sources: object, language: str | None = "python") -> bytes:
    metadata = {"kernelspec": {"language": language, "name": "k"}} if language else {}
    cells = [{"cell_type": "code", "source": s, "metadata": {}, "outputs": []} for s in sources]
    return json.dumps({"cells": cells, "metadata": metadata, "nbformat": 4}).encode()


def python_of(source: str) -> str | None:
    cell = neutralise_magics(source)
    return None if cell is None else cell.source


def test_magics_keep_line_numbers_and_indentation() -> None:
    source = "!pip install a \\\n   b \\\n   c\nimport openai\nif x:\n    %matplotlib inline\n    y = !ls\nz = 1"
    assert python_of(source) == "pass\n\n\nimport openai\nif x:\n    pass\n    y = None\nz = 1"


def test_automagic_and_help_lines() -> None:
    assert python_of("pip install groq\nimport groq\ngroq.Groq?") == "pass\nimport groq\npass"
    assert python_of("cd ..\nls\nimport vertexai") == "pass\npass\nimport vertexai"
    assert python_of("ls = [1]\nls.append(2)\ncd(3)") == "ls = [1]\nls.append(2)\ncd(3)"


def test_continuation_lines_are_python_not_magics() -> None:
    for source in (
        "ok = (1\n      != 2)\nimport mistralai",
        'msg = ("%s items"\n       % len(x))\nfrom google import genai',
        "total = a + \\\n    !b\nimport cohere",
        'doc = """\n!not a shell line\n"""\nimport groq',
        "d = {'k': '(',\n     !x}",
    ):
        assert python_of(source) == source


def test_code_magics_keep_their_code_and_columns() -> None:
    facts = extract_notebook("n.ipynb", notebook("x = 1\n%time import litellm\n%timeit -n1 f()"))
    assert [(f.module, f.loc.line, f.loc.column) for f in facts] == [("litellm", 2, 14)]


def test_cell_magics() -> None:
    assert python_of("%%timeit\nimport openai") == "\nimport openai"
    assert python_of("%%bash\npython -c 'import openai'") is None
    assert python_of("%%writefile x.py\nimport openai") is None


def test_cells_are_located_and_string_sources_work() -> None:
    data = notebook(["import os\n", "import openai"], "x = 1\nfrom anthropic import Anthropic", "pip install x")
    facts = extract_notebook("n.ipynb", data)
    assert [(f.module, f.loc.cell, f.loc.line, f.loc.column) for f in facts] == [
        ("os", 0, 1, 8),
        ("openai", 0, 2, 8),
        ("anthropic", 1, 2, 1),
    ]


def test_broken_cell_is_reported_and_others_still_count() -> None:
    facts = extract_notebook("n.ipynb", notebook("def f(:\n  pass", "import cohere", ["import ", 7]))
    errors = [f for f in facts if isinstance(f, ErrorFact)]
    assert [(e.reason, e.loc.cell) for e in errors] == [("syntax error", 0), ("invalid notebook cell", 2)]
    assert [f.module for f in facts if isinstance(f, ImportFact)] == ["cohere"]


def test_not_a_notebook() -> None:
    for data in (b"{not json", b"[1, 2]", b'{"cells": "nope"}', b"\xff\xfe"):
        facts = extract_notebook("n.ipynb", data)
        assert len(facts) == 1 and isinstance(facts[0], ErrorFact) and facts[0].reason == "not a valid notebook"
    facts = extract_notebook("r.ipynb", notebook("import openai", language="R"))
    assert [f.reason for f in facts] == ["not a Python notebook"]
    facts = extract_notebook("coco.ipynb", notebook("import openai", language="Coconut"))
    assert [f.module for f in facts] == ["openai"]  # a Python superset: its imports are Python's
    facts = extract_notebook("nometa.ipynb", notebook("import openai", language=None))
    assert [f.module for f in facts] == ["openai"]
