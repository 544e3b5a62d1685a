"""Clients that another of the project's modules gives: linked through relative imports and
re-exports, each call naming where its client came from; look-alikes stay unlinked."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import scan_json, write_tree

FACTORY = "import openai\n\n\ndef get_client():\n    return openai.OpenAI()\n\n\nshared = openai.OpenAI()\n"


def calls(root: Path) -> list[tuple[str, int, str, str | None]]:
    return [
        (r["path"], r["line"], r["call"], r["via"])
        for r in scan_json(root, "--no-cache")["inventory"]
        if r["kind"] == "call"
    ]


@pytest.mark.parametrize(
    "caller, via",
    [
        ("from .llm.factory import get_client\n\nget_client().models.list()\n", "app.llm.factory.get_client"),
        ("from .llm import get_client\n\nget_client().models.list()\n", "app.llm.factory.get_client"),  # re-exported
        ("from app import llm\n\nllm.get_client().models.list()\n", "app.llm.factory.get_client"),
        ("import app.llm.factory as f\n\nc = f.get_client()\nc.models.list()\n", "app.llm.factory.get_client"),
        ("from app.llm import shared\n\nshared.models.list()\n", "app.llm.factory.shared"),
        ("from app.llm import shared\n\nshared().models.list()\n", None),  # a client is not called to get one
        ("from app.llm import get_client\n\nget_client.models.list()\n", None),  # nor is a function one
    ],
)
def test_a_call_on_a_client_from_another_module_names_its_source(tmp_path: Path, caller: str, via: str | None) -> None:
    write_tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/llm/__init__.py": "from .factory import get_client, shared\n",
            "app/llm/factory.py": FACTORY,
            "app/chat.py": caller,
        },
    )
    found = [c for c in calls(tmp_path) if c[0] == "app/chat.py"]
    assert found == ([("app/chat.py", caller.count("\n"), "models.list", via)] if via else [])


def test_what_other_modules_give_that_is_not_a_client_is_not_a_call(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/util.py": "import logging\n\n\ndef get_logger():\n    return logging.getLogger('x')\n",
            "app/chat.py": "from os import path\n\nfrom app.util import get_logger\n\n"
            "get_logger().info('x')\npath.join('a', 'b')\n",
        },
    )
    assert calls(tmp_path) == []


def test_a_tuple_unpacked_at_the_top_of_a_module_is_analysed(tmp_path: Path) -> None:
    """Module-level tuple targets are bound like any name (this once stopped the file's analysis)."""
    write_tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/factory.py": FACTORY,
            "app/main.py": "from app.factory import get_client\n\nclient, name = get_client(), 'x'\n"
            "first, second = divmod(7, 2)\nimport openai\n",
        },
    )
    audit = scan_json(tmp_path, "--no-cache")
    assert audit["skipped"] == [] and any(r["path"] == "app/main.py" for r in audit["inventory"])
