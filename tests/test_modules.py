"""First-party module detection: layouts, relative imports, vendor-named modules."""

from __future__ import annotations

from auditor.modules import ModuleIndex


def test_flat_package_and_vendor_named_module() -> None:
    index = ModuleIndex(["myapp/__init__.py", "myapp/models/__init__.py", "myapp/models/openai.py", "main.py"])
    assert index.module_name("myapp/models/openai.py") == "myapp.models.openai"
    assert index.is_first_party("main.py", "myapp.models.openai")
    assert not index.is_first_party("myapp/models/__init__.py", "openai")
    assert not index.is_first_party("main.py", "openai")


def test_src_layout_and_namespace_package_under_src() -> None:
    index = ModuleIndex(["src/acme/__init__.py", "src/acme/core.py", "src/nspkg/tool.py", "tests/test_core.py"])
    assert index.module_name("src/acme/core.py") == "acme.core"
    assert index.module_name("src/nspkg/tool.py") == "nspkg.tool"
    assert index.is_first_party("tests/test_core.py", "acme.core")
    assert index.is_first_party("tests/test_core.py", "nspkg.tool")
    assert index.is_first_party("tests/test_core.py", "nspkg", "tool")


def test_namespace_folder_shadows_only_the_modules_it_has() -> None:
    index = ModuleIndex(["agents/researcher.py", "main.py"])
    assert index.is_first_party("main.py", "agents.researcher")
    assert index.is_first_party("main.py", "agents", "researcher")
    assert not index.is_first_party("main.py", "agents", "Agent")  # the SDK's regular package wins


def test_stray_vendor_named_packages_do_not_hide_the_sdk_elsewhere() -> None:
    index = ModuleIndex(
        [
            "tests/stubs/openai/__init__.py",
            "tests/test_service.py",
            "mypkg/__init__.py",
            "mypkg/service.py",
            "tools/src/anthropic.py",
            "app/main.py",
        ]
    )
    assert not index.is_first_party("mypkg/service.py", "openai")
    assert not index.is_first_party("tests/test_service.py", "openai")
    assert not index.is_first_party("app/main.py", "anthropic")
    assert index.is_first_party("tests/stubs/openai/__init__.py", "openai")


def test_the_sdk_repository_itself() -> None:
    index = ModuleIndex(["src/openai/__init__.py", "src/openai/_client.py", "examples/demo.py"])
    assert index.is_first_party("examples/demo.py", "openai")


def test_script_beside_a_vendor_named_script_shadows_it_only_there() -> None:
    index = ModuleIndex(["scripts/openai.py", "scripts/run.py", "app/__init__.py", "app/main.py"])
    assert index.is_first_party("scripts/run.py", "openai")
    assert not index.is_first_party("app/main.py", "openai")


def test_monorepo_with_several_packages() -> None:
    files = ["libs/core/src/core/__init__.py", "libs/llm/src/llm/__init__.py", "libs/llm/src/llm/client.py"]
    assert not ModuleIndex(files).is_first_party("libs/llm/src/llm/client.py", "core")  # no project folders known
    index = ModuleIndex(files, project_dirs=["libs/core", "libs/llm"])
    assert index.module_name("libs/llm/src/llm/client.py") == "llm.client"
    assert index.is_first_party("libs/llm/src/llm/client.py", "core")


def test_relative_imports() -> None:
    index = ModuleIndex(["pkg/__init__.py", "pkg/sub/__init__.py", "pkg/sub/mod.py"])
    assert index.absolute("pkg/sub/mod.py", "other", 1) == "pkg.sub.other"
    assert index.absolute("pkg/sub/mod.py", "", 2) == "pkg"
    assert index.absolute("pkg/sub/__init__.py", "mod", 1) == "pkg.sub.mod"
    assert index.absolute("pkg/sub/mod.py", "x", 4) is None


def test_namespace_sub_folders_inside_a_package_are_part_of_its_names() -> None:
    files = [
        "app/__init__.py",
        "app/llm/alpha/chat.py",
        "app/llm/beta/chat.py",
        "app/llm/alpha/openai.py",
        "app/routes.py",
    ]
    index = ModuleIndex(files)
    assert index.module_name("app/llm/alpha/chat.py") == "app.llm.alpha.chat"
    assert index.module_name("app/llm/beta/chat.py") == "app.llm.beta.chat"  # colliding stems stay apart
    # Python imports chat.py as app.llm.alpha.chat: `import openai` there is the SDK, not the sibling.
    assert not index.is_first_party("app/llm/alpha/chat.py", "openai")
    assert index.resolve("app/routes.py", "app.llm.beta.chat") == "app/llm/beta/chat.py"
    assert index.resolve("app/routes.py", "app.llm.alpha", "chat") == "app/llm/alpha/chat.py"
    assert index.resolve("app/llm/alpha/chat.py", "openai", level=1) == "app/llm/alpha/openai.py"
    assert index.absolute("app/llm/alpha/chat.py", "", 2) == "app.llm"


