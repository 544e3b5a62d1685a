"""Import facts from the code cells of a Jupyter notebook.

IPython syntax (shell escapes, line and cell magics, automagic `pip install` or `cd`,
`obj?` help) is not Python. Lines that start a statement with it are replaced by `pass`
at the same indentation, so line numbers stay true and the rest of the cell still
parses; lines inside brackets or after a backslash are continuations and are left
alone (`!= 2` there is an operator). Magics that run Python (`%time import x`) keep
their code and shift its columns back. A cell that still does not parse becomes an
error fact for that cell; the other cells still count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from auditor.catalog import Detectors
from auditor.extract.python import SourceAnalysis
from auditor.facts import ErrorFact, Fact, Location
from auditor.limits import LimitError, load_json, syntax_problem

# Cell magics whose body is still Python; any other cell magic makes the cell not Python.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "memit", "mprun"})
# Line magics followed by Python code.
PYTHON_LINE_MAGICS = frozenset({"time", "timeit", "prun", "memit"})
# Kernel languages whose cells are Python as far as imports go (Coconut is a Python superset).
PYTHON_LANGUAGES = frozenset({"python", "python2", "python3", "ipython", "ipython3", "coconut"})

_CODE_MAGIC = re.compile(r"^(\s*)%(\w+)\s+(?!-)(\S.*)$")
_MAGIC_LINE = re.compile(
    r"^(\s*)(?:[!%]|(?:pip|conda|mamba|uv)\s+(?:install|uninstall)\b|(?:cd|ls|pwd)(?:\s+[^=\s(]|\s*$))"
)
_ASSIGNED_MAGIC = re.compile(r"^(\s*[\w.]+\s*=\s*)[!%]")
_HELP_LINE = re.compile(r"^(\s*)[\w.]+\?{1,2}\s*$")
_OPENERS, _CLOSERS = "([{", ")]}"


@dataclass
class Cell:
    """A cell as plain Python, and the columns its neutralised lines lost."""

    source: str
    column_shift: dict[int, int] = field(default_factory=dict)


def extract_notebook(path: str, data: bytes, detectors: Detectors | None = None) -> list[Fact]:
    try:
        document = load_json(data)  # size and nesting bounded before the parser recurses
    except LimitError as exc:
        return [ErrorFact(Location(path, 1, 1), "not parsed", str(exc).removeprefix(f"{path}: "))]
    except ValueError as exc:
        return [ErrorFact(Location(path, 1, 1), "not a valid notebook", f"not JSON: {exc}")]
    if not isinstance(document, dict) or not isinstance(document.get("cells"), list):
        return [ErrorFact(Location(path, 1, 1), "not a valid notebook", "no list of cells")]
    language = _language(document)
    if language is not None and language not in PYTHON_LANGUAGES:
        return [ErrorFact(Location(path, 1, 1), "not a Python notebook", f"kernel language is {language!r}")]

    code = [
        cell.get("source") for cell in document["cells"] if isinstance(cell, dict) and cell.get("cell_type") == "code"
    ]
    problem = syntax_problem(
        "".join(
            part
            for source in code
            for part in (source if isinstance(source, list) else [source])
            if isinstance(part, str)
        )
    )
    if problem is not None:  # the cells' trees together would take too much memory
        return [ErrorFact(Location(path, 1, 1), "too large to analyse", problem)]
    analysis = SourceAnalysis(path, detectors)  # cells share bindings, in order
    for index, cell in enumerate(document["cells"]):
        if not isinstance(cell, dict):
            analysis.facts.append(
                ErrorFact(
                    Location(path, 1, 1, index), "invalid notebook cell", f"cell {index}: not an object", partial=True
                )
            )
            continue
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(part, str) for part in source):
            source = "".join(source)
        if not isinstance(source, str):
            analysis.facts.append(
                ErrorFact(
                    Location(path, 1, 1, index),
                    "invalid notebook cell",
                    f"cell {index}: source is not text",
                    partial=True,
                )
            )
            continue
        python = neutralise_magics(source)
        if python is not None:
            analysis.add(python.source, cell=index, column_shift=python.column_shift)
    return analysis.finish()


def neutralise_magics(source: str) -> Cell | None:
    """The cell as plain Python with the same line numbers, or None if it is not Python."""
    lines = source.split("\n")
    first = lines[0].strip() if lines else ""
    if first.startswith("%%"):
        magic = first[2:].split(maxsplit=1)[0] if len(first) > 2 else ""
        if magic not in PYTHON_CELL_MAGICS:
            return None
        lines[0] = ""
    cell = Cell("")
    out: list[str] = []
    scanner = _Scanner()
    skipping_continuation = False
    for number, line in enumerate(lines, start=1):
        if skipping_continuation:  # a continuation line of a shell escape or magic
            out.append("")
            skipping_continuation = line.rstrip().endswith("\\")
            continue
        if scanner.at_statement_start:
            replacement = _neutralise(line, number, cell)
            if replacement is not None:
                out.append(replacement)
                skipping_continuation = line.rstrip().endswith("\\") and replacement.strip() == "pass"
                if replacement.strip() != "pass":
                    scanner.feed(replacement)
                continue
        out.append(line)
        scanner.feed(line)
    cell.source = "\n".join(out)
    return cell


def _neutralise(line: str, number: int, cell: Cell) -> str | None:
    if (match := _CODE_MAGIC.match(line)) and match.group(2) in PYTHON_LINE_MAGICS:
        indent, code = match.group(1), match.group(3)
        cell.column_shift[number] = len(line) - len(indent) - len(code)
        return indent + code
    if match := _ASSIGNED_MAGIC.match(line):
        return f"{match.group(1)}None"
    if (match := _MAGIC_LINE.match(line)) or (match := _HELP_LINE.match(line)):
        return f"{match.group(1)}pass"
    return None


class _Scanner:
    """Tracks, line by line, whether the next line starts a new statement: not inside
    brackets, not inside a triple-quoted string, not after a backslash continuation."""

    def __init__(self) -> None:
        self.depth = 0
        self.string: str | None = None  # the open triple quote, if any
        self.backslash = False

    @property
    def at_statement_start(self) -> bool:
        return self.depth == 0 and self.string is None and not self.backslash

    def feed(self, line: str) -> None:
        i, n = 0, len(line)
        while i < n:
            if self.string is not None:
                end = line.find(self.string, i)
                while end > 0 and line[end - 1] == "\\":
                    end = line.find(self.string, end + 1)
                if end < 0:
                    break
                self.string, i = None, end + 3
                continue
            char = line[i]
            if char == "#":
                break
            if char in "'\"":
                if line.startswith(char * 3, i):
                    self.string, i = char * 3, i + 3
                    continue
                i += 1
                while i < n and line[i] != char:
                    i += 2 if line[i] == "\\" else 1
            elif char in _OPENERS:
                self.depth += 1
            elif char in _CLOSERS:
                self.depth = max(0, self.depth - 1)
            i += 1
        self.backslash = self.string is None and line.endswith("\\")


def _language(document: dict[str, Any]) -> str | None:
    metadata = document.get("metadata")
    if not isinstance(metadata, dict):
        return None
    for key in ("kernelspec", "language_info"):
        section = metadata.get(key)
        if isinstance(section, dict):
            value = section.get("language") if key == "kernelspec" else section.get("name")
            if isinstance(value, str) and value:
                return value.lower()
    return None
