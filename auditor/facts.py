"""Facts: what extractors observe in one file, before any judgement.

Facts are small, frozen and JSON-serialisable. Locations are relative to the scanned
root with `/` separators; `line` and `column` are 1-based; `cell` is the 0-based index
of a notebook cell (None outside notebooks).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
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
class ConstructorFact:
    """A call that builds an object from a tracked vendor module: a client, or a config type.

    `qualname` is the class as resolved through the file's imports (`openai._client.OpenAI`);
    `keywords` holds each keyword argument with its value when that is a string literal.
    For a factory such as `boto3.client("bedrock-runtime")` the service name is in `service`.
    """

    loc: Location
    qualname: str
    scope: str = "<module>"
    service: str | None = None
    keywords: tuple[tuple[str, str | None], ...] = ()
    tool_types: tuple[str, ...] = ()
    dict_keys: tuple[str, ...] = ()
    rebound: bool = False  # an existing client pointed elsewhere (`client.base_url = …`): no new client

    kind = "constructor"


@dataclass(frozen=True, slots=True)
class CallFact:
    """A call on a vendor client (`receiver` + `path`) or of a vendor module's function (`function`)."""

    loc: Location
    scope: str = "<module>"
    receiver: str | None = None  # the client's class, as resolved (`openai.OpenAI`)
    service: str | None = None  # the client's service, for factories
    path: str | None = None  # attribute chain after the client: `chat.completions.create`
    function: str | None = None  # qualified function name: `litellm.completion`
    keywords: tuple[tuple[str, str | None], ...] = ()
    tool_types: tuple[str, ...] = ()  # values of "type" keys in dict literals among the arguments
    dict_keys: tuple[str, ...] = ()  # keys of dict literals among the arguments
    base_url: str | None = None  # the endpoint the client was built for, when a literal says
    via: str | None = None  # the getter, property or module the client came from (`Service.get_client`)

    kind = "call"


# Constructor keywords that point a client at an endpoint (LangChain spells them its own way).
BASE_URL_KEYWORDS = ("base_url", "openai_api_base", "api_base", "base_uri", "endpoint", "azure_endpoint")
LOOKUP_KEY = "(dict key)"  # a StringFact's context when the literal is a name looked up: a dict key, a `Literal` member
CHECK = "(check)"  # a StringFact's context when the literal is tested against (`"o3" in model`)


@dataclass(frozen=True, slots=True)
class StringFact:
    """A string literal of interest: a model id (`what="model-id"`) or a vendor endpoint URL."""

    loc: Location
    what: str
    value: str
    scope: str = "<module>"
    family: str | None = None  # the model family, for model ids
    routed_via: str | None = None  # a provider prefix before the id: `openai` in `openai:gpt-4o`
    context: str | None = None  # the name the literal is given to: keyword, variable, key

    kind = "string"


@dataclass(frozen=True, slots=True)
class EnvFact:
    """An environment variable read, tested or written by the code."""

    loc: Location
    name: str
    access: str  # read | test | write
    scope: str = "<module>"
    value: str | None = None  # only a boolean-like literal written, or a read's default (never a secret)
    conditional: bool = False  # under an if/try/match: an opt-in rather than a default

    kind = "env"


@dataclass(frozen=True, slots=True)
class SettingFact:
    """An assignment to an attribute of a vendor module (`openai.api_key = …`, `Settings.llm = …`)."""

    loc: Location
    name: str
    scope: str = "<module>"

    kind = "setting"


# The kinds of sign a toolchain extractor reports, by stable id (as Ruff and bandit name their
# checks): rules match these, never the label text, which may change with the wording.
TOOL_SIGNALS = {
    "action": "a GitHub Action a workflow step uses",
    "assistant-file": "a coding assistant's instruction file",
    "ci-config": "a CI service's configuration file",
    "command": "a command line that runs the tool (CI step, hook, build script)",
    "mcp-server": "an MCP server a client configuration names",
    "nox-uv": "nox with uv as its virtualenv backend",
    "package-json": "a package.json dependency or script",
    "pre-commit-repo": "a pre-commit hook repository",
    "promptfoo-config": "a Promptfoo configuration file",
    "promptfoo-provider": "a provider a Promptfoo configuration names",
    "pyx-index": "an index on Astral's hosted registry",
    "suppression-comment": "a tool's own suppression comment (`# ruff: noqa`, `# ty: ignore`)",
    "terraform-resource": "a Terraform resource of an AI service",
    "tool-file": "a tool's own configuration file (`ruff.toml`, `uv.toml`, `ty.toml`)",
    "tool-settings": "a `[tool.NAME]` table in pyproject.toml",
    "tox-uv": "tox with the tox-uv plugin",
    "ungraded-assertion": "a Promptfoo assertion with no grader set (its type is the value)",
    "uv-build-backend": "uv_build as the build backend",
    "uv-image": "the ghcr.io/astral-sh/uv container image",
    "uv-lock": "a uv.lock file",
    "uv-settings": "a `[tool.uv]` table",
    "uv-sources": "`[tool.uv.sources]`",
    "uv-workspace": "`[tool.uv.workspace]`",
    "workflow": "a GitHub Actions workflow file",
}


