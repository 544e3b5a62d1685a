"""What the rule packs declare, once loaded: the catalog of products, clients, model ids and
features, the rules, and the vocabulary both are written in.

Every stage reads a `RuleSet`; only auditor/packs.py builds one, so the stages that use it load
neither YAML nor jsonschema.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from auditor.limits import regex

LAYERS = (
    "model-api",
    "orchestration",
    "tokenizer",
    "evaluation",
    "package-manager",
    "lint-format",
    "type-check",
    "ci",
    "cloud",
    "coding-assistant",
    "registry",
)
# The parts a file can play in a project (auditor/roles.py decides which): the packs' role
# conventions and the configuration's `roles` table name these.
ROLES = ("product", "test", "example", "docs", "script", "benchmark", "migration", "fixture", "notebook")
EFFORTS = (0, 1, 3, 5, 7, 13)
# Checks made by a later stage of the pipeline, over the findings or the history themselves
# (auditor/suppress.py, auditor/gate.py).
PIPELINE_CHECKS = frozenset({"suppressions", "gate-changes"})
# The record kinds a constructor's instance shows as: a client, or another vendor's API through it.
CLIENT_KINDS = frozenset({"client", "compatible-api"})
# Checks whose rules cannot carry offline examples, and why.
EXAMPLELESS_CHECKS = {
    "vulnerable-dependency": "its data comes from a vulnerability service; tested in test_vulns.py",
    "gate-changes": "it compares with a git merge base; tested in test_since.py",
}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def fill(template: str, values: dict[str, str]) -> str:
    """`{name}` placeholders filled from `values` only, any other left as written: packs are
    untrusted input, so a template never reaches attributes or format specs."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


# A compiled pack regex: `re.Pattern[str]` for the built-in packs, an RE2 pattern (same methods)
# for a user's or repository's pack.
Regex = Any


@dataclass(frozen=True, slots=True)
class Product:
    id: str
    title: str
    vendor: str
    owner: str
    layer: str
    host: str | None
    abstraction: bool
    pack: str
    modules: tuple[str, ...]
    distributions: tuple[str, ...]
    terraform_resources: tuple[str, ...] = ()  # globs over Terraform resource types
    actions: tuple[str, ...] = ()  # GitHub Actions that run the product (`astral-sh/setup-uv`)
    pre_commit_repos: tuple[str, ...] = ()  # pre-commit hook repositories that run it
    commands: tuple[Regex, ...] = ()  # command lines that run it, in CI steps, hooks and build scripts
    files: tuple[str, ...] = ()  # its own configuration files, whose presence is the sign (`ruff.toml`)
    build_signs: tuple[tuple[str, Regex, str], ...] = ()  # (signal, pattern, label) in build-script lines
    index_hosts: tuple[str, ...] = ()  # host globs of the package indexes it serves (`*.astralhosted.com`)


@dataclass(frozen=True, slots=True)
class Constructor:
    """A class whose instances are clients of a vendor API."""

    name: str  # canonical qualified name, e.g. "openai.AzureOpenAI"
    product: Product
    vendor: str
    host: str | None


@dataclass(frozen=True, slots=True)
class Factory:
    """A function that returns a vendor client chosen by a service-name argument (boto3.client)."""

    name: str
    argument: str
    services: frozenset[str]
    product: Product


@dataclass(frozen=True, slots=True)
class ModelFamily:
    family: str
    vendor: str
    host: str | None
    pattern: Regex
    needs_context: bool  # ambiguous ids (o1, mistral) count only where a model is expected
    open_weight: bool


@dataclass(frozen=True, slots=True)
class Feature:
    """A provider-only API or parameter.

    A call matches when it is to one of `products` (default: the pack's own), at one of
    `paths`/`functions` when any are given, and with one of the `keywords`, `tool_types`
    or `dict_keys` when any of those are given. Lists match on any item.
    """

    id: str
    title: str
    vendor: str
    pack: str
    products: frozenset[str]  # empty: every product of the pack
    paths: tuple[str, ...]  # globs over client call paths
    functions: tuple[str, ...]  # globs over module-level call names
    keywords: frozenset[str]
    tool_types: frozenset[str]
    dict_keys: frozenset[str]
    severity: str = "medium"
    effort: int = 3
    substitute: str = ""  # what replaces it on another vendor, for the exit plan


