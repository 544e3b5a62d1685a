"""Repository content cannot hang or exhaust a scan: hostile rule folders, backtracking regexes
in packs, `.gitignore` and `exclude`, deep or huge TOML, oversized syntax trees.

Each test builds its input here and runs the real CLI (or the loading function) with a generous
timeout: a regression then fails the test instead of hanging CI. No test times anything itself.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pathspec
import pytest

from auditor import limits
from auditor.limits import LimitError, gitignore_spec, load_json, load_toml, syntax_problem
from auditor.packs import PackError, load_rules
from helpers import lockaudit, write_tree

HANG = 60  # seconds: far above what any of these inputs needs now, far below a hang

PACK = "id: mine\ntitle: Mine\nvendor: X\nowner: X\n"


def _repository(root: Path, files: dict[str, str], config: str = 'rules = ["packs"]\n') -> None:
    (root / "packs").mkdir(exist_ok=True)
    write_tree(root, {"pyproject.toml": f"[tool.lockaudit]\n{config}", "app.py": "import openai\n", **files})


def _scan(root: Path, *extra: str) -> tuple[int, dict[str, Any], str]:
    result = lockaudit("scan", root, "--no-cache", "--format", "json", *extra, timeout=HANG)
    assert "Traceback" not in result.stderr, result.stderr
    audit = json.loads(result.stdout) if result.returncode in (0, 1) else {}
    return result.returncode, audit, result.stderr


def _skipped(audit: dict[str, Any]) -> dict[str, str]:
    return {entry["path"]: entry["reason"] for entry in audit["skipped"]}


# -- rule folders ------------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_in_a_rules_folder_stops_the_run_with_a_reason(tmp_path: Path) -> None:
    _repository(tmp_path, {})
    os.mkfifo(tmp_path / "packs" / "pipe.yaml")  # reading it would block forever
    code, _, stderr = _scan(tmp_path)
    assert code == 2 and "pipe.yaml: cannot be read: a special file, not a regular file" in stderr


def test_a_symlink_to_dev_zero_in_a_rules_folder_stops_the_run_with_a_reason(tmp_path: Path) -> None:
    _repository(tmp_path, {})
    (tmp_path / "packs" / "zero.yaml").symlink_to("/dev/zero")  # reading it would never end
    code, _, stderr = _scan(tmp_path)
    assert code == 2 and "zero.yaml: cannot be read: a symlink, not a regular file" in stderr


def test_a_folder_named_like_a_pack_and_an_oversized_pack_are_refused(tmp_path: Path) -> None:
    (tmp_path / "dir.yaml").mkdir()
    with pytest.raises(PackError, match=r"dir\.yaml: cannot be read: a folder, not a regular file"):
        load_rules([tmp_path])
    (tmp_path / "dir.yaml").rmdir()
    (tmp_path / "big.yaml").write_text(PACK + "#" * (2 * 1024 * 1024) + "\n")
    with pytest.raises(PackError, match=r"big\.yaml: cannot be read: larger than 1048576 bytes"):
        load_rules([tmp_path])


def test_too_many_packs_in_one_folder_are_refused(tmp_path: Path) -> None:
    for index in range(201):
        (tmp_path / f"p{index:03}.yaml").write_text(PACK.replace("mine", f"mine{index}"))
    with pytest.raises(PackError, match="more than 200 rule packs in one folder"):
        load_rules([tmp_path])


# -- regexes from packs --------------------------------------------------------------------------

ADVERSARIAL = "a" * 30_000 + "!"  # what makes a backtracking engine try every way to split the a's


def test_backtracking_pack_regexes_finish_on_an_adversarial_line(tmp_path: Path) -> None:
    """Model-id patterns and secret patterns of a repository's pack run on RE2: on Python's `re`
    each of these would run for hours on the line below."""
    model_ids = "".join(
        f"    - {{family: f{i}, pattern: '{pattern}'}}\n"
        for i, pattern in enumerate(("(a|aa)+$", "(\\s*)*x", ".*a.*a.*a.*b"))
    )
    secrets = "patterns:\n" + "".join(
        f"  - id: s{i}\n    pattern: '{pattern}'\n    examples: {{redact: ['{example}'], keep: ['{keep}']}}\n"
        for i, (pattern, example, keep) in enumerate(
            (("(a|aa)+$", "aa", "b"), ("\\s*\\s*\\s*\\s*x", " x", "y"), (".*a.*a.*a.*b", "aaab", "ab"))
        )
    )
    _repository(
        tmp_path,
        {
            "packs/mine.yaml": PACK + "catalog:\n  model_ids:\n" + model_ids,
            "packs/secrets.yaml": secrets,
            "long.py": f'MODEL = "{"a" * 199}!"\nOTHER_MODEL = "{"a" * 199}b"\nclient.create(model="{ADVERSARIAL}")\n'
            + "\t" * 5000
            + "#\n",
        },
    )
    code, audit, stderr = _scan(tmp_path)
    assert code == 0, stderr
    assert "long.py" not in _skipped(audit)


def test_a_pack_regex_re2_cannot_run_is_refused_naming_pack_and_pattern(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text(PACK + "catalog:\n  model_ids:\n    - {family: x, pattern: '(?=a)b'}\n")
    with pytest.raises(PackError) as caught:
        load_rules([tmp_path])
    message = str(caught.value)
    assert message.startswith("mine.yaml: catalog.model_ids[0]") and "'(?=a)b'" in message
    assert "lookarounds and backreferences are not supported" in message


def test_when_regexes_of_a_repository_pack_finish(tmp_path: Path) -> None:
    """A rule's `when` regex on a long endpoint of a's, which backtracks exponentially in `re`."""
    rule = (
        "rules:\n  - id: mine-slow\n    title: Slow\n    severity: low\n    effort: 1\n    category: x\n"
        "    message: m\n    remediation: r\n    when: {kind: endpoint, fields: {value: {regex: '(a|aa)+$'}}}\n"
    )
    url = "https://api.openai.com/v1/" + "a" * 900 + "!"
    _repository(
        tmp_path, {"packs/mine.yaml": PACK + rule, "long.py": f'import openai\nc = openai.OpenAI(base_url="{url}")\n'}
    )
    code, _, stderr = _scan(tmp_path)
    assert code == 0, stderr


# -- gitignore-style patterns --------------------------------------------------------------------

BACKTRACKING_GLOB = "*a*a*a*a*a*a*a*a*a*a*b"


def test_backtracking_gitignore_and_exclude_patterns_finish(tmp_path: Path) -> None:
    name = "a" * 200  # with pathspec's Python regexes, each check of such a name ran for minutes
    _repository(
        tmp_path,
        {
            ".gitignore": f"{BACKTRACKING_GLOB}\n{BACKTRACKING_GLOB}/\n",
            **{f"{name}{i}/{name}.py": "import anthropic\n" for i in range(3)},
            f"{name}.py": "import openai\n",
        },
        config=f'exclude = ["{BACKTRACKING_GLOB}", "**/{BACKTRACKING_GLOB}/**"]\n',
    )
    code, audit, stderr = _scan(tmp_path, "--exclude", BACKTRACKING_GLOB)
    assert code == 0, stderr
    analysed = {record["path"] for record in audit["inventory"]}
    assert f"{name}.py" in analysed and f"{name}0/{name}.py" in analysed  # nothing ends in b: nothing excluded


def test_an_oversized_gitignore_is_listed_as_skipped(tmp_path: Path) -> None:
    lines = "".join(f"generated/file{i}.py\n" for i in range(limits.MAX_GITIGNORE_PATTERNS + 1))
    _repository(tmp_path, {".gitignore": lines, "generated/file1.py": "import anthropic\n"}, config="")
    code, audit, stderr = _scan(tmp_path)
    assert code == 0, stderr
    assert _skipped(audit)[".gitignore"] == (
        f".gitignore cannot be used, its rules are not applied: more than {limits.MAX_GITIGNORE_PATTERNS} patterns"
    )
    assert "generated/file1.py" in {record["path"] for record in audit["inventory"]}  # its rules did not apply

    (tmp_path / ".gitignore").write_text("#" * (limits.MAX_GITIGNORE_BYTES + 1) + "\n")
    code, audit, stderr = _scan(tmp_path)
    assert _skipped(audit)[".gitignore"].endswith(f"larger than {limits.MAX_GITIGNORE_BYTES} bytes")


TRICKY = [
    "*.log",
    "!keep.log",
    "build/",
    "/root-only.txt",
    "docs/**/*.md",
    "!docs/keep/**",
    "**/cache",
    "a/**/b",
    "data/*.csv",
    "[abc]x.py",
    "[!d]y.py",
    r"\#literal",
    r"\!bang",
    "space\\ name",
    "trailing ",
    "dir/sub/",
    "*.py[cod]",
    "**",
    "!important/**",
    "logs/**/debug?.txt",
    "nested/*/leaf",
    "x[a-c]z/",
    "!build/keep/",
    "foo/**/",
    "/anchored/dir/",
    "*~",
    "?.tmp",
    "[[]bracket",
    "a**b",
]
PATHS = [
    "a.log",
    "keep.log",
    "sub/keep.log",
    "build/x.py",
    "build/keep/y.py",
    "src/build/z.py",
    "root-only.txt",
    "sub/root-only.txt",
    "docs/a/b/c.md",
    "docs/keep/x.md",
    "x/cache",
    "x/cache/y",
    "a/b",
    "a/x/y/b",
    "a/bb",
    "data/x.csv",
    "data/sub/x.csv",
    "ax.py",
    "dx.py",
    "ey.py",
    "dy.py",
    "#literal",
    "!bang",
    "space name",
    "trailing",
    "trailing ",
    "dir/sub",
    "dir/sub/",
    "dir/sub/f",
    "m.pyc",
    "m.pyd",
    "m.pyx",
    "important/x",
    "logs/a/debug1.txt",
    "logs/debug1.txt",
    "nested/one/leaf",
    "nested/one/two/leaf",
    "xbz/",
    "xbz/f",
    "foo/bar/",
    "foo/bar/baz",
    "anchored/dir/",
    "q/anchored/dir/x",
    "f~",
    "a.tmp",
    "ab.tmp",
    "[bracket",
    "aXb",
    "a/x/b",
]


@pytest.mark.parametrize("patterns", [TRICKY, TRICKY[:17], [p for p in TRICKY if p != "**"], TRICKY[::-1]])
def test_re2_gitignore_matching_agrees_with_pathspec(patterns: list[str]) -> None:
    """Negation, `**`, anchoring, directory-only patterns, character classes and escapes: the
    RE2 spec gives pathspec's own verdict (last match wins) on every path."""
    ours = gitignore_spec(patterns)
    theirs = pathspec.GitIgnoreSpec.from_lines(patterns, backend="simple")
    for path in PATHS:
        assert ours.check_file(path).include == theirs.check_file(path).include, path
        assert ours.match_file(path) == theirs.match_file(path), path


