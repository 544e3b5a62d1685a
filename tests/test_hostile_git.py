"""A repository's git configuration runs nothing when lockaudit asks git about it: every attack
below is planted in a real repository with a payload that leaves a mark, shown to fire under
plain git (so the trap is real), and then `lockaudit check --since` and the vcs functions run
without the mark appearing while still finding what changed."""

from __future__ import annotations

import itertools
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from auditor import vcs
from helpers import git, git_repository, lockaudit

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the payloads are POSIX shell scripts")

HOOKS = (
    "applypatch-msg",
    "pre-applypatch",
    "post-applypatch",
    "pre-commit",
    "pre-merge-commit",
    "prepare-commit-msg",
    "commit-msg",
    "post-commit",
    "pre-rebase",
    "post-checkout",
    "post-merge",
    "pre-push",
    "pre-receive",
    "update",
    "proc-receive",
    "post-receive",
    "post-update",
    "reference-transaction",
    "push-to-checkout",
    "pre-auto-gc",
    "post-rewrite",
    "sendemail-validate",
    "fsmonitor-watchman",
    "p4-changelist",
    "p4-prepare-changelist",
    "p4-post-changelist",
    "p4-pre-submit",
    "post-index-change",
)


def payload(tmp: Path, name: str, echo: bool = True) -> tuple[str, Path]:
    """A program that leaves the mark `tmp/marks/name` and, with `echo`, passes its input on (a
    filter or text conversion must answer), as a shell command; and the mark. Both live outside
    the repository."""
    mark, script = tmp / "marks" / name, tmp / "payloads" / name
    mark.parent.mkdir(exist_ok=True)
    script.parent.mkdir(exist_ok=True)
    then = 'exec cat "$@"' if echo else "exit 0"
    script.write_text(f"#!/bin/sh\ntouch {shlex.quote(str(mark))}\n{then}\n")
    script.chmod(0o755)
    return shlex.quote(str(script)), mark


def repository(tmp: Path, **extra: str) -> Path:
    """A project on branch feature, one commit after main; `extra` files are in main too."""
    repo = tmp / "repo"
    git_repository(
        repo,
        {
            "pyproject.toml": '[project]\nname = "shop"\n',
            "shop/__init__.py": "",
            "shop/cart.py": "def total(items):\n    return sum(items)\n",
            **extra,
        },
    )
    git(repo, "checkout", "-qb", "feature")
    return repo


_LATER = itertools.count(1000, 1000)


def touch(path: Path) -> None:
    """Make `path` stat-dirty (same content, a new mtime each time), so git reads and cleans it again."""
    moment = path.stat().st_mtime + next(_LATER)
    os.utime(path, (moment, moment))


def armed(mark: Path, repo: Path, *command: str, env: dict[str, str] | None = None) -> None:
    """Plain git in `repo` runs the payload: the trap is real. Every mark is then cleared."""
    subprocess.run(
        ["git", "-C", str(repo), *command],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
        env={**os.environ, **(env or {})},
    )
    assert mark.exists(), f"plain git {command} did not run the planted payload"
    for left in mark.parent.iterdir():
        left.unlink()