@dataclass(frozen=True, slots=True)
class HiddenDefault:
    """Lock-in an abstraction layer adds by default, invisible in imports (reference A6)."""

    id: str
    title: str
    vendor: str | None  # the pack's vendor: whose default it is (None if the pack names none)
    reaches: str | None  # the vendor the default sends traffic to
    when_imported: str | None = None
    when_signal: str | None = None  # a toolchain sign (facts.TOOL_SIGNALS) whose value is one of `values`
    values: frozenset[str] = frozenset()
    when_symbols: tuple[str, ...] = ()  # only these names under `when_imported` reach the default
    unless_called: tuple[str, ...] = ()
    unless_env: tuple[str, ...] = ()
    unless_set: tuple[str, ...] = ()
    when_env_set: tuple[str, ...] = ()
    constructor: str | None = None
    keyword: str | None = None
    routes: tuple[tuple[Regex, str], ...] = ()

    def describe(self, value: str) -> str:
        """The title, with `{value}` filled (the assertion type of a `when_signal` default)."""
        return fill(self.title, {"value": value})


@dataclass(frozen=True, slots=True)
class Acquisition:
    company: str
    owner: str
    status: str  # announced | completed | configured (the user's own word, in [tool.lockaudit] owners)
    as_of: str
    source: str


@dataclass(frozen=True)
class Detectors:
    """What the extractor needs from the packs; picklable, so worker processes get it once."""

    tracked_modules: frozenset[str]
    factories: dict[str, tuple[str, frozenset[str]]]
    model_families: tuple[tuple[str, Regex, bool], ...]
    model_prefilter: Regex  # matches whenever any family's pattern does
    routing_prefixes: frozenset[str]
    hosts: tuple[str, ...]
    routing_suffixes: frozenset[str] = frozenset()  # `:free`, `:thinking`: a variant of the same model
    terraform: tuple[tuple[str, str], ...] = ()  # (resource type glob, product id)
    actions: tuple[tuple[str, str], ...] = ()  # (action slug, product id)
    pre_commit_repos: tuple[tuple[str, str], ...] = ()  # (repository slug, product id)
    commands: tuple[tuple[Regex, str], ...] = ()  # (command pattern, product id), in the packs' order
    tool_files: tuple[tuple[str, str], ...] = ()  # (file name, product id)
    build_signs: tuple[tuple[str, Regex, str, str], ...] = ()  # (signal, pattern, label, product id)
    index_hosts: tuple[tuple[str, str], ...] = ()  # (host glob, product id)
    module_prefixes: frozenset[str] = frozenset()  # `google` of `google.genai`: names that lead to a tracked module


@dataclass(frozen=True, slots=True)
class Example:
    """A snippet a rule must (or must not) fire on: files by path, and the pack it came from."""

    files: tuple[tuple[str, str], ...]
    trigger: bool


@dataclass(frozen=True, slots=True)
class CatalogExample:
    """A snippet a catalog entry must (or must not) detect: a scan of `files` holds a record of
    one of `kinds` named `name` (and of `vendor`, when given), or holds none."""

    entry: str  # where the example is written: "openai.yaml: catalog.model_ids[0] (openai-chat) match[0]"
    source: str  # the pack file
    kinds: frozenset[str]
    name: str
    vendor: str | None
    files: tuple[tuple[str, str], ...]
    match: bool


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    title: str
    severity: str
    effort: int
    category: str
    message: str
    remediation: str
    links: tuple[str, ...]
    pack: str
    when: dict[str, Any] = field(default_factory=dict)
    scope: str = "file"  # file: one inventory record at a time; project: a graph check
    by_feature: bool = False  # the finding's severity and effort are the matched feature's
    effort_per: str = "file"  # file: each file is a change; project: one change for the whole tree
    examples: tuple[Example, ...] = ()

    def render(self, values: dict[str, str]) -> str:
        """Fill `{name}` placeholders from `values` only: packs are untrusted input."""
        return fill(self.message, values)


