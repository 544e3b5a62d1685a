"""Property tests: no input makes an extractor raise. Arbitrary bytes for every file kind, and
arbitrary syntactically valid Python (generated from the grammar by hypothesmith), come back
as facts or as error facts that say why, never as an exception or an "internal error"."""

from __future__ import annotations

import hypothesmith
from hypothesis import given, strategies as st

from auditor.extract import EXTRACTORS, extract
from auditor.extract.notebook import extract_notebook
from auditor.extract.python import extract_python
from auditor.facts import ErrorFact
from auditor.packs import load_rules

DETECTORS = load_rules().detectors()
KINDS = sorted(EXTRACTORS)
TEXTS = st.one_of(st.binary(max_size=2000), st.text(max_size=2000).map(lambda t: t.encode("utf-8", "surrogatepass")))


def no_internal_error(facts: list) -> None:
    assert isinstance(facts, list)
    bugs = [f for f in facts if isinstance(f, ErrorFact) and f.reason == "internal error in extractor"]
    assert not bugs, bugs


@given(kind=st.sampled_from(KINDS), data=TEXTS)
def test_every_extractor_survives_arbitrary_bytes(kind: str, data: bytes) -> None:
    names = {
        "notebook": "n.ipynb",
        "pyproject": "pyproject.toml",
        "uv-lock": "uv.lock",
        "pylock": "pylock.toml",
        "requirements": "requirements.txt",
        "pre-commit": ".pre-commit-config.yaml",
        "workflow": ".github/workflows/ci.yml",
        "promptfoo": "promptfooconfig.yaml",
        "env-file": ".env",
        "package-json": "package.json",
        "terraform": "main.tf",
        "app-config": "config.yaml",
        "mcp-config": ".mcp.json",
        "tool-config": "ruff.toml",
        "setup-cfg": "setup.cfg",
        "poetry-lock": "poetry.lock",
        "build-script": "Dockerfile",
        "assistant": "CLAUDE.md",
        "ci-config": ".gitlab-ci.yml",
        "python": "m.py",
    }  # the names discovery gives each kind
    no_internal_error(extract(names[kind], kind, data, DETECTORS))


@given(source=hypothesmith.from_grammar(auto_target=False))
def test_python_extractor_survives_any_valid_python(source: str) -> None:
    data = source.encode("utf-8", "surrogatepass")
    no_internal_error(extract_python("gen.py", data, DETECTORS))


@given(prefix=st.text(max_size=200), module=st.sampled_from(["openai", "anthropic", "google.genai", "litellm"]))
def test_an_import_after_any_text_is_found_or_the_file_is_reported(prefix: str, module: str) -> None:
    """Whatever precedes it, a vendor import is either found or the file is an error fact: never silently lost."""
    data = f"{prefix}\nimport {module}\n".encode("utf-8", "surrogatepass")
    facts = extract_python("p.py", data, DETECTORS)
    no_internal_error(facts)
    found = any(getattr(f, "module", None) == module for f in facts)
    failed = any(isinstance(f, ErrorFact) for f in facts)
    assert found or failed


@given(
    cells=st.lists(
        st.one_of(
            st.text(max_size=80),
            st.none(),
            st.integers(),
            st.dictionaries(
                st.sampled_from(["cell_type", "source", "metadata"]),
                st.one_of(st.text(max_size=80), st.lists(st.text(max_size=40), max_size=4), st.integers(), st.none()),
            ),
        ),
        max_size=8,
    )
)
def test_notebooks_of_any_shape(cells: list) -> None:
    import json

    data = json.dumps({"cells": cells, "metadata": {"kernelspec": {"language": "python"}}}).encode()
    no_internal_error(extract_notebook("n.ipynb", data, DETECTORS))
