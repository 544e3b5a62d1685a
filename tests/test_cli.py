"""The command line as users meet it: exit codes, outputs, configuration, no tracebacks."""

from __future__ import annotations

import json
import os
import pty
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.cli import PROGRESS_MIN_FILES
from helpers import FIXTURES, lockaudit, scan_json, timeless

DEMO = FIXTURES / "demo"


def copy_fixture(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(FIXTURES / name, target)
    return target


def test_scan_reports_and_exits_zero() -> None:
    result = lockaudit("scan", DEMO)
    assert result.returncode == 0, result.stderr
    assert "OpenAI" in result.stdout and "4 imports    5 call sites" in result.stdout
    assert "support_bot/embeddings.py:2:12  medium  sdk-import-outside-adapter" in result.stdout
    assert (
        "Adapter boundary (inferred, low confidence)" in result.stdout and "1. support_bot/answers.py" in result.stdout
    )


def test_check_is_a_gate_with_default_threshold_medium() -> None:
    assert lockaudit("check", DEMO).returncode == 1
    assert lockaudit("check", DEMO, "--fail-on", "high").returncode == 0
    assert lockaudit("scan", DEMO, "--fail-on", "medium").returncode == 1
    assert lockaudit("scan", DEMO, "--fail-on", "critical").returncode == 0


def test_check_passes_when_sdk_stays_inside_configured_adapters(tmp_path: Path) -> None:
    root = copy_fixture("adapter-app", tmp_path)
    assert lockaudit("check", root).returncode == 1  # audit_trail.py leaks past the adapter
    (root / "src/ledger/services/audit_trail.py").unlink()
    assert lockaudit("check", root).returncode == 0


def test_json_file_and_stdout_agree(tmp_path: Path) -> None:
    out = tmp_path / "audit.json"
    result = lockaudit("scan", DEMO, "--json", out)
    assert result.returncode == 0 and "OpenAI" in result.stdout
    assert out.stat().st_mode & 0o777 == 0o666 & ~current_umask()
    from_file = timeless(json.loads(out.read_text()))
    assert from_file == scan_json(DEMO)
    piped = lockaudit("scan", DEMO, "--json", "-")
    assert timeless(json.loads(piped.stdout)) == from_file
    assert "OpenAI" in piped.stderr  # the human summary moves to stderr when stdout carries JSON
    both = lockaudit("scan", DEMO, "--json", "-", "--format", "json")
    assert timeless(json.loads(both.stdout)) == from_file and both.stderr == ""
    assert not list(out.parent.glob(".*.tmp"))  # atomic write leaves no temp file behind


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_json_into_a_missing_folder_is_an_error_and_creates_nothing(tmp_path: Path) -> None:
    result = lockaudit("scan", DEMO, "--json", tmp_path / "missing" / "audit.json")
    assert result.returncode == 2
    assert "cannot write" in result.stderr and "its folder does not exist" in result.stderr
    assert not (tmp_path / "missing").exists()
    for command in (["baseline", DEMO, "-o"], ["graph", DEMO, "-o"]):  # said before the scan
        other = lockaudit(*command, tmp_path / "missing" / "out.json")
        assert other.returncode == 2 and "its folder does not exist" in other.stderr, other.stderr
        assert not (tmp_path / "missing").exists()


def test_check_says_why_it_passed_or_failed() -> None:
    failed = lockaudit("check", DEMO)
    assert failed.returncode == 1
    assert "lockaudit check: failed: 4 of 6 findings at or above 'medium'" in failed.stderr
    passed = lockaudit("check", DEMO, "--fail-on", "high")
    assert passed.returncode == 0 and "lockaudit check: passed" in passed.stderr
    partial = lockaudit("check", FIXTURES / "notebooks")
    assert "warning: 3 files not fully analysed" in partial.stderr


def test_output_is_deterministic() -> None:
    def run() -> str:
        text = lockaudit("scan", FIXTURES / "tricky-imports", "--format", "json").stdout
        return re.sub(r'"scan":\{[^}]*\},', "", text)  # the scan time, the one part that may differ

    assert run() == run()


def test_exclude_flag(tmp_path: Path) -> None:
    audit = scan_json(DEMO, "--exclude", "support_bot/llm.py", "--exclude", "*tokens*")
    assert {r["path"] for r in audit["inventory"]} == {"support_bot/answers.py", "support_bot/embeddings.py"}


@pytest.mark.parametrize(
    "args, message",
    [
        (["scan", "no/such/dir"], "does not exist"),
        (["scan", sys.executable], "is outside the current folder"),  # a file is scanned from its project
        (["scan", str(DEMO), "--format", "yaml"], "Invalid value for '--format'"),
        (["scan", str(DEMO), "--fail-on", "severe"], "Invalid value for '--fail-on'"),
        (["frobnicate"], "No such command"),
    ],
)
def test_bad_invocation_exits_2(args: list[str], message: str) -> None:
    result = lockaudit(*args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_nothing_to_analyse_exits_2(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("no code here")
    result = lockaudit("scan", tmp_path)
    assert result.returncode == 2
    assert "nothing to analyse" in result.stderr
    (tmp_path / "broken.py").write_text("def f(:\n")
    result = lockaudit("scan", tmp_path, "--format", "json")
    assert result.returncode == 2
    assert "1 could not be analysed" in result.stderr
    assert [s["path"] for s in json.loads(result.stdout)["skipped"]] == ["broken.py"]


@pytest.mark.parametrize(
    "config_file, text, message",
    [
        (
            "pyproject.toml",
            "[tool.lockaudit]\nadpaters = ['x/']\n",
            "unknown key 'tool.lockaudit.adpaters'; did you mean 'tool.lockaudit.adapters'?",
        ),
        (
            "pyproject.toml",
            "[tool.lockaudit]\nfail-on = 'severe'\n",
            "'tool.lockaudit.fail-on' must be one of info, low, medium, high, critical",
        ),
        (
            "pyproject.toml",
            "[tool.lockaudit]\nexclude = 'tests/'\n",
            "'tool.lockaudit.exclude' must be a list of strings",
        ),
        (
            "pyproject.toml",
            "[tool.lockaudit]\nrules = ['no-such-folder']\n",
            "'tool.lockaudit.rules' entry 'no-such-folder' is not a folder",
        ),
        ("pyproject.toml", "[tool]\nlockaudit = 3\n", "[tool.lockaudit] must be a table"),
        (".lockaudit.toml", "fail_on = 'high'\n", "unknown key 'fail_on'; did you mean 'fail-on'?"),
        (".lockaudit.toml", "adapters = [\n", ".lockaudit.toml: cannot be read as TOML"),
        (".lockaudit.toml", "[tool.lockaudit]\nfail-on = 'low'\n", "without a [tool.lockaudit] header"),
    ],
)
def test_invalid_configuration_exits_2_naming_the_key(
    tmp_path: Path, config_file: str, text: str, message: str
) -> None:
    root = copy_fixture("demo", tmp_path)
    (root / config_file).write_text(text)
    result = lockaudit("scan", root)
    assert result.returncode == 2, result.stdout
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_unparsable_pyproject_is_skipped_not_fatal(tmp_path: Path) -> None:
    root = copy_fixture("demo", tmp_path)
    (root / "pyproject.toml").write_text("[project\nname = 'x'\n")
    audit = scan_json(root)
    assert [s["path"] for s in audit["skipped"]] == ["pyproject.toml"]
    assert audit["skipped"][0]["reason"].startswith("configuration ignored: invalid TOML")
    assert sum(f["rule_id"] == "sdk-import-outside-adapter" for f in audit["findings"]) == 2


def test_dedicated_config_file_wins_over_pyproject(tmp_path: Path) -> None:
    root = copy_fixture("demo", tmp_path)
    (root / "pyproject.toml").write_text("[tool.lockaudit]\nfail-on = 'critical'\n")
    assert lockaudit("check", root).returncode == 0
    (root / ".lockaudit.toml").write_text(
        "fail-on = 'low'\nadapters = ['support_bot/llm.py', 'support_bot/tokens.py']\n"
    )
    result = lockaudit("check", root, "--format", "json")
    assert result.returncode == 1
    audit = json.loads(result.stdout)
    assert audit["config"]["source"] == ".lockaudit.toml"
    imports = [f["path"] for f in audit["findings"] if f["rule_id"] == "sdk-import-outside-adapter"]
    assert imports == ["support_bot/answers.py", "support_bot/embeddings.py"]


def test_broken_user_rule_pack_exits_2_naming_file_rule_and_field(tmp_path: Path) -> None:
    root = copy_fixture("demo", tmp_path)
    packs = root / "lockaudit-rules"
    packs.mkdir()
    (root / ".lockaudit.toml").write_text("rules = ['lockaudit-rules']\n")
    (packs / "team.yaml").write_text(
        "id: team\ntitle: Team rules\nrules:\n  - id: no-foo\n    title: t\n    severity: urgent\n    effort: 1\n"
        "    category: c\n    message: m\n    remediation: r\n    when: {kind: import}\n"
    )
    result = lockaudit("scan", root)
    assert result.returncode == 2
    assert "team.yaml: rule 'no-foo': 'severity'" in result.stderr and "urgent" in result.stderr
    (packs / "team.yaml").write_text("id: [unclosed\n")
    result = lockaudit("scan", root)
    assert result.returncode == 2 and "team.yaml: cannot be read as YAML" in result.stderr


def test_user_pack_extends_the_catalog(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    (root / "packs").mkdir(parents=True)
    (root / "app.py").write_text("import acme_llm\nfrom acme_llm.chat import Chat\n")
    (root / ".lockaudit.toml").write_text("rules = ['packs']\n")
    (root / "packs" / "acme.yaml").write_text(
        "id: acme\ntitle: Acme\nvendor: Acme AI\nowner: Acme Corp\nlayer: model-api\n"
        "catalog:\n  products:\n    - id: acme-llm\n      title: Acme LLM SDK\n      modules: [acme_llm]\n"
    )
    audit = scan_json(root)
    assert [(r["name"], r["vendor"], r["owner"]) for r in audit["inventory"]] == [
        ("acme_llm", "Acme AI", "Acme Corp"),
        ("acme_llm.chat", "Acme AI", "Acme Corp"),
    ]
    # Two imports of one vendor in one file: one finding with two places.
    assert sorted((f["rule_id"], len(f["places"])) for f in audit["findings"]) == [
        ("sdk-import-outside-adapter", 2),
        ("single-model-vendor", 1),
    ]


def test_python_dash_m_and_version() -> None:
    result = lockaudit("--version")
    assert result.returncode == 0 and result.stdout.startswith("lockaudit, version ")


def _stderr_on_a_terminal(args: list[str], env: dict[str, str]) -> tuple[int, bytes, bytes]:
    """Run lockaudit with stderr attached to a pseudo-terminal; return (code, stdout, terminal)."""
    leader, follower = pty.openpty()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "auditor", *args], stdout=subprocess.PIPE, stderr=follower, env=env, timeout=120
        )
        os.close(follower)
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed: everything has been read
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(leader)
    return result.returncode, result.stdout, seen


def test_progress_shows_on_a_terminal_only(tmp_path: Path) -> None:
    for i in range(PROGRESS_MIN_FILES):
        (tmp_path / f"m{i}.py").write_text("import os\n")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    code, stdout, terminal = _stderr_on_a_terminal(["scan", str(tmp_path)], env)
    assert code == 0 and b"Scanning" in terminal and b"Scanning" not in stdout
    code, _, terminal = _stderr_on_a_terminal(["scan", str(tmp_path)], {**env, "CI": "true"})
    assert code == 0 and b"Scanning" not in terminal
    piped = subprocess.run([sys.executable, "-m", "auditor", "scan", str(tmp_path)], capture_output=True, env=env)
    assert b"Scanning" not in piped.stderr
    code, _, terminal = _stderr_on_a_terminal(["scan", str(tmp_path), "--quiet", "--no-cache"], env)
    assert code == 0 and b"Scanning" not in terminal  # --quiet means no bar either


def test_python_dash_m_lockaudit_is_the_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "lockaudit", "scan", FIXTURES / "demo", "--no-cache"], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout == lockaudit("scan", FIXTURES / "demo", "--no-cache").stdout
    assert (
        "Usage: lockaudit"
        in subprocess.run([sys.executable, "-m", "lockaudit", "--help"], capture_output=True, text=True).stdout
    )


def test_explicit_config_file_and_notice_for_a_parent_config(tmp_path: Path) -> None:
    project = tmp_path / "project"
    app = project / "app"
    (app / "llm").mkdir(parents=True)
    (app / "llm" / "client.py").write_text("import openai\n")
    (app / "views.py").write_text("from app.llm import client\n")
    (project / "pyproject.toml").write_text("[tool.lockaudit]\nadapters = ['./app/llm/']\n")
    assert lockaudit("check", project).returncode == 0
    sub = lockaudit("check", app, "--format", "json")
    assert "note: ../pyproject.toml configures lockaudit but is not read when scanning app/" in sub.stderr
    assert json.loads(sub.stdout)["summary"]["boundary"]["source"] == "not-needed"  # not the configured one
    explicit = lockaudit("check", app, "--config", project / "pyproject.toml", "--format", "json")
    assert explicit.returncode == 0, explicit.stderr
    config = json.loads(explicit.stdout)["config"]
    assert config["adapters"] == ["./app/llm/"] and config["source"].endswith("pyproject.toml")
    missing = lockaudit("check", app, "--config", tmp_path / "nope.toml")
    assert missing.returncode == 2 and "no such configuration file" in missing.stderr
    (project / "pyproject.toml").write_text("[project]\nname = 'p'\n")
    no_table = lockaudit("check", app, "--config", project / "pyproject.toml")
    assert no_table.returncode == 2 and "has no [tool.lockaudit] table" in no_table.stderr


def test_a_bug_is_one_line_and_exit_2_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    import auditor.cli as cli
    import auditor.pipeline as pipeline

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(pipeline, "run_audit", broken)
    monkeypatch.delenv("LOCKAUDIT_DEBUG", raising=False)
    result = CliRunner().invoke(cli.main, ["scan", str(DEMO)])
    assert result.exit_code == 2
    assert "lockaudit: internal error: RuntimeError: boom" in result.output
    assert "Traceback" not in result.output


TEAM_PACK = """\
id: team
title: Team rules
rules:
  - id: no-gemini-ids
    title: Gemini ids stay in configuration
    severity: low
    effort: 1
    category: configuration
    message: "{value} is hard-coded"
    remediation: Read it from settings.
    when:
      kind: model-id
      fields: {vendor: {equals: Google}, value: {glob: "gemini-*"}}
    examples:
      trigger:
        - "MODEL = 'gemini-2.5-flash'\\n"
        - "def f(client):\\n    client.models.generate_content(model='gemini-2.0-pro', contents='x')\\n"
      ignore:
        - "MODEL = 'gpt-4o'\\n"
        - "MODEL = 'models/gemini-1.5-pro'\\n"
"""


def test_rules_list_show_and_test(tmp_path: Path) -> None:
    listed = lockaudit("rules", "list")
    assert listed.returncode == 0 and "sdk-import-outside-adapter" in listed.stdout
    shown = lockaudit("rules", "show", "routed-model-id")
    assert shown.returncode == 0 and "contains: routed" in shown.stdout and "trigger:" in shown.stdout
    assert lockaudit("rules", "show", "no-such-rule").returncode == 2
    (tmp_path / "team.yaml").write_text(TEAM_PACK)
    tested = lockaudit("rules", "test", tmp_path)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert tested.stdout.strip().splitlines()[-1] == "4 passed, 0 failed"
    (tmp_path / "team.yaml").write_text(TEAM_PACK.replace("'gpt-4o'", "'gemini-exp-1206'"))
    failing = lockaudit("rules", "test", tmp_path)
    assert failing.returncode == 1
    assert "FAIL no-gemini-ids ignore[0] (example.py): example.py:1 gemini-exp-1206 is hard-coded" in failing.stdout
    builtin = lockaudit("rules", "test")
    assert builtin.returncode == 0 and builtin.stdout.strip().endswith(" 0 failed")


def test_colour_only_at_a_terminal_and_never_with_no_color() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM")}
    args = ["scan", str(FIXTURES / "demo"), "--json", "-"]  # the text summary goes to stderr, the terminal
    code, stdout, terminal = _stderr_on_a_terminal(args, env)
    assert code == 0 and b"\x1b[33mmedium" in terminal and b"\x1b[" not in stdout
    code, _, terminal = _stderr_on_a_terminal(args, {**env, "NO_COLOR": "1"})
    assert code == 0 and b"medium" in terminal and b"\x1b[" not in terminal
    piped = subprocess.run(
        [sys.executable, "-m", "auditor", "scan", str(FIXTURES / "demo")], capture_output=True, env=env
    )
    assert b"medium" in piped.stdout and b"\x1b[" not in piped.stdout + piped.stderr


def test_a_closed_pipe_ends_quietly() -> None:
    """`lockaudit … | head -1`: the reader stops early; no internal error, no traceback."""
    for args in (["rules", "list"], ["scan", str(FIXTURES / "demo")]):
        reader = subprocess.Popen(
            [sys.executable, "-m", "auditor", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        assert reader.stdout is not None
        reader.stdout.readline()
        reader.stdout.close()
        _, stderr = reader.communicate(timeout=60)
        assert b"internal error" not in stderr and b"Traceback" not in stderr


def test_lockaudit_leaves_sigpipe_ignored_so_a_dead_worker_cannot_kill_the_scan(capsys) -> None:
    """With SIGPIPE's default action, the first write to a worker process that has just died
    kills the scan without a word; Python ignores it, and lockaudit must leave it so."""
    import signal

    from auditor.cli import main

    before = signal.getsignal(signal.SIGPIPE)
    try:
        main(["rules", "list"], standalone_mode=False)
        assert signal.getsignal(signal.SIGPIPE) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGPIPE, before)


LOADED = """
import sys
from auditor.cli import main
sys.argv = ["lockaudit", *sys.argv[1:]]
try:
    main()
except SystemExit as exc:
    code = exc.code
print(sorted(m for m in ("networkx", "jsonschema", "libcst", "jinja2", "auditor.pipeline", "auditor.extract")
             if m in sys.modules), file=sys.stderr)
"""


def _loaded(*argv: object, cwd: Path | None = None) -> list[str]:
    """The heavy modules a whole lockaudit process loaded for these arguments."""
    proc = subprocess.run(
        [sys.executable, "-c", LOADED, *map(str, argv)],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "CI": "1"},
    )
    return json.loads(proc.stderr.strip().splitlines()[-1].replace("'", '"'))


def test_each_command_loads_only_what_it_needs(tmp_path: Path) -> None:
    assert _loaded("--version") == []
    demo = tmp_path / "demo"
    shutil.copytree(FIXTURES / "demo", demo)
    hook = _loaded("check", "--quiet", "--no-cache", "app.py", "support_bot/answers.py", cwd=demo)
    assert "networkx" not in hook and "jsonschema" not in hook and "auditor.pipeline" in hook
    saved = tmp_path / "audit.json"
    assert lockaudit("scan", demo, "--json", saved).returncode == 0
    assert _loaded("report", saved, "--format", "markdown") == []
    assert _loaded("report", saved, "--format", "markdown", "--validate") == ["jsonschema"]


def test_report_says_why_a_document_is_not_an_audit(tmp_path: Path) -> None:
    saved = tmp_path / "audit.json"
    assert lockaudit("scan", FIXTURES / "demo", "--json", saved).returncode == 0
    document = json.loads(saved.read_text())
    document["summary"].pop("hotspots")
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(document))
    plain = lockaudit("report", broken, "--format", "markdown")
    assert plain.returncode == 2 and "not a lockaudit audit (KeyError: 'hotspots')" in plain.stderr
    assert "Traceback" not in plain.stderr
    validated = lockaudit("report", broken, "--validate")
    assert validated.returncode == 2 and "'hotspots' is a required property" in validated.stderr
    (tmp_path / "list.json").write_text("[]")
    assert "no schema_version 1.x" in lockaudit("report", tmp_path / "list.json").stderr


