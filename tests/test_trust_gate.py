"""The gate a pull request cannot switch off: with `--since`, a change is judged by the
configuration, rule packs and baseline of the merge base; files git tracks are scanned
whatever the change does to `.gitignore` or to how its folders look; a changed file the gate
cannot read fails it. Paths in a repository's configuration stay inside the repository, and
outputs never replace a device or overwrite a file the scan reads."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pytest

from helpers import git, git_repository, lockaudit

PACK = """id: house
title: House rules
version: 1
rules:
  - id: house-no-cohere
    title: Cohere is not allowed here
    severity: high
    effort: 1
    category: policy
    message: "{name} is not allowed"
    remediation: Use the gateway.
    when: {kind: import, fields: {name: {regex: "^cohere"}}}
"""


def reviewed(root: Path, config: str = 'adapters = ["shop/llm/"]\n', extra: dict[str, str] | None = None) -> None:
    """A project whose merged configuration keeps vendor SDKs in `shop/llm/`, then a branch."""
    git_repository(
        root,
        {
            "pyproject.toml": f'[project]\nname = "shop"\n\n[tool.lockaudit]\n{config}',
            "shop/__init__.py": "",
            "shop/llm/__init__.py": "",
            "shop/llm/client.py": "import openai\n\nclient = openai.OpenAI()\n",
            "shop/cart.py": "def total(items):\n    return sum(items)\n",
            **(extra or {}),
        },
    )
    git(root, "checkout", "-qb", "feature")


def check(root: Path, *extra: str) -> tuple[int, list[tuple[str, str]], str]:
    """Exit code, (rule, path) of each finding, and stderr of `check --since main`."""
    result = lockaudit("check", root, "--since", "main", "--no-cache", "--format", "json", *extra)
    assert "Traceback" not in result.stderr, result.stderr
    if result.returncode == 2:
        return 2, [], result.stderr
    findings = json.loads(result.stdout)["findings"]
    return result.returncode, sorted({(f["rule_id"], f["path"]) for f in findings}), result.stderr


def committed(root: Path) -> tuple[int, list[tuple[str, str]], str]:
    """Commit the change on the branch, then run the gate on it."""
    git(root, "add", "-A")
    git(root, "commit", "-qm", "change")
    return check(root)


def couple(root: Path, rel: str = "shop/cart.py") -> None:
    """The change under review: an SDK import outside the adapter, committed on the branch."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("import anthropic\n\nclient = anthropic.Anthropic()\n")
    git(root, "add", "-A", "-f")
    git(root, "commit", "-qm", "change")


def test_the_change_alone_fails_the_gate(tmp_path: Path) -> None:
    reviewed(tmp_path)
    couple(tmp_path)
    code, found, _ = check(tmp_path)
    assert code == 1 and ("sdk-import-outside-adapter", "shop/cart.py") in found


@pytest.mark.parametrize(
    "attack, weakened",
    [
        ({".lockaudit.toml": 'adapters = ["shop/"]\nfail-on = "critical"\n'}, ["adapters", "fail-on"]),
        ({"pyproject.toml": '[project]\nname = "shop"\n'}, ["adapters"]),  # the table deleted
        (
            {
                "pyproject.toml": '[project]\nname = "shop"\n\n[tool.lockaudit]\nadapters = ["shop/llm/"]\n'
                'exclude = ["shop/cart.py"]\ndisable = ["sdk-import-outside-adapter"]\n'
                'roles = { "shop/cart.py" = "test" }\n'
            },
            ["disable", "exclude", "roles"],
        ),
        (
            {
                "pyproject.toml": '[project]\nname = "shop"\n\n[tool.lockaudit]\nadapters = ["shop/llm/"]\n'
                'severity = { sdk-import-outside-adapter = "info" }\n'
            },
            ["severity"],
        ),
    ],
)
def test_a_change_to_the_configuration_takes_effect_only_once_merged(
    tmp_path: Path, attack: dict[str, str], weakened: list[str]
) -> None:
    reviewed(tmp_path)
    for rel, text in attack.items():
        (tmp_path / rel).write_text(text)
    couple(tmp_path)
    code, found, _ = check(tmp_path)
    assert code == 1 and ("sdk-import-outside-adapter", "shop/cart.py") in found
    assert ("gate-weakened", next(iter(attack))) in found  # shown to the reviewer beside the code
    result = lockaudit("check", tmp_path, "--since", "main", "--no-cache", "--format", "json")
    keys = sorted(
        {f["message"].split()[1] for f in json.loads(result.stdout)["findings"] if f["rule_id"] == "gate-weakened"}
    )
    assert keys == weakened


