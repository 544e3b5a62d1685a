"""One escaping function per output kind, for every string that comes from the scanned tree or
from a rule pack (paths, messages, titles, vendor and owner names, snippets, reasons).

Terminal escapes (ESC, CSI, OSC), bidi overrides and invisible characters are never passed
through raw: a reader sees them as `\\x1b`, `\\u202e`, so nothing clears a screen, writes a
clipboard or reorders what a reviewer reads (Trojan Source). Which characters: Unicode's
control, format, surrogate and line/paragraph separator categories, read from `unicodedata`
so that a newer Unicode's additions are covered without a list kept by hand."""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from typing import Any
from urllib.parse import quote

# Cc (C0, DEL, C1), Cf (bidi controls, zero-width characters, tag characters, soft hyphen…),
# Cs (lone surrogates), Zl and Zp (U+2028/U+2029, line breaks to many renderers).
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_NOT_PLAIN = re.compile(r"[^\x20-\x7e]")
# Where Unicode (16.0) puts the invisible characters from DEL on: a superset, each match still
# checked against `unicodedata`, so that a whole document is not sent through a callback
# character by character. tests/test_hostile_output.py checks it covers every one Python knows.
_MAYBE_HIDDEN = re.compile(
    "[\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0000-\U000e0fff]"
)


@functools.lru_cache(maxsize=4096)
def _hidden(char: str) -> bool:
    return unicodedata.category(char) in HIDDEN_CATEGORIES


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def visible(text: object, keep: str = "") -> str:
    """Text with every control, bidi, zero-width and other invisible character shown as an
    escape; `keep` names the few a renderer lets through (a tab inside quoted code)."""
    text = str(text)
    if text.isascii() and text.isprintable():
        return text
    return _NOT_PLAIN.sub(lambda m: _escape(m[0]) if m[0] not in keep and _hidden(m[0]) else m[0], text)


def _json_escape(char: str) -> str:
    code = ord(char)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_text(document: str) -> str:
    """A JSON document's text with its invisible characters written as `\\u` escapes: a parser
    reads the very same values, while a terminal, editor or diff showing the file cannot be
    reordered by a bidi override or made to hide text. Only these characters are escaped,
    not all of non-ASCII (`ensure_ascii`), so names in any script stay readable. C0 controls
    are left alone: `json.dumps` already escapes them inside strings, and the newlines
    outside strings are the document's own layout."""
    if document.isascii():
        return document
    return _MAYBE_HIDDEN.sub(lambda m: _json_escape(m[0]) if _hidden(m[0]) else m[0], document)


def json_document(value: Any, indent: int | None = None) -> str:
    """`value` as the text of a JSON file: names in any script kept, invisible characters
    escaped (`json_text`); compact unless `indent` is given."""
    separators = None if indent else (",", ":")
    return json_text(json.dumps(value, ensure_ascii=False, indent=indent, separators=separators)) + "\n"


_XML_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(document: str) -> str:
    """An XML document's text with its invisible characters as character references (the same
    values to a parser); the C0 controls XML 1.0 cannot hold at all are shown as escapes."""
    document = _XML_FORBIDDEN.sub(lambda m: _escape(m[0]), document)
    if document.isascii():
        return document
    return _MAYBE_HIDDEN.sub(lambda m: f"&#x{ord(m[0]):x};" if _hidden(m[0]) else m[0], document)


# Markdown --------------------------------------------------------------------------------
# Every ASCII punctuation character that can start markup in CommonMark or GitHub's dialect:
# emphasis, code, links and images, HTML, entities (`&#x202e;` would decode), tables, math
# (`$`), headings and lists. CommonMark renders a backslash-escaped one as itself.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-!|<>~&$])")
# GitHub links `@user`, `@org/team` and `#123` after rendering, whatever escapes them (a
# backslash or `&#64;` still mentions), and links bare `https://…`, `www.…` and e-mail
# addresses. An empty HTML comment splits the text there: it renders as nothing, so the
# reader sees the original text, but no mention, reference or autolink forms.
_MD_UNLINK = re.compile(r"(@|#|:(?=//)|(?i:www)(?=\.))")
MD_BREAK = "<!-- -->"


_MD_ORDERED = re.compile(r"^(\d+)\.")  # `1. ` starting a line begins a list


def md(text: object) -> str:
    """Untrusted text for Markdown's running text or a table cell: shown as it is, never as
    markup, HTML, a link, a mention or an issue reference."""
    escaped = _MD_ORDERED.sub(r"\1\\.", _MD_SPECIAL.sub(r"\\\1", visible(text)))
    return _MD_UNLINK.sub(r"\1" + MD_BREAK, escaped)


def md_code(text: object, table: bool = False) -> str:
    """Untrusted text as an inline code span. Nothing inside a code span is markup, so it is
    not backslash-escaped (that would show the backslashes); the fence outgrows any run of
    backticks inside. In a table cell a `|` still ends the cell, so it is written `\\|`,
    which GitHub's tables turn back into `|`."""
    shown = visible(text)
    if not shown:
        return ""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", shown)), default=0) + 1)
    # CommonMark strips one space from each end of a span that has both: pad so it strips ours.
    pad = " " if shown[0] == "`" or shown[-1] == "`" or (shown[0] == shown[-1] == " " and shown.strip(" ")) else ""
    if table:
        shown = shown.replace("|", "\\|")
    return f"{fence}{pad}{shown}{pad}{fence}"


# SARIF -----------------------------------------------------------------------------------


def relative_uri(path: str) -> tuple[str | None, str]:
    """A root-relative path as a relative, percent-encoded URI reference (RFC 3986), or None
    and why not: a path that is absolute or has an empty, `.` or `..` segment (also between
    backslashes, a separator to Windows tools) could make a viewer open something outside
    the repository, so it gets no URI at all. A colon or a backslash is only encoded
    (`javascript%3Ax.py` is no scheme): code scanning refuses a whole upload in which a
    result has no location, so a file's odd name must not cost the project its alerts."""
    if not path:
        return None, "the path is empty"
    if path.startswith(("/", "\\")):
        return None, "the path is absolute"
    if any(segment in ("", ".", "..") for segment in re.split(r"[\\/]", path)):
        return None, "the path has an empty, '.' or '..' segment"
    # surrogateescape: a name that was not UTF-8 on disk is encoded back to its own bytes.
    return quote(path.encode("utf-8", "surrogateescape"), safe="/"), ""
