"""Judgement: code roles, the boundary found from structure, ranked leaks, exit plans and the score."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from helpers import FIXTURES, REPO, lockaudit, scan_json, write_tree


def copy_fixture(name: str, tmp_path: Path) -> Path:
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root)
    return root


def roles_of(audit: dict) -> dict[str, str]:
    return {r["path"]: r["role"] for r in audit["inventory"]} | {f["path"]: f["role"] for f in audit["findings"]}


# -- roles -----------------------------------------------------------------------------------


def test_roles_come_from_the_build_then_the_conventions() -> None:
    audit = scan_json(FIXTURES / "monorepo")
    roles = roles_of(audit)
    assert roles["services/api/src/api/catalog.py"] == "product"  # uv_build ships it
    assert roles["services/api/tests/test_llm.py"] == "test"  # pytest testpaths
    assert roles["services/api/tests/cassettes/test_answer.yaml"] == "fixture"
    assert roles["services/api/migrations/0001_default_model.py"] == "migration"
    assert roles["examples/compare_vendors.py"] == "example"
    assert roles["scripts/export_usage.py"] == "script"
    summary = audit["summary"]["roles"]
    assert summary["counted"] == ["product"] and "services/api/src/api" in summary["shipped"]
    assert summary["tests"] == ["services/api/tests"]
    outside = [f for f in audit["findings"] if f["role"] != "product"]
    assert outside and all(f["severity"] == "info" for f in outside)


def test_a_package_keeps_its_tools_while_a_top_level_tools_folder_is_scripts(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "agent/__init__.py": "",
            "agent/tools/search.py": "import openai\n",
            "tools/release.py": "import openai\n",
            "agent/tests/test_search.py": "import openai\n",
            "examples/demo/pyproject.toml": "[project]\nname = 'demo'\n[tool.hatch.build.targets.wheel]\npackages = ['demo']\n",
            "examples/demo/demo/__init__.py": "import anthropic\n",
        },
    )
    roles = roles_of(scan_json(tmp_path))
    assert roles["agent/tools/search.py"] == "product"
    assert roles["tools/release.py"] == "script"
    assert roles["agent/tests/test_search.py"] == "test"
    assert roles["examples/demo/demo/__init__.py"] == "example"  # shipped, but by an example project


def test_configured_roles_and_included_roles(tmp_path: Path) -> None:
    root = copy_fixture("monorepo", tmp_path)
    (root / ".lockaudit.toml").write_text('roles = { "examples/" = "product" }\ninclude-roles = ["test"]\n')
    audit = scan_json(root)
    by_path = {f["path"]: f for f in audit["findings"] if f["rule_id"] == "sdk-import-outside-adapter"}
    assert by_path["examples/compare_vendors.py"]["role"] == "product"
    assert by_path["examples/compare_vendors.py"]["severity"] == "medium"
    assert by_path["services/api/tests/test_llm.py"]["severity"] == "medium"  # tests now count
    assert audit["summary"]["roles"]["counted"] == ["product", "test"]
    (root / ".lockaudit.toml").write_text('include-roles = ["tests"]\n')
    wrong = lockaudit("scan", root)
    assert wrong.returncode == 2 and "did you mean 'test'" in wrong.stderr


def test_the_gate_fails_only_on_product_code(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/main.py": "def run():\n    return 1\n",
            "tests/test_llm.py": "import openai\nclient = openai.OpenAI()\n",
        },
    )
    assert lockaudit("check", tmp_path).returncode == 0
    (tmp_path / "app/main.py").write_text("import openai\n\ndef run():\n    return openai.OpenAI()\n")
    failed = lockaudit("check", tmp_path)
    assert failed.returncode == 1 and "app/main.py" in failed.stdout


def test_without_any_product_code_every_role_counts(tmp_path: Path) -> None:
    write_tree(tmp_path, {"examples/chat.py": "import openai\nopenai.OpenAI()\n", "tests/test_chat.py": "import os\n"})
    audit = scan_json(tmp_path)
    assert audit["summary"]["roles"]["note"] == "no file is product code, so every role is counted"
    assert {f["severity"] for f in audit["findings"]} >= {"medium"}


# -- the boundary ----------------------------------------------------------------------------


def test_a_provider_family_is_the_boundary_with_its_reason() -> None:
    boundary = scan_json(FIXTURES / "provider-plugins")["summary"]["boundary"]
    assert boundary["source"] == "inferred" and boundary["confidence"] == "high"
    [adapter] = boundary["adapters"]
    assert adapter["pattern"] == "src/chatkit/providers/"
    assert (
        "each subclassing ChatProvider" in adapter["reason"] and "chosen in src/chatkit/factory.py" in adapter["reason"]
    )
    assert boundary["config"] == 'adapters = ["src/chatkit/providers/"]'
    assert "src/chatkit/providers/__init__.py" in boundary["paths"]  # every file inside, not only the SDK users


def test_routes_helpers_and_models_are_leaks_ranked_by_cost() -> None:
    summary = scan_json(FIXTURES / "web-app")["summary"]
    assert [a["pattern"] for a in summary["boundary"]["adapters"]] == ["app/llm/"]
    leaks = {leak["path"]: leak for leak in summary["leaks"]}
    assert [leak["path"] for leak in summary["leaks"]] == ["app/models.py", "app/helpers.py", "app/routes/chat.py"]
    assert leaks["app/models.py"]["persistence"] == "app/models.py"
    assert leaks["app/routes/chat.py"]["public_api"] == "app/routes/chat.py"
    assert leaks["app/helpers.py"]["fan_in"] == 6 and "imported by 6 modules" in leaks["app/helpers.py"]["reason"]


def test_without_structure_there_is_no_boundary_and_the_direct_users_are_named() -> None:
    audit = scan_json(FIXTURES / "portable-spread")
    boundary = audit["summary"]["boundary"]
    assert boundary["source"] == "none" and boundary["config"] is None
    assert boundary["direct_modules"] == ["shop/orders.py", "shop/reviews.py", "shop/search.py", "shop/support.py"]
    [finding] = [f for f in audit["findings"] if f["rule_id"] == "no-adapter-boundary"]
    assert "(shop/orders.py, shop/reviews.py, shop/search.py, shop/support.py)" in finding["message"]


def test_a_helper_the_project_shares_is_not_part_of_the_family(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/llm/__init__.py": "",
        "app/llm/openai.py": "from openai import OpenAI\nclient = OpenAI()\ndef ask(q):\n    return client.responses.create(model=M, input=q)\n",
        "app/llm/anthropic.py": "import anthropic\ndef ask(q):\n    return anthropic.Anthropic().messages.create(model=M, max_tokens=9, messages=[])\n",
        "app/llm/errors.py": "import openai\nimport anthropic\nRETRY = (openai.RateLimitError, anthropic.RateLimitError)\n",
    }
    for name in ("a", "b", "c", "d"):
        files[f"app/{name}.py"] = "from app.llm.errors import RETRY\n"
    write_tree(tmp_path, files)
    summary = scan_json(tmp_path)["summary"]
    assert [a["pattern"] for a in summary["boundary"]["adapters"]] == ["app/llm/anthropic.py", "app/llm/openai.py"]
    assert [leak["path"] for leak in summary["leaks"]] == ["app/llm/errors.py"]


# -- exit plans and the score -----------------------------------------------------------------


def test_the_same_coupling_scores_clearly_higher_behind_adapters() -> None:
    spread = scan_json(FIXTURES / "portable-spread")["summary"]["scores"]["portability"]["score"]
    adapter = scan_json(FIXTURES / "portable-adapter")["summary"]["scores"]["portability"]["score"]
    assert adapter >= spread + 20, (adapter, spread)
    assert f"score {adapter} and {spread})" in (REPO / "README.md").read_text()  # the README says so


def test_leaving_a_vendor_the_layer_already_serves_is_a_configuration_change() -> None:
    plans = {p["vendor"]: p for p in scan_json(FIXTURES / "provider-plugins")["summary"]["scores"]["exit_plans"]}
    openai = plans["OpenAI"]
    assert [m["change"] for m in openai["adapter"]["modules"]] == ["switch"]
    assert openai["call_paths"] == {"total": 1, "switchable": 1}
    assert openai["summary"].endswith("a configuration change for 1 of 1 call path")


def test_an_adapter_serving_one_vendor_is_rewritten_at_its_size(tmp_path: Path) -> None:
    body = "".join(f"def model_{i}(name):\n    return client.models.retrieve(name)\n\n" for i in range(300))
    write_tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/main.py": "from app.llm import ask\n",
            "app/views.py": "import os\n",
            "app/llm.py": "import openai\n\nclient = openai.OpenAI()\n\ndef ask(q):\n"
            "    return client.responses.create(model=M, input=q)\n" + body,
        },
    )
    plan = scan_json(tmp_path)["summary"]["scores"]["exit_plans"][0]
    [module] = plan["adapter"]["modules"]
    assert module["change"] == "rewrite" and module["lines"] > 600 and module["effort"] == 5
    assert plan["summary"].startswith("leaving OpenAI: rewrite 1 adapter module (")


def test_adding_coupling_never_raises_the_score(tmp_path: Path) -> None:
    root = copy_fixture("web-app", tmp_path)
    (root / ".lockaudit.toml").write_text('adapters = ["app/llm/"]\n')
    before = scan_json(root)["summary"]["scores"]["portability"]
    (root / "app/services/search.py").write_text(
        "import openai\n\ndef key(q):\n    return openai.OpenAI().embeddings.create(model='text-embedding-3-small', input=q)\n"
    )
    after = scan_json(root)["summary"]["scores"]["portability"]
    assert after["effort"] > before["effort"] and after["score"] < before["score"]


def test_effort_per_project_rules_count_once(tmp_path: Path) -> None:
    files = {f"pkg/m{i}.py": "x = 1  # ty: ignore[unresolved-attribute]\n" for i in range(30)}
    write_tree(tmp_path, {**files, "pkg/__init__.py": ""})
    plan = {p["vendor"]: p for p in scan_json(tmp_path)["summary"]["scores"]["exit_plans"]}["Astral"]
    assert plan["effort"] == 1  # one search-and-replace, not thirty changes


# -- precision -------------------------------------------------------------------------------


def test_a_feature_on_a_client_pointed_at_another_vendor_is_that_vendors(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "app.py": "from openai import OpenAI\nds = OpenAI(base_url='https://api.deepseek.com/v1')\n"
            "ds.chat.completions.create(model=M, messages=[], "
            "response_format={'type': 'json_schema', 'json_schema': {}})\n"
        },
    )
    features = [r for r in scan_json(tmp_path)["inventory"] if r["kind"] == "feature"]
    assert [(f["name"], f["vendor"]) for f in features] == [("openai-structured-outputs", "DeepSeek")]


def test_open_weights_are_charged_to_their_host(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "app.py": "import litellm\nlitellm.completion(model='groq/openai/gpt-oss-120b', messages=[])\n"
            "LOCAL_MODEL = 'gpt-oss-20b'\nMISTRAL_MODEL = 'open-mistral-nemo'\n"
        },
    )
    ids = {r["value"]: r["vendor"] for r in scan_json(tmp_path)["inventory"] if r["kind"] == "model-id"}
    assert ids == {"groq/openai/gpt-oss-120b": "Groq", "gpt-oss-20b": None, "open-mistral-nemo": None}


def test_an_orchestration_integration_is_model_api_coupling(tmp_path: Path) -> None:
    write_tree(tmp_path, {"app.py": "from langchain_openai import ChatOpenAI\nllm = ChatOpenAI()\n"})
    owners = {row["owner"]: list(row["layers"]) for row in scan_json(tmp_path)["summary"]["owners"]["owners"]}
    assert owners == {"OpenAI": ["model-api"]}


# -- how it is shown --------------------------------------------------------------------------


def test_repeats_are_one_result_with_related_locations_in_sarif(tmp_path: Path) -> None:
    sarif = tmp_path / "r.sarif"
    assert lockaudit("scan", FIXTURES / "monorepo", "--sarif", sarif).returncode == 0
    results = json.loads(sarif.read_text())["runs"][0]["results"]
    [catalog] = [
        r
        for r in results
        if r["ruleId"] == "hard-coded-model-id"
        and r["properties"]["vendor"] == "OpenAI"
        and r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("catalog.py")
    ]
    assert [loc["physicalLocation"]["region"]["startLine"] for loc in catalog["relatedLocations"]] == [5, 6, 7, 8, 9]
    assert catalog["properties"]["places"] == 6


def test_text_and_markdown_lead_with_the_boundary_and_count_the_rest_in_one_line(tmp_path: Path) -> None:
    text = lockaudit("scan", FIXTURES / "web-app").stdout
    assert "Adapter boundary (inferred, high confidence)" in text and 'adapters = ["app/llm/"]' in text
    readme = (REPO / "README.md").read_text().split("### Adapter boundary and leaks", 1)[1]
    example = readme.split("```text\n", 1)[1].split("```", 1)[0]
    assert all(line in text.splitlines() for line in example.splitlines() if line), "the README shows web-app's output"
    assert "Fix these first: 3 product modules use a vendor SDK outside the boundary" in text
    assert text.index("Fix these first") < text.index("Findings")
    monorepo = lockaudit("scan", FIXTURES / "monorepo", "--markdown", tmp_path / "r.md").stdout
    line = (
        "Outside product code: 12 findings in 5 files (example 6, script 3, fixture 1, migration 1, test 1), "
        "reported at info"
    )
    assert line in monorepo
    markdown = (tmp_path / "r.md").read_text()
    assert "Outside product code: 12 findings" in markdown and "examples/compare" not in markdown


def test_a_tie_between_common_bases_is_broken_by_name_not_by_hash_order(tmp_path: Path) -> None:
    """Each provider subclasses two bases as often: the reason names the same one in every run."""
    import os
    import subprocess
    import sys

    root = copy_fixture("provider-plugins", tmp_path)
    base = root / "src/chatkit/base.py"
    base.write_text(base.read_text() + "\n\nclass ProviderSettings:\n    pass\n")
    providers = root / "src/chatkit/providers"
    for module in (
        providers / "openai_provider.py",
        providers / "anthropic_provider.py",
        providers / "gemini/client.py",
    ):
        module.write_text(
            module.read_text().replace(
                "from chatkit.base import ChatProvider", "from chatkit.base import ChatProvider, ProviderSettings"
            )
            + "\n\nclass Settings(ProviderSettings):\n    pass\n"
        )
    reasons = set()
    for seed in ("1", "2", "3"):
        result = subprocess.run(
            [sys.executable, "-m", "auditor", "scan", root, "--format", "json", "--no-cache"],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        [adapter] = json.loads(result.stdout)["summary"]["boundary"]["adapters"]
        reasons.add(adapter["reason"])
    assert len(reasons) == 1 and "each subclassing ChatProvider," in reasons.pop()


def test_a_project_level_finding_points_at_the_module_it_describes_and_keeps_its_fingerprint(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "app/a_types.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from openai.types import Model\n",
            "app/llm.py": "import os\nimport openai\n\nclient = openai.OpenAI(api_key=os.environ['OPENAI_API_KEY'])\n\n\n"
            "def ask(q):\n    return client.chat.completions.create(model=q, messages=[])\n",
            "app/z_embed.py": "def embed(t):\n    import openai\n    return openai.OpenAI()\n",
        },
    )

    def single_vendor(audit: dict) -> tuple[str, int, str | None]:
        found = [f for f in audit["findings"] if f["rule_id"] == "single-model-vendor"]
        assert len(found) == 1
        return found[0]["path"], found[0]["line"], found[0].get("baseline_state")

    # not the type-only import that sorts first, nor the lazy client: the module that uses OpenAI most
    assert single_vendor(scan_json(tmp_path))[:2] == ("app/llm.py", 4)
    assert lockaudit("baseline", tmp_path).returncode == 0
    (tmp_path / "app/z_embed.py").write_text("from openai import OpenAI\n\n\ndef embed(t):\n" + "    OpenAI()\n" * 4)
    checked = lockaudit("check", tmp_path, "--format", "json", "--no-cache")
    # it moved with the code, and the baseline still accepts it: the finding is about the project, not a line
    assert single_vendor(json.loads(checked.stdout)) == ("app/z_embed.py", 5, "unchanged"), checked.stderr


def test_a_project_check_anchored_in_a_test_is_a_test_finding(tmp_path: Path) -> None:
    """A vendor type taken from the adapter by a test is a test's finding, out of the score: the
    project check's finding takes its file's role, not product by default."""
    write_tree(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "app"\n\n[tool.lockaudit]\nadapters = ["app/llm.py"]\n',
            "app/__init__.py": "",
            "app/llm.py": "from openai import OpenAI\nfrom openai.types.chat import ChatCompletion\n\nclient = OpenAI()\n",
            "app/service.py": "from app.llm import ChatCompletion\n\n\ndef reply(c: ChatCompletion) -> str:\n    return ''\n",
            "tests/test_service.py": "from app.llm import ChatCompletion\n\n\ndef test_reply() -> None:\n    assert ChatCompletion\n",
        },
    )
    leaks = sorted(
        (f["path"], f["role"], f["severity"])
        for f in scan_json(tmp_path)["findings"]
        if f["rule_id"] == "provider-type-leak"
    )
    assert leaks == [("app/service.py", "product", "high"), ("tests/test_service.py", "test", "info")]
