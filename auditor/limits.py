"""Bounds on work that the scanned tree decides: regexes, nesting, sizes, syntax trees.

Everything in the tree is attacker-controlled, so what it makes lockaudit do is bounded before
the work starts: its regexes (rule packs, `.gitignore`, `exclude`) run on RE2, which never
backtracks; TOML and JSON are refused past a size and a nesting depth by a cheap scan, before a
recursive parser sees them; a Python file is refused when its syntax tree would be too large to
hold. Each refusal is a `LimitError` (a `ValueError`) whose message says what was too much.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Iterable
from typing import Any

import pathspec
import re2
from pathspec._backends.re2.gitignore import Re2GiBackend
from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

MAX_DEPTH = 200  # levels of `[` / `{`; real configuration stays under 10
# A larger file is listed as skipped, not read (`max-file-size` changes it): discovery, the
# workers, snippets and the configuration's default all mean this one number.
DEFAULT_MAX_BYTES = 8 * 1024 * 1024
MAX_TOML_BYTES = 8 * 1024 * 1024  # the default file size cap; lock files of large projects fit
MAX_JSON_BYTES = 8 * 1024 * 1024
MAX_GITIGNORE_BYTES = 1024 * 1024
MAX_GITIGNORE_PATTERNS = 20_000
MAX_SCAN_GITIGNORE_PATTERNS = 100_000  # over all `.gitignore` files of one scan: about 5 s to build
# Syntax nodes `ast.parse` may build for one file: about 0.5 KiB of peak memory each, so a few
# hundred MiB at most. libcst (newer grammar, in its own process) needs about four times that.
# A token takes at least one byte, so files smaller than the budget are not even counted.
MAX_SYNTAX_NODES = 500_000
MAX_SYNTAX_NODES_LIBCST = 150_000
# Facts (imports, calls, literals…) kept of one file, and of one scan: each costs every later
# stage some work, and a few kilobytes of a generated file can hold thousands. The largest
# real files seen hold about 6,000 and the largest real trees about 90,000; at the budget a scan
# takes well under a minute of a 5-minute job.
MAX_FILE_FACTS = 10_000
MAX_SCAN_FACTS = 250_000


class LimitError(ValueError):
    """Input refused because working on it would cost too much; the message says what."""


# -- regexes -----------------------------------------------------------------------------

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # RE2 would otherwise write its own complaint to standard error


def regex(pattern: str) -> Any:
    """`pattern` compiled by RE2 (linear-time matching, with the `re` methods lockaudit uses:
    search, fullmatch, sub, pattern, groups); LimitError saying why when it is invalid or
    uses what RE2 cannot run (lookarounds, backreferences)."""
    try:
        return re2.compile(pattern, _OPTIONS)
    except re2.error as exc:
        reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
    try:
        re.compile(pattern)  # compiling only: no text is matched, nothing can backtrack
    except re.error as exc:
        raise LimitError(f"invalid regex {pattern!r}: {exc}") from None
    raise LimitError(
        f"{pattern!r} is a regex RE2 cannot run ({reason}): lookarounds and backreferences are not "
        "supported, so that no pattern can backtrack"
    ) from None


# -- gitignore-style patterns ------------------------------------------------------------

# How many patterns go into one RE2 set: a set has a fixed memory budget, which a few
# thousand gitignore patterns exhaust.
_SET_CHUNK = 500


class _ChunkedSet:
    """Stands in for one `re2.Set`: the patterns spread over several sets of bounded size,
    their match ids renumbered as one. Each path is matched once per set, in linear time."""

    def __init__(self) -> None:
        self._patterns: list[str] = []
        self._sets: list[tuple[int, re2.Set]] = []

    def Add(self, pattern: str) -> int:  # noqa: N802 - the re2.Set interface pathspec calls
        self._patterns.append(pattern)
        return len(self._patterns) - 1

    def Compile(self) -> None:  # noqa: N802
        for start in range(0, len(self._patterns), _SET_CHUNK):
            self._sets.append((start, self._compiled(self._patterns[start : start + _SET_CHUNK])))

    def _compiled(self, patterns: list[str]) -> re2.Set:
        options = re2.Options()
        options.log_errors = False
        options.never_capture = True
        regex_set = re2.Set.SearchSet(options)
        for pattern in patterns:
            try:
                regex_set.Add(pattern)
            except re2.error:
                raise LimitError(f"pattern {pattern!r} cannot be run without backtracking") from None
        try:
            regex_set.Compile()
        except re2.error:
            if len(patterns) == 1:
                raise LimitError(f"pattern {patterns[0]!r} is too complex to match") from None
            raise LimitError("its patterns are too complex to match together") from None
        return regex_set

    def Match(self, text: str) -> list[int] | None:  # noqa: N802
        found = [start + index for start, regex_set in self._sets for index in (regex_set.Match(text) or ())]
        return found or None


class _Re2Backend(Re2GiBackend):
    """pathspec's own RE2 backend for gitignore semantics (last match wins, negation, a
    directory's rules over its files), over sets of bounded size."""

    @staticmethod
    def _make_set() -> Any:
        return _ChunkedSet()


class Re2GitIgnoreSpec(pathspec.GitIgnoreSpec):
    """A `GitIgnoreSpec` whose matching runs on RE2: no pattern can make it backtrack.
    (tests/test_hostile_limits.py checks its verdicts against pathspec's own backend.)"""

    @staticmethod
    def _make_backend(name: Any, patterns: Any) -> Any:
        return _Re2Backend(patterns)


