"""Facts from Python source with the stdlib `ast`: imports, and how vendor SDKs are used.

One walk per file (or per notebook, whose cells share their bindings in order) collects
raw observations; `finish` then resolves them through a light binding table — import
aliases, names and `self.` attributes bound to clients, `with … as` targets, annotated
parameters — so that a call is attributed by module, never by bare name. Resolution is
flow-insensitive: a name bound to a client anywhere in a scope is that client throughout.

The walk is iterative, so deeply nested code cannot exhaust the interpreter's stack
during traversal; `ast.parse` itself can still hit its own limits on such input, which
becomes an error fact like any other parse failure. Nothing is imported or run.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, NamedTuple, TypedDict

from auditor.catalog import Detectors
from auditor.extract.downlevel import DownlevelError, downlevel_in_worker
from auditor.extract.literals import endpoint, model_family
from auditor.extract.source import source_encoding
from auditor.extract.suppressions import python_comments, python_suppressions
from auditor.facts import (
    BASE_URL_KEYWORDS,
    CHECK,
    LOOKUP_KEY,
    CallFact,
    ClassFact,
    ClientSourceFact,
    ConstructorFact,
    EnvFact,
    ErrorFact,
    Fact,
    ForeignCallFact,
    ImportFact,
    Location,
    ModuleFact,
    SettingFact,
    StringFact,
    ToolFact,
)
from auditor.limits import MAX_SYNTAX_NODES_LIBCST, syntax_problem

# Calls that import a module named by their first argument, with whether the module is
# optional by nature (a probe or a skip rather than a hard dependency).
DYNAMIC_IMPORTERS: dict[str, bool] = {
    "importlib.import_module": False,
    "importlib.__import__": False,
    "__import__": False,
    "importlib.util.find_spec": True,
    "pytest.importorskip": True,
    "runpy.run_module": False,  # runs the module: as much an import as any
}
IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})
ENVIRON = "os.environ"
ENV_CALLS = {
    "os.getenv": "read",
    "os.environ.get": "read",
    "os.environ.setdefault": "write",
    "os.environ.pop": "write",
    "os.putenv": "write",
    "os.unsetenv": "write",
}
# String methods whose arguments are fragments, not whole values (`startswith("gpt-")`).
FRAGMENT_METHODS = frozenset(
    {
        "startswith",
        "endswith",
        "removeprefix",
        "removesuffix",
        "lstrip",
        "rstrip",
        "strip",
        "split",
        "rsplit",
        "replace",
        "find",
        "rfind",
        "index",
        "count",
        "partition",
        "rpartition",
    }
)
# Names under which a model id is expected, and names that say a string is something else.
_MODELISH = re.compile(r"(?i)model|deployment|engine|llm|checkpoint")
_NOT_MODEL = re.compile(
    r"(?i)index|collection|table|bucket|namespace|path|dir|folder|file|url|prefix|suffix|"
    r"pattern|tag|label|title|key|token|secret|password|header"
)
_MODEL_SHAPE = re.compile(r"^[\w.:/@-]{2,200}$")
_BOOLEAN_LIKE = frozenset({"true", "false", "1", "0", "yes", "no", "on", "off"})
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_MAX_EXPRESSION = 120
_MAX_ARGUMENT_NODES = 2000
_PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
_SKIP = "\0skip"  # literal context: a docstring, f-string part or string-method argument
_TOOL_SUPPRESSION = re.compile(r"#[ \t]*(?:(?P<ty>ty:[ \t]*ignore\b)|(?P<file>ruff:[ \t]*noqa\b)|noqa:[^#\n]*\bRUF\d+)")
_DICT_KEY = "\0dict key"  # literal context: a key of a dict literal (a price table, a lookup)
_ENUMERATED = "\0enumerated"  # literal context: a member of an unnamed `Literal[...]` or test
LITERAL_TYPES = frozenset({"typing.Literal", "typing_extensions.Literal"})
# String methods that test a value (`model.startswith("o1")`) rather than take it apart.
TEST_METHODS = frozenset({"startswith", "endswith"})


class _Context(NamedTuple):
    scope: str = "<module>"
    cls: str | None = None  # the class whose methods bind `self.` attributes
    type_checking: bool = False
    optional: bool = False
    in_function: bool = False
    conditional: bool = False
    literal: str | None = None  # the name a string literal here is given to, or _SKIP
    call: ast.Call | None = None  # the call whose positional argument this is
    group: int = 0  # the dict, list or `Literal[...]` a literal is a member of: one model id makes it a model table
    check: bool = False  # a test on a model id (`"claude-opus-4" in model`), not a choice of one


_Children = list[tuple[ast.AST, _Context]]  # nodes still to walk, each with its context


class _Flags(TypedDict):
    """What an import's context says about it: the keyword arguments of `ImportFact`."""

    scope: str
    type_checking: bool
    optional: bool
    in_function: bool
    conditional: bool


def _plain(ctx: _Context) -> _Context:
    """`ctx` without what belongs to one literal (its name, call, group, test): the context
    for a node's parts, which are not that literal."""
    return (
        ctx._replace(literal=None, call=None, group=0, check=False)
        if ctx.literal or ctx.call or ctx.group or ctx.check
        else ctx
    )


class _Text:
    """One parsed source text (a file, or a notebook cell) and how to turn `ast` positions
    into report locations: 1-based character columns, shifted back where a notebook cell
    lost columns to neutralised IPython syntax."""

    __slots__ = ("text", "cell", "shift", "_lines")

    def __init__(self, text: str, cell: int | None, shift: Mapping[int, int]) -> None:
        self.text, self.cell, self.shift = text, cell, shift
        self._lines: list[str] | None = None

    def loc(self, path: str, node: ast.alias | ast.stmt | ast.expr) -> Location:
        line = node.lineno
        if self._lines is None:
            self._lines = _LINE_BREAK.split(self.text)
        text = self._lines[line - 1] if 0 < line <= len(self._lines) else ""
        offset = node.col_offset
        column = offset if text.isascii() else len(text.encode("utf-8")[:offset].decode("utf-8", errors="ignore"))
        return Location(path, line, column + 1 + self.shift.get(line, 0), self.cell)


_Where = tuple[_Text, ast.AST]  # where an observation was made, turned into a Location on demand


class _Client(NamedTuple):
    qualname: str  # the client's class
    service: str | None = None  # its service, for factories
    base_url: str | None = None  # its base URL literal
    via: str | None = None  # the function or property it came from (`Service.get_client`)


_Callee = tuple[str, str, str | None, str | None, str | None, str | None]  # what, name, service, path, base URL, via
_Origin = tuple[str, int, bool]  # an imported name as written, its relative level, whether it is called


@dataclass
class _Pending:
    """Observations waiting for the file's bindings to be complete."""

    calls: list[tuple[ast.Call, _Text, _Context]] = field(default_factory=list)
    bindings: list[tuple[str, str, ast.expr, bool]] = field(default_factory=list)  # scope, name, expr, annotation?
    attribute_bindings: list[tuple[str, str, ast.expr, str]] = field(default_factory=list)  # class, attr, expr, scope
    returns: dict[tuple[str, str], ast.expr] = field(default_factory=dict)  # (scope, function) -> annotation
    # (scope, function) -> (the function's own scope, the expressions it returns): a getter
    # without an annotation builds clients for its callers all the same
    returned: dict[tuple[str, str], tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]] = field(default_factory=dict)
    properties: set[tuple[str, str]] = field(default_factory=set)  # (class, name) of @property methods
    settings: list[tuple[ast.Attribute, _Text, str, ast.expr | None]] = field(default_factory=list)
    subscripts: list[tuple[ast.Subscript, _Text, _Context, str | None]] = field(default_factory=list)
    membership: list[tuple[ast.Compare, str, _Text, str]] = field(default_factory=list)  # node, the string left
    strings: list[tuple[ast.Constant, str, _Text, _Context]] = field(default_factory=list)  # node, its value


