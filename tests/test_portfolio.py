"""`lockaudit portfolio`: many repositories' audits merged into one organisation view, from
JSON audits made elsewhere or from checkouts it scans itself."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from helpers import GOLDEN, REPO, git, history_repository, lockaudit, write_tree

SCHEMA = REPO / "auditor" / "schemas" / "portfolio-1.schema.json"

NAMES = ("coupling", "decoupling", "switching")
REMOTES = {
    "coupling": "https://ci:s3cret-token@example.com/acme/coupling.git",  # credentials never leave
    "decoupling": "git@example.com:acme/decoupling.git",
    "switching": None,  # no remote: the folder's name
}


@pytest.fixture(scope="module")
def organisation(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three history fixtures as repositories at their last commit, with their JSON audits."""
    root = tmp_path_factory.mktemp("organisation")
    for name in NAMES:
        history_repository(root / name, name, REMOTES[name])
        result = lockaudit("scan", root / name, "--json", root / f"{name}.json", "--quiet", "--no-cache")
        assert result.returncode == 0, result.stderr
    return root


def _stable(portfolio: dict[str, Any]) -> dict[str, Any]:
    """The portfolio without what differs from run to run: scan times and the tool's version."""
    assert portfolio.pop("as_of").startswith("20")
    portfolio["tool"].pop("version")
    portfolio["inputs"].pop("lockaudit_versions")
    for repository in portfolio["repositories"]:
        assert repository.pop("scanned").startswith("20")
        repository.pop("lockaudit")
    return portfolio


def test_the_portfolio_of_three_repositories_matches_its_golden(organisation: Path, update_goldens: bool) -> None:
    out = organisation / "portfolio.json"
    result = lockaudit("portfolio", *(f"{n}.json" for n in NAMES), "--json", out, cwd=organisation)
    assert result.returncode == 0, result.stderr
    assert "s3cret" not in out.read_text() + result.stdout
    document = json.loads(out.read_text())
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text())).validate(document)
    actual = _stable(document)
    golden = GOLDEN / "portfolio" / "portfolio.json"
    if update_goldens:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n")
    assert actual == json.loads(golden.read_text())
    # What a reader takes from it: the names, the ranking and each repository's posture.
    rows = [(r["name"], r["score"], r["posture"]) for r in actual["repositories"]]
    assert rows == [
        ("example.com/acme/coupling", 67, "direct"),
        ("switching", 71, "direct"),
        ("example.com/acme/decoupling", 97, "adapter"),
    ]
    assert [(v["vendor"], v["repositories"], v["effort"]) for v in actual["vendors"]][:2] == [
        ("OpenAI", 2, 30),
        ("Anthropic", 2, 25),
    ]
    assert "switching" in result.stdout and "median portability score 71" in result.stdout


