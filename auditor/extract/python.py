"""Import facts from Python source, with the stdlib `ast` (never imports or runs it).

The walk is iterative so that deeply nested code cannot exhaust the interpreter's stack
during traversal; `ast.parse` itself can still hit its own limits on such input, which
becomes an error fact like any other parse failure.
"""

from __future__ import annotations

import ast
import io
import re
import sys
import tokenize
from collections.abc import Mapping
from dataclasses import dataclass, replace

from auditor.facts import ErrorFact, Fact, ImportFact, Location

# Calls that import a module named by their first argument, with whether the module is
# optional by nature (a probe or a skip rather than a hard dependency).
DYNAMIC_IMPORTERS: dict[str, bool] = {
    "importlib.import_module": False,
    "importlib.__import__": False,
    "__import__": False,
    "importlib.util.find_spec": True,
    "pytest.importorskip": True,
}
IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_MAX_EXPRESSION = 120
_PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"


@dataclass(frozen=True, slots=True)
class _Context:
    scope: str = "<module>"
    type_checking: bool = False
    optional: bool = False
    in_function: bool = False
    conditional: bool = False


def extract_python(path: str, data: bytes) -> list[Fact]:
    """All import facts of one `.py` file, or an error fact saying why there are none."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError) as exc:
        return [ErrorFact(Location(path, 1, 1), "cannot be decoded", str(exc))]
    return extract_source(path, text)


def extract_source(
    path: str, text: str, cell: int | None = None, column_shift: Mapping[int, int] | None = None
) -> list[Fact]:
    """Facts of Python source text; `column_shift` adds columns back on lines a notebook
    cell lost to neutralised IPython syntax."""
    where = f"cell {cell}: " if cell is not None else ""
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as exc:
        line = exc.lineno or 1
        # Name the grammar used: a file written for a newer Python fails here for that reason.
        detail = f"{where}line {line}: {exc.msg} (parsed as Python {_PYTHON})"
        return [ErrorFact(Location(path, line, exc.offset or 1, cell), "syntax error", detail)]
    except (ValueError, RecursionError, MemoryError) as exc:
        return [ErrorFact(Location(path, 1, 1, cell), "cannot be parsed", f"{where}{exc.__class__.__name__}: {exc}")]
    try:
        return _Walker(path, text, cell, column_shift or {}).walk(tree)
    except RecursionError as exc:  # pragma: no cover - the walk itself is iterative
        return [ErrorFact(Location(path, 1, 1, cell), "cannot be analysed", f"{where}{exc}")]


class _Walker:
    def __init__(self, path: str, text: str, cell: int | None, column_shift: Mapping[int, int]) -> None:
        self.path = path
        self.text = text
        self.cell = cell
        self.column_shift = column_shift
        self._lines: list[str] | None = None
        self.aliases: dict[str, str] = {}
        self.facts: list[Fact] = []

    def walk(self, tree: ast.Module) -> list[Fact]:
        self._collect_aliases(tree)
        stack: list[tuple[ast.AST, _Context]] = [(tree, _Context())]
        while stack:
            node, ctx = stack.pop()
            children = self._visit(node, ctx)
            stack.extend(reversed(children))
        return self.facts

    def _collect_aliases(self, tree: ast.Module) -> None:
        """Local name → qualified name for every import in the file, to resolve dynamic importers."""
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self.aliases[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".")[0]
                        self.aliases[top] = top
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                for alias in node.names:
                    if alias.name != "*":
                        self.aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"

    def _visit(self, node: ast.AST, ctx: _Context) -> list[tuple[ast.AST, _Context]]:
        if isinstance(node, ast.Import):
            for alias in node.names:
                self._add(ImportFact(self._loc(alias), alias.name, **_flags(ctx)))
            return []
        if isinstance(node, ast.ImportFrom):
            loc = self._loc(node)
            for alias in node.names:
                self._add(ImportFact(loc, node.module or "", alias.name, node.level, **_flags(ctx)))
            return []
        if isinstance(node, ast.Call):
            self._dynamic_import(node, ctx)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            inner = replace(ctx, scope=_qualify(ctx.scope, node.name), in_function=True)
            outer = [*node.decorator_list, node.args, *([node.returns] if node.returns else [])]
            return [(n, ctx) for n in outer] + [(n, inner) for n in node.body]
        if isinstance(node, ast.Lambda):
            return [(node.args, ctx), (node.body, replace(ctx, in_function=True))]
        if isinstance(node, ast.ClassDef):
            inner = replace(ctx, scope=_qualify(ctx.scope, node.name))
            outer = [*node.decorator_list, *node.bases, *node.keywords]
            return [(n, ctx) for n in outer] + [(n, inner) for n in node.body]
        if isinstance(node, ast.If):
            branch = replace(ctx, conditional=True)
            body = replace(ctx, type_checking=True) if _is_type_checking(node.test) else branch
            return [(node.test, ctx)] + [(n, body) for n in node.body] + [(n, branch) for n in node.orelse]
        if isinstance(node, (ast.With, ast.AsyncWith)) and any(self._suppresses_import_error(i) for i in node.items):
            optional = replace(ctx, optional=True)
            return [(i, ctx) for i in node.items] + [(n, optional) for n in node.body]
        if isinstance(node, (ast.Try, ast.TryStar)):
            # A handler that re-raises makes the import a requirement with a better message.
            guarded = any(_catches_import_error(h.type) and not _raises(h.body) for h in node.handlers)
            body = replace(ctx, optional=True) if guarded else ctx
            branch = replace(ctx, conditional=True)
            return (
                [(n, body) for n in node.body]
                + [(h, branch) for h in node.handlers]
                + [(n, branch) for n in node.orelse]
                + [(n, ctx) for n in node.finalbody]
            )
        if isinstance(node, (ast.Match, ast.While, ast.IfExp)):
            branch = replace(ctx, conditional=True)
            return [(n, branch) for n in ast.iter_child_nodes(node)]
        return [(n, ctx) for n in ast.iter_child_nodes(node)]

    def _dynamic_import(self, node: ast.Call, ctx: _Context) -> None:
        name = self._qualified(node.func)
        if name not in DYNAMIC_IMPORTERS:
            return
        argument = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "name"), None)
        if argument is None:
            return
        flags = _flags(ctx)
        if DYNAMIC_IMPORTERS[name]:
            flags["optional"] = True
        loc = self._loc(node)
        if isinstance(argument, ast.Constant) and isinstance(argument.value, str) and argument.value.strip("."):
            module = argument.value
            level = len(module) - len(module.lstrip("."))
            package = next((k.value for k in node.keywords if k.arg == "package"), None)
            if level and isinstance(package, ast.Constant) and isinstance(package.value, str):
                parts = package.value.split(".")
                base = ".".join(parts[: len(parts) - level + 1])
                module, level = f"{base}.{module.lstrip('.')}" if base else module.lstrip("."), 0
            self._add(ImportFact(loc, module.lstrip("."), None, level, dynamic=True, **flags))
        else:
            self._add(
                ImportFact(loc, "", None, 0, dynamic=True, unresolved=True, expression=self._source(argument), **flags)
            )

    def _suppresses_import_error(self, item: ast.withitem) -> bool:
        call = item.context_expr
        return (
            isinstance(call, ast.Call)
            and self._qualified(call.func) == "contextlib.suppress"
            and any(_catches_import_error(arg) for arg in call.args)
        )

    def _qualified(self, func: ast.expr) -> str | None:
        parts: list[str] = []
        while isinstance(func, ast.Attribute):
            parts.append(func.attr)
            func = func.value
        if not isinstance(func, ast.Name):
            return None
        base = self.aliases.get(func.id, func.id if func.id == "__import__" else None)
        if base is None:
            return None
        return ".".join([base, *reversed(parts)])

    def _add(self, fact: ImportFact) -> None:
        self.facts.append(fact)

    def _loc(self, node: ast.alias | ast.stmt | ast.expr) -> Location:
        line = node.lineno
        return Location(self.path, line, self._column(line, node.col_offset), self.cell)

    def _column(self, line: int, byte_offset: int) -> int:
        """`ast` columns count UTF-8 bytes; reports count characters."""
        if self._lines is None:
            self._lines = _LINE_BREAK.split(self.text)
        text = self._lines[line - 1] if 0 < line <= len(self._lines) else ""
        shift = self.column_shift.get(line, 0)
        if text.isascii():
            return byte_offset + 1 + shift
        return len(text.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore")) + 1 + shift

    def _source(self, node: ast.expr) -> str:
        try:
            segment = ast.get_source_segment(self.text, node) or ast.unparse(node)
        except (RecursionError, ValueError):
            segment = node.__class__.__name__
        segment = " ".join(segment.split())
        return segment if len(segment) <= _MAX_EXPRESSION else segment[: _MAX_EXPRESSION - 1] + "…"


def _flags(ctx: _Context) -> dict[str, object]:
    return {
        "scope": ctx.scope,
        "type_checking": ctx.type_checking,
        "optional": ctx.optional,
        "in_function": ctx.in_function,
        "conditional": ctx.conditional,
    }


def _qualify(scope: str, name: str) -> str:
    return name if scope == "<module>" else f"{scope}.{name}"


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _raises(body: list[ast.stmt]) -> bool:
    return any(isinstance(statement, ast.Raise) for statement in body)


def _catches_import_error(handler: ast.expr | None) -> bool:
    if handler is None:
        return True
    if isinstance(handler, ast.Tuple):
        return any(_catches_import_error(element) for element in handler.elts)
    name = handler.id if isinstance(handler, ast.Name) else handler.attr if isinstance(handler, ast.Attribute) else None
    return name in IMPORT_ERRORS
