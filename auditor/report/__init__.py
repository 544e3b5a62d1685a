"""Renderers: each turns one `Audit` into one format and computes nothing of its own."""

from __future__ import annotations

import functools
import sys
from typing import Any

from markupsafe import Markup

from auditor.files import write_atomic
from auditor.report.escape import visible
from auditor.resources import data_dir
from auditor.words import count


@functools.cache
def templates() -> Any:
    """The HTML templates of `reports/` (a jinja2 Environment): autoescaped, strict about
    undefined names, and every value made visible before it is escaped (`shown`). One per
    process, so a template is compiled once however many reports are drawn (a portfolio's).
    `n(count, noun)` says a count with its noun, as every other format does (`words.count`)."""
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(data_dir("reports"))),
        autoescape=True,
        finalize=shown,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals["n"] = count
    return environment


def shown(value: object) -> object:
    """Every `{{ … }}` value before autoescaping: text with its invisible characters made
    visible. Markup too: `join` and `e` return it, already escaped, and escapes add no markup.
    A tab is kept: to HTML it is a space, or a tab inside a quoted line of code. In Markup a
    newline is kept as well: a macro's own line breaks are layout, and written out as `\x0a`
    between a table's rows they became text the parser moves above the table."""
    if isinstance(value, Markup):
        return Markup(visible(str(value), keep="\t\n"))
    return visible(value, keep="\t") if isinstance(value, str) else value


def write_output(destination: str, text: str) -> None:
    """Write to a file atomically, or to stdout for `-`."""
    if destination == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    write_atomic(destination, text)