def test_the_same_repository_twice_keeps_the_newer_audit(tmp_path: Path) -> None:
    """Two clones of one origin are one repository, however the origin's case was typed: the newer
    commit's audit is kept, with its spelling."""
    for name, origin in (
        ("old", "https://Example.com/ACME/Translator.git"),
        ("new", "https://example.com/acme/translator.git"),
    ):
        history_repository(tmp_path / name, "switching", origin)
    git(tmp_path / "old", "checkout", "-q", "HEAD~2")  # the first commit: OpenAI only
    for name in ("old", "new"):
        assert lockaudit("scan", tmp_path / name, "--json", tmp_path / f"{name}.json", "-q").returncode == 0
    result = lockaudit("portfolio", "old.json", "new.json", "new.json", "--json", "p.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    portfolio = json.loads((tmp_path / "p.json").read_text())
    assert [r["name"] for r in portfolio["repositories"]] == ["example.com/acme/translator"]
    assert [v["vendor"] for v in portfolio["repositories"][0]["vendors"]] == ["Anthropic"]  # the newer commit's
    replaced = [(r["kept"], r["dropped"], r["why"]) for r in portfolio["inputs"]["replaced"]]
    assert replaced == [("new.json", "old.json", "older"), ("new.json", "new.json", "the same audit")]
    assert "given twice: kept new.json, dropped old.json (older)" in result.stdout


def test_checkouts_that_only_share_a_folder_name_stay_apart(tmp_path: Path) -> None:
    """Without an origin a repository is its folder: two `app` folders are two repositories."""
    write_tree(tmp_path / "a" / "app", {"main.py": "import openai\n"})
    write_tree(tmp_path / "b" / "app", {"main.py": "import anthropic\n"})
    for side in ("a", "b"):
        assert lockaudit("scan", tmp_path / side / "app", "--json", tmp_path / f"{side}.json", "-q").returncode == 0
    result = lockaudit("portfolio", "a.json", "b.json", "--json", "-", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    names = sorted(r["name"] for r in json.loads(result.stdout)["repositories"])
    assert names == ["app (a/app)", "app (b/app)"]


def test_audits_that_cannot_be_merged_are_refused_with_a_reason(organisation: Path, tmp_path: Path) -> None:
    audit = json.loads((organisation / "switching.json").read_text())
    cases = {
        "notes.txt": "not json at all",
        "other.json": json.dumps({"hello": "world"}),
        "future.json": json.dumps({**audit, "schema_version": "2.0"}),
        "ancient.json": json.dumps({**audit, "schema_version": "1.1"}),
        "broken.json": json.dumps({**audit, "summary": {**audit["summary"], "files_analysed": "many"}}),
    }
    for name, text in cases.items():
        (tmp_path / name).write_text(text)
    result = lockaudit(
        "portfolio",
        *cases,
        "missing.json",
        organisation / "coupling.json",
        "--json",
        "p.json",
        "--markdown",
        "p.md",
        cwd=tmp_path,
    )
    assert result.returncode == 2  # something was refused: a batch job must notice …
    portfolio = json.loads((tmp_path / "p.json").read_text())  # … and still gets what could be merged
    assert [r["name"] for r in portfolio["repositories"]] == ["example.com/acme/coupling"]
    reasons = {r["source"]: r["reason"] for r in portfolio["inputs"]["refused"]}
    assert reasons["notes.txt"].startswith("not JSON")
    assert reasons["other.json"].startswith("not a lockaudit JSON audit")
    assert "'2.0' is not a 1.x schema" in reasons["future.json"]
    assert "1.1 predates the leaks and exit plans" in reasons["ancient.json"]
    assert reasons["broken.json"].startswith("not a valid lockaudit audit (summary/files_analysed:")
    assert reasons["missing.json"].startswith("cannot be read")
    assert len(reasons) == 6
    for source in reasons:
        assert f"lockaudit: refused {source}: " in result.stderr
    assert "refused missing.json" in (tmp_path / "p.md").read_text()
    assert "Traceback" not in result.stderr


def test_nothing_to_merge_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("{}")
    result = lockaudit("portfolio", "a.json", cwd=tmp_path)
    assert result.returncode == 2
    assert "refused a.json: not a lockaudit JSON audit" in result.stderr
    assert "no audit to merge: every one was refused" in result.stderr


def test_the_organisations_policy_names_who_uses_a_forbidden_vendor(organisation: Path) -> None:
    result = lockaudit(
        "portfolio", *(f"{n}.json" for n in NAMES), "--forbid-vendors", "openai", "--json", "-", cwd=organisation
    )
    assert result.returncode == 0, result.stderr
    violations = json.loads(result.stdout)["policy"]["violations"]
    assert [(v["repository"], v["vendor"], v["why"]) for v in violations] == [
        ("example.com/acme/coupling", "OpenAI", "forbidden"),
        ("example.com/acme/decoupling", "OpenAI", "forbidden"),
    ]
    allowed = lockaudit("portfolio", "switching.json", "--allow-vendors", "OpenAI", cwd=organisation)
    assert "switching uses Anthropic, which the policy does not allow" in allowed.stdout


def test_scan_merges_checkouts_scanned_in_parallel_as_their_audits_would(organisation: Path, tmp_path: Path) -> None:
    merged = lockaudit("portfolio", *(f"{n}.json" for n in NAMES), "--json", tmp_path / "a.json", cwd=organisation)
    scanned = lockaudit("portfolio", "--scan", *NAMES, "--jobs", "2", "--json", tmp_path / "b.json", cwd=organisation)
    assert merged.returncode == scanned.returncode == 0, scanned.stderr
    a, b = (_stable(json.loads((tmp_path / n).read_text())) for n in ("a.json", "b.json"))
    assert [r.pop("source") for r in a["repositories"]] == [
        f"{n}.json" for n in ("coupling", "switching", "decoupling")
    ]
    assert [r.pop("source") for r in b["repositories"]] == ["coupling", "switching", "decoupling"]
    assert a == b


def test_scan_lists_a_checkout_it_cannot_scan_and_goes_on(organisation: Path, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / ".lockaudit.toml").write_text("fail_on = 'everything'\n")
    (tmp_path / "bad" / "app.py").write_text("import openai\n")
    result = lockaudit(
        "portfolio", "--scan", organisation / "switching", "empty", "bad", "--json", "p.json", cwd=tmp_path
    )
    assert result.returncode == 2
    refused = {r["source"]: r["reason"] for r in json.loads((tmp_path / "p.json").read_text())["inputs"]["refused"]}
    assert refused["empty"] == "no Python file or notebook was analysed"
    assert "fail_on" in refused["bad"]
    assert "Traceback" not in result.stderr


def test_scan_on_a_dask_cluster(organisation: Path, tmp_path: Path) -> None:
    """`--executor dask://…` hands each checkout to a Dask scheduler: a LocalCluster here."""
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None) as cluster:
        address = cluster.scheduler_address.removeprefix("tcp://")
        result = lockaudit(
            "portfolio",
            "--scan",
            *(str(organisation / n) for n in NAMES),
            "--executor",
            f"dask://{address}",
            "--json",
            tmp_path / "p.json",
            timeout=300,
        )
    assert result.returncode == 0, result.stderr
    portfolio = json.loads((tmp_path / "p.json").read_text())
    assert [r["name"] for r in portfolio["repositories"]] == [
        "example.com/acme/coupling",
        "switching",
        "example.com/acme/decoupling",
    ]


def test_a_wrong_executor_is_a_clear_error(organisation: Path) -> None:
    result = lockaudit("portfolio", "--scan", organisation / "switching", "--executor", "spark://x:1")
    assert result.returncode == 2
    assert "expected dask://HOST:PORT" in result.stderr
    unreachable = lockaudit("portfolio", "--scan", organisation / "switching", "--executor", "dask://127.0.0.1:9")
    assert unreachable.returncode == 2
    assert "cannot reach the Dask scheduler" in unreachable.stderr or "needs dask.distributed" in unreachable.stderr


def test_names_from_elsewhere_are_escaped_in_every_format(organisation: Path, tmp_path: Path) -> None:
    audit = json.loads((organisation / "switching.json").read_text())
    audit["repository"]["name"] = "<script>alert(1)</script>|evil\u202e`name`"
    (tmp_path / "evil.json").write_text(json.dumps(audit))
    result = lockaudit(
        "portfolio", "evil.json", "--html", "p.html", "--markdown", "p.md", "--json", "p.json", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    html, markdown = (tmp_path / "p.html").read_text(), (tmp_path / "p.md").read_text()
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "\u202e" not in html + markdown + result.stdout
    assert "\\|evil" in markdown  # the table cell stays one cell
    assert "\u202e" not in (tmp_path / "p.json").read_text()


def test_audits_of_other_versions_merge_with_a_note(organisation: Path, tmp_path: Path) -> None:
    """A newer minor schema is additive and merges; another lockaudit version or other rule packs
    merge too, and the reader is told their findings may not be alike."""
    audit = json.loads((organisation / "switching.json").read_text())
    newer = {**audit, "schema_version": "1.99", "tool": {"name": "lockaudit", "version": "9.9.9"}}
    (tmp_path / "newer.json").write_text(json.dumps(newer))
    (tmp_path / "h.json").write_text(json.dumps(_history_of("nobody")))
    result = lockaudit(
        "portfolio",
        organisation / "coupling.json",
        "newer.json",
        "--history",
        "h.json",
        "--json",
        "p.json",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    inputs = json.loads((tmp_path / "p.json").read_text())["inputs"]
    assert "9.9.9" in inputs["lockaudit_versions"] and inputs["schema_versions"][-1] == "1.99"
    assert inputs["histories_unmatched"] == ["nobody"]
    assert "their rules and scores may differ" in result.stdout
    assert "the history of nobody matches no audit given" in result.stdout


def _history_of(name: str) -> dict[str, Any]:
    """The smallest valid history series, of a repository named `name`."""
    return {
        "schema_version": "1.0",
        "tool": {"name": "lockaudit", "version": "0.1.0"},
        "repository": name,
        "since": "2026-01-01",
        "chosen_by": "every commit",
        "points": [],
        "trend": [],
    }


def test_a_broken_origin_url_costs_the_name_not_the_scan(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    history_repository(root, "switching")
    git(root, "remote", "add", "origin", "https://[evil/x")
    audit = json.loads(lockaudit("scan", root, "--format", "json").stdout)
    assert audit["repository"]["name"] == "repo"
    from auditor.vcs import remote_name

    assert remote_name("https://github.com/acme/\x1b[31mred") is None


def test_newer_by_the_instant_and_names_told_apart_by_their_folders(organisation: Path, tmp_path: Path) -> None:
    from auditor.portfolio import check_audit, merge

    audit = json.loads((organisation / "coupling.json").read_text())
    east = {**audit, "repository": {**audit["repository"], "committed": "2026-03-01T10:00:00+02:00"}}  # 08:00Z
    west = {**audit, "repository": {**audit["repository"], "committed": "2026-03-01T09:00:00+00:00"}}  # 09:00Z
    merged = merge([check_audit(east, "east.json"), check_audit(west, "west.json")])
    assert [e.source for e in merged.accepted] == ["west.json"]
    plain = json.loads((organisation / "switching.json").read_text())
    twins = [
        check_audit({**plain, "root": root, "repository": {**plain["repository"], "name": "app"}}, f"{n}.json")
        for n, root in (("one", "/a/ci/app"), ("two", "/b/ci/app"))
    ]
    assert sorted(e.name or "" for e in merge(twins).accepted) == ["app (/a/ci/app)", "app (/b/ci/app)"]


def test_an_audit_the_report_cannot_render_gets_no_link(organisation: Path, tmp_path: Path) -> None:
    audit = json.loads((organisation / "switching.json").read_text())
    del audit["summary"]["roles"]["note"]  # optional in the schema
    (tmp_path / "a.json").write_text(json.dumps(audit))
    result = lockaudit("portfolio", "a.json", "--html", "p.html", "--reports", "r", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no report for switching: its audit cannot be rendered" in result.stderr
    assert "Traceback" not in result.stderr and (tmp_path / "p.html").is_file()