@dataclass(frozen=True, slots=True)
class RoleConvention:
    """Folder-name and file-name globs that give a file a role (auditor/roles.py); a file's own
    name counts anywhere, a folder's inside a Python package only with `in_packages`
    (`pkg/tests/` holds tests, `pkg/tools/` is product)."""

    role: str
    folders: frozenset[str]
    files: tuple[str, ...]
    in_packages: bool


@dataclass
class Structure:
    """What names and imports say about a module's place in the architecture (auditor/boundary.py)."""

    vendor_names: dict[str, str] = field(default_factory=dict)  # word in a file or folder name -> vendor
    adapter_names: set[str] = field(default_factory=set)
    generic_names: set[str] = field(default_factory=set)
    web_modules: set[str] = field(default_factory=set)
    web_folders: set[str] = field(default_factory=set)
    persistence_modules: set[str] = field(default_factory=set)
    persistence_folders: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class PackInfo:
    id: str
    title: str
    version: int
    source: str


@dataclass(frozen=True, slots=True)
class SecretPattern:
    id: str
    pattern: Regex
    group: int  # the capture group holding the secret; 0 is the whole match
    redact_examples: tuple[str, ...]
    keep_examples: tuple[str, ...]


@dataclass
class RuleSet:
    packs: list[PackInfo] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)
    rules: dict[str, Rule] = field(default_factory=dict)
    constructors: list[Constructor] = field(default_factory=list)
    factories: dict[str, Factory] = field(default_factory=dict)
    model_families: list[ModelFamily] = field(default_factory=list)
    features: list[Feature] = field(default_factory=list)
    hidden_defaults: list[HiddenDefault] = field(default_factory=list)
    # A pack without a `vendor` may still list env vars and hosts: their vendor is then None.
    env_vars: dict[str, str | None] = field(default_factory=dict)  # name -> vendor
    env_prefixes: list[tuple[str, str | None]] = field(default_factory=list)
    hosts: list[tuple[str, str | None]] = field(default_factory=list)  # (glob over host[:port], vendor)
    routing_prefixes: set[str] = field(default_factory=set)
    routing_suffixes: set[str] = field(default_factory=set)
    routing_vendors: dict[str, str] = field(default_factory=dict)  # prefix -> the vendor whose pack lists it
    role_conventions: list[RoleConvention] = field(default_factory=list)  # in priority order
    structure: Structure = field(default_factory=Structure)
    owners: dict[str, str] = field(default_factory=dict)  # vendor -> owner
    vendor_layers: dict[str, str] = field(default_factory=dict)  # vendor -> its pack's main layer
    acquisitions: dict[str, Acquisition] = field(default_factory=dict)  # company -> its acquisition
    related: list[dict[str, str]] = field(default_factory=list)  # stakes that are not ownership
    alternatives: dict[str, str] = field(default_factory=dict)  # layer -> the portable alternative
    secrets: list[SecretPattern] = field(default_factory=list)  # redacted from every output
    catalog_examples: list[CatalogExample] = field(default_factory=list)
    unexampled: list[str] = field(default_factory=list)  # catalog entries lacking an example either way
    count_announced: bool = True
    digest: str = ""  # of every pack file loaded: cached facts are valid only for the same packs
    _by_module: dict[str, Product] = field(default_factory=dict)
    _constructors_by_name: dict[str, list[Constructor]] = field(default_factory=dict)
    _by_distribution: dict[str, Product] = field(default_factory=dict)
    _families: dict[str, ModelFamily] = field(default_factory=dict)
    _imports: dict[tuple[str, str | None], tuple[str, str | None, Constructor | None, Product | None]] = field(
        default_factory=dict
    )

    def import_target(
        self, module: str, symbol: str | None
    ) -> tuple[str, str | None, Constructor | None, Product | None]:
        """What `from module import symbol` names in the catalog: the deepest catalog module
        (`from google import genai` is `google.genai`, symbol None), the symbol left, the class it
        constructs, if any, and the product; asked once per distinct import."""
        key = (module, symbol)
        if key not in self._imports:
            name = module
            if symbol and symbol != "*" and self.catalog_depth(f"{name}.{symbol}") > self.catalog_depth(name):
                name, symbol = f"{name}.{symbol}", None
            constructor = self.constructor_for(f"{name}.{symbol}") if symbol and symbol != "*" else None
            self._imports[key] = (name, symbol, constructor, self.product_for_module(name))
        return self._imports[key]

    def family(self, name: str | None) -> ModelFamily | None:
        """The model family called `name` (the first pack's, as packs are loaded)."""
        if not self._families:
            for family in self.model_families:
                self._families.setdefault(family.family, family)
        return self._families.get(name or "")

    def product_for_module(self, module: str) -> Product | None:
        """The product owning the longest dotted prefix of `module`."""
        parts = module.split(".")
        for end in range(len(parts), 0, -1):
            product = self._by_module.get(".".join(parts[:end]))
            if product is not None:
                return product
        return None

    def constructor_for(self, qualname: str) -> Constructor | None:
        """The catalog class `qualname` names, also when imported from a submodule
        (`openai._client.OpenAI` is `openai.OpenAI`; `google.genai.client.Client` is `google.genai.Client`)."""
        name = qualname.rsplit(".", 1)[-1]
        for constructor in self._constructors_by_name.get(name, ()):
            module = constructor.name[: -len(name) - 1]
            if qualname == constructor.name or qualname.startswith(module + "."):
                return constructor
        return None

    def env_vendor(self, name: str) -> str | None:
        if name in self.env_vars:
            return self.env_vars[name]
        return next((vendor for prefix, vendor in self.env_prefixes if name.startswith(prefix)), None)

    def host_vendor(self, host: str) -> str | None:
        host = host.lower()
        return next((vendor for pattern, vendor in self.hosts if host_matches(host, pattern)), None)

    def owner_of(self, vendor: str | None) -> str | None:
        """The ultimate owner: the vendor's company, moved along the acquisitions that count."""
        if not vendor:
            return None
        company = self.owners.get(vendor, vendor)
        for deal in self.deals_of(vendor):
            company = deal.owner
        return company

    def deals_of(self, vendor: str) -> list[Acquisition]:
        """The acquisitions between a vendor's company and its ultimate owner, in order."""
        company, deals = self.owners.get(vendor, vendor), []
        while (deal := self.acquisitions.get(company)) is not None and deal not in deals:
            if deal.status == "announced" and not self.count_announced:
                break
            deals.append(deal)
            company = deal.owner
        return deals

    def with_owners(self, overrides: Iterable[tuple[str, str]]) -> RuleSet:
        """A copy in which the configuration's `owners` table decides: `Astral = "Astral"`
        keeps a company independent, `Acme = "Microsoft"` records a deal the catalog lacks."""
        overrides = tuple(overrides)
        if not overrides:
            return self
        acquisitions = dict(self.acquisitions)
        for company, owner in overrides:
            if owner == company:
                acquisitions.pop(company, None)
            else:
                acquisitions[company] = Acquisition(company, owner, "configured", "", "configuration")
        return dataclasses.replace(self, acquisitions=acquisitions)

    def file_scope(self) -> frozenset[str]:
        """The rules a file's own findings come from: file-scope rules, and the pipeline's checks
        of suppression comments and gate changes, which are about the lines that hold them."""
        return frozenset(
            r.id for r in self.rules.values() if r.scope == "file" or r.when.get("check") in PIPELINE_CHECKS
        )

    def between(self, params: dict[str, Any]) -> frozenset[str]:
        """The neutral products that stand between code and model vendors, as a check's params
        say (`between_layers`, less `not_between`): LiteLLM does, MCP and a local runtime do not."""
        layers, exempt = set(params.get("between_layers", ())), set(params.get("not_between", ()))
        return frozenset(p.id for p in self.products if p.abstraction and p.layer in layers and p.id not in exempt)

    def standing_between(self) -> frozenset[str]:
        """`between` as the single-model-vendor rule's params say it, for whoever else asks."""
        rule = next((r for r in self.rules.values() if r.when.get("check") == "single-model-vendor"), None)
        return self.between(rule.when.get("params", {}) if rule else {})

    def vendors(self) -> set[str]:
        """Every vendor and company the catalog names: what `allow-vendors` and the like may use."""
        return (
            {p.vendor for p in self.products}
            | {p.host for p in self.products if p.host}
            | set(self.owners)
            | set(self.owners.values())
            | {v for _, v in self.hosts if v is not None}
            | set(self.acquisitions)
        )

    def detectors(self) -> Detectors:
        roots = {f.name.split(".")[0] for f in self.factories.values()}
        tracked = frozenset(self._by_module) | roots
        return Detectors(
            tracked_modules=tracked,
            factories={f.name: (f.argument, f.services) for f in self.factories.values()},
            model_families=tuple((m.family, m.pattern, m.needs_context) for m in self.model_families),
            model_prefilter=any_of(m.pattern for m in self.model_families),
            routing_prefixes=frozenset(self.routing_prefixes),
            routing_suffixes=frozenset(s.lower() for s in self.routing_suffixes),
            hosts=tuple(pattern for pattern, _ in self.hosts),
            terraform=tuple((glob, p.id) for p in self.products for glob in p.terraform_resources),
            actions=tuple((slug.lower(), p.id) for p in self.products for slug in p.actions),
            pre_commit_repos=tuple((slug, p.id) for p in self.products for slug in p.pre_commit_repos),
            commands=tuple((pattern, p.id) for p in self.products for pattern in p.commands),
            tool_files=tuple((name, p.id) for p in self.products for name in p.files),
            build_signs=tuple((*sign, p.id) for p in self.products for sign in p.build_signs),
            index_hosts=tuple((glob, p.id) for p in self.products for glob in p.index_hosts),
            module_prefixes=frozenset(m.rsplit(".", i)[0] for m in tracked for i in range(1, m.count(".") + 1)),
        )

    def product_for_distribution(self, name: str) -> Product | None:
        """The product shipped as distribution `name` (compared in normalised form)."""
        if not self._by_distribution:
            for product in self.products:
                for distribution in product.distributions:
                    self._by_distribution.setdefault(_normalise(distribution), product)
        return self._by_distribution.get(_normalise(name))

    def catalog_depth(self, module: str) -> int:
        """Length, in dotted parts, of the catalog module that matches `module` (0: none)."""
        parts = module.split(".")
        for end in range(len(parts), 0, -1):
            if ".".join(parts[:end]) in self._by_module:
                return end
        return 0


