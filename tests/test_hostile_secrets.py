"""Secrets never leave the repository, in part or whole: a tree planted with a private key
beside vendor code (the snippet window covering part of the block), an AWS secret key where
a long line is clipped, and OpenAI and Anthropic keys, scanned by the real command line with
the cache on. No output and no cache file may hold any 8 characters of any of them, and the
cache is private to the user whatever the umask."""

from __future__ import annotations

import base64
import json
import os
import random
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.redact import MARK
from helpers import timeless, write_tree

RANDOM = random.Random(13)


def _base64(size: int) -> str:
    return base64.b64encode(RANDOM.randbytes(size)).decode()


def _token(alphabet: str, size: int) -> str:
    return "".join(RANDOM.choice(alphabet) for _ in range(size))


ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
RSA_BODY = [_base64(48) for _ in range(24)] + [_base64(30)]  # 64-character lines, and a short last one
PGP_BODY = ["Version: GnuPG v2", "", *(_base64(48) for _ in range(8)), "=" + _base64(3)]
SECRETS = {
    "aws-at-200": _token(ALNUM + "/+", 40),  # 39 of its 40 characters fall before the 240-character clip
    "aws-at-230": _token(ALNUM + "/+", 40),  # 9 of them do
    "openai": "sk-proj-" + _token(ALNUM + "_-", 156),
    "anthropic": "sk-ant-api03-" + _token(ALNUM + "_-", 93) + "AA",
    "openai-env": "sk-proj-" + _token(ALNUM, 48),
}
KEY_LINES = [line for line in RSA_BODY + PGP_BODY if len(line) >= 8]


def _long_line(name: str, column: int, secret: str) -> str:
    """An assignment of a dictionary literal whose AWS secret key starts at 0-based `column`."""
    head = f'{name} = {{"region": "eu-west-1", "note": "'
    tail = '", "aws_secret_access_key": "'
    return head + "x" * (column - len(head) - len(tail)) + tail + secret + '"}'


def plant(root: Path) -> None:
    rsa = "\n".join(RSA_BODY)
    pgp = "\n".join(PGP_BODY)
    write_tree(
        root,
        {
            "pyproject.toml": '[project]\nname = "shop"\ndependencies = ["openai", "anthropic", "boto3"]\n',
            "shop/__init__.py": "",
            # The import's window (lines 1-3) shows BEGIN and two body lines; the client's window
            # starts on the last body lines, without BEGIN; the block is longer than any window.
            "shop/keys.py": (
                'import openai\nSIGNING_KEY = """-----BEGIN RSA PRIVATE KEY-----\n'
                f'{rsa}\n-----END RSA PRIVATE KEY-----"""\nclient = openai.OpenAI()\n'
            ),
            # A block that never ends: everything after BEGIN is hidden, the import below included.
            "shop/backup.py": (f'BACKUP = """-----BEGIN PGP PRIVATE KEY BLOCK-----\n{pgp}\n"""\nimport anthropic\n'),
            "shop/store.py": (
                "import boto3\n"
                f"{_long_line('SETTINGS', 200, SECRETS['aws-at-200'])}\n"
                'bedrock = boto3.client("bedrock-runtime")\n'
                f"{_long_line('BACKUP', 230, SECRETS['aws-at-230'])}\n"
            ),
            "shop/llm.py": (
                "import openai\nimport anthropic\n"
                f'client = openai.OpenAI(api_key="{SECRETS["openai"]}")\n'
                f'claude = anthropic.Anthropic(api_key="{SECRETS["anthropic"]}", max_retries=2)\n'
            ),
            ".env": f"OPENAI_API_KEY={SECRETS['openai-env']}\n",
        },
    )


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The real command line, under a permissive umask (the cache must not inherit it)."""
    return subprocess.run(
        [sys.executable, "-m", "auditor", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=lambda: os.umask(0o022),
    )


def leaks(text: str) -> list[str]:
    """The planted secrets and key lines of which `text` holds 8 or more characters in a row."""
    grams = {text[i : i + 8] for i in range(len(text) - 7)}
    return [
        name
        for name, secret in [*SECRETS.items(), *(("private key", line) for line in KEY_LINES)]
        if any(secret[i : i + 8] in grams for i in range(len(secret) - 7))
    ]


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    base = tmp_path_factory.mktemp("secrets")
    root, cache, out = base / "repo", base / "cache", base / "out"
    plant(root)
    out.mkdir()
    outputs = {name: out / f"report.{name}" for name in ("json", "sarif", "html", "markdown", "cyclonedx")}
    flags = [arg for name, path in outputs.items() for arg in (f"--{name}", str(path))]
    cold = run("scan", root, *flags, "--cache-dir", cache)
    assert cold.returncode == 0, cold.stderr
    texts = {name: path.read_text() for name, path in outputs.items()}
    warm = run("scan", root, "--format", "json", "--cache-dir", cache)
    checked = run("check", root, "--cache-dir", cache)
    return {"root": root, "cache": cache, "cold": cold, "warm": warm, "check": checked, "texts": texts}


def test_no_output_holds_any_part_of_a_secret(scanned) -> None:
    cold, warm, checked = scanned["cold"], scanned["warm"], scanned["check"]
    assert cold.returncode == 0 and warm.returncode == 0, cold.stderr + warm.stderr
    assert checked.returncode == 1 and "Traceback" not in checked.stderr  # findings at medium or above
    texts = {
        **scanned["texts"],
        "scan text": cold.stdout + cold.stderr,
        "warm json": warm.stdout + warm.stderr,
        "check text": checked.stdout + checked.stderr,
    }
    assert {name: leaks(text) for name, text in texts.items()} == {name: [] for name in texts}
    assert timeless(json.loads(warm.stdout)) == timeless(json.loads(texts["json"]))


def test_the_snippet_windows_cover_the_secrets_and_show_them_redacted(scanned) -> None:
    """The test means something only if the windows did show the key's lines and the long lines."""
    snippets = {(f["path"], f["line"]): f["snippet"] for f in json.loads(scanned["texts"]["json"])["findings"]}
    assert snippets[("shop/keys.py", 1)] == {
        "start": 1,
        "lines": ["import openai", 'SIGNING_KEY = """-----BEGIN RSA PRIVATE KEY-----', MARK],
    }
    end = len(RSA_BODY) + 3
    assert snippets[("shop/keys.py", end + 1)] == {
        "start": end - 1,
        "lines": [MARK, '-----END RSA PRIVATE KEY-----"""', "client = openai.OpenAI()"],
    }  # starts inside the block
    unended = len(PGP_BODY) + 3
    assert snippets[("shop/backup.py", unended)]["lines"] == [MARK, '"""', MARK]  # a lone quote hides nothing
    store = snippets[("shop/store.py", 3)]["lines"]
    assert store[1] == _long_line("SETTINGS", 200, MARK)  # redacted whole, it needs no clipping
    assert store[3] == _long_line("BACKUP", 230, MARK)[:230] + "…"  # clipped after redaction, not inside the mark
    llm = snippets[("shop/llm.py", 3)]["lines"]
    assert 'client = openai.OpenAI(api_key="[REDACTED]")' in llm
    assert 'claude = anthropic.Anthropic(api_key="[REDACTED]", max_retries=2)' in llm


