"""Every output format, once: its name (the `--format` value and the `--NAME FILE` option),
its renderer, what it is, where it may go. The command line's options, its help and the
tests that run every format are made from this table, so a new format is a renderer module
and one line here."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from auditor.audit import Audit


@dataclass(frozen=True)
class Format:
    name: str
    renderer: str  # "module:function" under auditor.report, imported only when the format is asked for
    what: str  # for --help: "Write {what} to FILE"
    extension: str  # a file of this format usually ends so
    to_file: bool = True  # has its own `--NAME FILE` option
    machine: bool = True  # a document for a program: with it on stdout, the text summary goes to stderr

    @property
    def option(self) -> str:
        return f"{self.name}_out"

    def render(self, audit: Audit, **settings: Any) -> str:
        """`settings` a renderer does not take are left out: the text report takes `colour`,
        SARIF `include_suppressed`, the rest neither."""
        module, function = self.renderer.split(":")
        renderer: Callable[..., str] = getattr(importlib.import_module(f"auditor.report.{module}"), function)
        accepted = inspect.signature(renderer).parameters
        return renderer(audit, **{key: value for key, value in settings.items() if key in accepted})


FORMATS = (
    Format("text", "text:render_text", "the summary for a terminal", ".txt", to_file=False, machine=False),
    Format("json", "json:render_json", "the JSON audit", ".json"),
    Format("sarif", "sarif:render_sarif", "SARIF 2.1.0", ".sarif"),
    Format("markdown", "markdown:render_markdown", "a Markdown summary", ".md"),
    Format("cyclonedx", "cyclonedx:render_cyclonedx", "a CycloneDX 1.6 AI-BOM", ".cdx.json"),
    Format("html", "html:render_html", "the self-contained HTML report", ".html"),
    Format("junit", "junit:render_junit", "JUnit XML (a test case per finding, for CI test reports)", ".xml"),
    Format("github", "github:render_github", "GitHub workflow annotations", ".txt", to_file=False),
)
BY_NAME = {f.name: f for f in FORMATS}
FILE_FORMATS = tuple(f for f in FORMATS if f.to_file)
