"""Discovery: gitignore, excludes, symlinks, special and oversized files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.discover import discover
from auditor.patterns import PathPatterns


def write(root: Path, rel: str, text: str = "import openai\n") -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def paths(root: Path, **kwargs: object) -> list[str]:
    return [f.path for f in discover(root, **kwargs).files]  # type: ignore[arg-type]


def test_kinds_and_default_excludes(tmp_path: Path) -> None:
    for rel in (
        "app.py",
        "nb.ipynb",
        "README.md",
        "node_modules/x.py",
        ".git/hooks/h.py",
        "__pycache__/a.py",
        "pkg.egg-info/b.py",
        "env/pyvenv.cfg",
        "env/lib/site.py",
        ".venv/c.py",
        "build/gen.py",
        "deep/er/ok.py",
        "types.pyi",
        "pkg/__init__.py",
        "pkg/build/__init__.py",
        "pkg/build/steps.py",
        "dist/x.py",
        "tools/pyproject.toml",
        "setup.py",
    ):
        write(tmp_path, rel)
    found = discover(tmp_path)
    assert [(f.path, f.kind) for f in found.files] == [
        ("app.py", "python"),
        ("deep/er/ok.py", "python"),
        ("nb.ipynb", "notebook"),
        ("pkg/__init__.py", "python"),
        ("pkg/build/__init__.py", "python"),
        ("pkg/build/steps.py", "python"),
        ("setup.py", "python"),
        ("tools/pyproject.toml", "pyproject"),
        ("types.pyi", "python"),
    ]
    assert found.skipped == []
    assert sorted(found.project_dirs) == ["", "tools"]


def test_nested_gitignore_deepest_decides(tmp_path: Path) -> None:
    write(tmp_path, ".gitignore", "generated/\n*.gen.py\n")
    write(tmp_path, "sub/.gitignore", "!keep.gen.py\nlocal.py\n")
    for rel in ("a.py", "x.gen.py", "generated/b.py", "sub/keep.gen.py", "sub/drop.gen.py", "sub/local.py", "local.py"):
        write(tmp_path, rel)
    assert paths(tmp_path) == ["a.py", "local.py", "sub/keep.gen.py"]


def test_user_excludes_use_gitignore_syntax(tmp_path: Path) -> None:
    for rel in ("src/a.py", "tests/t.py", "src/legacy/old.py", "docs/conf.py"):
        write(tmp_path, rel)
    assert paths(tmp_path, exclude=[PathPatterns(["tests/", "./src/legacy", "conf.py"])]) == ["src/a.py"]


def test_patterns_from_a_parent_folder_are_anchored_there(tmp_path: Path) -> None:
    for rel in ("llm/client.py", "web/views.py"):
        write(tmp_path, rel)
    # The configuration sits one folder up and names "app/llm/"; only "app" is scanned.
    assert paths(tmp_path, exclude=[PathPatterns(["app/llm/"], prefix="app")]) == ["web/views.py"]


def test_gitignore_files_above_the_root_apply_up_to_the_repository_top(tmp_path: Path) -> None:
    (tmp_path / "outside").mkdir()
    write(tmp_path, "outside/.gitignore", "*.py\n")  # above the repository: never applies
    repo = tmp_path / "outside" / "repo"
    (repo / ".git").mkdir(parents=True)
    write(repo, ".gitignore", "generated.py\n/app/local.py\n")
    for rel in ("app/main.py", "app/generated.py", "app/local.py"):
        write(repo, rel)
    assert paths(repo / "app") == ["main.py"]


def test_symlinks_are_never_followed_but_are_listed(tmp_path: Path) -> None:
    root = tmp_path / "root"
    outside = write(tmp_path, "outside/secret.py")
    write(root, "real/mod.py")
    (root / "out.py").symlink_to(outside)
    (root / "outdir").symlink_to(outside.parent, target_is_directory=True)
    (root / "alias.py").symlink_to(root / "real/mod.py")
    (root / "loopdir").symlink_to(root, target_is_directory=True)
    (root / "broken.py").symlink_to(root / "missing.py")
    (root / "self.py").symlink_to(root / "self.py")
    (root / "notes.txt").symlink_to(outside)
    write(root, "hidden/gen.py")
    (root / "hidden_alias.py").symlink_to(root / "hidden/gen.py")
    write(root, "AGENTS.md")
    (root / "CLAUDE.md").symlink_to(root / "AGENTS.md")  # only the link's name makes it a candidate
    found = discover(root, exclude=[PathPatterns(["hidden/"])])
    assert [f.path for f in found.files] == ["CLAUDE.md", "real/mod.py"]
    assert next(f for f in found.files if f.path == "CLAUDE.md").abspath == str((root / "AGENTS.md").resolve())
    assert [(s.path, s.reason) for s in found.skipped] == [  # alias.py: its target is read, nothing to say
        ("broken.py", "broken or looping symlink"),
        ("hidden_alias.py", "symlink to hidden/gen.py, analysed at that path if included"),
        ("loopdir", "symlinked folder, not followed"),
        ("out.py", "symlink to outside the root, not followed"),
        ("outdir", "symlink to outside the root, not followed"),
        ("self.py", "broken or looping symlink"),
    ]


def test_special_and_oversized_files_are_listed(tmp_path: Path) -> None:
    write(tmp_path, "small.py")
    write(tmp_path, "big.py", "x = 1\n" * 100)
    os.mkfifo(tmp_path / "pipe.py")
    found = discover(tmp_path, max_bytes=100)
    assert [f.path for f in found.files] == ["small.py"]
    assert [(s.path, s.reason.split(" (")[0]) for s in found.skipped] == [
        ("big.py", "larger than the size cap"),
        ("pipe.py", "not a regular file"),
    ]


@pytest.mark.skipif(
    os.geteuid() == 0,
    reason="root reads any folder; tests/test_hostile.py covers it without the capabilities that allow that",
)
def test_unreadable_folder_is_listed(tmp_path: Path) -> None:
    write(tmp_path, "locked/a.py")
    (tmp_path / "locked").chmod(0)
    try:
        found = discover(tmp_path)
    finally:
        (tmp_path / "locked").chmod(0o755)
    assert [(s.path, s.reason.split(":")[0]) for s in found.skipped] == [("locked", "folder cannot be read")]


def test_deep_nesting_does_not_recurse(tmp_path: Path) -> None:
    deep = tmp_path
    for i in range(300):
        deep = deep / f"d{i}"
    write(deep, "leaf.py")
    assert len(paths(tmp_path)) == 1


def _git_repo(root: Path, files: dict[str, str]) -> None:
    from helpers import write_tree

    write_tree(root, files)
    subprocess.run(["git", "init", "-q", str(root)], check=True, capture_output=True)


def test_a_folder_named_on_purpose_is_scanned_though_the_repository_ignores_it(tmp_path: Path) -> None:
    """As ripgrep and Ruff do: `lockaudit scan vendor/app` where the repository ignores vendor/."""
    from helpers import lockaudit

    _git_repo(tmp_path, {".gitignore": "vendor/\n", "vendor/app/main.py": "import openai\n", "app.py": "x = 1\n"})
    result = lockaudit("scan", tmp_path / "vendor" / "app", "--format", "json", "--no-cache")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["summary"]["files_analysed"] == 1
    assert "vendor/app is ignored by the repository's ignore rules; scanned because it was named" in result.stderr
    whole = json.loads(lockaudit("scan", tmp_path, "--format", "json", "--no-cache").stdout)
    assert whole["summary"]["files_analysed"] == 1  # from the top, vendor/ stays ignored


def test_info_exclude_and_the_users_global_excludes_apply_as_in_git(tmp_path: Path) -> None:
    repo, home = tmp_path / "repo", tmp_path / "home"
    _git_repo(
        repo,
        {
            "app.py": "import openai\n",
            "generated/client.py": "import anthropic\n",
            "scratch_notes.py": "import cohere\n",
        },
    )
    (repo / ".git" / "info").mkdir(exist_ok=True)
    (repo / ".git" / "info" / "exclude").write_text("generated/\n")
    home.mkdir()
    (home / "ignore-everywhere").write_text("scratch_*.py\n")
    (home / ".gitconfig").write_text("[core]\n\texcludesFile = ~/ignore-everywhere\n")
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")}
    env.pop("GIT_CONFIG_GLOBAL", None)
    proc = subprocess.run(
        [sys.executable, "-m", "auditor", "scan", str(repo), "--format", "json", "--no-cache"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert {r["path"] for r in json.loads(proc.stdout)["inventory"]} == {"app.py"}


def test_when_everything_is_left_out_it_says_by_what(tmp_path: Path) -> None:
    from helpers import lockaudit

    _git_repo(tmp_path, {".gitignore": "*.py\n", "a.py": "import openai\n", "b.py": "import openai\n"})
    result = lockaudit("scan", tmp_path, "--no-cache")
    assert result.returncode == 2 and "nothing to analyse" in result.stderr
    assert "left out before analysis: 2 files ignored by .gitignore" in result.stderr
