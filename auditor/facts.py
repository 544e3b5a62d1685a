"""Facts: what extractors observe in one file, before any judgement.

Facts are small, frozen and JSON-serialisable. Locations are relative to the scanned
root with `/` separators; `line` and `column` are 1-based; `cell` is the 0-based index
of a notebook cell (None outside notebooks).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Location:
    path: str
    line: int
    column: int
    cell: int | None = None


@dataclass(frozen=True, slots=True)
class ImportFact:
    """One imported name, as written.

    `module` is the module text after `from`/`import` (without leading dots), `level`
    the number of leading dots of a relative import, `symbol` the name imported by
    `from module import symbol` (None for `import module`). A dynamic import whose
    argument is not a literal has `unresolved=True` and the source text in `expression`.
    """

    loc: Location
    module: str
    symbol: str | None = None
    level: int = 0
    scope: str = "<module>"
    dynamic: bool = False
    unresolved: bool = False
    expression: str | None = None
    type_checking: bool = False
    optional: bool = False
    in_function: bool = False
    conditional: bool = False

    kind = "import"


@dataclass(frozen=True, slots=True)
class ErrorFact:
    """A file, or part of one, that could not be analysed; always becomes a `skipped` entry."""

    loc: Location
    reason: str
    detail: str = ""

    kind = "error"


Fact = ImportFact | ErrorFact


def fact_to_dict(fact: Fact) -> dict[str, Any]:
    data = asdict(fact)
    loc = data.pop("loc")
    return {"kind": fact.kind, **loc, **data}
