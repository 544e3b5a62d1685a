"""Configuration: every key does what it says, `lockaudit config` says where each value came
from, and a wrong value stops the run (exit 2) with the key named and a suggestion."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import lockaudit, scan_json, write_tree

APP = {
    "app/__init__.py": "",
    "app/llm.py": "import openai\nclient = openai.OpenAI()\nMODEL = 'gpt-4o'\n",
    "app/web.py": "import anthropic\n",
    "tests/test_llm.py": "import openai\nMODEL = 'gpt-4o-mini'\n",
}


def findings(root: Path) -> set[tuple[str, str, str]]:
    return {(f["rule_id"], f["path"], f["severity"]) for f in scan_json(root)["findings"]}


def test_each_key_changes_the_findings(tmp_path: Path) -> None:
    write_tree(tmp_path, APP)
    before = findings(tmp_path)
    assert ("hard-coded-model-id", "app/llm.py", "low") in before
    assert ("sdk-import-outside-adapter", "tests/test_llm.py", "info") in before  # tests do not count by default
    (tmp_path / ".lockaudit.toml").write_text(
        'disable = ["no-adapter-boundary"]\n'
        'forbid-vendors = ["Anthropic"]\n'
        '[severity]\nhard-coded-model-id = "high"\n'
        '[[overrides]]\npaths = ["tests/"]\ndisable = ["*"]\n'
        '[[overrides]]\npaths = ["app/llm.py"]\nseverity = { client-outside-adapter = "info" }\n'
    )
    after = findings(tmp_path)
    assert not any(path.startswith("tests/") for _, path, _ in after)  # tests may use any SDK
    assert not any(rule == "no-adapter-boundary" for rule, _, _ in after)
    assert ("hard-coded-model-id", "app/llm.py", "high") in after
    assert ("client-outside-adapter", "app/llm.py", "info") in after
    assert ("forbidden-vendor", "app/web.py", "high") in after
    (tmp_path / ".lockaudit.toml").write_text('allow-vendors = ["Anthropic"]\n')
    allowed = findings(tmp_path)
    assert ("vendor-not-allowed", "app/llm.py", "medium") in allowed
    assert not any(rule == "vendor-not-allowed" and path == "app/web.py" for rule, path, _ in allowed)


def test_ownership_overrides(tmp_path: Path) -> None:
    write_tree(tmp_path, {"app.py": "import openai\n", "pyproject.toml": "[tool.ruff]\nline-length = 100\n"})
    owners = {r["owner"]: r for r in scan_json(tmp_path)["summary"]["owners"]["owners"]}
    assert sorted(owners["OpenAI"]["layers"]) == ["lint-format", "model-api"]  # Astral → OpenAI, announced
    (tmp_path / ".lockaudit.toml").write_text('owners = { Astral = "Astral", OpenAI = "Microsoft" }\n')
    owners = {r["owner"]: r for r in scan_json(tmp_path)["summary"]["owners"]["owners"]}
    assert sorted(owners) == ["Astral", "Microsoft"]
    assert owners["Microsoft"]["through"] == [
        {"company": "OpenAI", "owner": "Microsoft", "status": "configured", "as_of": ""}
    ]


def test_config_command_shows_values_and_where_they_came_from(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "app.py": "import openai\n",
            "pyproject.toml": '[tool.lockaudit]\nadapters = ["app.py"]\nbaseline = "ci/baseline.json"\n',
        },
    )
    text = lockaudit("config", tmp_path)
    assert text.returncode == 0
    assert 'adapters = ["app.py"]  # pyproject.toml' in text.stdout
    assert 'baseline = "ci/baseline.json"  # pyproject.toml' in text.stdout
    assert "exclude = []  # default" in text.stdout
    assert "# fail-on is not set: `check` fails on 'medium' and above" in text.stdout
    as_json = json.loads(lockaudit("config", tmp_path, "--format", "json").stdout)
    assert as_json["sources"]["adapters"] == "pyproject.toml" and as_json["sources"]["disable"] == "default"
    assert as_json["values"]["baseline"] == "ci/baseline.json"


@pytest.mark.parametrize(
    "text, message",
    [
        (
            'disable = ["hard-coded-modelid"]\n',
            "'disable' names no known rule 'hard-coded-modelid'; did you mean 'hard-coded-model-id'?",
        ),
        (
            'forbid-vendors = ["Deepseek"]\n',
            "'forbid-vendors' names no known vendor 'Deepseek'; did you mean 'DeepSeek'?",
        ),
        ('allow-vendors = ["OpenAI"]\nforbid-vendors = ["OpenAI"]\n', "['OpenAI'] both allowed and forbidden"),
        ('[severity]\nhard-coded-model-id = "severe"\n', "'severity.hard-coded-model-id' must be one of info, low"),
        ('[[overrides]]\npath = ["tests/"]\n', "unknown key 'overrides[0].path'; did you mean 'overrides[0].paths'?"),
        ('[[overrides]]\ndisable = ["*"]\n', "'overrides[0].paths' must name at least one path pattern"),
        (
            '[[overrides]]\npaths = ["t/"]\ndisable = ["no-such-rule"]\n',
            "'overrides[0].disable' names no known rule 'no-such-rule'",
        ),
        ("owners = { Astral = 3 }\n", "'owners' must be a table of company = owner"),
        ('baseline = ""\n', "'baseline' must be a file path"),
    ],
)
def test_a_wrong_value_exits_2_naming_the_key(tmp_path: Path, text: str, message: str) -> None:
    write_tree(tmp_path, {"app.py": "import openai\n", ".lockaudit.toml": text})
    for command in ("scan", "config"):
        result = lockaudit(command, tmp_path)
        assert result.returncode == 2 and message in result.stderr, result.stderr
        assert "Traceback" not in result.stderr


def test_the_per_file_size_limit_is_configurable(tmp_path: Path) -> None:
    write_tree(tmp_path, {"small.py": "import openai\n", "large.py": "import anthropic\n# " + "x" * 400 + "\n"})
    (tmp_path / ".lockaudit.toml").write_text("max-file-size = 200\n")
    audit = scan_json(tmp_path)
    assert audit["skipped"] == [{"path": "large.py", "reason": "larger than the size cap (420 > 200 bytes)"}]
    assert audit["config"]["max_file_size"] == 200
    (tmp_path / ".lockaudit.toml").write_text("max-file-size = 0\n")
    bad = lockaudit("scan", tmp_path)
    assert bad.returncode == 2 and "'max-file-size' must be a number of bytes" in bad.stderr


def test_a_pyproject_that_does_not_parse_but_holds_our_table_stops_the_gate(tmp_path: Path) -> None:
    """The gate never judges without its own settings: exit 2 and where, as for .lockaudit.toml."""
    write_tree(
        tmp_path,
        {
            "app.py": "import openai\n",
            "pyproject.toml": '[project]\nname = "x"\n\n[tool.lockaudit]\nadapters = ["app.py"\n',
        },
    )
    result = lockaudit("check", tmp_path, "--no-cache")
    assert result.returncode == 2
    assert "pyproject.toml: invalid TOML, and it holds [tool.lockaudit]" in result.stderr
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = ["openai"\n')
    other = lockaudit("scan", tmp_path, "--no-cache", "--format", "json")
    assert other.returncode == 0 and "pyproject.toml" in {s["path"] for s in json.loads(other.stdout)["skipped"]}


def _monorepo(root: Path) -> Path:
    """A repository whose configuration sits at its top, above the service a user scans."""
    write_tree(
        root,
        {
            "pyproject.toml": "[tool.lockaudit]\nadapters = ['services/api/llm/']\nexclude = ['services/api/legacy/']\n",
            "services/api/llm/client.py": "import openai\nclient = openai.OpenAI()\n",
            "services/api/views.py": "from llm import client\nimport openai\n",
            "services/api/legacy/old.py": "import anthropic\n",
            "services/api/pyproject.toml": "[project]\nname = 'api'\n",  # no lockaudit table: not a configuration
        },
    )
    (root / ".git").mkdir()
    return root / "services" / "api"


def test_the_nearest_configuration_up_to_the_repository_top_is_read(tmp_path: Path) -> None:
    api = _monorepo(tmp_path / "repo")
    (tmp_path / ".lockaudit.toml").write_text("fail-on = 'info'\n")  # above the repository: never read
    result = lockaudit("scan", api, "--format", "json", "--no-cache")
    audit = json.loads(result.stdout)
    assert audit["config"]["source"] == "../../pyproject.toml", result.stderr
    assert audit["summary"]["boundary"]["source"] == "configured"  # its patterns are its own folder's
    assert {(f["rule_id"], f["path"]) for f in audit["findings"]} == {
        ("sdk-import-outside-adapter", "views.py"),
        ("single-model-vendor", "llm/client.py"),
    }  # legacy/ is excluded
    assert "note:" not in result.stderr
    (api / ".lockaudit.toml").write_text("exclude = []\n")  # the nearest file wins, whole
    nearer = json.loads(lockaudit("scan", api, "--format", "json", "--no-cache").stdout)
    assert nearer["config"]["source"] == ".lockaudit.toml"
    assert "legacy/old.py" in {f["path"] for f in nearer["findings"]}


def test_outside_a_repository_the_search_stops_at_the_current_folder(tmp_path: Path) -> None:
    api = _monorepo(tmp_path / "repo")
    (tmp_path / "repo" / ".git").rmdir()
    inside = json.loads(lockaudit("scan", api, "--format", "json", "--no-cache", cwd=tmp_path / "repo").stdout)
    assert inside["config"]["source"] == "../../pyproject.toml"
    elsewhere = lockaudit("scan", api, "--format", "json", "--no-cache", cwd=api)
    assert json.loads(elsewhere.stdout)["config"]["source"] is None
    assert "../../pyproject.toml configures lockaudit but is not read" in elsewhere.stderr


def test_a_parents_baseline_is_neither_used_nor_overwritten_by_a_scan_inside_it(tmp_path: Path) -> None:
    api = _monorepo(tmp_path / "repo")
    assert lockaudit("baseline", tmp_path / "repo").returncode == 0
    written = (tmp_path / "repo" / "lockaudit-baseline.json").read_bytes()
    check = lockaudit("check", api, "--no-cache")
    assert "whose baseline (../../lockaudit-baseline.json) holds the findings of a scan of ../../" in check.stderr
    assert "it does not judge a folder inside it" in check.stderr
    refused = lockaudit("baseline", api)
    assert refused.returncode == 2 and "writes no baseline for a folder inside it" in refused.stderr
    assert (tmp_path / "repo" / "lockaudit-baseline.json").read_bytes() == written
