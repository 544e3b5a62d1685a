"""Secrets never leave the repository through a report: key-shaped values in snippets,
literal values and messages are redacted in every output format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.packs import load_rules
from auditor.redact import MARK, Redactor
from helpers import lockaudit, write_tree

RULES = load_rules()
EVERYTHING = Redactor(RULES.secrets)


@pytest.mark.parametrize("secret", RULES.secrets, ids=lambda s: s.id)
def test_each_pattern_redacts_its_examples_and_keeps_the_rest(secret) -> None:
    for example in secret.redact_examples:
        assert MARK in Redactor([secret]).text(example), example
    for example in secret.keep_examples:
        assert EVERYTHING.text(example) == example  # no pattern of the set touches ordinary code


SECRETS = {
    "openai": "sk-proj-Zq8vT3xLm2Pw9Rk4Nd7Ys1Hb",
    "anthropic": "sk-ant-api03-Fj3kL9mN2pQ8rS5tV1wX",
    "password": "Tr0ub4dor-and-3",
    "account-key": "c3VwZXJzZWNyZXRrZXltYXRlcmlhbA==",
    "env": "plain-env-secret-42",
    "notebook": "gsk_Wq2Er4Ty6Ui8Op0As2Df4Gh6",
}


def test_no_output_format_carries_a_secret(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    notebook = {"cells": [{"cell_type": "code", "source": [
        "from groq import Groq\n", f"client = Groq(api_key=\"{SECRETS['notebook']}\")\n"]}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    write_tree(root, {
        "app/__init__.py": "",
        "app/llm.py": (
            "from openai import OpenAI\n"
            f"client = OpenAI(api_key=\"{SECRETS['openai']}\", base_url=\"https://bot:{SECRETS['password']}@api.openai.com/v1\")\n"
            "import anthropic\n"
            f"other = anthropic.Anthropic(api_key=\"{SECRETS['anthropic']}\")\n"
        ),
        "app/store.py": (
            "from azure.storage.blob import BlobServiceClient\n"
            f"CONN = \"DefaultEndpointsProtocol=https;AccountName=demo;AccountKey={SECRETS['account-key']}\"\n"
            "service = BlobServiceClient.from_connection_string(CONN)\n"
        ),
        ".env": f"OPENAI_API_KEY={SECRETS['env']}\n",
        "nb.ipynb": json.dumps(notebook),
    })
    outputs = {name: tmp_path / f"out.{name}" for name in ("json", "sarif", "markdown", "cyclonedx", "html")}
    flags = [arg for name, path in outputs.items() for arg in (f"--{name}", str(path))]
    result = lockaudit("scan", root, *flags)
    assert result.returncode == 0, result.stderr
    texts = {name: path.read_text() for name, path in outputs.items()} | {"text": result.stdout + result.stderr}
    for name, text in texts.items():
        for kind, secret in SECRETS.items():
            assert secret not in text, f"the {kind} secret is in the {name} output"
    audit = json.loads(texts["json"])
    quoted = "\n".join(line for f in audit["findings"] if f["snippet"] for line in f["snippet"]["lines"])
    assert quoted.count(MARK) >= 4  # the secrets' lines were quoted, and redacted
    assert 'OpenAI(api_key="[REDACTED]", base_url="https://bot:[REDACTED]@api.openai.com/v1")' in quoted


def test_a_broken_secrets_file_in_a_rule_folder_is_a_clear_error(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "pyproject.toml": '[tool.lockaudit]\nrules = ["packs"]\n',
        "packs/secrets.yaml": "patterns:\n  - id: mine\n    pattern: 'key=(x+)'\n    group: 2\n"
                              "    examples: {redact: ['key=xx'], keep: []}\n",
        "app.py": "import openai\n",
    })
    result = lockaudit("scan", tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "secrets.yaml: patterns[0] (mine): 'group' 2 but the pattern has 1 groups" in result.stderr
