"""`lockaudit history`: a repository audited at its past commits, without touching its working
tree or running any of its git programs, and the trend said in words."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from helpers import GOLDEN, REPO, git, history_repository, lockaudit, write_tree

SCHEMA = REPO / "auditor" / "schemas" / "history-1.schema.json"


def _history(root: Path, *args: str) -> dict[str, Any]:
    result = lockaudit("history", root, "--json", "-", *args)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    series = json.loads(result.stdout)
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text())).validate(series)
    series["tool"].pop("version")
    return series


@pytest.mark.parametrize("name", ["coupling", "decoupling", "switching"])
def test_each_history_matches_its_golden(name: str, tmp_path: Path, update_goldens: bool) -> None:
    history_repository(tmp_path / name, name)
    series = _history(tmp_path / name, "--since", "2026-01-01")
    golden = GOLDEN / "history" / f"{name}.json"
    if update_goldens:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(json.dumps(series, indent=2, ensure_ascii=False) + "\n")
    assert series == json.loads(golden.read_text())


def test_the_trend_tells_what_happened(tmp_path: Path) -> None:
    """What a reader of each fixture's history must be told, as its commit log tells it."""
    trends = {}
    for name in ("coupling", "decoupling", "switching"):
        history_repository(tmp_path / name, name)
        trends[name] = _history(tmp_path / name, "--since", "2026-01-01")["trend"]
    assert trends["decoupling"][0] == "the portability score rose from 66 to 97 since 2026-01-01"
    assert "effort to leave OpenAI fell from 31 to 1 point, mostly from helpdesk/" in trends["decoupling"]
    assert trends["coupling"][0] == "the portability score fell from 100 to 67 since 2026-01-01"
    assert any(s.startswith("OpenAI arrived on 2026-03-02") for s in trends["coupling"])
    assert any(s.startswith("OpenAI left on 2026-05-04") for s in trends["switching"])
    assert "model-api: OpenAI then, Anthropic now" in trends["switching"]


