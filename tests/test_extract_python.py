"""Import extraction from Python source: positions, flags, dynamic imports, bad input."""

from __future__ import annotations

import textwrap

import pytest

from auditor.extract import extract
from auditor.extract.downlevel import DownlevelError, downlevel_in_worker
from auditor.extract.python import extract_python
from auditor.facts import ErrorFact, ImportFact
from auditor.packs import load_rules


def imports(source: str) -> list[ImportFact]:
    facts = extract_python("m.py", textwrap.dedent(source).encode())
    assert not [f for f in facts if isinstance(f, ErrorFact)], facts
    return sorted(
        (f for f in facts if isinstance(f, ImportFact)), key=lambda f: (f.loc.line, f.loc.column, f.symbol or "")
    )


def flags(fact: ImportFact) -> set[str]:
    return {
        n
        for n in ("type_checking", "optional", "in_function", "conditional", "dynamic", "unresolved")
        if getattr(fact, n)
    }


def test_import_forms_and_positions() -> None:
    facts = imports(
        """\
        import os, openai.types as t
        from openai import OpenAI, AsyncOpenAI as AO
        from . import sibling
        from ..pkg.mod import *
        """
    )
    assert [(f.module, f.symbol, f.level, f.loc.line, f.loc.column) for f in facts] == [
        ("os", None, 0, 1, 8),
        ("openai.types", None, 0, 1, 12),
        ("openai", "AsyncOpenAI", 0, 2, 1),
        ("openai", "OpenAI", 0, 2, 1),
        ("", "sibling", 1, 3, 1),
        ("pkg.mod", "*", 2, 4, 1),
    ]


def test_context_flags_and_scopes() -> None:
    facts = imports(
        """\
        import typing
        if typing.TYPE_CHECKING:
            import anthropic
        else:
            import cohere
        try:
            import groq
        except (ValueError, ModuleNotFoundError):
            import ollama
        try:
            import mistralai
        except KeyError:
            pass
        class Box:
            import together
            def load(self):
                import openai
                return lambda: __import__("tiktoken")
        match 1:
            case 1:
                import litellm
        try:
            import vertexai
        except ImportError as exc:
            raise RuntimeError("pip install google-cloud-aiplatform") from exc
        from contextlib import suppress
        with suppress(ModuleNotFoundError):
            import huggingface_hub
        """
    )
    got = {f.module: (flags(f), f.scope) for f in facts}
    assert got == {
        "typing": (set(), "<module>"),
        "anthropic": ({"type_checking"}, "<module>"),
        "cohere": ({"conditional"}, "<module>"),
        "groq": ({"optional"}, "<module>"),
        "ollama": ({"conditional"}, "<module>"),
        "mistralai": (set(), "<module>"),
        "together": (set(), "Box"),
        "openai": ({"in_function"}, "Box.load"),
        "tiktoken": ({"in_function", "dynamic"}, "Box.load"),
        "litellm": ({"conditional"}, "<module>"),
        "vertexai": (set(), "<module>"),
        "contextlib": (set(), "<module>"),
        "huggingface_hub": ({"optional"}, "<module>"),
    }


def test_dynamic_imports_resolve_through_aliases() -> None:
    facts = imports(
        """\
        import importlib as il
        import importlib.util
        from importlib import import_module as load
        import pytest
        il.import_module("openai")
        load("google.genai")
        importlib.util.find_spec("anthropic")
        pytest.importorskip("cohere")
        il.import_module(".sub", package="acme.plugins")
        il.import_module(name)
        il.import_module(f"vendor_{name}")
        other.import_module("not_an_importer")
        """
    )
    dynamic = [(f.module, f.level, f.unresolved, f.expression, f.optional) for f in facts if f.dynamic]
    assert dynamic == [
        ("openai", 0, False, None, False),
        ("google.genai", 0, False, None, False),
        ("anthropic", 0, False, None, True),
        ("cohere", 0, False, None, True),
        ("acme.plugins.sub", 0, False, None, False),
        ("", 0, True, "name", False),
        ("", 0, True, 'f"vendor_{name}"', False),
    ]


def test_strings_docstrings_and_mock_targets_are_not_imports() -> None:
    facts = imports(
        '''\
        """Usage::

            import openai
        """
        from unittest.mock import patch
        CODE = "import anthropic"
        with patch("openai.OpenAI"):
            pass
        '''
    )
    assert [f.module for f in facts] == ["unittest.mock"]


def test_columns_count_characters_not_bytes() -> None:
    facts = imports('x = "é"; import openai\n')
    assert facts[0].loc.column == 17


