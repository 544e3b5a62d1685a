"""Toolchain and manifest extractors on small inputs of each format."""

from __future__ import annotations

from auditor.extract.toolchain import (
    extract_pre_commit, extract_promptfoo, extract_pyproject, extract_requirements, extract_uv_lock, extract_workflow,
)
from auditor.facts import DependencyFact, ErrorFact, StringFact, ToolFact
from auditor.packs import load_rules

DETECTORS = load_rules().detectors()


def tools(facts) -> list[tuple[str, str, int, str | None]]:
    return [(f.product, f.signal, f.loc.line, f.value) for f in facts if isinstance(f, ToolFact)]


def deps(facts) -> list[tuple[str, str, str | None, int]]:
    return [(f.name, f.group, f.specifier or f.version, f.loc.line) for f in facts if isinstance(f, DependencyFact)]


def test_pyproject_tables_are_read_exactly() -> None:
    text = b"""[project]
name = "x"
dependencies = ["OpenAI>=1.0", "requests"]

[project.optional-dependencies]
claude = ["anthropic[bedrock]>=0.40; python_version >= '3.11'"]

[dependency-groups]
dev = ["ruff", {include-group = "lint"}]

[tool.uv-dynamic-versioning]
enable = true

[tool.ruff.lint]
select = ["RUF"]

[[tool.uv.index]]
name = "pyx"
url = "https://api.pyx.dev/simple/acme"
"""
    facts = extract_pyproject("pyproject.toml", text)
    assert tools(facts) == [
        ("uv", "[tool.uv]", 17, None),
        ("pyx", "[[tool.uv.index]]", 19, "https://api.pyx.dev/simple/acme"),
        ("ruff", "[tool.ruff]", 14, None),
    ]
    assert deps(facts) == [("openai", "main", ">=1.0", 3), ("requests", "main", None, 3),
                           ("anthropic", "optional:claude", ">=0.40", 6), ("ruff", "group:dev", None, 9)]


def test_dynamic_versioning_alone_is_not_uv() -> None:
    assert tools(extract_pyproject("pyproject.toml", b"[tool.uv-dynamic-versioning]\nenable = true\n")) == []


def test_broken_toml_is_an_error_fact() -> None:
    facts = extract_pyproject("pyproject.toml", b"[project\n")
    assert len(facts) == 1 and isinstance(facts[0], ErrorFact) and facts[0].reason == "invalid TOML"


def test_requirements_with_markers_hashes_includes_and_a_bad_line() -> None:
    text = b"""# pinned
-r base.txt
--index-url https://example.invalid/simple
openai==1.61.0 --hash=sha256:abc
anthropic>=0.40 ; python_version >= "3.11"
this is not a requirement
git+https://example.invalid/x.git
litellm[proxy]~=1.50  # comment
"""
    facts = extract_requirements("requirements-dev.txt", text)
    assert deps(facts) == [("openai", "requirements-dev.txt", "==1.61.0", 4),
                           ("anthropic", "requirements-dev.txt", ">=0.40", 5),
                           ("litellm", "requirements-dev.txt", "~=1.50", 8)]
    errors = [(f.loc.line, f.partial) for f in facts if isinstance(f, ErrorFact)]
    assert errors == [(6, True), (7, True)]


def test_uv_lock_packages_and_edges() -> None:
    text = b"""version = 1
[[package]]
name = "myproject"
version = "0.1.0"
source = { editable = "." }
dependencies = [{ name = "instructor" }]

[[package]]
name = "instructor"
version = "1.7.0"
dependencies = [{ name = "openai" }, { name = "Pydantic" }]

[[package]]
name = "openai"
version = "1.61.0"
"""
    facts = extract_uv_lock("uv.lock", text)
    locked = [(f.name, f.version, f.requires, f.loc.line) for f in facts if isinstance(f, DependencyFact)]
    assert locked == [("instructor", "1.7.0", ("openai", "pydantic"), 9), ("openai", "1.61.0", (), 14)]
    assert tools(facts) == [("uv", "uv.lock", 1, None)]


