"""Secrets never leave the repository through a report: key-shaped values in snippets,
literal values and messages are redacted in every output format."""

from __future__ import annotations

import base64
import json
import random
import string
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
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "source": ["from groq import Groq\n", f'client = Groq(api_key="{SECRETS["notebook"]}")\n'],
            }
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    write_tree(
        root,
        {
            "app/__init__.py": "",
            "app/llm.py": (
                "from openai import OpenAI\n"
                f'client = OpenAI(api_key="{SECRETS["openai"]}", base_url="https://bot:{SECRETS["password"]}@api.openai.com/v1")\n'
                "import anthropic\n"
                f'other = anthropic.Anthropic(api_key="{SECRETS["anthropic"]}")\n'
            ),
            "app/store.py": (
                "from azure.storage.blob import BlobServiceClient\n"
                f'CONN = "DefaultEndpointsProtocol=https;AccountName=demo;AccountKey={SECRETS["account-key"]}"\n'
                "service = BlobServiceClient.from_connection_string(CONN)\n"
            ),
            ".env": f"OPENAI_API_KEY={SECRETS['env']}\n",
            "nb.ipynb": json.dumps(notebook),
        },
    )
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
    write_tree(
        tmp_path,
        {
            "pyproject.toml": '[tool.lockaudit]\nrules = ["packs"]\n',
            "packs/secrets.yaml": "patterns:\n  - id: mine\n    pattern: 'key=(x+)'\n    group: 2\n"
            "    examples: {redact: ['key=xx'], keep: []}\n",
            "app.py": "import openai\n",
        },
    )
    result = lockaudit("scan", tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "secrets.yaml: patterns[0] (mine): 'group' 2 but the pattern has 1 groups" in result.stderr


# A realistic value for every pattern, in a line where that pattern alone must find it.
RANDOM = random.Random(7)


def _token(size: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(RANDOM.choice(alphabet) for _ in range(size))


REALISTIC = {
    "anthropic-key": ('key = "{}"', "sk-ant-api03-" + _token(93, string.ascii_letters + string.digits + "_-") + "AA"),
    "openai-key": ('OPENAI_KEY = "{}"', "sk-proj-" + _token(156, string.ascii_letters + string.digits + "_-")),
    "aws-access-key-id": ('aws_access_key_id = "{}"', "AKIA" + _token(16, string.ascii_uppercase + string.digits)),
    "aws-secret-access-key": ('aws_secret_access_key = "{}"', _token(40, string.ascii_letters + string.digits + "/+")),
    "github-token": ("token: {}", "ghp_" + _token(36)),
    "google-api-key": ('genai.Client(api_key="{}")', "AIza" + _token(35, string.ascii_letters + string.digits + "_-")),
    "huggingface-token": ("HF_TOKEN={}", "hf_" + _token(34)),
    "prefixed-provider-key": ('Groq(api_key="{}")', "gsk_" + _token(52)),
    "json-web-token": (
        'auth = "{}"',
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ"
        + _token(60, string.ascii_letters + "_-")
        + "."
        + _token(43, string.ascii_letters + string.digits + "_-"),
    ),
    "private-key": (
        'KEY = "-----BEGIN RSA PRIVATE KEY-----\\n{}\\n-----END RSA PRIVATE KEY-----\\n"',
        base64.b64encode(RANDOM.randbytes(48)).decode(),
    ),
    "connection-string-secret": (
        'CONN = "DefaultEndpointsProtocol=https;AccountName=demo;AccountKey={};EndpointSuffix=core.windows.net"',
        base64.b64encode(RANDOM.randbytes(64)).decode(),
    ),
    "url-credentials": ('DATABASE_URL = "postgresql://app:{}@db.internal:5432/app"', _token(24)),
    "bearer-token": ('headers = {{"Authorization": "Bearer {}"}}', _token(40)),
    "assigned-secret": ('client_secret = "{}"', _token(32, string.ascii_letters + string.digits + "-_")),
    "env-assignment": ("export SERVICE_TOKEN={}", _token(32)),
}


def _fragments(secret: str, text: str) -> list[str]:
    return [secret[i : i + 8] for i in range(len(secret) - 7) if secret[i : i + 8] in text]


def test_every_pattern_has_a_realistic_value() -> None:
    assert set(REALISTIC) == {s.id for s in RULES.secrets}


@pytest.mark.parametrize("secret", RULES.secrets, ids=lambda s: s.id)
def test_no_pattern_leaves_part_of_a_realistic_value(secret) -> None:
    """Whole, cut short by a clipped line (one character or a quarter lost: a clip before
    redaction must still not show the rest), and ending its line."""
    from auditor.snippet import MAX_LINE, _clip

    template, value = REALISTIC[secret.id]
    only = Redactor([secret])
    line = template.format(value)
    assert MARK in only.text(line) and not _fragments(value, only.text(line))
    end = line.index(value) + len(value)
    for kept in (len(value) - 1, len(value) * 3 // 4):
        padded = "#" * (MAX_LINE - 1 - (end - len(value) + kept)) + line + "  # and more"  # the clip keeps `kept` of it
        clipped = _clip(padded)
        assert value[:kept] in clipped and value[: kept + 1] not in clipped
        assert not _fragments(value, only.text(clipped)), (kept, only.text(clipped))
        assert not _fragments(value, only.text(padded)[: MAX_LINE - 1])  # redacted first, as the pipeline does
    if secret.id != "url-credentials":  # a password is always followed by its @host
        at_end = line[:end] + "\nnext = 1\n"
        assert not _fragments(value, only.text(at_end)), only.text(at_end)


PEM = [
    "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun",
    "VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK",
    "LxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW/VDL5AaWTg0nLVkjRo",
]


@pytest.mark.parametrize(
    "kind",
    [
        "RSA PRIVATE KEY",
        "PRIVATE KEY",
        "OPENSSH PRIVATE KEY",
        "EC PRIVATE KEY",
        "DSA PRIVATE KEY",
        "ENCRYPTED PRIVATE KEY",
        "PGP PRIVATE KEY BLOCK",
    ],
)
def test_a_private_key_block_is_redacted_from_begin_to_end_on_the_whole_file(kind: str) -> None:
    lines = ["import openai", f'KEY = """-----BEGIN {kind}-----', *PEM, f'-----END {kind}-----"""', "x = 1"]
    redacted = EVERYTHING.lines(lines)
    assert [redacted[i] for i in range(len(lines))] == [
        "import openai",
        f'KEY = """-----BEGIN {kind}-----',
        MARK,
        MARK,
        MARK,
        f'-----END {kind}-----"""',
        "x = 1",
    ]
    assert EVERYTHING.lines(lines, [3, 6]) == {3: MARK, 6: "x = 1"}  # a window inside the block: judged on the file
    assert EVERYTHING.text("\n".join(lines)) == "\n".join(redacted[i] for i in range(len(lines)))


def test_a_private_key_without_end_is_redacted_to_the_end() -> None:
    lines = ["-----BEGIN EC PRIVATE KEY-----", "    " + PEM[0], "", PEM[1], "import openai"]
    assert list(EVERYTHING.lines(lines).values()) == ["-----BEGIN EC PRIVATE KEY-----", "    " + MARK, "", MARK, MARK]
    assert EVERYTHING.lines(PEM) == dict(enumerate(PEM))  # no BEGIN in the file: base64 alone is no secret
    assert EVERYTHING.lines(["-----BEGIN CERTIFICATE-----", PEM[0], "-----END CERTIFICATE-----"])[1] == PEM[0]


def test_a_string_cut_before_matching_loses_its_last_word() -> None:
    from auditor.redact import MAX_SCANNED

    value = "sk-proj-" + _token(60)
    text = EVERYTHING.text("x" * (MAX_SCANNED - 30) + " " + value)
    assert text.endswith(" …") and not _fragments(value, text)


def test_changes_agrees_with_redacting_each_string() -> None:
    """`changes` judges many strings by one search over them all: it must say what redacting
    each string would say, wherever the secrets sit among them."""
    import random

    from auditor.packs import load_rules
    from auditor.redact import Redactor

    redactor = Redactor(load_rules().secrets)
    pieces = [
        "plain text",
        "api_key",
        "=",
        'token="',
        "sk-proj-" + "a1B2" * 12,
        "AKIA" + "Z7" * 8,
        "ghp_" + "x" * 36,
        "",
        "\n",
        "model gpt-4o",
        "password: hunter22hunter22",
        "-----BEGIN RSA PRIVATE KEY-----",
    ]
    rng = random.Random(5)
    for _ in range(400):
        strings = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 3))) for _ in range(rng.randint(1, 6))]
        expected = any(redactor.text(s) != s for s in strings)
        assert redactor.changes(strings) == expected, strings
        assert redactor.changes({"a": strings, "b": [strings[::-1]]}) == expected