def extract_python(path: str, data: bytes, detectors: Detectors | None = None) -> list[Fact]:
    """All facts of one `.py` file, or an error fact saying why there are none."""
    try:
        text = data.decode(source_encoding(data))
    except (SyntaxError, LookupError, UnicodeDecodeError) as exc:
        return [ErrorFact(Location(path, 1, 1), "cannot be decoded", str(exc))]
    problem = syntax_problem(data)
    if problem is not None:  # its syntax tree would take too much memory: gigabytes for 8 MiB of dense code
        return [ErrorFact(Location(path, 1, 1), "too large to analyse", problem)]
    analysis = SourceAnalysis(path, detectors)
    analysis.add(text)
    facts = analysis.finish()
    if analysis.parsed:  # the file's shape, for judging whether it is an adapter
        facts.append(ModuleFact(Location(path, 1, 1), analysis.lines, analysis.definitions))
    return facts


class SourceAnalysis:
    """One file's analysis; a notebook adds its cells in order, sharing bindings."""

    def __init__(self, path: str, detectors: Detectors | None) -> None:
        self.path = path
        self.detectors = detectors
        self.facts: list[Fact] = []
        self.aliases: dict[str, str] = {}
        self.pending = _Pending()
        self.instances: dict[tuple[str, str], _Client] = {}
        self.attribute_instances: dict[tuple[str, str], _Client] = {}
        self.environ_names: set[str] = set()
        self.local_names: set[tuple[str, str]] = set()  # names a function binds, shadowing imports
        self.literals: dict[tuple[str, str], str] = {}  # names bound to a string literal
        self._resolved_calls: dict[int, _Callee | None] = {}
        self._resolving: set[tuple[str, str]] = set()  # getters being resolved: a recursive one ends
        self._literal_types: set[int] = set()  # the `Literal[...]` subscripts: their members are names a type accepts
        self._returns: dict[ast.AST, list[ast.expr]] = {}
        # Names and `self.` attributes bound to what another of the project's modules gives:
        # (origin as imported, relative level, whether it was called to get the value).
        self.foreign: dict[tuple[str, str], _Origin] = {}
        self.foreign_attributes: dict[tuple[str, str], _Origin] = {}
        self.relative: dict[str, str] = {}  # names bound by relative imports: `.base.LLMBase`
        self.classes: list[tuple[ast.ClassDef, _Text, str]] = []  # definitions, resolved at the end
        self.parsed = False
        self.lines = self.definitions = 0
        self._current = _Text("", None, {})

    # -- walking ---------------------------------------------------------------------

    def add(self, text: str, cell: int | None = None, column_shift: Mapping[int, int] | None = None) -> None:
        """Parse and walk one source text; a parse failure becomes an error fact."""
        where = f"cell {cell}: " if cell is not None else ""
        try:
            tree = ast.parse(text, filename=self.path)
        except SyntaxError as exc:
            line = exc.lineno or 1
            detail = f"{where}line {line}: {exc.msg} (parsed as Python {_PYTHON})"
            newer = _maybe_newer_grammar(text, exc)
            too_large = syntax_problem(text, MAX_SYNTAX_NODES_LIBCST) if newer else None
            if too_large is not None:  # libcst needs about four times the memory of `ast`
                detail += f"; newer grammar not tried, the file is too large for it: {too_large}"
                newer = False
            if newer:
                try:  # grammar newer than this interpreter's: blank what it lacks, keep positions
                    text = downlevel_in_worker(text)
                    tree = ast.parse(text, filename=self.path)
                except (DownlevelError, SyntaxError, ValueError, RecursionError, MemoryError) as again:
                    detail += f"; newer grammar: {again}"
                    newer = False
            if not newer:
                self.facts.append(ErrorFact(Location(self.path, line, exc.offset or 1, cell), "syntax error", detail))
                return
        except (ValueError, RecursionError, MemoryError) as exc:
            self.facts.append(
                ErrorFact(
                    Location(self.path, 1, 1, cell), "cannot be parsed", f"{where}{exc.__class__.__name__}: {exc}"
                )
            )
            return
        self._current = _Text(text, cell, column_shift or {})
        self.parsed = True
        self.lines += text.count("\n") + (0 if text.endswith("\n") or not text else 1)
        self.definitions += sum(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) for n in tree.body)
        self._suppressions(text, cell)
        self.facts.extend(python_suppressions(self.path, text, cell))
        handlers, generic = self._HANDLERS, SourceAnalysis._visit_generic
        stack: _Children = [(tree, _Context())]
        while stack:
            node, ctx = stack.pop()
            children = handlers.get(type(node), generic)(self, node, ctx)
            if children:
                stack.extend(reversed(children))

    def _suppressions(self, text: str, cell: int | None) -> None:
        """Suppression comments only one tool understands: `# ty: ignore[...]`, `# ruff: noqa`,
        `# noqa: RUF…` (other noqa codes mirror flake8 and stay portable)."""
        if _TOOL_SUPPRESSION.search(text) is None:  # tokenizing is the slow part: only where one may be
            return
        comments = python_comments(text)  # real comments only: a docstring may quote one
        if comments is None:
            comments = [
                (
                    text.count("\n", 0, m.start()) + 1,
                    m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1,
                    m.group(0),
                    False,
                )
                for m in _TOOL_SUPPRESSION.finditer(text)
            ]
        for line, column, comment, _ in comments:
            for match in _TOOL_SUPPRESSION.finditer(comment):
                product, signal = (
                    ("ty", "# ty: ignore")
                    if match.group("ty")
                    else (("ruff", "# ruff: noqa") if match.group("file") else ("ruff", "# noqa: RUF"))
                )
                self.facts.append(
                    ToolFact(
                        Location(self.path, line, column + match.start(), cell), product, "suppression-comment", signal
                    )
                )

    # One handler per node type, chosen by `_HANDLERS` from the node's exact class: it records
    # what the node says and returns its children with their contexts, in walking order. A node
    # without a handler has its children walked in a plain context. Handlers are given the
    # node's own context: most hand `_plain(ctx)` to their children, but a literal's name, call,
    # group and test pass through containers (a list, a `BoolOp`, an `IfExp`'s branches) to the
    # literals inside. A new construct is one handler and one entry in the table.

    def _visit_Constant(self, node: ast.Constant, ctx: _Context) -> _Children:
        if isinstance(node.value, str) and ctx.literal != _SKIP:
            self._string(node.value, node, ctx)
        return []

    def _visit_Name(self, node: ast.Name, ctx: _Context) -> _Children:
        if type(node.ctx) is ast.Store and ctx.scope != "<module>":
            self.local_names.add((ctx.scope, node.id))
        return []

    def _visit_leaf(self, node: ast.AST, ctx: _Context) -> _Children:
        """`Load` and `Store`, the commonest nodes after names and constants: nothing below them."""
        return []

    def _visit_generic(self, node: ast.AST, ctx: _Context) -> _Children:
        plain = _plain(ctx)
        return [(n, plain) for n in ast.iter_child_nodes(node)]

    def _visit_Attribute(self, node: ast.Attribute, ctx: _Context) -> _Children:
        return [(node.value, _plain(ctx))]

    def _visit_Import(self, node: ast.Import, ctx: _Context) -> _Children:
        for alias in node.names:
            self.facts.append(ImportFact(self._current.loc(self.path, alias), alias.name, **_flags(ctx)))
            self.aliases[alias.asname or alias.name.split(".")[0]] = (
                alias.name if alias.asname else alias.name.split(".")[0]
            )
        return []

    def _visit_ImportFrom(self, node: ast.ImportFrom, ctx: _Context) -> _Children:
        loc = self._current.loc(self.path, node)
        for alias in node.names:
            self.facts.append(ImportFact(loc, node.module or "", alias.name, node.level, **_flags(ctx)))
            if node.level == 0 and node.module and alias.name != "*":
                self.aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            elif node.level and alias.name != "*":
                module = f"{node.module}." if node.module else ""
                self.relative[alias.asname or alias.name] = "." * node.level + module + alias.name
        return []

    def _visit_Expr(self, node: ast.Expr, ctx: _Context) -> _Children:
        value = node.value
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            return []  # a docstring or a bare string: documentation, not data
        return [(value, _plain(ctx))]

    def _visit_JoinedStr(self, node: ast.JoinedStr, ctx: _Context) -> _Children:
        plain = _plain(ctx)
        return [(v.value, plain) for v in node.values if isinstance(v, ast.FormattedValue)]

    def _visit_keyword(self, node: ast.keyword, ctx: _Context) -> _Children:
        return [(node.value, _plain(ctx)._replace(literal=node.arg))]

    def _visit_Dict(self, node: ast.Dict, ctx: _Context) -> _Children:
        children: _Children = []
        table = _plain(ctx)._replace(group=id(node))
        for key, value in zip(node.keys, node.values):
            name = key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None
            if key is not None:
                children.append((key, table._replace(literal=_DICT_KEY)))
            children.append((value, table._replace(literal=name)))
        return children

    def _visit_List(self, node: ast.List | ast.Tuple | ast.Set, ctx: _Context) -> _Children:
        """Its elements keep the context the collection is in: `MODELS = ["o3", …]` names them."""
        elements = node.elts
        member = ctx._replace(group=id(node)) if any(type(e) is ast.Constant for e in elements) else ctx
        return [(element, member) for element in elements]

    def _visit_Subscript(self, node: ast.Subscript, ctx: _Context) -> _Children:
        plain = _plain(ctx)
        key = node.slice
        # os.environ["X"] read candidates; writes are taken from their assignment
        if isinstance(key, ast.Constant) and isinstance(key.value, str) and isinstance(node.ctx, ast.Load):
            self.pending.subscripts.append((node, self._current, ctx, None))
        if _name_of(node.value) == "Literal" and self._dotted(node.value) in LITERAL_TYPES:
            self._literal_types.add(id(node))
            # `ChatModel = Literal["o3", "gpt-4o"]`: the names a type accepts, kept under its name
            members = ctx._replace(
                literal=_ENUMERATED if ctx.literal in (None, "argument") else ctx.literal, group=id(node), call=None
            )
            elements = key.elts if isinstance(key, ast.Tuple) else [key]
            return [(node.value, plain), *[(e, members._replace(check=ctx.check)) for e in elements]]
        return [(node.value, plain), (node.slice, plain)]

    def _visit_ClassDef(self, node: ast.ClassDef, ctx: _Context) -> _Children:
        plain = _plain(ctx)
        self.classes.append((node, self._current, _qualify(ctx.scope, node.name)))
        inner = plain._replace(scope=_qualify(ctx.scope, node.name), cls=_qualify(ctx.scope, node.name))
        outer = [*node.decorator_list, *node.bases, *node.keywords]
        return [*[(n, plain) for n in outer], *[(n, inner) for n in node.body]]

    def _visit_Lambda(self, node: ast.Lambda, ctx: _Context) -> _Children:
        plain = _plain(ctx)
        return [(node.args, plain), (node.body, plain._replace(in_function=True))]

    def _visit_If(self, node: ast.If, ctx: _Context) -> _Children:
        plain = _plain(ctx)
        branch = plain._replace(conditional=True)
        body = plain._replace(type_checking=True) if _is_type_checking(node.test) else branch
        return [(node.test, plain), *[(n, body) for n in node.body], *[(n, branch) for n in node.orelse]]

    def _visit_Try(self, node: ast.Try | ast.TryStar, ctx: _Context) -> _Children:
        plain = _plain(ctx)
        # A handler that re-raises makes the import a requirement with a better message.
        guarded = any(_catches_import_error(h.type) and not _raises(h.body) for h in node.handlers)
        body = plain._replace(optional=True) if guarded else plain
        branch = plain._replace(conditional=True)
        return [
            *[(n, body) for n in node.body],
            *[(h, branch) for h in node.handlers],
            *[(n, branch) for n in node.orelse],
            *[(n, plain) for n in node.finalbody],
        ]

    def _visit_For(self, node: ast.For | ast.AsyncFor, ctx: _Context) -> _Children:
        plain = _plain(ctx)
        named = _name_of(node.target)
        iterable = plain._replace(literal=named) if named else plain
        return [(node.target, plain), (node.iter, iterable)] + [(n, plain) for n in (*node.body, *node.orelse)]

    def _visit_BoolOp(self, node: ast.BoolOp, ctx: _Context) -> _Children:
        """`os.getenv("MODEL") or "o3"`: the fallback keeps its name."""
        return [(v, ctx) for v in node.values]

    def _visit_IfExp(self, node: ast.IfExp, ctx: _Context) -> _Children:
        branch = ctx._replace(conditional=True)
        return [(node.test, _plain(ctx)._replace(conditional=True)), (node.body, branch), (node.orelse, branch)]

    def _visit_While(self, node: ast.While | ast.Match, ctx: _Context) -> _Children:
        branch = _plain(ctx)._replace(conditional=True)
        return [(n, branch) for n in ast.iter_child_nodes(node)]

    def _visit_Call(self, node: ast.Call, ctx: _Context) -> _Children:
        self.pending.calls.append((node, self._current, ctx))
        plain = _plain(ctx)
        func = node.func
        fragment = isinstance(func, ast.Attribute) and func.attr in FRAGMENT_METHODS
        if fragment and isinstance(func, ast.Attribute) and func.attr in TEST_METHODS:
            # `model.startswith("claude-opus-4")`: a test on the model the receiver names
            argument = plain._replace(literal=_name_of(func.value) or _ENUMERATED, check=True)
        elif fragment:
            argument = plain._replace(literal=_SKIP)
        else:
            argument = plain._replace(literal="argument", call=node)
        return (
            [(func, plain)]
            + [(a, argument) for a in node.args]
            + [(k, plain if not fragment else argument) for k in node.keywords]
        )

    def _visit_Assign(self, node: ast.Assign | ast.AnnAssign, ctx: _Context) -> _Children:
        plain = _plain(ctx)
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        value = node.value
        name = None
        for target in targets:
            if isinstance(target, ast.Name) and (module := _imported_by_call(value)) is not None:
                self.aliases[target.id] = module  # `os = __import__("os")` binds a module as `import os` does
            if isinstance(target, ast.Name):
                name = name or target.id
                if plain.scope != "<module>":
                    self.local_names.add((plain.scope, target.id))
                if value is not None:
                    self.pending.bindings.append((plain.scope, target.id, value, False))
                if isinstance(node, ast.AnnAssign):
                    self.pending.bindings.append((plain.scope, target.id, node.annotation, True))
            elif isinstance(target, ast.Attribute):
                name = name or target.attr
                if isinstance(target.value, ast.Name) and target.value.id == "self" and plain.cls and value is not None:
                    self.pending.attribute_bindings.append((plain.cls, target.attr, value, plain.scope))
                else:
                    self.pending.settings.append((target, self._current, plain.scope, value))
            elif isinstance(target, ast.Tuple) and isinstance(value, (ast.Call, ast.Await)):
                for index, element in enumerate(target.elts):  # each name takes its place of a returned tuple
                    if isinstance(element, ast.Name):
                        if plain.scope != "<module>":
                            self.local_names.add((plain.scope, element.id))
                        place = ast.copy_location(ast.Subscript(value, ast.Constant(index)), value)
                        self.pending.bindings.append((plain.scope, element.id, place, False))
            elif isinstance(target, ast.Subscript):
                literal = value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None
                self.pending.subscripts.append((target, self._current, plain, literal or ""))
        children: _Children = [(t, plain) for t in targets if not isinstance(t, ast.Name)]
        if isinstance(node, ast.AnnAssign):
            children.append((node.annotation, plain._replace(literal=name)))
        if value is not None:
            children.append((value, plain._replace(literal=name)))
        return children

    def _visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef, ctx: _Context) -> _Children:
        plain = _plain(ctx)
        scope = _qualify(plain.scope, node.name)
        inner = plain._replace(scope=scope, in_function=True)
        arguments = node.args
        positional = [*arguments.posonlyargs, *arguments.args]
        children: _Children = [(n, plain) for n in node.decorator_list]
        for arg, default in zip(positional[len(positional) - len(arguments.defaults) :], arguments.defaults):
            children.append((default, plain._replace(literal=arg.arg)))
        for arg, kw_default in zip(arguments.kwonlyargs, arguments.kw_defaults):
            if kw_default is not None:
                children.append((kw_default, plain._replace(literal=arg.arg)))
        for arg in [*positional, *arguments.kwonlyargs, *filter(None, (arguments.vararg, arguments.kwarg))]:
            self.local_names.add((scope, arg.arg))
            if arg.annotation is not None:
                self.pending.bindings.append((scope, arg.arg, arg.annotation, True))
                children.append((arg.annotation, plain._replace(literal=arg.arg)))  # `model: Literal["o3"]`
        if node.returns is not None:  # `def make_client() -> AzureOpenAI:` builds clients for its callers
            self.pending.returns.setdefault((plain.scope, node.name), node.returns)
        self.pending.returned.setdefault((plain.scope, node.name), (scope, node))
        if any(_name_of(d) in PROPERTIES or self._dotted(d) in PROPERTIES for d in node.decorator_list):
            self.pending.properties.add((plain.scope, node.name))
        return children + [(n, inner) for n in node.body]

    def _visit_With(self, node: ast.With | ast.AsyncWith, ctx: _Context) -> _Children:
        plain = _plain(ctx)
        optional = False
        for item in node.items:
            if isinstance(item.optional_vars, ast.Name):
                self.pending.bindings.append((plain.scope, item.optional_vars.id, item.context_expr, False))
            call = item.context_expr
            if (
                isinstance(call, ast.Call)
                and self._dotted(call.func) == "contextlib.suppress"
                and any(_catches_import_error(arg) for arg in call.args)
            ):
                optional = True
        body = plain._replace(optional=True) if optional else plain
        return [(i.context_expr, plain) for i in node.items] + [(n, body) for n in node.body]

    def _visit_Compare(self, node: ast.Compare, ctx: _Context) -> _Children:
        plain = _plain(ctx)
        if (
            len(node.ops) == 1
            and isinstance(node.ops[0], (ast.In, ast.NotIn))
            and isinstance(node.left, ast.Constant)
            and isinstance(node.left.value, str)
        ):
            self.pending.membership.append((node, node.left.value, self._current, plain.scope))
        # `model == "o3"`, `model in ("o1", "o3")`, `"claude-opus-4" in model`: tests on a model
        # id, named by the other side
        if len(node.ops) != 1 or not isinstance(node.ops[0], (ast.Eq, ast.NotEq, ast.In, ast.NotIn)):
            named = _name_of(node.left)
            return [
                (node.left, plain),
                *[(c, plain._replace(literal=named) if named else plain) for c in node.comparators],
            ]
        left, right = node.left, node.comparators[0]
        return [
            (left, plain._replace(literal=_name_of(right) or _ENUMERATED, check=True)),
            (right, plain._replace(literal=_name_of(left) or _ENUMERATED, check=True)),
        ]

    # Keyed by exact class, looked up once per node by `type(node)`; any other class goes to `_visit_generic`.
    _HANDLERS: ClassVar[dict[type[ast.AST], Callable[[SourceAnalysis, Any, _Context], _Children]]] = {
        ast.Constant: _visit_Constant,
        ast.Name: _visit_Name,
        ast.Load: _visit_leaf,
        ast.Store: _visit_leaf,
        ast.Call: _visit_Call,
        ast.Attribute: _visit_Attribute,
        ast.Import: _visit_Import,
        ast.ImportFrom: _visit_ImportFrom,
        ast.Expr: _visit_Expr,
        ast.JoinedStr: _visit_JoinedStr,
        ast.Assign: _visit_Assign,
        ast.AnnAssign: _visit_Assign,
        ast.keyword: _visit_keyword,
        ast.Dict: _visit_Dict,
        ast.List: _visit_List,
        ast.Tuple: _visit_List,
        ast.Set: _visit_List,
        ast.Compare: _visit_Compare,
        ast.Subscript: _visit_Subscript,
        ast.FunctionDef: _visit_FunctionDef,
        ast.AsyncFunctionDef: _visit_FunctionDef,
        ast.ClassDef: _visit_ClassDef,
        ast.Lambda: _visit_Lambda,
        ast.If: _visit_If,
        ast.Try: _visit_Try,
        ast.TryStar: _visit_Try,
        ast.With: _visit_With,
        ast.AsyncWith: _visit_With,
        ast.For: _visit_For,
        ast.AsyncFor: _visit_For,
        ast.BoolOp: _visit_BoolOp,
        ast.IfExp: _visit_IfExp,
        ast.Match: _visit_While,
        ast.While: _visit_While,
    }

    def _string(self, value: str, node: ast.Constant, ctx: _Context) -> None:
        if self.detectors is None or len(value) > 2048:
            return
        if value.startswith(("http://", "https://", "ws://", "wss://")) or _MODEL_SHAPE.fullmatch(value):
            self.pending.strings.append((node, value, self._current, ctx))

    # -- resolution --------------------------------------------------------------------

    def finish(self) -> list[Fact]:
        self._resolve_bindings()
        self._rebase_clients()
        for node, text, ctx in self.pending.calls:
            self._resolve_call(node, text, ctx)
        self._resolve_environment()
        if self.detectors is not None:
            self._resolve_strings()
        for target, text, scope, _ in self.pending.settings:
            name = self._dotted(target)
            if name and self._tracked(name):
                self.facts.append(SettingFact(text.loc(self.path, target), name, scope))
        for definition, text, qualname in self.classes:
            bases = tuple(filter(None, (self._base_name(b) for b in definition.bases)))
            self.facts.append(ClassFact(text.loc(self.path, definition), qualname, bases))
        self._client_sources()
        return self.facts

    def _rebase_clients(self) -> None:
        """`client.base_url = "https://…"` points a client elsewhere: recorded where it is done,
        and carried by the client's calls (wherever they are in the file: flow is not followed)."""
        for target, text, scope, value in self.pending.settings:
            if target.attr not in BASE_URL_KEYWORDS or value is None:
                continue
            url = self._literal_of(value, scope)
            held = target.value
            if isinstance(held, ast.Name):
                table, key = self.instances, _in_scope(self.instances, held.id, scope)
            elif isinstance(held, ast.Attribute) and isinstance(held.value, ast.Name) and held.value.id == "self":
                table, key = self.attribute_instances, _in_scope(self.attribute_instances, held.attr, scope)
            else:
                continue
            if key is None or not url or "://" not in url:
                continue
            client = table[key]
            self.facts.append(
                ConstructorFact(
                    text.loc(self.path, target),
                    client.qualname,
                    scope,
                    client.service,
                    ((target.attr, url),),
                    rebound=True,
                )
            )
            table[key] = client._replace(base_url=url)

    def _client_sources(self) -> None:
        """What this module gives other modules: functions that return a client, and names
        bound to one at the top level."""
        if not self._names_vendors():
            return
        for (owner, name), (_, function) in self.pending.returned.items():
            if owner != "<module>":
                continue
            client = self._returned_client(["<module>"], name, "<module>")
            if client is not None:
                line = function.lineno
                self.facts.append(
                    ClientSourceFact(
                        Location(self.path, line, 1), name, client.qualname, client.service, client.base_url, True
                    )
                )
        lines = {name: expr.lineno for scope, name, expr, _ in reversed(self.pending.bindings) if scope == "<module>"}
        for (scope, name), client in self.instances.items():
            if scope == "<module>":
                self.facts.append(
                    ClientSourceFact(
                        Location(self.path, lines.get(name, 1), 1),
                        name,
                        client.qualname,
                        client.service,
                        client.base_url,
                        False,
                    )
                )

    def _base_name(self, expr: ast.expr) -> str | None:
        """A base class as a dotted name: through the imports (`openai.OpenAI`), relative
        (`.base.LLMBase`), or as written when defined in this file (`Base`); `Generic[T]` is `Generic`."""
        if isinstance(expr, ast.Subscript):
            expr = expr.value
        dotted = self._dotted(expr)
        if dotted is not None:
            return dotted
        chain = _attribute_chain(expr)
        if chain is None:
            return None
        head, attributes = chain
        return ".".join([self.relative.get(head, head), *attributes])

    def _names_vendors(self) -> bool:
        """Whether any import leads to a tracked module (`import google` does, to `google.genai`):
        every client is named through one, so a file without (most of a large project) binds
        none, and its bindings need only be read for literals and `os.environ`."""
        detectors = self.detectors
        return detectors is not None and any(
            module in detectors.module_prefixes or self._tracked(module) for module in set(self.aliases.values())
        )

    def _resolve_bindings(self) -> None:
        clients = self._names_vendors()
        # Two rounds: names and `self.` attributes can be bound from each other in any order.
        for _ in range(2):
            for scope, name, expr, annotation in self.pending.bindings:
                if not annotation and self._dotted(expr) == ENVIRON:
                    self.environ_names.add(name)
                    continue
                if not annotation:
                    literal = self._literal_of(expr, scope)
                    if literal is not None:
                        self.literals.setdefault((scope, name), literal)
                        continue
                if not clients:
                    continue
                instance = self._instance_of(expr, scope, annotation)
                if instance is not None:
                    self.instances.setdefault((scope, name), instance)
            for cls, attribute, expr, where in self.pending.attribute_bindings if clients else ():
                # in the method's scope: `self.client = client` takes the annotated parameter's client
                instance = self._instance_of(expr, where, False)
                if instance is not None:
                    self.attribute_instances.setdefault((cls, attribute), instance)
            self._resolved_calls.clear()  # resolved with incomplete bindings
        # What other modules give, for `auditor.link`: only what resolved to nothing here.
        for scope, name, expr, annotation in self.pending.bindings:
            if (
                not annotation
                and isinstance(expr, (ast.Name, ast.Call))
                and (scope, name) not in self.instances
                and (origin := self._origin(expr, scope)) is not None
            ):
                self.foreign.setdefault((scope, name), origin)
        for cls, attribute, expr, where in self.pending.attribute_bindings:
            if (
                isinstance(expr, (ast.Name, ast.Call))
                and (cls, attribute) not in self.attribute_instances
                and (origin := self._origin(expr, where)) is not None
            ):
                self.foreign_attributes.setdefault((cls, attribute), origin)

    def _literal_of(self, expr: ast.expr | None, scope: str) -> str | None:
        """A string an expression evaluates to when written here: a literal, a fallback
        (`os.getenv("X") or "https://…"`), or a name bound to one."""
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return expr.value
        if isinstance(expr, ast.BoolOp) and isinstance(expr.op, ast.Or):
            return next((v for v in (self._literal_of(e, scope) for e in expr.values) if v is not None), None)
        if isinstance(expr, ast.Name):
            key = _in_scope(self.literals, expr.id, scope)
            return self.literals[key] if key else None
        return None

    def _instance_of(self, expr: ast.expr, scope: str, annotation: bool) -> _Client | None:
        """The client an expression evaluates to: a construction, a factory call, another client."""
        if isinstance(expr, ast.Await):  # `await self._get_client_async()`
            expr = expr.value
        if isinstance(expr, ast.Subscript) and isinstance(expr.slice, ast.Constant) and type(expr.slice.value) is int:
            call = expr.value.value if isinstance(expr.value, ast.Await) else expr.value  # `client, model = get()`
            return self._made_by(call.func, scope, expr.slice.value) if isinstance(call, ast.Call) else None
        if annotation:
            if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.BitOr):  # `OpenAI | None`
                return self._instance_of(expr.left, scope, True) or self._instance_of(expr.right, scope, True)
            if isinstance(expr, ast.Subscript) and self._dotted(expr.value) in ("typing.Optional", "typing.Union"):
                members = expr.slice.elts if isinstance(expr.slice, ast.Tuple) else [expr.slice]  # `Optional[OpenAI]`
                return next(filter(None, (self._instance_of(m, scope, True) for m in members)), None)
            if isinstance(expr, ast.Constant):
                name = self._dotted_text(expr.value) if isinstance(expr.value, str) else None
            else:
                name = self._dotted(expr)
            return _Client(name) if name and self._tracked(name) and _is_class_name(name) else None
        if isinstance(expr, ast.Call):
            made = self._made_by(expr.func, scope)
            if made is not None:
                return made
            resolved = self._callee(expr, scope)
            if resolved is None:
                return None
            what, name, service, path, _, _ = resolved
            if what == "constructor":
                return _Client(name, service, self._base_url(expr, scope))
            if what == "call" and self._makes_clients(name):  # `boto3.Session()`: its `.client(...)` is a factory
                return _Client(name)
            owner, _, method = name.rpartition(".")
            if (
                what == "call"
                and path is None
                and method in CLASS_FACTORIES
                and _is_class_name(owner)
                and self._tracked(owner)
            ):
                return _Client(owner)  # `sandbox = await AsyncSandbox.create(...)` is one
            if what == "call" and (path == "with_options" or name.endswith(".with_options")):
                receiver = self._receiver_of(expr.func, scope)  # `client.with_options(base_url=…)` moves it
                base_url = self._base_url(expr, scope)
                return receiver._replace(base_url=base_url) if receiver is not None and base_url else receiver
            return None
        return self._receiver_of(expr, scope, whole=True)

    def _made_by(self, func: ast.expr, scope: str, index: int | None = None) -> _Client | None:
        """The client a call of this file's own function or method returns: by its annotation
        or by what it returns (`return OpenAI()`, `return self._client`), named `via` it.
        With `index`, the client at that place of a returned tuple (`return self.client, model`)."""
        called = _own_callee(func, scope)
        return self._returned_client(called[0], called[1], scope, index) if called else None

    def _returned_client(self, owners: list[str], name: str, scope: str, index: int | None = None) -> _Client | None:
        """The client the function `name` of the first of `owners` defining it returns."""
        owner = next(
            (o for o in owners if (o, name) in self.pending.returned or (o, name) in self.pending.returns), None
        )
        if owner is None or (owner, name) in self._resolving:
            return None
        via = name if owner == "<module>" else f"{owner}.{name}"
        self._resolving.add((owner, name))
        try:
            inner, function = self.pending.returned.get((owner, name), (scope, None))
            returned = self._returns_of(function) if function is not None else []
            if index is not None:
                returned = [e.elts[index] for e in returned if isinstance(e, ast.Tuple) and len(e.elts) > index]
            found = next(filter(None, (self._instance_of(expr, inner, False) for expr in returned)), None)
            annotation = self.pending.returns.get((owner, name)) if index is None else None  # returned says more
            if found is None and annotation is not None:
                found = self._instance_of(annotation, scope, True)
        finally:
            self._resolving.discard((owner, name))
        return found._replace(via=found.via or via) if found is not None else None

    def _returns_of(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.expr]:
        """What a function returns, found once, and only for the functions whose calls matter."""
        if function not in self._returns:
            self._returns[function] = _returned(function)
        return self._returns[function]

    def _makes_clients(self, name: str) -> bool:
        return self.detectors is not None and any(f.startswith(f"{name}.") for f in self.detectors.factories)

    def _base_url(self, call: ast.Call, scope: str) -> str | None:
        """The endpoint a client is built for, when a keyword gives it as a literal (or a name
        bound to one), also through a spread configuration dict (`OpenAI(**settings)`)."""
        for key, value in self._keywords(call, scope):
            if key in BASE_URL_KEYWORDS and value and "://" in value:
                return value
        return None

    def _keywords(self, call: ast.Call, scope: str) -> tuple[tuple[str, str | None], ...]:
        """A call's keywords with their literal values; `**settings` contributes the string keys
        of the dict literal `settings` is bound to, and of `settings["key"] = "…"` assignments."""
        found = [(k.arg, self._literal_of(k.value, scope)) for k in call.keywords if k.arg]
        for spread in (k.value for k in call.keywords if k.arg is None and isinstance(k.value, ast.Name)):
            # The dict bound last before the call, and keys set on it since: flow is approximated
            # by lines, so another branch's later `kwargs = {"azure_deployment": …}` does not count.
            bound = max(
                (
                    (expr.lineno, expr)
                    for bound_scope, name, expr, annotation in self.pending.bindings
                    if name == spread.id
                    and not annotation
                    and bound_scope in _scopes(scope)
                    and expr.lineno <= call.lineno
                ),
                key=lambda pair: pair[0],
                default=None,
            )
            if bound is not None and isinstance(bound[1], ast.Dict):
                found += [
                    (k.value, self._literal_of(v, scope))
                    for k, v in zip(bound[1].keys, bound[1].values)
                    if isinstance(k, ast.Constant) and isinstance(k.value, str)
                ]
            since = bound[0] if bound is not None else 0
            for target, _, ctx, literal in self.pending.subscripts:
                if (
                    isinstance(target.value, ast.Name)
                    and target.value.id == spread.id
                    and ctx.scope in _scopes(scope)
                    and since <= target.lineno <= call.lineno
                    and isinstance(target.slice, ast.Constant)
                    and isinstance(target.slice.value, str)
                ):
                    found.append((target.slice.value, literal or None))
        return tuple(found)

    def _receiver_of(self, expr: ast.expr, scope: str, whole: bool = False) -> _Client | None:
        """The client at the base of `expr` (`client`, `self.client`, `OpenAI()`), if any."""
        base = expr
        if not whole:
            while isinstance(base, ast.Attribute):
                base = base.value
        if isinstance(base, ast.Name):
            key = _in_scope(self.instances, base.id, scope)
            return self.instances[key] if key else None
        if isinstance(base, ast.Attribute) and isinstance(base.value, ast.Name) and base.value.id == "self":
            key = _in_scope(self.attribute_instances, base.attr, scope)
            return self.attribute_instances[key] if key else self._property(base.attr, scope)
        return None if not isinstance(base, ast.Call) else self._instance_of(base, scope, False)

    def _property(self, name: str, scope: str) -> _Client | None:
        """`self.client` where `client` is a `@property` or `@cached_property` returning one."""
        if any((cls, name) in self.pending.properties for cls in _scopes(scope)):
            return self._returned_client([s for s in _scopes(scope) if s != "<module>"], name, scope)
        return None

    def _callee(self, node: ast.Call, scope: str) -> _Callee | None:
        """(what, name, service, path, base URL, via): a constructor, a client call or a module function."""
        key = id(node)
        if key in self._resolved_calls:
            return self._resolved_calls[key]
        result = self._resolve_callee(node, scope)
        self._resolved_calls[key] = result
        return result

    def _resolve_callee(self, node: ast.Call, scope: str) -> _Callee | None:
        base, attributes = _unwound(node.func)
        receiver: _Client | None = None
        if isinstance(base, ast.Name):
            key = _in_scope(self.instances, base.id, scope)
            receiver = self.instances[key] if key else None
            if receiver is None and base.id in self.environ_names:
                return "call", ".".join([ENVIRON, *attributes]), None, None, None, None
        elif isinstance(base, (ast.Call, ast.Await)):
            receiver = self._instance_of(base, scope, False)
        if receiver is None and attributes and isinstance(base, ast.Name) and base.id == "self" and len(attributes) > 1:
            key = _in_scope(self.attribute_instances, attributes[0], scope)
            receiver = self.attribute_instances[key] if key else self._property(attributes[0], scope)
            if receiver is not None:
                attributes = attributes[1:]
        if receiver is not None:
            qualname, service, base_url, via = receiver
            path = ".".join(attributes)
            factory = f"{qualname}.{path}"
            if self.detectors is not None and factory in self.detectors.factories:
                return self._factory(node, factory)
            return ("call", qualname, service, path, base_url, via) if path else None
        if isinstance(base, ast.Name) and any(
            (s, base.id) in self.local_names for s in _scopes(scope) if s != "<module>"
        ):
            return None  # a local variable shadowing an import of the same name
        name = self._dotted(node.func)
        if name is None:
            return None
        if self.detectors is not None and name in self.detectors.factories:
            return self._factory(node, name)
        if not self._tracked(name):
            return "call", name, None, None, None, None  # not a vendor's: kept for importers and os.environ
        return ("constructor" if _is_class_name(name) else "call"), name, None, None, None, None

    def _factory(self, node: ast.Call, name: str) -> _Callee | None:
        assert self.detectors is not None  # both callers look factories up in it first
        argument, services = self.detectors.factories[name]
        value = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == argument), None)
        if isinstance(value, ast.Constant) and isinstance(value.value, str) and value.value in services:
            return "constructor", name, value.value, None, None, None
        return None

    def _resolve_call(self, node: ast.Call, text: _Text, ctx: _Context) -> None:
        resolved = self._callee(node, ctx.scope)
        if resolved is None:
            self._foreign_call(node, text, ctx)
            return
        loc = text.loc(self.path, node)
        what, name, service, path, base_url, via = resolved
        if what == "call" and path is None:
            if name in DYNAMIC_IMPORTERS:
                self._dynamic_import(node, loc, text, ctx, DYNAMIC_IMPORTERS[name])
                return
            if name in ENV_CALLS:
                self._env_call(node, loc, ctx, ENV_CALLS[name])
                return
            if not self._tracked(name):
                self._foreign_call(node, text, ctx)
                return
        keywords = self._keywords(node, ctx.scope)
        tool_types, dict_keys = _dict_literals(node)
        if what == "constructor":
            self.facts.append(ConstructorFact(loc, name, ctx.scope, service, keywords, tool_types, dict_keys))
        elif path is not None:
            self.facts.append(
                CallFact(loc, ctx.scope, name, service, path, None, keywords, tool_types, dict_keys, base_url, via)
            )
            moved = self._base_url(node, ctx.scope) if path.rpartition(".")[2] == "with_options" else None
            if moved is not None:  # `client.with_options(base_url=…)`: the same client, elsewhere
                self.facts.append(
                    ConstructorFact(
                        loc, name, ctx.scope, service, tuple((k, v) for k, v in keywords if v == moved), rebound=True
                    )
                )
        else:
            self.facts.append(CallFact(loc, ctx.scope, None, None, None, name, keywords, tool_types, dict_keys))

    def _foreign_call(self, node: ast.Call, text: _Text, ctx: _Context) -> None:
        """A call on a client another of the project's modules gives, for `auditor.link`."""
        if not isinstance(node.func, ast.Attribute):
            return  # `f()`: nothing is called on a client
        base, attributes = _unwound(node.func)
        origin = None
        if isinstance(base, ast.Name) and base.id == "self":
            if len(attributes) < 2:
                return
            name, attributes = attributes[0], attributes[1:]
            key = _in_scope(self.foreign_attributes, name, ctx.scope)
            origin = self.foreign_attributes[key] if key else None
        elif isinstance(base, (ast.Name, ast.Call)):
            origin = self._origin(base, ctx.scope)
            # `client.chat.completions.create` on a name imported as is: two steps at least,
            # so `path.join` after `from os import path` is not taken for a client
            if (
                origin is not None
                and not origin[2]
                and isinstance(base, ast.Name)
                and len(attributes) < 2
                and _in_scope(self.foreign, base.id, ctx.scope) is None
            ):
                origin = None
        if origin is None or not attributes:
            return
        keywords = tuple((k.arg, self._literal_of(k.value, ctx.scope)) for k in node.keywords if k.arg)
        tool_types, dict_keys = _dict_literals(node)
        self.facts.append(
            ForeignCallFact(
                text.loc(self.path, node),
                ctx.scope,
                origin[0],
                origin[1],
                origin[2],
                ".".join(attributes),
                keywords,
                tool_types,
                dict_keys,
            )
        )

    def _origin(self, expr: ast.expr, scope: str) -> _Origin | None:
        """What another of the project's modules gives: an imported name (`client` after
        `from app.llm import client`), a call of one (`get_client()`, `h.get_client()`), or a
        name bound to either. Vendors' modules and the standard library are not the project's."""
        called = isinstance(expr, ast.Call)
        target = expr.func if isinstance(expr, ast.Call) else expr
        if isinstance(target, ast.Name):
            if target.id not in self.aliases and target.id not in self.relative and not self.foreign:
                return None  # neither imported nor bound to what another module gives
            key = _in_scope(self.foreign, target.id, scope)
            if key is not None:
                return None if called else self.foreign[key]
            if any((s, target.id) in self.local_names for s in _scopes(scope) if s != "<module>"):
                return None
            if target.id in self.relative:
                written = self.relative[target.id]
                return written.lstrip("."), len(written) - len(written.lstrip(".")), called
        dotted = self._dotted(target)
        if dotted is None or "." not in dotted or self._tracked(dotted) or dotted.split(".")[0] in _NOT_FIRST_PARTY:
            return None
        return dotted, 0, called

    def _dynamic_import(self, node: ast.Call, loc: Location, text: _Text, ctx: _Context, optional: bool) -> None:
        argument = (
            node.args[0] if node.args else next((k.value for k in node.keywords if k.arg in ("name", "mod_name")), None)
        )
        if argument is None:
            return
        flags = _flags(ctx)
        flags["optional"] = flags["optional"] or optional
        if isinstance(argument, ast.Constant) and isinstance(argument.value, str) and argument.value.strip("."):
            module = argument.value
            level = len(module) - len(module.lstrip("."))
            package = next((k.value for k in node.keywords if k.arg == "package"), None)
            if level and isinstance(package, ast.Constant) and isinstance(package.value, str):
                parts = package.value.split(".")
                base = ".".join(parts[: len(parts) - level + 1])
                module, level = f"{base}.{module.lstrip('.')}" if base else module.lstrip("."), 0
            self.facts.append(ImportFact(loc, module.lstrip("."), None, level, dynamic=True, **flags))
        else:
            self.facts.append(
                ImportFact(
                    loc, "", None, 0, dynamic=True, unresolved=True, expression=_source(text.text, argument), **flags
                )
            )

    def _env_call(self, node: ast.Call, loc: Location, ctx: _Context, access: str) -> None:
        if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            second = (
                node.args[1]
                if len(node.args) > 1
                else next((k.value for k in node.keywords if k.arg == "default"), None)
            )
            value = _boolean_like(second)
            if access == "read" and value is not None:
                value = f"default={value}"  # os.getenv("X", "true"): on unless the user says otherwise
            self.facts.append(EnvFact(loc, node.args[0].value, access, ctx.scope, value, ctx.conditional))

    def _resolve_environment(self) -> None:
        for node, text, ctx, written in self.pending.subscripts:
            if (
                self._is_environ(node.value)
                and isinstance(node.slice, ast.Constant)
                and isinstance(node.slice.value, str)
            ):
                loc = text.loc(self.path, node)
                if written is None:
                    self.facts.append(EnvFact(loc, node.slice.value, "read", ctx.scope, conditional=ctx.conditional))
                else:
                    value = written.lower() if written.lower() in _BOOLEAN_LIKE else None
                    self.facts.append(EnvFact(loc, node.slice.value, "write", ctx.scope, value, ctx.conditional))
        for compare, name, text, scope in self.pending.membership:
            if self._is_environ(compare.comparators[0]):
                self.facts.append(EnvFact(text.loc(self.path, compare), name, "test", scope))

    def _is_environ(self, expr: ast.expr) -> bool:
        return (isinstance(expr, ast.Name) and expr.id in self.environ_names) or self._dotted(expr) == ENVIRON

    def _resolve_strings(self) -> None:
        detectors = self.detectors
        assert detectors is not None
        models = []
        for node, value, text, ctx in self.pending.strings:
            if value.startswith(("http://", "https://", "ws://", "wss://")):
                url = endpoint(value, detectors.hosts)
                if url is not None:
                    self.facts.append(
                        StringFact(text.loc(self.path, node), "endpoint", url, ctx.scope, context=_context_name(ctx))
                    )
                continue
            match = model_family(value, detectors)
            if match is not None:
                models.append((node, value, text, ctx, match))
        # A dict, list or `Literal[...]` holding one unambiguous model id is a model table: its
        # `o3` is a model too.
        tables = {ctx.group for _, _, _, ctx, (_, needs_context, _) in models if ctx.group and not needs_context}
        for node, value, text, ctx, (family, needs_context, routed_via) in models:
            context = _context_name(ctx)
            modelish = (
                bool(context and _MODELISH.search(context))
                or ctx.group in tables
                or (ctx.call is not None and self._is_model_argument(ctx.call, node, ctx.scope))
            )
            if not modelish and (
                needs_context or (context and ctx.literal != _DICT_KEY and _NOT_MODEL.search(context))
            ):
                continue
            kept = (
                CHECK
                if ctx.check
                else LOOKUP_KEY
                if ctx.literal in (_DICT_KEY, _ENUMERATED) or (ctx.group and ctx.group in self._literal_types)
                else context
            )
            self.facts.append(
                StringFact(text.loc(self.path, node), "model-id", value, ctx.scope, family, routed_via, kept)
            )

    def _is_model_argument(self, call: ast.Call, argument: ast.expr, scope: str) -> bool:
        """A positional argument where a model is expected: of a vendor's call
        (`init_chat_model("o3")`), or of this file's function whose parameter there is named
        like a model (`ask("o3")` for `def ask(model, prompt)`)."""
        resolved = self._callee(call, scope)
        if resolved is not None and (resolved[3] is not None or self._tracked(resolved[1])):
            return True
        position = next((i for i, a in enumerate(call.args) if a is argument), None)
        called = _own_callee(call.func, scope)
        if position is None or called is None:
            return False
        owners, name, method = called
        owner = next((o for o in owners if (o, name) in self.pending.returned), None)
        if owner is None:
            return False
        function = self.pending.returned[(owner, name)][1]
        parameters = [*function.args.posonlyargs, *function.args.args][int(method) :]
        return position < len(parameters) and bool(_MODELISH.search(parameters[position].arg))

    # -- names -------------------------------------------------------------------------

    def _tracked(self, name: str) -> bool:
        if self.detectors is None:
            return False
        parts = name.split(".")
        return any(".".join(parts[:end]) in self.detectors.tracked_modules for end in range(len(parts), 0, -1))

    def _dotted(self, expr: ast.expr) -> str | None:
        """`expr` as a qualified name through the file's import aliases (`oa.OpenAI` → `openai.OpenAI`)."""
        chain = _attribute_chain(expr)
        if chain is None:
            return None
        head, attributes = chain
        base = self.aliases.get(head, head if head == "__import__" else None)
        return None if base is None else ".".join([base, *attributes])

    def _dotted_text(self, text: str) -> str | None:
        """A string annotation (`"OpenAI"`, `"openai.OpenAI"`) as a qualified name."""
        head, _, rest = text.strip().partition(".")
        if not head.isidentifier() or head not in self.aliases:
            return None
        return f"{self.aliases[head]}.{rest}" if rest else self.aliases[head]