def test_force_color_colours_a_log_and_no_color_wins() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    plain = subprocess.run(
        [sys.executable, "-m", "auditor", "scan", FIXTURES / "demo", "--no-cache"],
        capture_output=True,
        text=True,
        env=env,
    )
    forced = subprocess.run(
        [sys.executable, "-m", "auditor", "scan", FIXTURES / "demo", "--no-cache"],
        capture_output=True,
        text=True,
        env={**env, "FORCE_COLOR": "1"},
    )
    both = subprocess.run(
        [sys.executable, "-m", "auditor", "scan", FIXTURES / "demo", "--no-cache"],
        capture_output=True,
        text=True,
        env={**env, "FORCE_COLOR": "1", "NO_COLOR": "1"},
    )
    assert "\x1b[" not in plain.stdout and "\x1b[" in forced.stdout and "\x1b[" not in both.stdout


def test_check_names_failing_files_from_the_current_folder(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "demo", tmp_path / "demo")
    inside = lockaudit("check", "..", "--quiet", "--no-cache", cwd=tmp_path / "demo" / "support_bot")
    above = lockaudit("check", "demo", "--quiet", "--no-cache", cwd=tmp_path)
    assert inside.returncode == above.returncode == 1
    assert inside.stdout.startswith("answers.py:9:5: medium sdk-import-outside-adapter")
    assert above.stdout.startswith("demo/support_bot/answers.py:9:5: medium")