def test_the_change_cannot_hide_its_code_from_git_tracked_scanning(tmp_path: Path) -> None:
    reviewed(tmp_path)
    (tmp_path / ".gitignore").write_text("shop/cart.py\nshop/build/\n")
    (tmp_path / "shop/pyvenv.cfg").write_text("home = /usr/bin\n")  # the package "is" a virtual environment
    couple(tmp_path)
    couple(tmp_path, "shop/build/tasks.py")  # an output folder's name, next to the code
    code, found, _ = check(tmp_path)
    assert code == 1
    assert {
        ("sdk-import-outside-adapter", "shop/cart.py"),
        ("sdk-import-outside-adapter", "shop/build/tasks.py"),
    } <= set(found)


def test_a_changed_file_the_gate_cannot_read_fails_it(tmp_path: Path) -> None:
    reviewed(tmp_path, 'adapters = ["shop/llm/"]\nmax-file-size = 4096\n')
    (tmp_path / "shop/cart.py").write_text("import anthropic\n" + "# padding\n" * 1000)
    (tmp_path / "shop/broken.py").write_text("import anthropic\ndef f(:\n")
    (tmp_path / "shop/alias.py").symlink_to("llm/client.py")  # a symlink holds no code of its own
    (tmp_path / "shop/config.yaml").write_text(
        "model: a\nmodel: b\n"
    )  # configuration real tools read: listed, not failed
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "shop"\n\n[tool.lockaudit]\nadapters = ["shop/llm/"]\nmax-file-size = 1048576\n'
    )  # raising it is not merged yet
    code, found, _ = committed(tmp_path)
    assert code == 1
    assert {p for rule, p in found if rule == "changed-file-not-analysed"} == {"shop/cart.py", "shop/broken.py"}
    # without --since, the tree's own configuration holds (cart.py is under its raised cap) and a
    # file that cannot be parsed is listed as skipped while the scan goes on, as before
    plain = lockaudit("scan", tmp_path, "--no-cache", "--format", "json")
    assert plain.returncode == 0 and [s["path"] for s in json.loads(plain.stdout)["skipped"]] == [
        "shop/broken.py",
        "shop/config.yaml",
    ]  # alias.py: its target is analysed, nothing to list


def test_rule_packs_and_baseline_are_the_merge_bases(tmp_path: Path) -> None:
    reviewed(tmp_path, 'adapters = ["shop/llm/"]\nrules = ["packs"]\n', {"packs/house.yaml": PACK})
    assert lockaudit("baseline", tmp_path).returncode == 0
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "baseline")
    (tmp_path / "packs/house.yaml").write_text(PACK.replace('"^cohere"', '"^nothing-at-all$"'))
    (tmp_path / "shop/llm/client.py").write_text("import openai\nimport cohere\n\nclient = openai.OpenAI()\n")
    couple(tmp_path)
    accepted = json.loads((tmp_path / "lockaudit-baseline.json").read_text())
    result = lockaudit("scan", tmp_path, "--no-cache", "--format", "json")  # what the change would accept
    accepted["findings"] = [
        {"fingerprint": f["fingerprint"], "rule_id": f["rule_id"], "path": f["path"], "places": f.get("places", [])}
        for f in json.loads(result.stdout)["findings"]
    ]
    (tmp_path / "lockaudit-baseline.json").write_text(json.dumps(accepted))
    code, found, _ = committed(tmp_path)
    assert code == 1
    assert ("house-no-cohere", "shop/llm/client.py") in found  # the merged pack, not the edited one
    assert ("sdk-import-outside-adapter", "shop/cart.py") in found  # the merged baseline, not the grown one
    assert {("baseline-grew", "lockaudit-baseline.json"), ("gate-weakened", "pyproject.toml")} - set(found) == {
        ("gate-weakened", "pyproject.toml")
    }  # the pack edit is not a pyproject change; the baseline's growth is shown