def test_the_cache_is_private_and_holds_no_secret(scanned) -> None:
    cache: Path = scanned["cache"]
    paths = [cache, *cache.rglob("*")]
    assert len([p for p in paths if p.is_file()]) == 2  # the fact index and the audit
    modes = {p.relative_to(cache).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in paths}
    assert modes == {name: 0o700 if (cache / name).is_dir() else 0o600 for name in modes}
    assert {p.name: leaks(p.read_text()) for p in paths if p.is_file()} == {p.name: [] for p in paths if p.is_file()}


def test_a_warm_scan_from_the_fact_cache_matches_a_cold_one(scanned, tmp_path: Path) -> None:
    """Files whose facts hold a secret are not cached but extracted again: what a warm scan
    reports does not depend on what the cache kept."""
    root, cache = scanned["root"], scanned["cache"]
    with open(root / "shop" / "extra.py", "w") as extra:  # the audit is not reused; the facts are
        extra.write("import anthropic\n")
    try:
        warm = run("scan", root, "--format", "json", "--cache-dir", cache)
        uncached = run("scan", root, "--format", "json", "--no-cache")
    finally:
        (root / "shop" / "extra.py").unlink()
    assert warm.returncode == 0 and uncached.returncode == 0, warm.stderr + uncached.stderr
    assert timeless(json.loads(warm.stdout)) == timeless(json.loads(uncached.stdout))
    assert not leaks(warm.stdout) and not any(leaks(p.read_text()) for p in cache.rglob("*") if p.is_file())


def test_a_wider_cache_is_tightened_and_older_formats_are_removed(tmp_path: Path) -> None:
    """A cache written under a wider umask (or by hand) is made private before it is used; an
    older format's entries, which held literals in clear, are deleted, and nothing else is."""
    from auditor.cache import FORMAT

    root, cache = tmp_path / "repo", tmp_path / "cache"
    write_tree(root, {"app.py": "import openai\n"})
    assert run("scan", root, "--cache-dir", cache).returncode == 0
    current = cache / f"v{FORMAT}"
    files = sorted(current.iterdir())
    assert len(files) == 2
    for path, mode in ((cache, 0o777), (current, 0o755), *((f, 0o644) for f in files)):
        path.chmod(mode)
    write_tree(
        cache,
        {
            "v2/0123456789abcdef0123456789abcdef.json": json.dumps({"files": {"k": SECRETS["openai"]}}),
            "v2/notes.txt": "mine",
        },
    )
    result = run("scan", root, "--cache-dir", cache)
    assert result.returncode == 0, result.stderr
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in (cache, current, *files)} == {
        cache.name: 0o700,
        current.name: 0o700,
        **{f.name: 0o600 for f in files},
    }
    assert sorted(p.name for p in (cache / "v2").iterdir()) == ["notes.txt"]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to give the folder away")
def test_a_cache_folder_of_another_user_is_refused(tmp_path: Path) -> None:
    """Whoever owns the folder could read the facts or plant an audit that hides coupling."""
    root, cache = tmp_path / "repo", tmp_path / "cache"
    write_tree(root, {"app.py": "import openai\n"})
    cache.mkdir(mode=0o777)
    os.chown(cache, 65534, 65534)
    result = run("scan", root, "--format", "json", "--cache-dir", cache)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert "the fact cache is not used" in result.stderr and "belongs to another user" in result.stderr
    assert json.loads(result.stdout)["findings"] and not list(cache.iterdir())