def check(repo: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    """`lockaudit check --since main` as CI runs it; its JSON audit."""
    result = subprocess.run(
        [sys.executable, "-m", "auditor", "check", str(repo), "--since", "main", "--no-cache", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def change(repo: Path) -> None:
    (repo / "shop/cart.py").write_text("import openai\n\ndef total(items):\n    return sum(items)\n")


def assert_found_the_change(audit: dict[str, Any]) -> None:
    assert audit["since"]["changed_files"] == 1
    assert any(f["path"] == "shop/cart.py" for f in audit["findings"])


def marks(tmp: Path) -> list[str]:
    return sorted(p.name for p in (tmp / "marks").iterdir()) if (tmp / "marks").exists() else []


@pytest.mark.parametrize(
    ("kinds", "name"), [(("clean", "smudge"), "evil"), (("clean", "smudge"), "a.b=c"), (("process",), "long-running")]
)
@pytest.mark.parametrize("modified", [False, True], ids=["stat-dirty", "modified"])
def test_filter_drivers_do_not_run(tmp_path: Path, kinds: tuple[str, ...], name: str, modified: bool) -> None:
    repo = repository(tmp_path, **{".gitattributes": f"*.py filter={name}\n"})
    for kind in kinds:
        git(repo, "config", f"filter.{name}.{kind}", payload(tmp_path, kind, echo=kind != "process")[0])
    git(repo, "config", f"filter.{name}.required", "true")
    touch(repo / "shop/cart.py")
    armed(tmp_path / "marks" / kinds[0], repo, "diff", "--name-only", "main", "--")
    if modified:
        change(repo)
    touch(repo / "shop/cart.py")
    audit = check(repo)
    assert marks(tmp_path) == []
    if modified:
        assert_found_the_change(audit)
    else:
        assert audit["since"]["changed_files"] == 0  # the same content, read as it is
    touch(repo / "shop/cart.py")
    base = vcs.merge_base(repo, "main")
    assert vcs.changed_files(repo, base) == ({"shop/cart.py"} if modified else set())
    assert vcs.show(repo, base, "shop/cart.py") == b"def total(items):\n    return sum(items)\n"
    assert "shop/cart.py" in vcs.tracked(repo) and "shop/cart.py" in vcs.tree_files(repo, base, "shop")
    assert marks(tmp_path) == []


def test_a_filter_driver_from_an_included_config_does_not_run(tmp_path: Path) -> None:
    repo = repository(tmp_path, **{".gitattributes": "*.py filter=evil\n"})
    command, mark = payload(tmp_path, "included")
    (tmp_path / "hostile.gitconfig").write_text(
        f'[filter "evil"]\n\tclean = {command}\n\trequired = true\n[core]\n\tfsmonitor = {command}\n'
    )
    git(repo, "config", "include.path", str(tmp_path / "hostile.gitconfig"))
    touch(repo / "shop/cart.py")
    armed(mark, repo, "diff", "--name-only", "main", "--")
    change(repo)
    assert_found_the_change(check(repo))
    assert marks(tmp_path) == []


def test_fsmonitor_does_not_run(tmp_path: Path) -> None:
    repo = repository(tmp_path)
    command, mark = payload(tmp_path, "fsmonitor")
    git(repo, "config", "core.fsmonitor", command)
    armed(mark, repo, "ls-files", "--others", "--exclude-standard")
    change(repo)
    assert_found_the_change(check(repo))
    assert vcs.tracked(repo) == {"pyproject.toml", "shop/__init__.py", "shop/cart.py"}
    assert marks(tmp_path) == []


@pytest.mark.parametrize("where", ["hooks", "hooksPath"])
def test_no_hook_runs(tmp_path: Path, where: str) -> None:
    repo = repository(tmp_path)
    folder = repo / ".git/hooks" if where == "hooks" else tmp_path / "hostile-hooks"
    folder.mkdir(exist_ok=True)
    for hook in HOOKS:
        payload(tmp_path, hook)
        (tmp_path / "payloads" / hook).rename(folder / hook)
    if where == "hooksPath":
        git(repo, "config", "core.hooksPath", str(folder))
    touch(repo / "shop/cart.py")
    armed(tmp_path / "marks/post-index-change", repo, "diff", "--name-only", "main", "--")  # the index is rewritten
    change(repo)
    touch(repo / "pyproject.toml")  # so that git refreshes and rewrites the index again
    assert_found_the_change(check(repo))
    assert marks(tmp_path) == []


@pytest.mark.parametrize("setting", ["diff.external", "GIT_EXTERNAL_DIFF", "diff.evil.command", "diff.evil.textconv"])
def test_no_external_diff_or_text_conversion(tmp_path: Path, setting: str, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = repository(tmp_path, **{".gitattributes": "*.py diff=evil\n"})
    command, mark = payload(tmp_path, "diff")
    env = {"GIT_EXTERNAL_DIFF": command} if setting == "GIT_EXTERNAL_DIFF" else {}
    if not env:
        git(repo, "config", setting, command)
    change(repo)
    armed(mark, repo, "diff", "main", env=env)
    assert_found_the_change(check(repo, env))
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    base = vcs.merge_base(repo, "main")
    assert vcs.changed_files(repo, base) == {"shop/cart.py"}
    patch = vcs._git(repo, "diff", *vcs.DIFF_OPTIONS, base, "--").stdout  # a whole patch, which would convert
    assert b"+import openai" in patch
    assert marks(tmp_path) == []


def test_git_does_not_enter_a_submodule(tmp_path: Path) -> None:
    """git would run `git status` inside a checked-out submodule, under the submodule's own config,
    whose filter drivers lockaudit never read."""
    library = tmp_path / "library"
    git_repository(library, {".gitattributes": "*.py filter=evil\n", "lib.py": "x = 1\n"})
    repo = repository(tmp_path)
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(library), "vendor/library")
    git(repo, "commit", "-qm", "submodule")
    command, mark = payload(tmp_path, "submodule")
    git(repo / "vendor/library", "config", "filter.evil.clean", command)
    touch(repo / "vendor/library/lib.py")
    armed(mark, repo, "diff", "--name-only", "main", "--")
    change(repo)
    touch(repo / "vendor/library/lib.py")
    audit = check(repo)
    assert audit["since"]["changed_files"] == 4  # .gitmodules, the submodule's two files, shop/cart.py
    assert any(f["path"] == "shop/cart.py" for f in audit["findings"])
    assert marks(tmp_path) == []


def test_a_lazy_fetch_starts_no_transport(tmp_path: Path) -> None:
    """A partial clone fetches a missing object on demand, through the remote's transport:
    core.sshCommand for ssh, or ext:: which runs any command, allowed by the repository's own
    protocol.<name>.allow."""
    repo = repository(tmp_path)
    blob = git(repo, "rev-parse", "main:pyproject.toml").strip()
    (repo / ".git/objects" / blob[:2] / blob[2:]).unlink()
    ssh, ssh_mark = payload(tmp_path, "ssh", echo=False)
    ext, ext_mark = payload(tmp_path, "ext", echo=False)
    for key, value in {
        "core.repositoryformatversion": "1",
        "extensions.partialClone": "origin",
        "remote.origin.promisor": "true",
        "remote.origin.url": "ssh://example.invalid/shop",
        "core.sshCommand": ssh,
        "protocol.ssh.allow": "always",
        "protocol.ext.allow": "always",
        "remote.other.promisor": "true",
        "remote.other.url": f"ext::{ext}",
    }.items():
        git(repo, "config", key, value)
    armed(ssh_mark, repo, "cat-file", "blob", blob)
    git(repo, "config", "extensions.partialClone", "other")
    armed(ext_mark, repo, "cat-file", "blob", blob)
    base = vcs.merge_base(repo, "main")
    assert vcs.show(repo, base, "pyproject.toml") is None  # missing, and not fetched
    with pytest.raises(vcs.VcsError, match="pyproject.toml .* its object is missing"):
        vcs.tree_files(repo, base, ".")
    git(repo, "config", "extensions.partialClone", "origin")
    change(repo)
    assert_found_the_change(check(repo))
    assert marks(tmp_path) == []


def test_everything_at_once_and_a_hostile_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every setting together, with a pager, and an inherited environment that points git at
    another repository and passes config of its own."""
    repo = repository(tmp_path, **{".gitattributes": "*.py filter=evil diff=evil\n"})
    command, mark = payload(tmp_path, "any")
    for key in (
        "filter.evil.clean",
        "filter.evil.smudge",
        "diff.evil.textconv",
        "diff.external",
        "core.fsmonitor",
        "core.pager",
        "pager.diff",
        "pager.ls-files",
        "core.sshCommand",
        "core.askPass",
        "credential.helper",
        "core.editor",
        "gpg.program",
        "uploadpack.packObjectsHook",
        "core.alternateRefsCommand",
    ):
        git(repo, "config", key, command)
    other = tmp_path / "other"
    git_repository(other, {"x.py": "x = 1\n"})
    env = {
        "GIT_DIR": str(other / ".git"),
        "GIT_WORK_TREE": str(other),
        "GIT_EXTERNAL_DIFF": command,
        "GIT_CONFIG_PARAMETERS": f"'core.fsmonitor'={shlex.quote(command)}",
        "GIT_PAGER": command,
        "GIT_SSH_COMMAND": command,
        "GIT_ASKPASS": command,
        "GIT_CONFIG_GLOBAL": str(tmp_path / "hostile.gitconfig"),
    }
    (tmp_path / "hostile.gitconfig").write_text(f"[core]\n\tfsmonitor = {command}\n")
    touch(repo / "shop/cart.py")
    armed(mark, repo, "diff", "--name-only", "main", "--")
    change(repo)
    assert_found_the_change(check(repo, env))
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    base = vcs.merge_base(repo, "main")
    assert vcs.changed_files(repo, base) == {"shop/cart.py"}
    assert vcs.tracked(repo) == {".gitattributes", "pyproject.toml", "shop/__init__.py", "shop/cart.py"}
    assert marks(tmp_path) == []


def test_an_embedded_bare_repository_is_refused(tmp_path: Path) -> None:
    """A folder that looks like a bare repository (HEAD, objects/, refs/, config) inside the tree:
    git walking up from a folder in it would take its config, fsmonitor and all."""
    repo = repository(tmp_path, **{"vendor/evil/src/m.py": "import openai\n"})
    command, mark = payload(tmp_path, "bare")
    evil = repo / "vendor/evil"
    (evil / "HEAD").write_text("ref: refs/heads/main\n")
    (evil / "objects").mkdir()
    (evil / "refs").mkdir()
    (evil / "config").write_text(
        f"[core]\n\trepositoryformatversion = 0\n\tbare = false\n\tworktree = ..\n\tfsmonitor = {command}\n"
    )
    scanned = evil / "src"
    armed(mark, scanned, "diff", "--name-only")
    result = lockaudit("check", scanned, "--since", "main", "--no-cache")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "not in one" in result.stderr and "bare repository" in result.stderr
    assert vcs.tracked(scanned) == set()
    assert vcs.tracked(repo) == {"pyproject.toml", "shop/__init__.py", "shop/cart.py", "vendor/evil/src/m.py"}
    assert marks(tmp_path) == []


def test_a_sub_folder_of_the_work_tree(tmp_path: Path) -> None:
    """Paths are relative to the scanned folder, whatever diff.relative says; tree_files reads
    regular files only (no symlink, no submodule), none over the size cap, and stays inside."""
    repo = repository(
        tmp_path,
        **{
            "shop/rules/pack.yaml": "id: x\n",
            "shop/rules/nested/more.yaml": "id: y\n",
            "shop/rulesx/other.yaml": "id: z\n",
        },
    )
    git(repo, "config", "diff.relative", "true")
    os.symlink("pack.yaml", repo / "shop/rules/link.yaml")
    os.symlink("../../pyproject.toml", repo / "shop/rules/out.yaml")  # out of the scanned folder
    (repo / "shop/rules/big.yaml").write_bytes(b"x" * (vcs.MAX_TREE_BLOB_BYTES + 1))
    git(repo, "add", "-A")
    commit = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{commit},shop/rules/submodule")
    git(repo, "commit", "-qm", "rules")
    change(repo)
    (repo / "pyproject.toml").write_text('[project]\nname = "changed outside the folder"\n')
    shop = repo / "shop"
    base = vcs.merge_base(shop, "main")
    assert vcs.changed_files(shop, base) == {"cart.py", "rules/link.yaml", "rules/out.yaml", "rules/big.yaml"}
    assert vcs.show(shop, base, "cart.py") == b"def total(items):\n    return sum(items)\n"
    head = git(repo, "rev-parse", "HEAD").strip()
    for absent in ("rules", "missing.py", "rules/submodule"):
        assert vcs.show(shop, head, absent) is None
    assert vcs.show(shop, head, "rules/link.yaml") == b"id: x\n"  # a link within the folder is followed
    assert vcs.show(shop, head, "rules/out.yaml") is None  # one out of it is not
    assert vcs.tracked(shop) == {
        "__init__.py",
        "cart.py",
        "rules/pack.yaml",
        "rules/nested/more.yaml",
        "rulesx/other.yaml",
        "rules/link.yaml",
        "rules/out.yaml",
        "rules/big.yaml",
    }
    packs = {"rules/pack.yaml": b"id: x\n", "rules/nested/more.yaml": b"id: y\n"}
    assert vcs.tree_files(shop, head, "rules") == vcs.tree_files(shop, base, "./rules/") == packs
    assert set(vcs.tree_files(shop, head, ".")) == {"__init__.py", "cart.py", *packs, "rulesx/other.yaml"}
    with pytest.raises(vcs.VcsError, match="more than the 2 lockaudit reads"):
        vcs.tree_files(shop, head, ".", max_files=2)
    for outside in ("../", "/etc", "rules/../.."):
        with pytest.raises(vcs.VcsError, match="not a folder inside"):
            vcs.tree_files(shop, head, outside)
    audit = json.loads(lockaudit("check", shop, "--since", "main", "--no-cache", "--format", "json").stdout)
    assert audit["since"]["changed_files"] == 4
    assert any(f["path"] == "cart.py" for f in audit["findings"])


def test_without_git_or_a_work_tree_tracked_is_empty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "plain").mkdir()
    assert vcs.tracked(tmp_path / "plain") == set()
    repo = repository(tmp_path)
    assert vcs.tracked(repo / ".git") == set()
    monkeypatch.setenv("PATH", str(tmp_path / "plain"))
    assert vcs.tracked(repo) == set()
    with pytest.raises(vcs.VcsError, match="git is not installed"):
        vcs.merge_base(repo, "main")


def test_a_ref_cannot_be_an_option(tmp_path: Path) -> None:
    repo = repository(tmp_path)
    with pytest.raises(vcs.VcsError, match="cannot start with '-'"):
        vcs.merge_base(repo, f"--output={tmp_path / 'written'}")
    assert not (tmp_path / "written").exists()


def test_too_many_drivers_is_a_clear_error(tmp_path: Path) -> None:
    repo = repository(tmp_path)
    with (repo / ".git/config").open("a") as config:
        config.writelines(f'[filter "f{i}"]\n\tclean = x\n' for i in range(vcs.MAX_DRIVERS + 1))
    with pytest.raises(vcs.VcsError, match="names more than 1000 filter drivers"):
        vcs.merge_base(repo, "main")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to give a repository away")
def test_the_users_own_safe_directories_still_count(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """git refuses a repository another user owns; the user's own safe.directory lets it through,
    and the minimal environment must not lose it (CI containers rely on it)."""
    repo = repository(tmp_path)
    for folder, _, files in os.walk(tmp_path):
        for name in [folder, *(os.path.join(folder, f) for f in files)]:
            os.lchown(name, 65534, 65534)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("GIT_CONFIG_GLOBAL", raising=False)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    vcs._user_safe_directories.cache_clear()
    with pytest.raises(vcs.VcsError, match="not in one .*dubious ownership"):
        vcs.merge_base(repo, "main")
    (home / ".gitconfig").write_text(f"[safe]\n\tdirectory = {repo}\n")
    vcs._user_safe_directories.cache_clear()
    try:
        assert vcs.merge_base(repo, "main") == git(repo, "rev-parse", "main").strip()
    finally:
        vcs._user_safe_directories.cache_clear()
