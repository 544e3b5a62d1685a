"""The cache: a warm re-scan gives the same audit as a cold one, re-extracts only what
changed, survives two scans at once and a damaged or unwritable cache, and never writes into
the scanned tree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import auditor.workers as workers
from auditor.cache import FORMAT
from auditor.config import load_config
from auditor.packs import load_rules
from auditor.pipeline import ScanOptions, run_audit
from helpers import FIXTURES, lockaudit, timeless, write_tree


def tree(root: Path, count: int = 12) -> None:
    write_tree(
        root,
        {f"app/m{i:02}.py": f"import openai\nMODEL_{i} = 'gpt-4o'\n" for i in range(count)}
        | {"app/__init__.py": "", "pyproject.toml": '[project]\nname = "x"\ndependencies = ["openai"]\n'},
    )


def audit_of(root: Path, cache: Path | None) -> tuple[dict, int]:
    """The audit (as JSON data) and how many files were extracted, in this process."""
    from auditor.report.json import audit_to_dict

    extracted = []
    real = workers.extract_file

    def counting(source):
        extracted.append(source.path)
        return real(source)

    workers.extract_file = counting
    try:
        loaded = load_config(root)
        audit = run_audit(root, loaded.config, load_rules(), loaded.problems, ScanOptions(cache=cache))
    finally:
        workers.extract_file = real
    data = audit_to_dict(audit)
    data.pop("scan")
    return data, len(extracted)


def test_warm_rescans_are_identical_and_extract_only_what_changed(tmp_path: Path) -> None:
    root, cache = tmp_path / "repo", tmp_path / "cache"
    tree(root)
    cold, extracted = audit_of(root, cache)
    assert extracted == 14
    warm, extracted = audit_of(root, cache)
    assert warm == cold and extracted == 0  # the result cache answered
    (root / "app/m03.py").write_text("import anthropic\n")
    changed, extracted = audit_of(root, cache)
    assert extracted == 1  # only the changed file; the others' facts come from the cache
    uncached, _ = audit_of(root, None)
    assert changed == uncached
    assert not [p for p in root.rglob("*") if "cache" in p.name.lower()]  # nothing written into the tree
    assert list(cache.glob(f"v{FORMAT}/*.json"))


def test_two_scans_at_once_and_a_damaged_cache(tmp_path: Path) -> None:
    root, cache = tmp_path / "repo", tmp_path / "cache"
    tree(root, 80)
    env = {**os.environ, "LOCKAUDIT_CACHE_DIR": str(cache), "CI": "1"}
    command = [sys.executable, "-m", "auditor", "scan", str(root), "--format", "json", "--jobs", "2"]
    runs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) for _ in range(4)
    ]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert all(run.returncode == 0 for run in runs), [err for _, err in outputs]
    audits = [timeless(json.loads(out)) for out, _ in outputs]
    assert all(a == audits[0] for a in audits)
    for index in cache.glob(f"v{FORMAT}/*.json"):
        json.loads(index.read_text())  # every file whole: written atomically
        index.write_text(index.read_text()[:200])  # now damage it
    damaged = lockaudit("scan", root, "--format", "json", "--cache-dir", cache)
    assert damaged.returncode == 0 and timeless(json.loads(damaged.stdout)) == audits[0]
    assert "Traceback" not in damaged.stderr


def test_an_unwritable_cache_costs_speed_not_the_scan(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    cache = tmp_path / "a-file" / "cache"  # cannot be created, not even by root
    result = lockaudit("scan", FIXTURES / "demo", "--cache-dir", cache)
    assert result.returncode == 0 and "the fact cache could not be written" in result.stderr


def test_no_cache_reads_and_writes_nothing(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert lockaudit("scan", FIXTURES / "demo", "--no-cache", "--cache-dir", cache).returncode == 0
    assert not cache.exists()


def test_the_per_file_hook_agrees_with_the_whole_project(tmp_path: Path) -> None:
    """Cold (no earlier scan: it infers the boundary from every file) and warm (it reuses the
    boundary of the last whole-project scan and extracts only its files), the per-file hook
    reports exactly the whole project's file-scope findings in those files."""
    import shutil

    from auditor.catalog import PIPELINE_CHECKS

    root = tmp_path / "shop"
    shutil.copytree(FIXTURES / "inferred-adapter", root)
    with open(root / "shop/views.py", "a") as views:  # file-scope findings outside the inferred adapter
        views.write("\nFALLBACK_MODEL = 'gpt-4o'\n")
    rules = load_rules().rules
    file_scope = {r.id for r in rules.values() if r.scope == "file" or r.when.get("check") in PIPELINE_CHECKS}
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.py"))

    def per_file(cache: Path) -> set[tuple[str, int, str]]:
        result = subprocess.run(
            [sys.executable, "-m", "auditor", "check", "--format", "json", "--cache-dir", str(cache), *files],
            cwd=root,
            capture_output=True,
            text=True,
        )
        assert result.returncode in (0, 1), result.stderr
        return {(f["path"], f["line"], f["rule_id"]) for f in json.loads(result.stdout)["findings"]}

    cold = per_file(tmp_path / "cold-cache")
    whole = lockaudit("scan", root, "--format", "json", "--cache-dir", tmp_path / "warm-cache")
    expected = {
        (f["path"], f["line"], f["rule_id"]) for f in json.loads(whole.stdout)["findings"] if f["rule_id"] in file_scope
    }
    assert expected and cold == expected
    assert per_file(tmp_path / "warm-cache") == expected