def test_top_level_namespace_package_keeps_its_import_edges() -> None:
    index = ModuleIndex(["myapp/core.py", "myapp/llm.py", "tools/run.py"])
    assert index.module_name("myapp/core.py") == "myapp.core"
    assert index.resolve("myapp/core.py", "myapp.llm", "ask") == "myapp/llm.py"
    assert index.resolve("tools/run.py", "myapp", "llm") == "myapp/llm.py"
    assert index.resolve("myapp/core.py", "openai") is None


def test_same_import_name_in_two_projects_gets_two_graph_names() -> None:
    files = ["svc_a/utils.py", "svc_a/main.py", "svc_b/utils.py", "svc_b/main.py"]
    index = ModuleIndex(files, project_dirs=["svc_a", "svc_b"])
    names = {index.module_name(p) for p in files}
    assert len(names) == 4
    assert index.resolve("svc_a/main.py", "utils") == "svc_a/utils.py"
    assert index.resolve("svc_b/main.py", "utils") == "svc_b/utils.py"


def test_an_updated_index_answers_as_a_new_one_and_names_every_question_it_changed() -> None:
    """History moves one index from commit to commit: after each step every answer must be a
    fresh index's, and every question whose answer moved must be among those `update` returns
    (what was built on the others is kept)."""
    import random

    universe = [
        "app/__init__.py",
        "app/core.py",
        "app/llm/chat.py",
        "app/llm/openai.py",
        "app/openai.py",
        "openai.py",
        "agents/researcher.py",
        "agents/writer.py",
        "src/acme/__init__.py",
        "src/acme/client.py",
        "src/acme/types/model.py",
        "src/acme/types/other.py",
        "src/nspkg/tool.py",
        "svc/utils.py",
        "svc/main.py",
        "tools/utils.py",
        "tests/test_core.py",
        "tests/openai/__init__.py",
    ]
    packages = {p for p in universe if p.endswith("__init__.py")}
    modules = ["app", "app.core", "app.llm", "app.llm.chat", "openai", "agents", "agents.researcher", "acme"]
    modules += ["acme.types", "acme.types.model", "nspkg", "utils", "svc.utils", "llm", "types", "core"]
    modules += ["openai.chat", "utils.deep", "acme.missing"]  # below a top-level name: its kind decides
    questions = [
        (m, s, level) for m in modules for s in (None, "chat", "model", "openai", "researcher") for level in (0,)
    ]
    questions += [
        (m, s, level) for m in ("", "core", "openai", "types", "llm") for s in (None, "model") for level in (1, 2)
    ]

    def answers(index: ModuleIndex, paths: list[str]) -> dict[tuple[object, ...], tuple[object, set[object]]]:
        found: dict[tuple[object, ...], tuple[object, set[object]]] = {}
        for importer in paths:
            for module, symbol, level in questions:
                with index.asking() as asked:
                    answer = (
                        index.is_first_party(importer, module, symbol) if not level else None,
                        index.resolve(importer, module, symbol, level),
                    )
                found[(importer, module, symbol, level)] = (answer, set(asked))
            found[("name", importer)] = (index.module_name(importer), set())
        return found

    rng = random.Random(18)
    for trial in range(40):
        before = sorted(packages | {p for p in universe if rng.random() < 0.6})
        after = sorted(packages | {p for p in universe if rng.random() < 0.6})
        dirs = ["svc", "tools"] if trial % 2 else []
        index = ModuleIndex(before, dirs)
        was = answers(index, sorted(set(before) & set(after)))
        stale = index.update(after, dirs)
        assert stale is not None
        now = answers(index, after)
        fresh = answers(ModuleIndex(after, dirs), after)
        assert {k: a for k, (a, _) in now.items()} == {k: a for k, (a, _) in fresh.items()}, (before, after)
        for key, (answer, asked) in was.items():
            if key[0] != "name" and now[key][0] != answer:
                assert asked & stale, (key, before, after)
    assert ModuleIndex(["app/core.py"]).update(["app/__init__.py", "app/core.py"]) is None  # a new package