def gitignore_spec(lines: Iterable[str], name: str = "patterns") -> pathspec.GitIgnoreSpec:
    """Gitignore-style `lines` as a spec matched by RE2; LimitError past MAX_GITIGNORE_PATTERNS
    patterns or for a pattern that is invalid or RE2 cannot take, naming it."""
    patterns = []
    for number, line in enumerate(lines, 1):
        try:
            pattern = GitIgnoreSpecPattern(line)
        except ValueError as exc:
            raise LimitError(f"{name}: line {number}: invalid pattern {line!r}: {exc}") from None
        if pattern.include is not None:
            patterns.append(pattern)
            if len(patterns) > MAX_GITIGNORE_PATTERNS:
                raise LimitError(f"{name}: more than {MAX_GITIGNORE_PATTERNS} patterns")
    try:
        return Re2GitIgnoreSpec(patterns)
    except LimitError as exc:
        raise LimitError(f"{name}: {exc}") from None


def read_gitignore(data: bytes, name: str = ".gitignore") -> pathspec.GitIgnoreSpec:
    """A `.gitignore` file's bytes as a spec; LimitError when it is larger than MAX_GITIGNORE_BYTES."""
    if len(data) > MAX_GITIGNORE_BYTES:
        raise LimitError(f"larger than {MAX_GITIGNORE_BYTES} bytes")
    return gitignore_spec(data.decode("utf-8", errors="replace").splitlines(), name)


# -- nesting and size before parsing -------------------------------------------------------

# Strings and comments are skipped so that brackets inside them do not count; every
# alternative consumes what it opened up to its end or the end of the input, so the scan
# never retries a position and stays linear. A mistake here only misjudges the depth of a
# file the parser then rejects, and a RecursionError is still caught after it.
_TOML_TOKENS = re.compile(
    rb'"""(?:[^"\\]|\\[\s\S]|"(?!""))*(?:"""|\Z)'
    rb"|'''[\s\S]*?(?:'''|\Z)"
    rb'|"(?:[^"\\\n]|\\.)*"?'
    rb"|'[^'\n]*'?"
    rb"|#[^\n]*"
    rb"|[\[\]{}]"
)
_JSON_TOKENS = re.compile(rb'"(?:[^"\\]|\\[\s\S])*"?|[\[\]{}]')


def nesting_depth(data: bytes, tokens: re.Pattern[bytes] = _TOML_TOKENS) -> int:
    """How deep `[` and `{` nest outside strings and comments."""
    depth = deepest = 0
    for match in tokens.finditer(data):
        char = match.group()
        if char in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        elif char in (b"]", b"}"):
            depth = max(depth - 1, 0)
    return deepest


def _checked(data: bytes | str, limit: int, tokens: re.Pattern[bytes]) -> bytes:
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if len(raw) > limit:
        raise LimitError(f"larger than {limit} bytes ({len(raw)})")
    if raw.count(b"[") + raw.count(b"{") > MAX_DEPTH and nesting_depth(raw, tokens) > MAX_DEPTH:
        raise LimitError(f"nested more than {MAX_DEPTH} levels deep")
    return raw


def load_toml(data: bytes | str, limit: int = MAX_TOML_BYTES) -> dict[str, Any]:
    """TOML from the tree: LimitError when larger than `limit` bytes or nested more than
    MAX_DEPTH levels; ValueError (tomllib.TOMLDecodeError, UnicodeDecodeError) when invalid."""
    return _parse(tomllib.loads, data, limit, _TOML_TOKENS, "utf-8")


def load_json(data: bytes | str, limit: int = MAX_JSON_BYTES) -> Any:
    """JSON from the tree (a UTF-8 BOM allowed), bounded as `load_toml` is; ValueError when invalid."""
    return _parse(json.loads, data, limit, _JSON_TOKENS, "utf-8-sig")


def _parse(
    parser: Callable[[str], Any], data: bytes | str, limit: int, tokens: re.Pattern[bytes], encoding: str
) -> Any:
    raw = _checked(data, limit, tokens)
    try:
        return parser(data if isinstance(data, str) else raw.decode(encoding))
    except RecursionError:  # the depth scan over-approximates; this is the backstop
        raise LimitError("nested too deeply to parse") from None  # callers name the file, as for every LimitError


# -- syntax trees ----------------------------------------------------------------------------

# Names, numbers and single punctuation characters: close to (and above) the number of nodes
# `ast` builds; the words of a string or comment count too, which only overestimates.
_TOKEN = re.compile(rb"\w+|[^\w\s]")
_SLICE = 256 * 1024


def syntax_nodes(source: bytes | str) -> int:
    """About how many syntax nodes parsing `source` builds: one pass of a C regex, no tree."""
    raw = source.encode("utf-8", "surrogatepass") if isinstance(source, str) else source
    # In slices, so the pieces `subn` keeps between matches stay small; a token cut in two
    # at a slice's edge counts twice, which only overestimates.
    return sum(_TOKEN.subn(b"", raw[start : start + _SLICE])[1] for start in range(0, len(raw), _SLICE))


def syntax_problem(source: bytes | str, budget: int = MAX_SYNTAX_NODES) -> str | None:
    """Why `source` is too large to parse (to follow "too large to analyse: "), or None; a file
    of no more bytes than `budget` passes uncounted."""
    if len(source) <= budget:
        return None
    nodes = syntax_nodes(source)
    if nodes > budget:
        return f"about {nodes} syntax nodes, the budget is {budget}"
    return None
