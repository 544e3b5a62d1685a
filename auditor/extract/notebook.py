"""Import facts from the code cells of a Jupyter notebook.

IPython syntax (shell escapes, line and cell magics, automagic `pip install`) is not
Python, so those lines are replaced by `pass` at the same indentation: line numbers stay
true and the rest of the cell still parses. A cell that still does not parse becomes an
error fact for that cell; the other cells still count.
"""

from __future__ import annotations

import json
import re
from typing import Any

from auditor.extract.python import extract_source
from auditor.facts import ErrorFact, Fact, Location

# Cell magics whose body is still Python; any other cell magic makes the cell not Python.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "memit", "mprun"})
# A line the IPython shell would not hand to Python unchanged.
_MAGIC_LINE = re.compile(r"^(\s*)(?:[!%]|(?:pip|conda|mamba|uv)\s+(?:install|uninstall)\b|(?:cd|ls|pwd)\b(?!\s*[=(.\[]))")
_ASSIGNED_MAGIC = re.compile(r"^(\s*[\w.]+\s*=\s*)[!%]")
_HELP_LINE = re.compile(r"^(\s*)[\w.]+\?{1,2}\s*$")
# Kernel languages whose cells are Python as far as imports go (Coconut is a Python superset).
PYTHON_LANGUAGES = frozenset({"python", "python2", "python3", "ipython", "ipython3", "coconut"})


def extract_notebook(path: str, data: bytes) -> list[Fact]:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        return [ErrorFact(Location(path, 1, 1), "not a valid notebook", f"not JSON: {exc}")]
    if not isinstance(document, dict) or not isinstance(document.get("cells"), list):
        return [ErrorFact(Location(path, 1, 1), "not a valid notebook", "no list of cells")]
    language = _language(document)
    if language is not None and language not in PYTHON_LANGUAGES:
        return [ErrorFact(Location(path, 1, 1), "not a Python notebook", f"kernel language is {language!r}")]

    facts: list[Fact] = []
    for index, cell in enumerate(document["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(part, str) for part in source):
            source = "".join(source)
        if not isinstance(source, str):
            facts.append(ErrorFact(Location(path, 1, 1, index), "invalid notebook cell", f"cell {index}: source is not text"))
            continue
        python = neutralise_magics(source)
        if python is not None:
            facts.extend(extract_source(path, python, cell=index))
    return facts


def neutralise_magics(source: str) -> str | None:
    """The cell as plain Python with the same line numbers, or None if it is not Python."""
    lines = source.split("\n")
    first = lines[0].strip() if lines else ""
    if first.startswith("%%"):
        magic = first[2:].split(maxsplit=1)[0] if len(first) > 2 else ""
        if magic not in PYTHON_CELL_MAGICS:
            return None
        lines[0] = ""
    out: list[str] = []
    continued = False
    for line in lines:
        if continued:  # a continuation line of a shell escape or magic
            out.append("")
            continued = line.rstrip().endswith("\\")
            continue
        if match := _ASSIGNED_MAGIC.match(line):
            out.append(f"{match.group(1)}None")
            continued = line.rstrip().endswith("\\")
        elif (match := _MAGIC_LINE.match(line)) or (match := _HELP_LINE.match(line)):
            out.append(f"{match.group(1)}pass")
            continued = line.rstrip().endswith("\\")
        else:
            out.append(line)
    return "\n".join(out)


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
