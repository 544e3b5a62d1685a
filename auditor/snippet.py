"""Snippets: the source lines around each finding, quoted once by the pipeline so that
every format shows the same code. Secrets are redacted here, on the file's whole lines
before any is clipped: a key cut short, or a private key's middle lines without its BEGIN,
would no longer be recognised (see `redact`).

Line numbers follow the extractors: `\\n`, `\\r\\n` and `\\r` end a line (as in `ast`), and in
a notebook they count within the cell."""

from __future__ import annotations

import dataclasses
import json
import re
from collections import defaultdict
from pathlib import Path

from auditor.audit import Finding, Snippet
from auditor.extract.source import source_encoding
from auditor.files import read_regular
from auditor.limits import DEFAULT_MAX_BYTES
from auditor.redact import MARK, Redactor

CONTEXT = 2  # lines shown before and after the finding's line
MAX_LINE = 240  # characters kept of one line
_LINE_END = re.compile(r"\r\n|\r|\n")


def quote(
    root: Path,
    findings: list[Finding],
    max_bytes: int = DEFAULT_MAX_BYTES,
    files: dict[str, str] | None = None,
    *,
    redactor: Redactor,
) -> list[Finding]:
    """The findings, each with its snippet when its file can still be read; a file that
    cannot (deleted since, or changed into something else) leaves its findings without one.
    `files` maps reported paths to the files on disk where the two differ (odd file names).
    `redactor` is required: no snippet exists unredacted."""
    by_path: dict[str, list[int]] = defaultdict(list)
    for index, finding in enumerate(findings):
        if finding.line >= 1 and finding.path not in ("", "."):
            by_path[finding.path].append(index)
    quoted = list(findings)
    for path, indices in by_path.items():
        try:
            data = read_regular((files or {}).get(path, root / path), max_bytes)
        except OSError:
            continue
        texts = _texts(path, data)
        windows: dict[int, tuple[int | None, range]] = {}  # finding → its cell and 0-based lines shown
        wanted: dict[int | None, set[int]] = defaultdict(set)
        for index in indices:
            finding = findings[index]
            lines = texts.get(finding.cell)
            if lines is not None and finding.line <= len(lines):
                shown = range(max(1, finding.line - CONTEXT) - 1, min(len(lines), finding.line + CONTEXT))
                windows[index] = (finding.cell, shown)
                wanted[finding.cell].update(shown)
        redacted = {cell: redactor.lines(texts[cell], lines) for cell, lines in wanted.items()}  # whole file, then clip
        for index, (cell, shown) in windows.items():
            snippet = Snippet(shown.start + 1, tuple(_clip(redacted[cell][i]) for i in shown))
            quoted[index] = dataclasses.replace(findings[index], snippet=snippet)
    return quoted


def _texts(path: str, data: bytes) -> dict[int | None, list[str]]:
    """The file's lines by cell (None for a file that is not a notebook)."""
    if path.endswith(".ipynb"):
        try:
            document = json.loads(data.decode("utf-8", errors="replace"))
            cells = document["cells"]
        except (ValueError, KeyError, TypeError):
            return {}
        if not isinstance(cells, list):
            return {}
        texts: dict[int | None, list[str]] = {}
        for index, cell in enumerate(cells):
            source = cell.get("source", "") if isinstance(cell, dict) else ""
            if isinstance(source, list):
                source = "".join(part for part in source if isinstance(part, str))
            if isinstance(source, str):
                texts[index] = _lines(source)
        return texts
    return {None: _lines(_decode(path, data))}


def _lines(text: str) -> list[str]:
    lines = _LINE_END.split(text)
    return lines[:-1] if len(lines) > 1 and lines[-1] == "" else lines  # a final line end starts no line


def _decode(path: str, data: bytes) -> str:
    if path.endswith((".py", ".pyi")):
        try:
            return data.decode(source_encoding(data), errors="replace")  # as the extractor decoded it
        except (SyntaxError, LookupError):
            pass
    return data.decode("utf-8-sig", errors="replace")


def _clip(line: str) -> str:
    """At most MAX_LINE characters of an already redacted line; a cut never splits the mark."""
    line = line.expandtabs(4)
    if len(line) <= MAX_LINE:
        return line
    head = line[: MAX_LINE - 1]
    opened = head.rfind(MARK[0], len(head) - len(MARK) + 1)
    if opened >= 0 and line.startswith(MARK, opened):
        head = head[:opened]
    return head + "…"