def test_select_and_ignore_rules_on_the_command_line() -> None:
    def rules(*extra: str) -> set[str]:
        result = lockaudit("scan", FIXTURES / "demo", "--format", "json", "--no-cache", *extra)
        assert result.returncode == 0, result.stderr
        return {f["rule_id"] for f in json.loads(result.stdout)["findings"]}

    everything = rules()
    assert rules("--select", "hard-coded-model-id,client-outside-adapter") == {
        "hard-coded-model-id",
        "client-outside-adapter",
    }
    assert rules("--ignore", "hard-coded-model-id", "--ignore", "single-model-vendor") == everything - {
        "hard-coded-model-id",
        "single-model-vendor",
    }
    typo = lockaudit("check", FIXTURES / "demo", "--ignore", "hard-coded-modelid")
    assert typo.returncode == 2 and "did you mean 'hard-coded-model-id'?" in typo.stderr


def test_init_writes_the_configuration_and_the_baseline_and_check_then_passes(tmp_path: Path) -> None:
    project = tmp_path / "web"
    shutil.copytree(FIXTURES / "web-app", project)
    result = lockaudit("init", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "repo: local" in result.stdout and "entry: lockaudit check --quiet" in result.stdout
    table = __import__("tomllib").loads((project / "pyproject.toml").read_text())["tool"]["lockaudit"]
    assert table["adapters"] == ["app/llm/"] and table["baseline"] == "lockaudit-baseline.json"
    accepted = json.loads((project / "lockaudit-baseline.json").read_text())
    assert len(accepted["findings"]) == 7 and lockaudit("check", cwd=project).returncode == 0
    again = lockaudit("init", cwd=project)
    assert again.returncode == 2 and "already configures lockaudit" in again.stderr
    bare = tmp_path / "bare"
    shutil.copytree(FIXTURES / "demo", bare)
    assert lockaudit("init", cwd=bare).returncode == 0
    assert (bare / ".lockaudit.toml").is_file() and lockaudit("check", cwd=bare).returncode == 0


def test_the_project_hook_reports_project_rules_and_never_blocks_without_a_baseline(tmp_path: Path) -> None:
    write_tree = __import__("helpers").write_tree
    write_tree(
        tmp_path,
        {
            ".lockaudit.toml": 'adapters = ["app/llm.py"]\n',
            "app/__init__.py": "",
            "pyproject.toml": '[project]\nname = "shop"\ndependencies = ["openai"]\n',
            "app/llm.py": "import openai\nclient = openai.OpenAI()\n",
            "app/web.py": "import openai\n",
        },
    )
    first = lockaudit("check", "--quiet", "--project-hook", "--no-cache", cwd=tmp_path)
    assert first.returncode == 0 and "no baseline: this hook lets the commit through" in first.stderr
    assert lockaudit("baseline", cwd=tmp_path).returncode == 0
    (tmp_path / "app" / "other.py").write_text("import anthropic\n")  # undeclared: a project-scope finding
    blocked = lockaudit("check", "--quiet", "--project-hook", "--no-cache", cwd=tmp_path)
    assert blocked.returncode == 1 and "ai-sdk-imported-not-declared" in blocked.stdout
    assert "sdk-import-outside-adapter" not in blocked.stdout  # file-scope: the staged-files hook's
    plain = lockaudit("check", "--quiet", "--no-cache", cwd=tmp_path)
    assert plain.returncode == 1 and "app/other.py:1:8: medium sdk-import-outside-adapter" in plain.stdout


def test_help_groups_the_commands_and_shows_examples_and_exit_codes() -> None:
    text = lockaudit("--help").stdout
    assert text.index("Audit:") < text.index("Gate:") < text.index("Set up:") < text.index("Examples:")
    assert "lockaudit init" in text and "Exit codes:" in text
    assert all(
        f"  {name} " in text for name in ("scan", "report", "graph", "check", "baseline", "init", "config", "rules")
    )
    check = lockaudit("check", "--help").stdout
    sections = [line[:-1] for line in check.splitlines() if line.endswith(":") and not line.startswith(" ")]
    assert sections == ["Output", "What is analysed", "Gate", "Speed", "Options"]

    def section_of(option: str) -> str:
        return next(title for title in reversed(sections) if check.index(f"\n{title}:") < check.index(option))

    assert [section_of(o) for o in ("--sarif FILE", "--select RULE", "--since REF", "--no-cache", "--help")] == [
        "Output",
        "What is analysed",
        "Gate",
        "Speed",
        "Options",
    ]
    from auditor.cli import main

    options = [min(p.opts, key=len) for p in main.commands["check"].params if p.param_type_name == "option"]
    assert len(options) > 20 and all(check.count(f"  {o} ") + check.count(f"  {o},") == 1 for o in options)


def test_scan_accepts_a_file_and_reports_that_files_findings(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "demo", tmp_path / "demo")
    one = lockaudit("scan", "support_bot/answers.py", "--format", "json", "--no-cache", cwd=tmp_path / "demo")
    assert one.returncode == 0, one.stderr
    findings = json.loads(one.stdout)["findings"]
    assert findings and {f["path"] for f in findings} == {"support_bot/answers.py"}
    outside = lockaudit("scan", tmp_path / "demo" / "app.py", cwd=tmp_path / "demo" / "support_bot")
    assert outside.returncode == 2 and "is outside the current folder" in outside.stderr


def test_the_hooks_init_prints_are_the_hooks_lockaudit_ships() -> None:
    """`init` prints local hooks; they must run what the published hooks run."""
    import yaml

    from auditor.cli import PRE_COMMIT_SNIPPET

    shipped = {
        h["id"]: h for h in yaml.safe_load((Path(__file__).parent.parent / ".pre-commit-hooks.yaml").read_text())
    }
    printed = {h["id"]: h for h in yaml.safe_load(PRE_COMMIT_SNIPPET)["repos"][0]["hooks"]}
    assert printed.keys() == shipped.keys()
    for hook_id, hook in printed.items():
        for key in ("name", "entry", "pass_filenames", "require_serial", "types_or"):
            assert hook.get(key) == shipped[hook_id].get(key), (hook_id, key)
