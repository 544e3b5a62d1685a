"""Hardening: a hostile repository never crashes lockaudit, never fools it, never runs
anything, and every file it could not analyse is listed, with its reason, in every format."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from auditor.report.formats import FILE_FORMATS
from helpers import every_format
from hostile import ANALYSED, SKIPPED, UNPRIVILEGED, build, unlock


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("hostile")
    root, marker, out = base / "repo", base / "ran-from-the-tree", base / "out"
    root.mkdir()
    out.mkdir()
    build(root, marker)
    command, outputs = every_format(root, out, UNPRIVILEGED)
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, errors="replace")
    yield result, {name: path.read_text(errors="replace") for name, path in outputs.items() if path.exists()}, marker
    unlock(root)


def test_no_crash_and_nothing_ran(scanned) -> None:
    result, outputs, marker = scanned
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert sorted(outputs) == sorted(fmt.name for fmt in FILE_FORMATS)
    assert not marker.exists()  # the YAML tag asking to run a command was never constructed


def test_every_file_not_analysed_is_listed_with_its_reason(scanned) -> None:
    result, outputs, _ = scanned
    audit = json.loads(outputs["json"])
    listed: dict[str, list[str]] = {}
    for entry in audit["skipped"]:
        listed.setdefault(entry["path"], []).append(entry["reason"])
    assert sorted(listed) == sorted(SKIPPED)
    for path, reason in SKIPPED.items():
        assert any(r.startswith(reason) for r in listed[path]), (path, listed[path])
    # …and in the other formats too
    for path in SKIPPED:
        assert path in outputs["html"] or path.replace("'", "&#39;") in outputs["html"]
    assert json.loads(outputs["sarif"])["runs"][0]["properties"]["skipped"] == audit["skipped"]
    assert f"{len(SKIPPED)} files were not fully analysed" in outputs["markdown"]


def test_what_can_be_analysed_is_analysed(scanned) -> None:
    _, outputs, _ = scanned
    imports = {(r["path"], r["name"]) for r in json.loads(outputs["json"])["inventory"] if r["kind"] == "import"}
    for path, module in ANALYSED.items():
        assert (path, module) in imports, path


def test_hostile_text_is_inert_in_every_format(scanned) -> None:
    result, outputs, _ = scanned
    html = outputs["html"]
    assert "<img src=x" not in html and "<script>alert" not in html and html.count("<script>") == 1
    assert "\x1b" not in result.stdout + result.stderr  # no terminal escape from a file name or code
    assert "\\x1b" in result.stdout  # shown, escaped
    markdown = outputs["markdown"]
    assert not re.search(r"(?<!\\)<", markdown) and "\x1b" not in markdown  # every < escaped as \<
    for name in ("json", "sarif", "cyclonedx"):
        json.loads(outputs[name])  # still valid documents, whatever the names and code contain
    ElementTree.fromstring(outputs["junit"])


BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
)


MODEL = (
    "id: mine\ntitle: Mine\nvendor: X\nowner: X\ncatalog:\n  model_ids:\n    - {{family: x, pattern: '{pattern}'}}\n"
)


@pytest.mark.parametrize(
    "pack, message",
    [
        (
            "id: mine\ntitle: Mine\nrules: []\nsurprise: 1\n",
            "Additional properties are not allowed ('surprise' was unexpected)",
        ),
        ("id: mine\ntitle: Mine\nversion: one\n", "'version': 'one' is not of type 'integer'"),
        (MODEL.format(pattern="(unclosed"), "invalid regex"),
        (MODEL.format(pattern="(?=a)b"), "lookarounds and backreferences are not supported"),
        ("id: !!python/object/apply:os.system ['touch {marker}']\n", "cannot be read as YAML"),
        (BOMB + "id: mine\n", "cannot be read as YAML: more than 200000 nodes once aliases are expanded"),
        ("id: mine\nid: yours\n", "cannot be read as YAML: duplicate key 'id'"),
    ],
)
def test_hostile_rule_packs_stop_the_run_with_a_reason(tmp_path: Path, pack: str, message: str) -> None:
    marker = tmp_path / "ran"
    (tmp_path / "packs").mkdir()
    (tmp_path / "packs" / "mine.yaml").write_text(pack.replace("{marker}", str(marker)))
    (tmp_path / "pyproject.toml").write_text('[tool.lockaudit]\nrules = ["packs"]\n')
    (tmp_path / "app.py").write_text("import openai\n")
    result = subprocess.run(
        [sys.executable, "-m", "auditor", "scan", str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert message in result.stderr, result.stderr
    assert not marker.exists()


def test_a_scan_opens_no_network_connection(tmp_path: Path) -> None:
    """Every socket lockaudit might open during a scan is refused and recorded: none may be."""
    from helpers import FIXTURES

    attempts = tmp_path / "attempts"
    guard = (
        "import socket, sys\n"
        f"def refuse(*args, **kwargs):\n    open({str(attempts)!r}, 'a').write(repr(args) + '\\n')\n"
        "    raise OSError('network disabled by the test')\n"
        "socket.socket.connect = refuse\nsocket.create_connection = refuse\nsocket.getaddrinfo = refuse\n"
        "from auditor.cli import main\nsys.argv = ['lockaudit', *sys.argv[1:]]\nmain()\n"
    )
    for fixture in ("concentrated-stack", "transitive-only", "notebooks"):
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                guard,
                "scan",
                str(FIXTURES / fixture),
                "--no-cache",
                "--html",
                str(tmp_path / "r.html"),
                "--cyclonedx",
                str(tmp_path / "r.cdx"),
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
    assert not attempts.exists(), attempts.read_text()


@pytest.mark.parametrize(
    "how, reason",
    [
        ("segfault", "the newer-grammar parser crashed (signal 11)"),
        ("hang", "the newer-grammar parser timed out"),
    ],
)
def test_a_crash_or_hang_of_the_libcst_worker_costs_one_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str, reason: str
) -> None:
    import auditor.extract.downlevel as downlevel
    from auditor.config import load_config
    from auditor.packs import load_rules
    from auditor.pipeline import run_audit
    from helpers import write_tree

    real_run = subprocess.run
    behaviour = {
        "segfault": "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)",
        "hang": "import time; time.sleep(60)",
    }[how]

    def misbehaving(args, **kwargs):  # what libcst does on some deeply nested input
        kwargs["timeout"] = min(kwargs.get("timeout", 5), 2)
        return real_run([sys.executable, "-c", behaviour], **kwargs)

    monkeypatch.setattr(downlevel.subprocess, "run", misbehaving)
    write_tree(tmp_path, {"new.py": "type Alias = int\nimport anthropic\n", "old.py": "import openai\n"})
    loaded = load_config(tmp_path)
    audit = run_audit(tmp_path, loaded.config, load_rules(), loaded.problems)  # one process: the patch holds
    assert any(s.path == "new.py" and reason in s.reason for s in audit.skipped), audit.skipped
    assert {r.path for r in audit.inventory if r.kind == "import"} == {"old.py"}