def test_the_working_tree_is_never_touched(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    history_repository(root, "switching")
    (root / "translator" / "engine.py").write_text("import openai  # uncommitted\n")
    (root / "untracked.py").write_text("import cohere\n")
    before = git(root, "status", "--porcelain")
    series = _history(root, "--since", "2026-01-01")
    assert git(root, "status", "--porcelain") == before
    assert (root / "translator" / "engine.py").read_text() == "import openai  # uncommitted\n"
    assert all("Cohere" not in p["vendors"] for p in series["points"])  # only what was committed counts
    assert git(root, "worktree", "list").count("\n") == 1


def test_the_repositorys_git_programs_never_run(tmp_path: Path) -> None:
    """A filter driver in the repository's config would run at checkout: history reads objects."""
    root = tmp_path / "repo"
    history_repository(root, "switching")
    marker = tmp_path / "ran"
    git(root, "config", "filter.evil.smudge", f"touch {marker}; cat")
    git(root, "config", "filter.evil.clean", f"touch {marker}; cat")
    git(root, "config", "core.fsmonitor", f"touch {marker}; false")
    (root / ".gitattributes").write_text("*.py filter=evil\n")
    git(root, "add", ".gitattributes")
    git(root, "commit", "-qm", "attributes", date="2026-06-01T12:00:00+00:00")
    marker.unlink(missing_ok=True)
    _history(root, "--since", "2026-01-01")
    assert not marker.exists()


def test_choosing_commits_every_nth_by_tag_or_since_a_ref(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    commits = history_repository(root, "decoupling")
    every = _history(root, "--since", "2026-01-01", "--every", "2")
    assert [p["commit"] for p in every["points"]] == [commits[0], commits[2]]
    assert every["chosen_by"] == "every 2nd commit, 2 of 3"
    # Not every commit was audited: a change is placed between two points, not on one commit.
    assert any(
        s.startswith("Anthropic arrived between 2026-01-05 and 2026-05-04 (after commit") for s in every["trend"]
    )
    git(root, "tag", "-a", "-m", "first", "v1-rc", commits[1])
    git(root, "tag", "-a", "-m", "a tag of a tag", "v1", "v1-rc")  # peeled down to its commit
    git(root, "tag", "-d", "v1-rc")
    git(root, "tag", "-a", "-m", "second", "v2", commits[2])
    git(root, "tag", "notes", "HEAD:pyproject.toml")  # a tag of a blob: no commit, no error
    tagged = _history(root, "--since", "2026-01-01", "--tags")
    assert [p["commit"] for p in tagged["points"]] == commits[1:]
    git(root, "tag", "-d", "v2")  # HEAD untagged: still the last point, the state now
    assert [p["commit"] for p in _history(root, "--since", "2026-01-01", "--tags")["points"]] == commits[1:]
    dated = _history(root, "--since", "2026-02-01")  # the state on that date first: the January commit
    assert [p["commit"] for p in dated["points"]] == commits
    assert dated["trend"][0] == "the portability score rose from 66 to 97 since 2026-02-01"
    since_ref = _history(root, "--since", "v1")
    assert [p["commit"] for p in since_ref["points"]] == commits[1:]
    assert since_ref["points"][0]["appeared"]["count"] == 0  # the first point has nothing before it


def test_processes_split_the_commits_and_agree(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    history_repository(root, "coupling")
    assert _history(root, "--since", "2026-01-01", "--jobs", "1") == _history(
        root, "--since", "2026-01-01", "--jobs", "3"
    )


def test_clear_errors(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    outside = lockaudit("history", tmp_path / "plain", "--since", "2026-01-01")
    assert outside.returncode == 2 and "history needs a git work tree" in outside.stderr
    root = tmp_path / "repo"
    history_repository(root, "switching")
    for since, message in (
        ("nonsense", "--since nonsense: neither a date (YYYY-MM-DD) nor a commit or branch"),
        ("--all", "a ref cannot start with '-'"),
        ("2025-13-45", "--since 2025-13-45: not a valid date (YYYY-MM-DD)"),
    ):
        result = lockaudit("history", root, "--since", since)
        assert result.returncode == 2 and message in result.stderr, result.stderr
    later = _history(root, "--since", "2030-01-01")  # the state on that date is HEAD's
    assert len(later["points"]) == 1 and later["trend"] == ["one point only: there is no trend to tell yet"]
    both = lockaudit("history", root, "--since", "2026-01-01", "--every", "2", "--tags")
    assert both.returncode == 2 and "give one" in both.stderr


def test_commit_subjects_are_text_in_every_format(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    history_repository(root, "switching")
    (root / "translator" / "extra.py").write_text("import anthropic\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "<script>alert(1)</script>\x1b[31mred\u202e", date="2026-06-01T12:00:00+00:00")
    result = lockaudit(
        "history", root, "--since", "2026-01-01", "--html", tmp_path / "h.html", "--markdown", tmp_path / "h.md"
    )
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "h.html").read_text()
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "\x1b" not in html + result.stdout and "\u202e" not in html
    assert "<svg" in html and html.count('<figure class="chart">') == 2


def test_unsafe_paths_in_a_tree_are_refused() -> None:
    from auditor.vcs import _safe_relative

    assert _safe_relative("src/app.py")
    for path in ("../x.py", "a/../../x.py", ".git/config", "a/.GIT/hooks/x", "/etc/passwd", "a//b.py", "./a.py"):
        assert not _safe_relative(path), path


def test_the_report_and_the_portfolio_draw_a_history(tmp_path: Path) -> None:
    """`--history FILE`: the HTML and Markdown reports show the trend; the portfolio draws each
    repository's; a file that is not a history is refused with the reason."""
    root = tmp_path / "decoupling"
    history_repository(root, "decoupling")
    assert lockaudit("history", root, "--since", "2026-01-01", "--json", tmp_path / "h.json", "-q").returncode == 0
    scan = lockaudit(
        "scan", root, "--history", tmp_path / "h.json", "--html", tmp_path / "r.html", "--markdown", "-", "-q"
    )
    assert scan.returncode == 0, scan.stderr
    assert "- the portability score rose from 66 to 97 since 2026\\-01" in scan.stdout
    html = (tmp_path / "r.html").read_text()
    assert "Trend since 2026-01-05" in html and html.count('<figure class="chart">') == 2
    assert lockaudit("scan", root, "--json", tmp_path / "a.json", "-q").returncode == 0
    again = lockaudit("report", tmp_path / "a.json", "--history", tmp_path / "h.json", "--markdown", "-")
    assert "the portability score rose from 66 to 97" in again.stdout
    portfolio = lockaudit(
        "portfolio", tmp_path / "a.json", "--history", tmp_path / "h.json", "--json", "-", "--html", tmp_path / "p.html"
    )
    assert portfolio.returncode == 0, portfolio.stderr
    (repository,) = json.loads(portfolio.stdout)["repositories"]
    assert [p["score"] for p in repository["trend"]["points"]] == [66, 75, 97]
    assert 'class="chart spark"' in (tmp_path / "p.html").read_text()
    (tmp_path / "bad.json").write_text(json.dumps({"points": []}))
    bad = lockaudit("scan", root, "--history", tmp_path / "bad.json")
    assert bad.returncode == 2
    assert "bad.json: not a lockaudit history (the document: 'schema_version' is a required property)" in bad.stderr


def test_each_commit_is_judged_by_its_own_configuration(tmp_path: Path) -> None:
    """`.lockaudit.toml` and pytest.ini are read at each commit as a scan of it would read them; a
    commit whose configuration is invalid is listed with the reason, and the series goes on."""
    root = tmp_path / "repo"
    history_repository(root, "switching")
    (root / ".lockaudit.toml").write_text("fail_on = 'everything'\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "a broken configuration", date="2026-06-01T12:00:00+00:00")
    (root / ".lockaudit.toml").write_text("exclude = ['translator/glossary.py']\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "fixed", date="2026-06-02T12:00:00+00:00")
    points = _history(root, "--since", "2026-05-01")["points"]
    assert [("error" in p) for p in points] == [False, False, True, False]  # from the state on 2026-05-01
    broken, fixed = points[-2], points[-1]
    assert "fail_on" in broken["error"]
    assert fixed["files_analysed"] == points[0]["files_analysed"] - 1  # the commit's own exclude applies


def test_a_commit_that_adds_rule_packs_is_read_with_them(tmp_path: Path) -> None:
    """Facts depend on the packs: a commit that brings its own pack is not read with the last one's facts."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "app.py").write_text("import httpx\n\nhttpx.post('https://api.acme.ai/v1/complete')\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "one", date="2026-01-05T12:00:00+00:00")
    (root / "packs").mkdir()
    (root / "packs" / "acme.yaml").write_text(
        "id: acme\ntitle: Acme\nvendor: Acme\nowner: Acme\nlayer: model-api\ncatalog:\n  hosts: [api.acme.ai]\n"
    )
    (root / ".lockaudit.toml").write_text("rules = ['packs']\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "two", date="2026-01-06T12:00:00+00:00")
    points = _history(root, "--since", "2026-01-01")["points"]
    assert ["Acme" in p["vendors"] for p in points] == [False, True]


def test_a_configuration_above_the_temporary_folder_is_never_read(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    root = tmp_path / "repo"
    history_repository(root, "switching")
    planted = tmp_path / "tmp"
    planted.mkdir()
    (planted / ".lockaudit.toml").write_text("exclude = ['**/*.py']\n")  # anyone may write in a shared /tmp
    result = subprocess.run(
        [sys.executable, "-m", "auditor", "history", str(root), "--since", "2026-01-01", "--json", "-"],
        cwd=planted,
        capture_output=True,
        text=True,
        env={**os.environ, "TMPDIR": str(planted)},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert all(p["files_analysed"] >= 4 for p in json.loads(result.stdout)["points"])


def test_dates_are_days_in_utc_and_no_commit_is_listed_twice(tmp_path: Path) -> None:
    from auditor.vcs import mainline

    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    for day in ("2026-03-01T12:00:00+00:00", "2026-03-02T00:30:00+00:00", "2026-03-03T12:00:00+00:00"):
        (root / "a.py").write_text(f"# {day}\n")
        git(root, "add", "-A")
        git(root, "commit", "-qm", day, date=day)
    subjects = lambda since: [c[2] for c in mainline(root, since)]  # noqa: E731
    # The state at the start of 2 March (UTC) is the 1 March commit, whatever the time of day now.
    assert subjects("2026-03-02") == [
        "2026-03-01T12:00:00+00:00",
        "2026-03-02T00:30:00+00:00",
        "2026-03-03T12:00:00+00:00",
    ]
    assert subjects("2026-03-02T00:30:00Z") == ["2026-03-02T00:30:00+00:00", "2026-03-03T12:00:00+00:00"]


def test_choosing_spreads_at_most_fifty_points_and_a_failed_first_point_adds_nothing() -> None:
    from auditor.history import Commit, choose, series

    commits = [Commit(f"{i:040x}", "2026-01-01T00:00:00+00:00", str(i)) for i in range(100)]
    chosen = choose(commits, None, None)
    assert len(chosen) == 50 and chosen[0] is commits[0] and chosen[-1] is commits[-1]
    assert len({c.sha for c in chosen}) == 50
    failed = {"commit": "a" * 40, "committed": "2026-01-01T00:00:00+00:00", "subject": "x", "error": "bad"}
    ok = {
        "commit": "b" * 40, "committed": "2026-01-02T00:00:00+00:00", "subject": "y", "score": 90, "effort": 6,
        "vendors": {}, "folders": {}, "owners": {}, "files_analysed": 1, "skipped": 0,
        "findings": [("f1", {"rule_id": "r", "path": "a.py", "message": "m"})],
    }  # fmt: skip
    point = series("x", "2026-01-01", [failed, ok], "every commit")["points"][1]
    assert point["appeared"]["count"] == 0  # the first point audited has nothing before it


def test_an_unwritable_tree_fails_its_commit_not_the_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A tree that lists one blob under many paths would fill the disk: refused as that commit's error."""
    from auditor import vcs

    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    for i in range(5):
        (root / f"m{i}.py").write_text("x = 1\n" * 200)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "copies", date="2026-01-05T12:00:00+00:00")
    monkeypatch.setattr(vcs, "MAX_EXPORT_TOTAL", 3000)
    with pytest.raises(vcs.VcsError, match="holds more than"):
        vcs.export(root, git(root, "rev-parse", "HEAD").strip(), tmp_path / "out", lambda p: True, {}, 10_000)


def test_a_history_with_numbers_no_commit_has_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    history_repository(root, "switching")
    series = _history(root, "--since", "2026-01-01")
    series["tool"]["version"] = "0.1.0"
    series["points"][0]["effort"] = 10**4000  # would overflow a chart's arithmetic
    (tmp_path / "h.json").write_text(json.dumps(series))
    result = lockaudit("scan", root, "--history", tmp_path / "h.json", "--html", tmp_path / "r.html")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "h.json: not a lockaudit history (points/0" in result.stderr


def test_the_memo_holds_one_trees_facts(tmp_path: Path) -> None:
    """Across commits the memo keeps the files of the tree just audited, not every version seen."""
    from auditor.config import load_config
    from auditor.packs import load_rules
    from auditor.pipeline import Memo, ScanOptions, run_audit

    (tmp_path / "a.py").write_text("import openai\n")
    (tmp_path / "b.py").write_text("import anthropic\n")
    memo, ruleset = Memo(), load_rules()
    for version in range(3):
        (tmp_path / "a.py").write_text(f"import openai\n# version {version}\n")
        config = load_config(tmp_path, alone=True).config
        run_audit(
            tmp_path,
            config,
            ruleset,
            (),
            ScanOptions(memo=memo, repository={"name": "t", "commit": None, "committed": None}),
        )
        assert sorted(path for path, _ in memo.facts) == ["a.py", "b.py"]


def test_each_point_is_what_a_scan_of_its_commit_gives(tmp_path: Path) -> None:
    """What one commit leaves for the next (facts, the module index, the audit, the forked
    processes' start) changes how fast a point is made, never what it says: each point equals the
    point of a scan, from nothing, of that commit checked out alone."""
    from auditor.config import load_config
    from auditor.history import Commit, audit_history, point
    from auditor.packs import load_rules
    from auditor.pipeline import ScanOptions, run_audit

    root = tmp_path / "repo"
    history_repository(root, "switching")
    steps = {  # a new module the others import (the index changes), then a comment only (facts do not)
        "translator/backend.py": "from openai import OpenAI\n\nclient = OpenAI()\n",
        "translator/engine.py": "from translator.backend import client\n" + (root / "translator/engine.py").read_text(),
    }
    write_tree(root, steps)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "a backend", date="2026-04-01T12:00:00Z")
    (root / "translator/cli.py").write_text((root / "translator/cli.py").read_text() + "# reviewed\n")
    git(root, "commit", "-qam", "a comment", date="2026-04-02T12:00:00Z")
    # A virtual environment committed with the code: a scan leaves it out by its pyvenv.cfg; and a
    # file made shorter (what the last commit wrote of it must not show through).
    write_tree(root, {"runtime/pyvenv.cfg": "home = /usr/bin\n", "runtime/lib/helper.py": "import cohere\n"})
    (root / "translator/backend.py").write_text("from openai import OpenAI\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "an environment", date="2026-04-03T12:00:00Z")
    listed = git(root, "log", "--reverse", "--format=%H%x00%cI%x00%s").splitlines()
    commits = [Commit(*line.split("\0")) for line in listed]
    assert len(commits) == 6
    for jobs in (1, 2):
        points = audit_history(root, "repo", commits, jobs)
        for commit, made in zip(commits, points, strict=True):
            alone = tmp_path / f"alone-{commit.sha[:8]}"
            alone.mkdir()
            git(root, f"--work-tree={alone}", "checkout", commit.sha, "--", ".")
            config = load_config(alone, alone=True).config
            options = ScanOptions(repository={"name": "repo", "commit": commit.sha, "committed": commit.committed})
            assert made == point(run_audit(alone, config, load_rules(), (), options), commit), commit.subject
            shutil.rmtree(alone)
        assert "Cohere" not in points[-1]["vendors"]


def test_facts_the_last_scan_cached_are_read_and_the_cache_is_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a scan, a history's files unchanged since come from the fact cache, not the
    extractors; the cache (the working tree's) is not rewritten with the past's facts."""
    import auditor.workers
    from auditor.history import Commit, audit_history

    root, cache = tmp_path / "repo", tmp_path / "cache"
    history_repository(root, "switching")
    monkeypatch.setenv("LOCKAUDIT_CACHE_DIR", str(cache))
    scanned = lockaudit("scan", root, "--json", tmp_path / "a.json", "-q")
    assert scanned.returncode == 0, scanned.stderr
    written = {p: p.read_bytes() for p in cache.rglob("*") if p.is_file()}
    assert written
    listed = git(root, "log", "--reverse", "--format=%H%x00%cI%x00%s").splitlines()
    commits = [Commit(*line.split("\0")) for line in listed]
    extracted: list[str] = []
    extract_file = auditor.workers.extract_file

    def counted(source: Any) -> Any:
        extracted.append(source.path)
        return extract_file(source)

    monkeypatch.setattr(auditor.workers, "extract_file", counted)
    cold = audit_history(root, "repo", commits[-1:], 1)
    assert extracted  # without the cache, every file is read
    extracted.clear()
    assert audit_history(root, "repo", commits[-1:], 1, cache=cache) == cold
    assert extracted == []  # HEAD's tree is the working tree the scan cached
    audit_history(root, "repo", commits, 1, cache=cache)
    assert extracted and set(extracted) < {p.relative_to(root).as_posix() for p in root.rglob("*.py")} | {
        "pyproject.toml"
    }
    assert {p: p.read_bytes() for p in cache.rglob("*") if p.is_file()} == written


def test_trees_are_written_in_memory_only_when_it_has_room_and_no_folder_was_chosen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from auditor import history
    from auditor.history import Commit

    root = tmp_path / "repo"
    history_repository(root, "switching")
    commits = [Commit(*line.split("\0")) for line in git(root, "log", "--format=%H%x00%cI%x00%s").splitlines()]
    memory = tmp_path / "memory"
    memory.mkdir()
    monkeypatch.setattr(history, "MEMORY_FOLDER", str(memory))
    monkeypatch.delenv("TMPDIR", raising=False)
    assert history.scratch_folder(root, commits, 2) == str(memory)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    assert history.scratch_folder(root, commits, 2) is None  # the user's choice stands
    monkeypatch.delenv("TMPDIR")

    class Full:
        f_bavail, f_frsize = 0, 4096

    monkeypatch.setattr(os, "statvfs", lambda path: Full())
    assert history.scratch_folder(root, commits, 2) is None  # no room for a tree per process
    monkeypatch.setattr(history, "MEMORY_FOLDER", str(tmp_path / "absent"))
    monkeypatch.undo()
    assert history.scratch_folder(root, [], 2) is None


def test_runs_cover_every_commit_once_in_order_and_the_first_takes_more() -> None:
    from auditor.history import LATER_START, _runs

    for count in range(1, 60):
        for jobs in (2, 3, 4):
            runs = _runs(list(range(count)), jobs)
            assert [c for run in runs for c in run] == list(range(count))
            assert all(runs) and len(runs) <= jobs
    runs = _runs(list(range(50)), 2)
    assert [len(run) for run in runs] == [25 + LATER_START // 2, 25 - LATER_START // 2]