def any_of(patterns: Iterable[Any]) -> Any:
    """One regex matching where any of `patterns` does; leading inline flags become scoped.
    Patterns from user packs are RE2's (see `_compile` in auditor/packs.py): those are joined
    on RE2, the built-in ones on `re`, and the result asks both."""
    native: list[str] = []
    linear: list[str] = []
    for pattern in patterns:
        source = pattern.pattern
        flags = re.match(r"^\(\?([aiLmsux]+)\)", source)
        part = f"(?{flags.group(1)}:{source[flags.end() :]})" if flags else f"(?:{source})"
        (native if isinstance(pattern, re.Pattern) else linear).append(part)
    joined = re.compile("|".join(native) or "(?!)")
    return AnyOf(joined, regex("|".join(linear))) if linear else joined


@dataclass(frozen=True)
class AnyOf:
    """Where any of the built-in (`re`) or user (RE2) patterns matches; picklable for the workers."""

    native: re.Pattern[str]
    linear: Any

    def search(self, text: str) -> Any:
        return self.native.search(text) or self.linear.search(text)

    def fullmatch(self, text: str) -> Any:
        return self.native.fullmatch(text) or self.linear.fullmatch(text)


def _normalise(distribution: str) -> str:
    """PEP 503 normalisation: `Azure_AI.Inference` and `azure-ai-inference` are one name."""
    return re.sub(r"[-_.]+", "-", distribution).lower()


def host_matches(host: str, pattern: str) -> bool:
    """`host` (with `:port` when the pattern has one) against a host glob such as `*.openai.azure.com`."""
    return fnmatch.fnmatchcase(host, pattern)