PROPERTIES = frozenset({"property", "cached_property", "functools.cached_property"})
# Class methods that build an instance of their class: the result is a client like any other.
CLASS_FACTORIES = frozenset({"create", "from_pretrained", "from_config", "from_env", "from_api_key"})
_NOT_FIRST_PARTY = frozenset(sys.stdlib_module_names)


def _imported_by_call(value: ast.expr | None) -> str | None:
    """The module `__import__("os")` or `importlib.import_module("os")` returns, when literal."""
    if not isinstance(value, ast.Call) or not value.args or not isinstance(value.args[0], ast.Constant):
        return None
    chain = _attribute_chain(value.func)
    called = ".".join([chain[0], *chain[1]]) if chain else ""
    module = value.args[0].value
    if called in ("__import__", "importlib.import_module") and isinstance(module, str) and module.isidentifier():
        return module
    return None


def _returned(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.expr]:
    """What a function returns, not counting the functions and classes defined inside it."""
    found: list[ast.expr] = []
    stack: list[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Return) and node.value is not None:
            found.append(node.value)
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.expr)):
            stack.extend(ast.iter_child_nodes(node))
    return found


def _own_callee(func: ast.expr, scope: str) -> tuple[list[str], str, bool] | None:
    """Where a call of this file's own function or method is defined: the scopes to look in,
    its name, and whether it is a method (`self.ask(...)`, whose first parameter is `self`)."""
    if isinstance(func, ast.Name):
        return list(_scopes(scope)), func.id, False
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in ("self", "cls"):
        return [s for s in _scopes(scope) if s != "<module>"], func.attr, True
    return None