@dataclass(frozen=True, slots=True)
class ToolFact:
    """A sign of a developer tool in a configuration file: `[tool.uv]`, `uses: astral-sh/setup-uv`.
    Rules match its `signal`, a stable id from TOOL_SIGNALS; people read its `label`."""

    loc: Location
    product: str  # the catalog product the sign belongs to (uv, ruff, ty, pyx, promptfoo, github-actions)
    signal: str  # which kind of sign, one of TOOL_SIGNALS
    label: str  # what was seen, as the user would write it (`uses: astral-sh/setup-uv`)
    value: str | None = None

    kind = "tool"


@dataclass(frozen=True, slots=True)
class DependencyFact:
    """A declared (pyproject, requirements) or locked (uv.lock) dependency."""

    loc: Location
    name: str  # normalised distribution name
    source: str  # pyproject | requirements | uv.lock | pylock | poetry.lock
    group: str = "main"  # main, optional:<extra>, group:<name>, dev, locked
    specifier: str | None = None
    version: str | None = None
    requires: tuple[str, ...] = ()  # locked edges: the distributions this one pulls in

    kind = "dependency"


@dataclass(frozen=True, slots=True)
class SuppressionFact:
    """A `# lockaudit: ignore[RULE, …] reason` comment (`ignore-file` for the whole file).

    `standalone` is a comment alone on its line: it covers the next line as well as its own.
    An empty `rules` or `reason` makes the suppression invalid; the pipeline reports it."""

    loc: Location
    rules: tuple[str, ...]
    reason: str
    file_level: bool = False
    standalone: bool = False

    kind = "suppression"


@dataclass(frozen=True, slots=True)
class ClassFact:
    """A class definition, with its bases resolved through the file's imports: `openai.OpenAI`,
    `.base.LLMBase` (relative, resolved later against the project's modules), or `Base` as written."""

    loc: Location
    name: str  # qualified within the module: `Outer.Inner`
    bases: tuple[str, ...] = ()

    kind = "class"


@dataclass(frozen=True, slots=True)
class ModuleFact:
    """The shape of one Python file: how long it is and how many top-level definitions it has."""

    loc: Location
    lines: int
    definitions: int  # top-level functions and classes

    kind = "module"


@dataclass(frozen=True, slots=True)
class ErrorFact:
    """A file, or part of one, that could not be analysed; always becomes a `skipped` entry."""

    loc: Location
    reason: str
    detail: str = ""
    partial: bool = False  # the rest of the file was analysed (one bad entry, one bad cell)

    kind = "error"


@dataclass(frozen=True, slots=True)
class ClientSourceFact:
    """A module-level name that gives callers a client: a function that returns one
    (`def get_client(): return OpenAI()`) or a value bound to one (`client = OpenAI()`).
    Other modules' calls through it are linked to it after extraction (`auditor.link`)."""

    loc: Location
    name: str  # the function or value, as the module defines it
    receiver: str  # the client's class (`openai.OpenAI`)
    service: str | None = None
    base_url: str | None = None
    called: bool = True  # a function to call; False: the client itself

    kind = "client-source"


@dataclass(frozen=True, slots=True)
class ForeignCallFact:
    """A call on a client that comes from another of the project's modules, unresolved until
    that module's facts are known: `get_client().chat.completions.create(...)` after
    `from app.llm import get_client`. `origin` is the imported name as written (`.llm.get_client`
    for a relative import), `called` whether the origin was called to get the client."""

    loc: Location
    scope: str
    origin: str
    level: int
    called: bool
    path: str  # attribute chain after the client
    keywords: tuple[tuple[str, str | None], ...] = ()
    tool_types: tuple[str, ...] = ()
    dict_keys: tuple[str, ...] = ()

    kind = "foreign-call"


Fact = (
    ImportFact
    | ConstructorFact
    | CallFact
    | StringFact
    | EnvFact
    | SettingFact
    | ToolFact
    | DependencyFact
    | SuppressionFact
    | ClassFact
    | ModuleFact
    | ErrorFact
    | ClientSourceFact
    | ForeignCallFact
)


FACT_TYPES: dict[str, type] = {
    cls.kind: cls
    for cls in (
        ImportFact,
        ConstructorFact,
        CallFact,
        StringFact,
        EnvFact,
        SettingFact,
        ToolFact,
        DependencyFact,
        SuppressionFact,
        ClassFact,
        ModuleFact,
        ErrorFact,
        ClientSourceFact,
        ForeignCallFact,
    )
}


def fact_to_row(fact: Fact) -> list[Any]:
    """A compact JSON-able row for the cache: kind, location, then the fields in order."""
    loc = fact.loc
    return [
        fact.kind,
        loc.path,
        loc.line,
        loc.column,
        loc.cell,
        *(getattr(fact, name) for name in fact.__dataclass_fields__ if name != "loc"),
    ]


def fact_from_row(row: list[Any]) -> Fact:
    """The fact a row holds; JSON lists become the tuples the dataclasses declare."""
    kind, path, line, column, cell, *values = row
    cls = FACT_TYPES[kind]
    return cls(Location(path, line, column, cell), *(_tuples(v) for v in values))


def _tuples(value: Any) -> Any:
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def by_type(facts: Iterable[Any]) -> dict[type, list[Any]]:
    """The facts grouped by their type, each group in the facts' order."""
    kinds: dict[type, list[Any]] = {}
    for fact in facts:
        kinds.setdefault(type(fact), []).append(fact)
    return kinds