def test_re2_gitignore_matching_spans_many_sets_in_order() -> None:
    """Past one RE2 set's size, later patterns still win over earlier ones."""
    patterns = [f"f{i}/" for i in range(1200)] + ["*.py", "!keep/*.py"] + [f"g{i}.txt" for i in range(1200)]
    ours, theirs = gitignore_spec(patterns), pathspec.GitIgnoreSpec.from_lines(patterns, backend="simple")
    for path in ("f5/x", "f1199/a/b", "x.py", "keep/x.py", "keep/sub/x.py", "g1199.txt", "h.txt", "f1200/x"):
        assert ours.check_file(path).include == theirs.check_file(path).include, path


def test_an_invalid_exclude_pattern_names_the_pattern() -> None:
    with pytest.raises(LimitError, match=r"exclude: line 2: invalid pattern '!'"):
        gitignore_spec(["ok/", "!"], "exclude")


# -- TOML and JSON -------------------------------------------------------------------------------

DEEP = 10_000


@pytest.mark.parametrize("value", ["[" * DEEP + "]" * DEEP, "{a = " * DEEP + "1" + "}" * DEEP])
def test_deep_toml_in_pyproject_and_tool_config_is_skipped_with_a_reason(tmp_path: Path, value: str) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": f'[project]\nname = "x"\nx = {value}\n',
            "ruff.toml": f"x = {value}\n",
            "app.py": "import openai\n",
        },
    )
    code, audit, stderr = _scan(tmp_path)
    assert code == 0, stderr
    skipped = _skipped(audit)
    assert skipped["pyproject.toml"].endswith(": nested more than 200 levels deep")  # read by config and extractor
    assert skipped["ruff.toml"] == "not parsed: nested more than 200 levels deep"


