"""Extract: one file's relative path and bytes → facts. One extractor per file kind.

Each extractor is a pure function of its inputs — the file's path and bytes, and the
detectors derived from the rule packs — so results can be cached by content hash and
rule-pack hash, and computed in any process. An extractor that fails returns an error fact, never
an empty success.
"""

from __future__ import annotations

from collections.abc import Callable

from auditor.catalog import Detectors
from auditor.extract.notebook import extract_notebook
from auditor.extract.python import extract_python
from auditor.extract.suppressions import MARKER, text_suppressions
from auditor.extract.toolchain import (
    extract_app_config,
    extract_assistant_file,
    extract_build_script,
    extract_ci_config,
    extract_env_file,
    extract_mcp_config,
    extract_package_json,
    extract_poetry_lock,
    extract_pre_commit,
    extract_promptfoo,
    extract_pylock,
    extract_pyproject,
    extract_requirements,
    extract_setup_cfg,
    extract_terraform,
    extract_tool_file,
    extract_uv_lock,
    extract_workflow,
)
from auditor.facts import ErrorFact, Fact, Location

NOXFILE = "noxfile.py"
EXTRACTORS: dict[str, Callable[[str, bytes, Detectors | None], list[Fact]]] = {
    "python": extract_python,
    "notebook": extract_notebook,
    "pyproject": extract_pyproject,
    "uv-lock": extract_uv_lock,
    "pylock": extract_pylock,
    "tool-config": extract_tool_file,
    "requirements": extract_requirements,
    "pre-commit": extract_pre_commit,
    "workflow": extract_workflow,
    "promptfoo": extract_promptfoo,
    "poetry-lock": extract_poetry_lock,
    "setup-cfg": extract_setup_cfg,
    "env-file": extract_env_file,
    "build-script": extract_build_script,
    "assistant": extract_assistant_file,
    "app-config": extract_app_config,
    "package-json": extract_package_json,
    "ci-config": extract_ci_config,
    "terraform": extract_terraform,
    "mcp-config": extract_mcp_config,
}


def extract(path: str, kind: str, data: bytes, detectors: Detectors | None = None) -> list[Fact]:
    try:
        facts = EXTRACTORS[kind](path, data, detectors)
        if kind == "python" and path.rsplit("/", 1)[-1] == NOXFILE:  # Python, and a build script too
            facts.extend(extract_build_script(path, data, detectors))
        if kind not in ("python", "notebook") and MARKER.encode() in data:  # Python finds its own, in comments only
            facts.extend(text_suppressions(path, data.decode("utf-8", errors="replace")))
        return facts
    except Exception as exc:  # an extractor bug must cost one file, not the scan
        return [ErrorFact(Location(path, 1, 1), "internal error in extractor", f"{exc.__class__.__name__}: {exc}")]