def _in_scope(table: dict[tuple[str, str], Any], name: str, scope: str) -> tuple[str, str] | None:
    """The key under which `name` is bound in `table` as seen from `scope`: the innermost
    enclosing scope (or class, for `self.` attributes) that binds it."""
    return next(((s, name) for s in _scopes(scope) if (s, name) in table), None)


def _unwound(expr: ast.expr) -> tuple[ast.expr, list[str]]:
    """`a.b.c` as its base expression and the attribute names after it: (`a`, ["b", "c"])."""
    attributes: list[str] = []
    while isinstance(expr, ast.Attribute):
        attributes.append(expr.attr)
        expr = expr.value
    attributes.reverse()
    return expr, attributes


def _attribute_chain(expr: ast.expr) -> tuple[str, list[str]] | None:
    """`a.b.c` as ("a", ["b", "c"]); None when the chain does not start at a plain name."""
    base, attributes = _unwound(expr)
    return (base.id, attributes) if isinstance(base, ast.Name) else None


def _source(text: str, node: ast.expr) -> str:
    try:
        segment = ast.get_source_segment(text, node) or ast.unparse(node)
    except (RecursionError, ValueError):
        segment = node.__class__.__name__
    segment = " ".join(segment.split())
    return segment if len(segment) <= _MAX_EXPRESSION else segment[: _MAX_EXPRESSION - 1] + "…"


