"""Rewrite newer-grammar Python into source that this interpreter's `ast` can parse.

Run as a separate process (`python -m auditor.extract.downlevel`, source on stdin, JSON
on stdout) because libcst's native parser can crash or run for minutes on pathological
input: the caller kills it after a time limit and survives its death. libcst parses the
newest grammar; the constructs older grammars lack are then blanked in place with text
of the same length and line breaks — PEP 701/750 f- and t-strings become plain string
literals, PEP 695 type parameters become spaces, `type X = …` statements become `pass` —
so every line and column of the rest of the file is unchanged.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_NOT_BREAK = re.compile(r"[^\r\n]")
DEFAULT_TIMEOUT = 20.0


class DownlevelError(Exception):
    """The newer-grammar parse failed, crashed or timed out; the message says which."""


def downlevel_in_worker(source: str, timeout: float = DEFAULT_TIMEOUT) -> str:
    """Run `downlevel` in a child process with a time limit."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "auditor.extract.downlevel"],
            input=source.encode("utf-8", "surrogatepass"),
            capture_output=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise DownlevelError(f"the newer-grammar parser timed out after {timeout:g} s") from None
    except OSError as exc:
        raise DownlevelError(f"the newer-grammar parser could not start: {exc}") from None
    if done.returncode < 0:
        raise DownlevelError(f"the newer-grammar parser crashed (signal {-done.returncode})")
    try:
        answer = json.loads(done.stdout)
    except ValueError:
        raise DownlevelError(f"the newer-grammar parser failed (exit {done.returncode})") from None
    if "error" in answer:
        raise DownlevelError(answer["error"])
    return answer["source"]


def downlevel(source: str) -> str:
    import libcst as cst  # imported here: only files that need it pay for it
    from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        raise DownlevelError(f"not valid in any supported grammar either: line {exc.raw_line}: {exc.message}") from None
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    spans: list[tuple[str, CodeRange]] = []

    class Collect(cst.CSTVisitor):
        def visit_FormattedString(self, node: cst.FormattedString) -> bool:
            spans.append(("string", positions[node]))
            return False

        def visit_TemplatedString(self, node: cst.CSTNode) -> bool:
            spans.append(("string", positions[node]))
            return False

        def visit_TypeAlias(self, node: cst.TypeAlias) -> bool:
            spans.append(("statement", positions[node]))
            return False

        def visit_TypeParameters(self, node: cst.TypeParameters) -> bool:
            spans.append(("blank", positions[node]))
            return False

    wrapper.visit(Collect())
    starts = [0] + [m.end() for m in _LINE_BREAK.finditer(source)]
    text = list(source)
    for what, where in spans:
        begin = starts[where.start.line - 1] + where.start.column
        end = starts[where.end.line - 1] + where.end.column
        text[begin:end] = _blank(what, source[begin:end])
    return "".join(text)


def _blank(what: str, span: str) -> str:
    """Text as long as `span`, with its line breaks, that every grammar accepts there."""
    if what == "blank":
        return _NOT_BREAK.sub(" ", span)
    if what == "statement":
        return "pass" + _NOT_BREAK.sub(" ", span[4:]) if len(span) >= 4 else span
    if "\n" not in span and "\r" not in span:
        return '"' + " " * (len(span) - 2) + '"'
    if len(span) < 6:
        raise DownlevelError("a multi-line f-string too short to blank in place")
    return '"""' + _NOT_BREAK.sub(" ", span[3:-3]) + '"""'


def main() -> None:
    source = sys.stdin.buffer.read().decode("utf-8", "surrogatepass")
    try:
        answer = {"source": downlevel(source)}
    except DownlevelError as exc:
        answer = {"error": str(exc)}
    except Exception as exc:  # libcst internals: report, never a traceback on the caller's screen
        answer = {"error": f"the newer-grammar parser failed: {exc.__class__.__name__}: {exc}"}
    sys.stdout.write(json.dumps(answer))


if __name__ == "__main__":
    main()