def test_deep_json_notebook_is_skipped_with_a_reason(tmp_path: Path) -> None:
    write_tree(tmp_path, {"deep.ipynb": '{"cells": ' + "[" * DEEP + "]" * DEEP + "}", "app.py": "import openai\n"})
    code, audit, stderr = _scan(tmp_path)
    assert code == 0, stderr
    assert _skipped(audit)["deep.ipynb"] == "not parsed: nested more than 200 levels deep"


def test_load_toml_and_load_json_bound_size_and_depth_but_not_strings() -> None:
    brackets = "[" * 300
    assert load_toml(f'a = "{brackets}" # {brackets}\nb = \'{brackets}\'\nc = """\n{brackets}"""\n') == {
        "a": brackets,
        "b": brackets,
        "c": brackets,
    }
    assert load_json(f'{{"a": "{brackets}\\"{brackets}"}}') == {"a": f'{brackets}"{brackets}'}
    with pytest.raises(LimitError, match="nested more than 200 levels deep"):
        load_toml("a = " + "[" * 201 + "]" * 201)
    with pytest.raises(LimitError, match="larger than 10 bytes"):
        load_toml("a = 12345678", limit=10)
    with pytest.raises(LimitError, match="nested more than 200 levels deep"):
        load_json(b"\xef\xbb\xbf" + b"[" * 201 + b"]" * 201)
    with pytest.raises(ValueError):
        load_toml("a = [")  # invalid, not too deep: tomllib's own error