def test_facts_holding_a_secret_are_not_stored(tmp_path: Path) -> None:
    """A secret may hide in a keyword argument, a literal given to a secret-sounding name, or
    anywhere in a fact: such a file is extracted again next time, never kept in clear."""
    from auditor.cache import FactCache, cache_rows
    from auditor.facts import ConstructorFact, ImportFact, Location, StringFact
    from auditor.redact import built_in

    here = Location("app.py", 1, 1)
    cache = FactCache(tmp_path / "cache", tmp_path, "digest", built_in())

    def store(path: str, digest: str, facts: list) -> None:  # as a worker makes the rows and the scan keeps them
        cache.keep(path, digest, cache_rows(path, facts, cache.redactor))

    store(
        "plain.py",
        "d1",
        [
            ImportFact(here, "openai"),
            ConstructorFact(here, "openai.OpenAI", keywords=(("base_url", "https://api.openai.com/v1"),)),
        ],
    )
    store(
        "keyword.py",
        "d2",
        [ConstructorFact(here, "openai.OpenAI", keywords=(("api_key", "live0123456789abcdefABCDEF"),))],
    )
    store("named.py", "d3", [StringFact(here, "endpoint", "Zx9-Qw8.Er7_Ty6~Ui5x", context="client_secret")])
    store("prefixed.py", "d4", [StringFact(here, "model-id", "sk-proj-Zq8vT3xLm2Pw9Rk4Nd7Ys1Hb")])
    store("sk-proj-Zq8vT3xLm2Pw9Rk4Nd7Ys1Hb.py", "d5", [ImportFact(here, "openai")])
    assert sorted(cache.fresh) == ["plain.py"]
    assert cache.save() is None
    assert "live0123" not in cache.path.read_text() and "plain.py" in cache.path.read_text()


def test_workers_decide_what_the_cache_keeps(tmp_path: Path) -> None:
    """With a pool (many files) each worker turns its files' facts into the cache's rows; a
    file holding a key is still left out, and every other file is kept."""
    root = tmp_path / "tree"
    count = workers.PARALLEL_MIN_FILES + 8
    tree(root, count)
    (root / "app" / "m03.py").write_text(
        'import openai\nclient = openai.OpenAI(api_key="live0123456789abcdefABCDEF")\n'
    )
    cache = tmp_path / "cache"
    loaded = load_config(root)
    run_audit(root, loaded.config, load_rules(), options=ScanOptions(jobs=2, cache=cache))
    [index] = [
        p for p in cache.rglob("*.json") if "facts" in p.name or json.loads(p.read_text()).get("format") == FORMAT
    ]
    kept = json.loads(index.read_text())["files"]
    assert sorted(kept) == sorted(
        [*(f"app/m{i:02}.py" for i in range(count) if i != 3), "app/__init__.py", "pyproject.toml"]
    )
    assert "live0123" not in index.read_text()