_NEWER_SYNTAX = re.compile(r"""(?m)^\s*type\s+\w+|\b(?:def|class)\s+\w+\s*\[|\b[fFtT][rR]?["']|\bexcept\b[^:(\n]*,""")


def _maybe_newer_grammar(text: str, error: SyntaxError) -> bool:
    """Whether a parse failure may be grammar newer than this interpreter's (PEP 695,
    701, 750, 758) rather than broken or Python 2 code: only then is libcst worth a process."""
    if sys.version_info >= (3, 14) or "Missing parentheses in call to" in (error.msg or ""):
        return False
    return _NEWER_SYNTAX.search(text) is not None


def _flags(ctx: _Context) -> _Flags:
    return {
        "scope": ctx.scope,
        "type_checking": ctx.type_checking,
        "optional": ctx.optional,
        "in_function": ctx.in_function,
        "conditional": ctx.conditional,
    }


def _qualify(scope: str, name: str) -> str:
    return name if scope == "<module>" else f"{scope}.{name}"


def _scopes(scope: str) -> Iterator[str]:
    """The scope, its enclosing scopes, then the module."""
    while scope != "<module>":
        yield scope
        scope = scope.rpartition(".")[0] or "<module>"
    yield "<module>"


def _is_class_name(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return last[:1].isupper()


def _name_of(expr: ast.expr) -> str | None:
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        return expr.attr
    return None


def _context_name(ctx: _Context) -> str | None:
    return None if ctx.literal in (None, _SKIP, _DICT_KEY, _ENUMERATED, "argument") else ctx.literal


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


def _boolean_like(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.lower() in _BOOLEAN_LIKE:
        return node.value.lower()
    return None


def _dict_literals(node: ast.Call) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Keys of dict literals in the arguments, and the values of their "type" keys (hosted tools)."""
    tool_types: set[str] = set()
    keys: set[str] = set()
    seen = 0
    stack: list[ast.AST] = [*node.args, *(k.value for k in node.keywords)]
    while stack and seen < _MAX_ARGUMENT_NODES:
        current = stack.pop()
        seen += 1
        if isinstance(current, ast.Dict):
            for key, value in zip(current.keys, current.values):
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    keys.add(key.value)
                    if key.value == "type" and isinstance(value, ast.Constant) and isinstance(value.value, str):
                        tool_types.add(value.value)
        elif isinstance(current, ast.Call):
            for keyword in current.keywords:
                if (
                    keyword.arg == "type"
                    and isinstance(keyword.value, ast.Constant)
                    and isinstance(keyword.value.value, str)
                ):
                    tool_types.add(keyword.value.value)
        stack.extend(ast.iter_child_nodes(current))
    return tuple(sorted(tool_types)), tuple(sorted(keys))