# -- syntax trees --------------------------------------------------------------------------------


def test_a_python_file_over_the_syntax_budget_is_skipped_with_a_reason(tmp_path: Path) -> None:
    line = "x = [" + ", ".join("1" for _ in range(50)) + "]\n"  # about 100 tokens per line
    lines = limits.MAX_SYNTAX_NODES // 100 + 100
    write_tree(
        tmp_path,
        {
            "dense.py": "import openai\n" + line * lines,
            "app.py": "import anthropic\n",
            "notebook.ipynb": json.dumps({"cells": [{"cell_type": "code", "source": line * lines}]}),
        },
    )
    code, audit, stderr = _scan(tmp_path)
    assert code == 0, stderr
    skipped = _skipped(audit)
    assert skipped["dense.py"].startswith("too large to analyse: about ")
    assert skipped["dense.py"].endswith(f" syntax nodes, the budget is {limits.MAX_SYNTAX_NODES}")
    assert skipped["notebook.ipynb"].startswith("too large to analyse: about ")
    assert "dense.py" not in {record["path"] for record in audit["inventory"]}


def test_the_syntax_budget_leaves_ordinary_files_alone() -> None:
    assert syntax_problem("x = 1\n" * 1000) is None  # small: not even counted
    assert syntax_problem(("# " + "word " * 20 + "\n") * 5000) is None  # 500 KiB, 110,000 tokens
    assert syntax_problem("[1,2,3]\n" * 100_000) is not None  # 800 KiB, 700,000 tokens


def test_a_huge_pyproject_is_not_read_into_memory(tmp_path: Path) -> None:
    """A 300 MB pyproject.toml once took 1.5 GB: it is refused by its size before it is read."""
    (tmp_path / "pyproject.toml").write_text('[tool.lockaudit]\nfail-on = "low"\n#' + "x" * (9 * 1024 * 1024) + "\n")
    (tmp_path / "app.py").write_text("import openai\n")
    code, audit, stderr = _scan(tmp_path)
    assert code == 0, stderr
    reasons = [entry["reason"] for entry in audit["skipped"] if entry["path"] == "pyproject.toml"]
    assert "configuration ignored: cannot be read: larger than 4194304 bytes" in reasons