def test_encodings_and_bom() -> None:
    latin = "# -*- coding: latin-1 -*-\nname = 'café'; import openai\n".encode("latin-1")
    assert [f.module for f in extract_python("l.py", latin) if isinstance(f, ImportFact)] == ["openai"]
    bom = "\ufeffimport anthropic\r\nimport cohere\r\n".encode("utf-8")
    got = [(f.module, f.loc.line) for f in extract_python("b.py", bom) if isinstance(f, ImportFact)]
    assert got == [("anthropic", 1), ("cohere", 2)]


def test_bad_input_is_an_error_fact_not_an_empty_result() -> None:
    cases = {
        b"def broken(:\n    import openai\n": {"syntax error"},
        b"print 'py2'\n": {"syntax error"},
        # CPython reports NUL bytes as a SyntaxError or a ValueError depending on the version.
        b"import openai\x00\n": {"syntax error", "cannot be parsed"},
        b"# coding: no-such-codec\nimport openai\n": {"cannot be decoded"},
        "import openai # \udcff".encode("utf-8", "surrogatepass"): {"cannot be decoded"},
    }
    for data, reason in cases.items():
        facts = extract_python("bad.py", data)
        assert len(facts) == 1 and isinstance(facts[0], ErrorFact), (data, facts)
        assert facts[0].reason in reason and facts[0].loc.path == "bad.py"


def test_unknown_kind_or_crash_becomes_error_fact() -> None:
    facts = extract("x.weird", "no-such-kind", b"")
    assert len(facts) == 1 and isinstance(facts[0], ErrorFact)
    assert facts[0].reason == "internal error in extractor"


NEWER_GRAMMAR = """\
type Vector = list[float]


class Box[T]:
    def get[U](self, other: U) -> T | U:
        import anthropic
        return anthropic.Anthropic().messages.create(model="claude-sonnet-4-5", max_tokens=1, messages=[])


label = f"{'\\n'.join(["a", "b"])}"
from openai import OpenAI
"""


def test_newer_grammar_is_analysed_with_exact_positions() -> None:
    facts = extract_python("new.py", NEWER_GRAMMAR.encode(), load_rules().detectors())
    assert not [f for f in facts if isinstance(f, ErrorFact)]
    imports = sorted((f.module, f.loc.line, f.loc.column) for f in facts if isinstance(f, ImportFact))
    assert imports == [("anthropic", 6, 16), ("openai", 11, 1)]
    strings = [(f.value, f.loc.line, f.loc.column) for f in facts if f.kind == "string"]
    assert strings == [("claude-sonnet-4-5", 7, 60)]


def test_newer_grammar_worker_time_limit() -> None:
    with pytest.raises(DownlevelError, match="timed out"):
        downlevel_in_worker(NEWER_GRAMMAR, timeout=0.001)


@pytest.mark.parametrize(
    "value, family, routed_via",
    [
        ("openai:gpt-4o", "openai-chat", "openai"),
        ("openrouter:openai/gpt-4o", "openai-chat", "openrouter"),  # nested routes
        ("gateway/openai:gpt-5", "openai-chat", "openai"),  # an unknown gateway in front of a known route
        ("x-ai/grok-4", "grok", "x-ai"),
        ("anthropic/claude-sonnet-4:thinking", "anthropic", "anthropic"),  # OpenRouter's variants
        ("openai:o3", "openai-reasoning", "openai"),  # a known route is model context for an ambiguous family
        ("llama3.2:1b", "llama", None),  # an Ollama tag is part of the model's name
        ("gpt-oss-120b", "openai-open-weight", None),
    ],
)
def test_routing_forms_are_an_open_shape(value: str, family: str, routed_via: str | None) -> None:
    from auditor.extract.python import model_family
    from auditor.packs import load_rules

    found = model_family(value, load_rules().detectors())
    assert found is not None and (found[0], found[2]) == (family, routed_via)
    assert found[1] is False or routed_via is None  # routed: no other context needed


@pytest.mark.parametrize(
    "value",
    [
        "gemini-cli",
        "gemini-context-caching",
        "notes/o3",
        "sk-proj-placeholder",
        "resp_68a1b2c3",
        "acme-corp/o1",
        "org:openai",
    ],
)
def test_look_alikes_of_model_ids_are_not_models(value: str) -> None:
    from auditor.extract.python import model_family
    from auditor.packs import load_rules

    found = model_family(value, load_rules().detectors())
    assert found is None or found[1] is True, found  # none, or one that still needs a model context


DETECTORS = load_rules().detectors()


def model_ids(source: str) -> list[tuple[int, str, str | None]]:
    """(line, value, context) of each model-id fact in `source`."""
    from auditor.facts import StringFact

    facts = extract_python("m.py", textwrap.dedent(source).encode(), DETECTORS)
    return [(f.loc.line, f.value, f.context) for f in facts if isinstance(f, StringFact) and f.what == "model-id"]


