"""The wheel, installed into a fresh virtual environment, works outside the source tree."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from helpers import FIXTURES, REPO, scan_json


@pytest.mark.slow
def test_wheel_installs_and_scans_from_outside_the_source_tree(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels), str(REPO)],
        check=True,
        timeout=600,
    )
    (wheel,) = wheels.glob("lockaudit-*.whl")

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "--quiet", str(wheel)], check=True, timeout=900)

    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "azure-openai", project)
    work = tmp_path / "elsewhere"
    work.mkdir()
    located = subprocess.run(
        [python, "-c", "import auditor.resources as r; print(r.data_dir('rules')); print(r.data_dir('reports'))"],
        cwd=work,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert all(Path(p).is_relative_to(env_dir) for p in located), located

    result = subprocess.run(
        [env_dir / "bin" / "lockaudit", "scan", project, "--format", "json"],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    audit = json.loads(result.stdout)
    assert {v["vendor"] for v in audit["summary"]["vendors"]} == {"Microsoft", "OpenAI"}
    # The installed wheel judges exactly as the source tree does (its rule packs and templates shipped whole).
    assert [(f["rule_id"], f["path"], f["line"]) for f in audit["findings"]] == [
        (f["rule_id"], f["path"], f["line"]) for f in scan_json(project)["findings"]
    ]
    rules = subprocess.run([env_dir / "bin" / "lockaudit", "rules", "test"], cwd=work, capture_output=True, text=True)
    assert rules.returncode == 0 and " 0 failed" in rules.stdout, rules.stdout + rules.stderr

    module = subprocess.run([python, "-m", "auditor", "check", project], cwd=work, capture_output=True, text=True)
    assert module.returncode == 1 and "sdk-import-outside-adapter" in module.stdout
    named = subprocess.run([python, "-m", "lockaudit", "check", project], cwd=work, capture_output=True, text=True)
    assert named.returncode == 1 and named.stdout == module.stdout  # the command's own name works as a module
