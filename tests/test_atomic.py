"""Outputs are written atomically: a scan killed with SIGKILL at any moment leaves each output
file either as it was or whole, never half-written; the same holds for the cache index."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import write_tree


@pytest.mark.slow
def test_sigkill_never_leaves_a_half_written_file(tmp_path: Path) -> None:
    root, cache = tmp_path / "repo", tmp_path / "cache"
    write_tree(
        root,
        {
            f"pkg/m{i:03}.py": f"import openai\nclient = openai.OpenAI()\nMODEL = 'gpt-4o'\n# {'x' * 2000}\n"
            for i in range(300)
        },
    )
    out, html = tmp_path / "audit.json", tmp_path / "report.html"
    command = [
        sys.executable,
        "-m",
        "auditor",
        "scan",
        str(root),
        "--json",
        str(out),
        "--html",
        str(html),
        "--cache-dir",
        str(cache),
        "--jobs",
        "2",
    ]
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True)
    full = time.perf_counter() - start
    expected = len(json.loads(out.read_text())["findings"])
    kills = 0
    for step in range(12):  # kill at moments spread over a whole run, the cache cold and warm
        if step % 3 == 0:
            subprocess.run(["rm", "-rf", str(cache)], check=True)
        run = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(full * (step % 6 + 1) / 7)
        if run.poll() is None:
            os.kill(run.pid, signal.SIGKILL)
            kills += 1
        run.wait()
        document = json.loads(out.read_text())  # whole: the last complete run's, or this one's
        assert len(document["findings"]) == expected
        if html.exists():
            assert html.read_text().rstrip().endswith("</html>")
        for index in cache.glob("v1/*.json"):
            json.loads(index.read_text())
    assert kills >= 4  # most runs were really interrupted


def test_a_killed_runs_leftover_temporary_is_removed_by_the_next_write(tmp_path: Path) -> None:
    from auditor.files import STALE_TEMP_SECONDS, write_atomic

    old, live = tmp_path / ".audit.json.k1ll3d.tmp", tmp_path / ".audit.json.wr1t1ng.tmp"
    old.write_text('{"half')
    live.write_text('{"being written')  # another run's, still at work: left alone
    long_ago = time.time() - STALE_TEMP_SECONDS - 60
    os.utime(old, (long_ago, long_ago))
    write_atomic(tmp_path / "audit.json", '{"whole": true}')
    assert sorted(p.name for p in tmp_path.iterdir()) == [live.name, "audit.json"]
    assert json.loads((tmp_path / "audit.json").read_text()) == {"whole": True}