def test_a_literal_type_a_model_table_and_a_wrapper_argument_are_model_context() -> None:
    found = model_ids(
        """\
        from typing import Literal
        import typing as t
        ReasoningModel = Literal["o3", "o4-mini"]
        def ask(model: t.Literal["o1"] = "o3", prompt: str = "") -> str: ...
        PRICES = {"gpt-4o": 2.5, "o3": 10.0}
        TIERS = {"fast": "o4-mini", "smart": "gpt-5"}
        def complete(model_name, prompt): ...
        complete("o1", "hi")
        class Bot:
            def run(self, engine, text): ...
            def go(self):
                return self.run("o3-mini", "x")
        NOTES = ["o3", "draft"]
        index = "o3"
        def store(path, model): ...
        store("o1", None)
        """
    )
    assert found == [
        (3, "o3", "(dict key)"),
        (3, "o4-mini", "(dict key)"),  # the names a type accepts
        (4, "o3", "model"),
        (4, "o1", "(dict key)"),
        (5, "gpt-4o", "(dict key)"),
        (5, "o3", "(dict key)"),  # a table with one sure model id is a model table
        (6, "o4-mini", "fast"),
        (6, "gpt-5", "smart"),
        (8, "o1", None),  # the wrapper's parameter there is named like a model
        (12, "o3-mini", None),
    ]


def test_tests_on_a_model_id_are_checks_not_choices() -> None:
    found = model_ids(
        """\
        def vision(model):
            if "claude-opus-4" in model or model == "gpt-4o":
                return True
            if model in ("o1", "o3"):
                return True
            return model.startswith("gemini-2.5") or model.split("gpt-4o")[0] == ""
        """
    )
    assert found == [
        (2, "claude-opus-4", "(check)"),
        (2, "gpt-4o", "(check)"),
        (4, "o1", "(check)"),
        (4, "o3", "(check)"),
        (6, "gemini-2.5", "(check)"),
    ]


def test_a_base_url_assigned_after_construction_moves_only_that_client() -> None:
    from auditor.facts import CallFact, ConstructorFact

    facts = extract_python(
        "m.py",
        textwrap.dedent(
            """\
        from openai import OpenAI
        class Mirror:
            def __init__(self):
                self.llm = OpenAI()
                self.llm.base_url = "https://api.fireworks.ai/inference/v1"
            def ask(self):
                return self.llm.chat.completions.create(model="x", messages=[])
        shared = OpenAI()
        shared.base_url = "https://api.x.ai/v1"
        plain = OpenAI()
        plain.chat.completions.create(model="x", messages=[])
        shared.with_options(base_url="https://api.groq.com/openai/v1", timeout=3).models.list()
        settings = object()
        settings.base_url = "https://api.deepseek.com"
        """
        ).encode(),
        DETECTORS,
    )
    moved = [(f.loc.line, f.keywords) for f in facts if isinstance(f, ConstructorFact) and f.rebound]
    assert moved == [
        (5, (("base_url", "https://api.fireworks.ai/inference/v1"),)),
        (9, (("base_url", "https://api.x.ai/v1"),)),
        (12, (("base_url", "https://api.groq.com/openai/v1"),)),
    ]
    calls = {f.loc.line: f.base_url for f in facts if isinstance(f, CallFact) and f.path == "chat.completions.create"}
    assert calls == {7: "https://api.fireworks.ai/inference/v1", 11: None}


def test_a_spread_dict_takes_the_keys_bound_last_before_the_call() -> None:
    from auditor.facts import ConstructorFact

    facts = extract_python(
        "m.py",
        textwrap.dedent(
            """\
        from langchain_openai import AzureChatOpenAI, ChatOpenAI
        def build(provider, model):
            kwargs = {"model": model}
            if provider == "openai":
                kwargs["base_url"] = "https://api.groq.com/openai/v1"
                return ChatOpenAI(**kwargs)
            if provider == "azure":
                kwargs = {"azure_deployment": model, **kwargs}
                return AzureChatOpenAI(**kwargs)
        """
        ).encode(),
        DETECTORS,
    )
    built = {f.qualname.rsplit(".", 1)[1]: dict(f.keywords) for f in facts if isinstance(f, ConstructorFact)}
    assert built == {
        "ChatOpenAI": {"model": None, "base_url": "https://api.groq.com/openai/v1"},
        "AzureChatOpenAI": {"azure_deployment": None},
    }


def test_a_client_of_a_submodule_imported_whole_is_resolved() -> None:
    """`import google.genai` binds only the name `google`: the client it builds is still Google's."""
    from auditor.facts import CallFact

    source = textwrap.dedent("""\
        import google.genai

        client = google.genai.Client()
        reply = client.models.generate_content(model="gemini-2.5-flash", contents="hi")
        """).encode()
    calls = [f for f in extract_python("app.py", source, load_rules().detectors()) if isinstance(f, CallFact)]
    assert [(c.loc.line, c.receiver, c.path) for c in calls] == [(4, "google.genai.Client", "models.generate_content")]