@pytest.mark.parametrize(
    "setting, message",
    [
        (
            'baseline = "../outside/x.json"',
            "'tool.lockaudit.baseline' '../outside/x.json' resolves outside the repository",
        ),
        ('rules = ["../outside"]', "'tool.lockaudit.rules' entry '../outside' resolves outside the repository"),
        ('rules = ["linked"]', "'tool.lockaudit.rules' entry 'linked' resolves outside the repository"),
        ('baseline = "linked/x.json"', "'tool.lockaudit.baseline' 'linked/x.json' resolves outside the repository"),
        ('exclude = ["../shop"]', "'tool.lockaudit.exclude' entry '../shop' steps out of the repository"),
        ('adapters = ["a/../../b"]', "'tool.lockaudit.adapters' entry 'a/../../b' steps out of the repository"),
        ('roles = { "../x" = "test" }', "'tool.lockaudit.roles' entry '../x' steps out of the repository"),
    ],
)
def test_paths_in_the_configuration_stay_inside_the_repository(tmp_path: Path, setting: str, message: str) -> None:
    outside, repo = tmp_path / "outside", tmp_path / "repo"
    outside.mkdir()
    (outside / "x.json").write_text("precious\n")
    (outside / "evil.yaml").write_text(PACK)
    repo.mkdir()
    (repo / "linked").symlink_to(outside)
    (repo / "pyproject.toml").write_text(f'[project]\nname = "x"\n\n[tool.lockaudit]\n{setting}\n')
    (repo / "app.py").write_text("import openai\n")
    for command in ("scan", "baseline"):
        result = lockaudit(command, repo, "--no-cache") if command == "scan" else lockaudit(command, repo)
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        assert message in result.stderr, result.stderr
    assert (outside / "x.json").read_text() == "precious\n"
    # the command line may name what it likes: it is the user's, not the repository's
    (repo / "pyproject.toml").write_text('[project]\nname = "x"\n')
    written = lockaudit("baseline", repo, "--output", outside / "accepted.json")
    assert written.returncode == 0 and (outside / "accepted.json").is_file()