def test_workflow_actions_and_commands() -> None:
    text = b"""on: push
jobs:
  ci:
    steps:
      - uses: astral-sh/setup-uv@v6
      - uses: astral-sh/ruff-action@v3
      - run: |
          uv sync --locked
          uvx ty check src
      - run: npx promptfoo@latest eval -c evals/promptfooconfig.yaml
      - run: echo "ruffian typology"
"""
    found = tools(extract_workflow(".github/workflows/ci.yml", text))
    assert found == [
        ("github-actions", "workflow", 1, None),
        ("uv", "uses: astral-sh/setup-uv", 5, "v6"),
        ("ruff", "uses: astral-sh/ruff-action", 6, "v3"),
        ("uv", "run: uv sync", 7, None),
        ("ty", "run: ty check", 7, None),
        ("promptfoo", "run: promptfoo@latest eval", 10, None),
    ]


def test_pre_commit_astral_repos_and_local_hooks() -> None:
    text = b"""repos:
  - repo: https://github.com/astral-sh/ruff-pre-commit
    rev: v0.8.0
    hooks: [{id: ruff-check}, {id: ruff-format}]
  - repo: https://github.com/pre-commit/pre-commit-hooks
    rev: v5.0.0
    hooks: [{id: trailing-whitespace}]
  - repo: local
    hooks:
      - id: types
        name: types
        entry: uvx ty check
        language: system
"""
    assert tools(extract_pre_commit(".pre-commit-config.yaml", text)) == [
        ("ruff", "repo: astral-sh/ruff-pre-commit", 2, None),
        ("uv", "local hook: uvx", 12, None),
        ("ty", "local hook: ty check", 12, None),
    ]


def test_yaml_tags_are_not_constructed_and_bad_yaml_is_reported() -> None:
    facts = extract_workflow(".github/workflows/x.yml", b"steps: !!python/object/apply:os.system ['true']\n")
    assert tools(facts) == [("github-actions", "workflow", 1, None)]
    broken = extract_workflow(".github/workflows/x.yml", b"steps: [\n")
    assert len(broken) == 1 and isinstance(broken[0], ErrorFact) and broken[0].reason == "invalid YAML"


def test_promptfoo_providers_graders_and_the_implicit_grader() -> None:
    text = b"""providers:
  - openai:chat:gpt-4o-mini
  - id: bedrock:us.anthropic.claude-3-5-sonnet-20241022-v2:0
  - file://provider.py
tests:
  - assert:
      - type: llm-rubric
        value: polite
      - type: not-factuality
        value: x
      - type: similar
        provider: vertex:gemini-2.5-flash
      - type: contains
        value: ok
  - options:
      provider: anthropic:messages:claude-sonnet-4-5
    assert:
      - type: g-eval
"""
    facts = extract_promptfoo("promptfooconfig.yaml", text, DETECTORS)
    assert [t for t in tools(facts) if t[1] != "promptfoo config"] == [
        ("promptfoo", "provider", 2, "openai:chat:gpt-4o-mini"),
        ("promptfoo", "provider", 3, "bedrock:us.anthropic.claude-3-5-sonnet-20241022-v2:0"),
        ("promptfoo", "provider", 4, "file://provider.py"),
        ("promptfoo", "implicit-grader", 7, "llm-rubric"),
        ("promptfoo", "implicit-grader", 9, "factuality"),
        ("promptfoo", "grader", 12, "vertex:gemini-2.5-flash"),
    ]
    models = [(f.value, f.family) for f in facts if isinstance(f, StringFact)]
    assert models == [("openai:chat:gpt-4o-mini", "openai-chat"),
                      ("bedrock:us.anthropic.claude-3-5-sonnet-20241022-v2:0", "anthropic-bedrock"),
                      ("vertex:gemini-2.5-flash", "gemini")]
    with_default = extract_promptfoo("promptfooconfig.yaml",
                                     b"defaultTest:\n  options:\n    provider: openai:gpt-4o\n"
                                     b"tests:\n  - assert: [{type: llm-rubric, value: x}]\n", DETECTORS)
    assert not [t for t in tools(with_default) if t[1] == "implicit-grader"]


def test_suppressions_only_one_tool_understands() -> None:
    from auditor.extract.python import extract_python

    source = b"x = 1  # ty: ignore[unresolved-reference]\n# ruff: noqa\ny = 2  # noqa: E501, RUF012\nz = 3  # noqa: E501\n"
    found = [(f.product, f.signal, f.loc.line, f.loc.column) for f in extract_python("s.py", source, DETECTORS)
             if isinstance(f, ToolFact)]
    assert found == [("ty", "# ty: ignore", 1, 8), ("ruff", "# ruff: noqa", 2, 1), ("ruff", "# noqa: RUF", 3, 8)]


