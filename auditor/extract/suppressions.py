"""Suppression comments: `# lockaudit: ignore[RULE-ID, …] reason` on a finding's line or
alone on the line above, and `# lockaudit: ignore-file[RULE-ID] reason` for a whole file.

In Python only real comments count (found with `tokenize`, so a string that merely contains
the text suppresses nothing); in other files (TOML, YAML, requirements, Dockerfiles) a `#`
comment is a comment."""

from __future__ import annotations

import io
import re
import tokenize

from auditor.facts import Location, SuppressionFact

MARKER = "lockaudit:"
_COMMENT = re.compile(
    r"#[ \t]*lockaudit:[ \t]*(?P<verb>ignore-file|ignore)\b[ \t]*(?:\[(?P<rules>[^\]\n]*)\])?"
    r"[ \t]*[:\-–—]*[ \t]*(?P<reason>[^\n]*)"
)


def python_comments(text: str) -> list[tuple[int, int, str, bool]] | None:
    """Every comment as (line, 1-based column, text, alone on its line); None when the text
    does not tokenize (a newer grammar), so the caller can fall back to lines."""
    try:
        return [
            (token.start[0], token.start[1] + 1, token.string, token.line.strip().startswith("#"))
            for token in tokenize.generate_tokens(io.StringIO(text).readline)
            if token.type == tokenize.COMMENT
        ]
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None


def python_suppressions(path: str, text: str, cell: int | None = None) -> list[SuppressionFact]:
    if MARKER not in text:
        return []
    comments = python_comments(text)
    if comments is None:
        return text_suppressions(path, text, cell)
    facts = []
    for line, column, comment, standalone in comments:
        fact = _parse(path, comment, line, column, cell, standalone) if MARKER in comment else None
        if fact is not None:
            facts.append(fact)
    return facts


def text_suppressions(path: str, text: str, cell: int | None = None) -> list[SuppressionFact]:
    if MARKER not in text:
        return []
    facts = []
    for number, line in enumerate(text.splitlines(), start=1):
        if MARKER not in line:
            continue
        match = _COMMENT.search(line)
        if match is not None and not _quoted(line, match.start()):
            fact = _parse(
                path,
                line[match.start() :],
                number,
                match.start() + 1,
                cell,
                standalone=not line[: match.start()].strip(),
            )
            if fact is not None:
                facts.append(fact)
    return facts


def _parse(
    path: str, comment: str, line: int, column: int, cell: int | None, standalone: bool
) -> SuppressionFact | None:
    match = _COMMENT.match(comment)
    if match is None:
        return None
    rules = tuple(sorted({r.strip() for r in (match.group("rules") or "").split(",") if r.strip()}))
    return SuppressionFact(
        Location(path, line, column, cell),
        rules,
        match.group("reason").strip()[:300],
        file_level=match.group("verb") == "ignore-file",
        standalone=standalone,
    )


def _quoted(line: str, index: int) -> bool:
    """Whether `index` falls inside a one-line quoted string or inline code (a `#` there starts no comment)."""
    before = line[:index].replace("\\\\", "").replace('\\"', "").replace("\\'", "")
    return any(before.count(quote) % 2 == 1 for quote in ('"', "'", "`"))