def test_outputs_never_replace_a_special_file_or_an_input(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("import openai\n")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    before = os.stat("/dev/null")
    result = lockaudit("scan", tmp_path, "--no-cache", "--json", "/dev/null", "--sarif", "/dev/null")
    assert result.returncode == 0, result.stderr
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino
    fifo = tmp_path.parent / f"{tmp_path.name}-report.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = lockaudit("scan", tmp_path, "--no-cache", "--json", fifo)
    reader.join(timeout=60)
    assert result.returncode == 0 and stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert json.loads(received[0])["inventory"]
    for destination in ("app.py", "pyproject.toml"):
        refused = lockaudit("scan", tmp_path, "--no-cache", "--json", tmp_path / destination)
        assert refused.returncode == 2 and "is one of the files lockaudit reads" in refused.stderr
    assert (tmp_path / "app.py").read_text() == "import openai\n"


def test_a_file_named_with_config_inside_the_tree_is_read_at_the_merge_base(tmp_path: Path) -> None:
    reviewed(tmp_path, "", {"ci/lockaudit.toml": 'adapters = ["shop/llm/"]\n'})
    (tmp_path / "ci/lockaudit.toml").write_text('adapters = ["shop/"]\n')
    couple(tmp_path)
    code, found, _ = check(tmp_path, "--config", str(tmp_path / "ci/lockaudit.toml"))
    assert code == 1 and ("sdk-import-outside-adapter", "shop/cart.py") in found
    assert ("gate-weakened", "ci/lockaudit.toml") in found


def test_a_broken_configuration_at_the_merge_base_stops_the_gate_and_says_where(tmp_path: Path) -> None:
    reviewed(tmp_path, 'fail-on = "severe"\n')
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "shop"\n')  # the change repairs it
    couple(tmp_path)
    code, _, stderr = check(tmp_path)
    assert code == 2 and "'tool.lockaudit.fail-on' must be one of" in stderr
    assert "as at the merge base" in stderr


COUPLED = "import anthropic\n\nclient = anthropic.Anthropic()\n"


def test_code_in_a_folder_lockaudit_passes_by_default_fails_the_gate(tmp_path: Path) -> None:
    reviewed(tmp_path)
    for folder in ("venv", "__pycache__"):
        (tmp_path / f"shop/{folder}").mkdir()
        (tmp_path / f"shop/{folder}/__init__.py").write_text(COUPLED)
    (tmp_path / "shop/cart.py").write_text("from shop.venv import client\n")
    git(tmp_path, "add", "-A", "-f")
    git(tmp_path, "commit", "-qm", "hidden")
    code, found, _ = check(tmp_path)
    assert code == 1
    assert {p for rule, p in found if rule == "changed-file-not-analysed"} == {
        "shop/venv/__init__.py",
        "shop/__pycache__/__init__.py",
    }


def test_a_file_name_that_is_not_utf8_is_judged_like_any_other(tmp_path: Path) -> None:
    reviewed(tmp_path)
    (tmp_path / os.fsdecode(b"shop/tool\xff.py")).write_text(COUPLED)
    code, found, _ = committed(tmp_path)
    assert code == 1 and ("sdk-import-outside-adapter", "shop/tool\\xff.py") in found


@pytest.mark.parametrize(
    "layout",
    [
        {
            "pyproject.toml": '[project]\nname = "shop"\n\n[tool.lockaudit]\nadapters = ["shop/llm/"]\n\n'
            '[tool.pytest.ini_options]\ntestpaths = ["shop"]\n'
        },  # the change's pytest settings
        {"pytest.ini": "[pytest]\ntestpaths = shop\n"},
        {"shop/conftest.py": ""},
    ],
)
def test_a_change_cannot_declare_its_own_code_a_test(tmp_path: Path, layout: dict[str, str]) -> None:
    reviewed(tmp_path)
    (tmp_path / "shop/__init__.py").unlink()  # a folder of modules, where a conftest.py makes tests
    git(tmp_path, "commit", "-qam", "no package")
    for rel, text in layout.items():
        (tmp_path / rel).write_text(text)
    couple(tmp_path)
    code, found, _ = check(tmp_path)
    assert code == 1 and ("sdk-import-outside-adapter", "shop/cart.py") in found


def test_code_that_product_code_imports_counts_whatever_its_folder_is_called(tmp_path: Path) -> None:
    reviewed(tmp_path)
    couple(tmp_path, "shop/snapshots/llm.py")  # `snapshots/` reads as fixtures by convention
    (tmp_path / "shop/cart.py").write_text("from shop.snapshots.llm import client\n")
    git(tmp_path, "commit", "-qam", "imported")
    code, found, _ = check(tmp_path)
    assert code == 1 and ("sdk-import-outside-adapter", "shop/snapshots/llm.py") in found
    audit = json.loads(lockaudit("scan", tmp_path, "--no-cache", "--format", "json").stdout)
    assert {r["path"]: r["role"] for r in audit["inventory"]}["shop/snapshots/llm.py"] == "product"


def test_a_symlink_in_the_change_cannot_swap_the_configuration_or_the_packs(tmp_path: Path) -> None:
    reviewed(
        tmp_path,
        "",
        {".github/lockaudit.toml": 'adapters = ["shop/llm/"]\nrules = ["../policy"]\n', "policy/house.yaml": PACK},
    )
    git(tmp_path, "rm", "-rq", "policy")
    (tmp_path / "policy").symlink_to("shop/llm")
    (tmp_path / ".github/lockaudit.toml").unlink()
    (tmp_path / ".github/lockaudit.toml").symlink_to("../shop/__init__.py")  # empty TOML: all defaults
    (tmp_path / "shop/llm/client.py").write_text("import openai\nimport cohere\n\nclient = openai.OpenAI()\n")
    couple(tmp_path)
    code, found, _ = check(tmp_path, "--config", str(tmp_path / ".github/lockaudit.toml"))
    assert code == 1
    assert {("sdk-import-outside-adapter", "shop/cart.py"), ("house-no-cohere", "shop/llm/client.py")} <= set(found)


def test_a_changed_submodule_counts_as_changed(tmp_path: Path) -> None:
    ext = tmp_path / "ext"
    git_repository(ext, {"llm.py": COUPLED})
    repo = tmp_path / "repo"
    reviewed(repo)
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(ext), "shop/ext")
    (repo / "shop/cart.py").write_text("from shop.ext.llm import client\n")
    code, found, _ = committed(repo)
    assert code == 1 and ("sdk-import-outside-adapter", "shop/ext/llm.py") in found


def test_a_generated_file_of_thousands_of_literals_is_cut_and_fails_the_gate(tmp_path: Path) -> None:
    reviewed(tmp_path)
    (tmp_path / "shop/models.py").write_text("".join(f'm(model="gpt-4o-2024-{i:05d}")\n' for i in range(10_500)))
    code, found, _ = committed(tmp_path)
    assert code == 1 and ("changed-file-not-analysed", "shop/models.py") in found
    audit = json.loads(lockaudit("scan", tmp_path, "--no-cache", "--format", "json").stdout)
    assert audit["skipped"] == [
        {"path": "shop/models.py", "reason": "partly analysed: more than 10000 facts, the first 10000 kept"}
    ]


def test_the_scan_stops_extracting_facts_at_its_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import auditor.pipeline as pipeline
    from auditor.config import load_config
    from auditor.packs import load_rules

    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.py").write_text("import openai\n" + 'x = "gpt-4o"\n' * 60)  # over 60 facts each
    monkeypatch.setattr(pipeline, "MAX_SCAN_FACTS", 100)
    audit = pipeline.run_audit(tmp_path, load_config(tmp_path).config, load_rules())
    assert [(s.path, s.reason.split(":")[0]) for s in audit.skipped] == [
        ("b.py", "not analysed"),
        ("c.py", "not analysed"),
    ]