def test_build_scripts_env_files_manifests_and_assistants(tmp_path) -> None:
    import json

    from helpers import lockaudit, write_tree

    files = {
        "Dockerfile": "FROM python:3.12\nCOPY --from=ghcr.io/astral-sh/uv:0.8 /uv /uvx /bin/\nRUN uv sync --locked\n",
        "Makefile": "test:\n\tuv run pytest\nlint:\n\truff check .\n",
        "tox.ini": "[tox]\nrequires = tox-uv\n",
        ".env.example": "OPENAI_API_KEY=sk-do-not-print-me\nexport ANTHROPIC_BASE_URL=https://api.anthropic.com\nDEBUG=1\n",
        ".github/copilot-instructions.md": "Use pytest.\n",
        "CLAUDE.md": "# house rules\n",
        ".cursor/rules/python.mdc": "prefer dataclasses\n",
        "pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.11"\nopenai = "^1.60"\n"google-genai" = "*"\n',
        "poetry.lock": '[[package]]\nname = "openai"\nversion = "1.61.0"\n[package.dependencies]\nhttpx = ">=0.23"\n',
        "setup.cfg": "[options]\ninstall_requires =\n    anthropic>=0.40\n    requests\n",
        "app.py": "import os\n",
    }
    write_tree(tmp_path, files)
    result = lockaudit("scan", tmp_path, "--format", "json")
    assert "sk-do-not-print-me" not in result.stdout + result.stderr
    got = sorted((r["path"], r["line"], r["kind"], r["name"], r["vendor"]) for r in json.loads(result.stdout)["inventory"])
    assert got == [
        (".cursor/rules/python.mdc", 1, "config", "python.mdc", "Cursor"),
        (".env.example", 1, "env", "OPENAI_API_KEY", "OpenAI"),
        (".env.example", 2, "env", "ANTHROPIC_BASE_URL", "Anthropic"),
        (".github/copilot-instructions.md", 1, "config", "copilot-instructions.md", "GitHub"),
        ("CLAUDE.md", 1, "config", "CLAUDE.md", "Anthropic"),
        ("Dockerfile", 2, "config", "image ghcr.io/astral-sh/uv", "Astral"),
        ("Dockerfile", 3, "config", "command: uv sync", "Astral"),
        ("Makefile", 2, "config", "command: uv run", "Astral"),
        ("Makefile", 4, "config", "command: ruff check", "Astral"),
        ("poetry.lock", 2, "dependency", "openai", "OpenAI"),
        ("pyproject.toml", 3, "dependency", "openai", "OpenAI"),
        ("pyproject.toml", 4, "dependency", "google-genai", "Google"),
        ("setup.cfg", 3, "dependency", "anthropic", "Anthropic"),
        ("tox.ini", 2, "config", "tox-uv", "Astral"),
    ]


def test_application_config_package_json_and_other_ci(tmp_path) -> None:
    import json

    from helpers import lockaudit, write_tree

    files = {
        "config/litellm.yaml": "model_list:\n  - model_name: fast\n    litellm_params:\n      model: azure/gpt-4o-mini\n"
                               "      api_base: https://myres.openai.azure.com\nname: gpt-4o-docs\n",
        "config/app.config.json": '{"llm": {"model": "gemini-2.5-flash"}, "title": "claude-3-rag"}\n',
        "results/run-2026-07-04.json": '{"model": "gpt-4o"}\n',
        "config/tabbed.settings.json": '{\t"model":\t"o3"}\n',
        "settings.toml": '[llm]\nmodel = "mistral-large-latest"\n',
        "package.json": '{"devDependencies": {"promptfoo": "^0.110.0"}}\n',
        "package-lock.json": '{"packages": {"": {"model": "gpt-4o"}}}\n',
        ".gitlab-ci.yml": "test:\n  image: ghcr.io/astral-sh/uv:python3.12\n  script:\n    - uv run pytest\n",
        "azure-pipelines.yml": "steps:\n  - script: ruff check .\n",
        "app.py": "import os\n",
    }
    write_tree(tmp_path, files)
    audit = json.loads(lockaudit("scan", tmp_path, "--format", "json").stdout)
    got = sorted((r["path"], r["line"], r["kind"], r["value"] or r["name"], r["vendor"]) for r in audit["inventory"])
    assert got == [
        (".gitlab-ci.yml", 1, "config", ".gitlab-ci.yml", "GitLab"),
        (".gitlab-ci.yml", 2, "config", "image ghcr.io/astral-sh/uv", "Astral"),
        (".gitlab-ci.yml", 4, "config", "command: uv run", "Astral"),
        ("azure-pipelines.yml", 1, "config", "azure-pipelines.yml", "Microsoft"),
        ("azure-pipelines.yml", 2, "config", "command: ruff check", "Astral"),
        ("config/app.config.json", 1, "model-id", "gemini-2.5-flash", "Google"),
        ("config/litellm.yaml", 4, "model-id", "azure/gpt-4o-mini", "OpenAI"),
        ("config/litellm.yaml", 5, "endpoint", "https://myres.openai.azure.com", "Microsoft"),
        ("config/tabbed.settings.json", 1, "model-id", "o3", "OpenAI"),
        ("package.json", 1, "config", "^0.110.0", "Promptfoo"),
        ("settings.toml", 2, "model-id", "mistral-large-latest", "Mistral AI"),
    ]


def test_terraform_ai_services_with_a_real_hcl_parser(tmp_path) -> None:
    import json

    from helpers import lockaudit

    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.tf").write_text(
        'resource "azurerm_cognitive_account" "openai" {\n  name = "acme-openai"\n  kind = "OpenAI"\n}\n\n'
        'resource "azurerm_cognitive_deployment" "gpt" {\n  name = "chat"\n  model {\n    format = "OpenAI"\n'
        '    name   = "gpt-4o"\n  }\n}\n\n'
        'resource "aws_bedrockagent_agent" "helper" {\n  foundation_model = "anthropic.claude-3-5-sonnet-20240620-v1:0"\n}\n\n'
        'resource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n'
    )
    (tmp_path / "infra" / "broken.tf").write_text('resource "x" {\n')
    (tmp_path / "app.py").write_text("import os\n")
    audit = json.loads(lockaudit("scan", tmp_path, "--format", "json").stdout)
    got = [(r["line"], r["kind"], r["value"], r["vendor"], r["layer"]) for r in audit["inventory"]]
    assert got == [
        (1, "config", "openai", "Microsoft", "cloud"),
        (6, "config", "gpt", "Microsoft", "cloud"),
        (10, "model-id", "gpt-4o", "OpenAI", "model-api"),
        (14, "config", "helper", "AWS", "cloud"),
        (15, "model-id", "anthropic.claude-3-5-sonnet-20240620-v1:0", "Anthropic", "model-api"),
    ]
    assert [(s["path"], s["reason"].split(":")[0]) for s in audit["skipped"]] == [("infra/broken.tf", "invalid HCL")]


def test_mcp_server_configurations_list_each_server_local_or_hosted_without_secrets() -> None:
    from auditor.discover import file_kind
    from auditor.extract.toolchain import extract_mcp_config

    assert [file_kind(p.rsplit("/", 1)[-1], p) for p in (".mcp.json", ".cursor/mcp.json", "app/.vscode/mcp.json",
                                                         "mcp.json", "docs/.mcp.json.txt")] == [
        "mcp-config", "mcp-config", "mcp-config", None, None]
    data = b"""{
      "mcpServers": {
        "github": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"],
                   "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_not_kept"}},
        "docs": {"type": "http", "url": "https://user:pw@api.openai.com/v1/mcp?key=not-kept"},
        "half": {"args": ["x"]}
      },
      "servers": {"files": {"type": "stdio", "command": "uvx", "args": ["--from", "files-mcp", "files-mcp"]}}
    }"""
    facts = extract_mcp_config(".mcp.json", data, DETECTORS)
    assert tools(facts) == [
        ("mcp", "mcp server github", 3, "local: npx @modelcontextprotocol/server-github"),
        ("mcp", "mcp server docs", 5, "hosted: https://api.openai.com/v1/mcp"),
        ("mcp", "mcp server files", 8, "local: uvx files-mcp"),
    ]
    assert [(f.what, f.value) for f in facts if isinstance(f, StringFact)] == [
        ("endpoint", "https://api.openai.com/v1/mcp")]
    assert "not_kept" not in repr(facts) and "not-kept" not in repr(facts) and "pw" not in repr(facts)
    (broken,) = extract_mcp_config(".mcp.json", b'{"mcpServers": [', DETECTORS)
    assert isinstance(broken, ErrorFact) and broken.reason == "invalid JSON"