def test_an_error_message_quoting_the_tree_is_redacted(tmp_path: Path) -> None:
    key = "sk-ant-api03-" + "Q" * 80
    (tmp_path / "pyproject.toml").write_text(f'[tool.lockaudit]\nbaseline = ["{key}"]\n')
    result = lockaudit("scan", tmp_path, "--no-cache")
    assert result.returncode == 2 and "'tool.lockaudit.baseline' must be a file path" in result.stderr
    assert "Q" * 8 not in result.stderr


@pytest.mark.parametrize(
    "link, target, files",
    [
        ("shop/chat.py", "../data/chat.txt", {"data/chat.txt": COUPLED}),  # code in a file lockaudit does not read
        ("shop/chat.py", "../examples/chat.py", {"examples/chat.py": COUPLED}),  # example code, not counted
        ("shop/svc", "../examples/svc", {"examples/svc/__init__.py": "", "examples/svc/chat.py": COUPLED}),
    ],
)
def test_a_symlink_python_imports_through_must_lead_to_counted_code(
    tmp_path: Path, link: str, target: str, files: dict[str, str]
) -> None:
    reviewed(tmp_path)
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    (tmp_path / link).symlink_to(target)
    (tmp_path / "shop/cart.py").write_text(
        "from shop.chat import client\n" if link.endswith(".py") else "from shop.svc.chat import client\n"
    )
    code, found, _ = committed(tmp_path)
    assert code == 1 and ("changed-file-not-analysed", link) in found


def test_a_compiled_module_fails_the_gate(tmp_path: Path) -> None:
    import py_compile

    reviewed(tmp_path)
    (tmp_path / "chat.py").write_text(COUPLED)
    py_compile.compile(str(tmp_path / "chat.py"), cfile=str(tmp_path / "shop/chat.pyc"))
    (tmp_path / "chat.py").unlink()
    (tmp_path / "shop/cart.py").write_text("from shop.chat import client\n")
    code, found, _ = committed(tmp_path)
    assert code == 1 and ("changed-file-not-analysed", "shop/chat.pyc") in found


def test_a_module_run_with_runpy_is_imported_code(tmp_path: Path) -> None:
    reviewed(tmp_path)
    couple(tmp_path, "shop/fixtures/chat.py")
    (tmp_path / "shop/fixtures/__init__.py").write_text("")
    (tmp_path / "shop/cart.py").write_text(
        "import runpy\n\nclient = runpy.run_module('shop.fixtures.chat')['client']\n"
    )
    code, found, _ = committed(tmp_path)
    assert code == 1 and ("sdk-import-outside-adapter", "shop/fixtures/chat.py") in found


def test_a_file_the_budget_dropped_fails_the_gate_even_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import auditor.pipeline as pipeline
    from auditor.config import load_config
    from auditor.packs import load_rules
    from auditor.pipeline import ScanOptions

    reviewed(tmp_path)
    (tmp_path / "shop/aaa.py").write_text('x = "gpt-4o"\n' * 200)  # sorts first, and takes the budget
    couple(tmp_path)
    monkeypatch.setattr(pipeline, "MAX_SCAN_FACTS", 205)  # aaa.py and cart.py fit; the adapter does not
    audit = pipeline.run_audit(tmp_path, load_config(tmp_path).config, load_rules(), options=ScanOptions(since="main"))
    unseen = {f.path for f in audit.findings if f.rule_id == "changed-file-not-analysed"}
    assert "shop/llm/client.py" in unseen  # unchanged, but the gate could not see what it imports


def test_a_configuration_that_is_a_symlink_at_the_merge_base_is_followed(tmp_path: Path) -> None:
    reviewed(
        tmp_path,
        "",
        {
            "config/pyproject.toml": '[project]\nname = "shop"\n\n[tool.lockaudit]\n'
            'adapters = ["shop/llm/"]\nfail-on = "low"\n'
        },
    )
    git(tmp_path, "checkout", "-q", "main")
    (tmp_path / "pyproject.toml").unlink()
    (tmp_path / "pyproject.toml").symlink_to("config/pyproject.toml")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "linked configuration")
    git(tmp_path, "checkout", "-q", "feature")
    git(tmp_path, "merge", "-q", "main")
    couple(tmp_path, "shop/anthropic_client.py")
    code, found, _ = check(tmp_path)
    assert code == 1 and ("sdk-import-outside-adapter", "shop/anthropic_client.py") in found
