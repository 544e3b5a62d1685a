"""Load rule packs (YAML under `rules/` and user folders) into a catalog and rule table.

Packs may come from the scanned repository, so they are loaded with the safe loader and
validated field by field; a broken pack raises `PackError` naming the file and field
(exit 2). The full JSON Schema and the declarative `when` matcher arrive with the rule
pack work; this module already owns the format.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import hashlib
import functools
import json
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from auditor.files import read_regular
from auditor.limits import LimitError, regex
from auditor.resources import data_dir
from auditor.severity import SEVERITIES

LAYERS = (
    "model-api", "orchestration", "tokenizer", "evaluation", "package-manager", "lint-format",
    "type-check", "ci", "cloud", "coding-assistant", "registry",
)
EFFORTS = (0, 1, 3, 5, 7, 13)
# Checks made by a later stage of the pipeline, over the findings or the history themselves
# (auditor/suppress.py, auditor/gate.py).
PIPELINE_CHECKS = frozenset({"suppressions", "gate-changes"})
# The record kinds a constructor's instance shows as: a client, or another vendor's API through it.
CLIENT_KINDS = frozenset({"client", "compatible-api"})
# Checks whose rules cannot carry offline examples, and why.
EXAMPLELESS_CHECKS = {"vulnerable-dependency": "its data comes from a vulnerability service; tested in test_vulns.py",
                      "gate-changes": "it compares with a git merge base; tested in test_since.py"}

MAX_PATTERN = 1000
MAX_PACK_BYTES = 1024 * 1024  # the largest built-in pack is under 30 KiB
MAX_PACKS = 200  # files in one rules folder
# The C-accelerated safe loader when PyYAML was built with libyaml: same safety, faster start.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


# A compiled pack regex: `re.Pattern[str]` for the built-in packs, an RE2 pattern (same methods)
# for a user's or repository's pack.
Regex = Any


class PackError(Exception):
    """A rule pack that cannot be used; the message names the file, rule and field."""


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
    vendor: str  # the pack's vendor: whose default it is
    reaches: str | None  # the vendor the default sends traffic to
    when_imported: str | None = None
    when_symbols: tuple[str, ...] = ()  # only these names under `when_imported` reach the default
    unless_called: tuple[str, ...] = ()
    unless_env: tuple[str, ...] = ()
    unless_set: tuple[str, ...] = ()
    when_env_set: tuple[str, ...] = ()
    constructor: str | None = None
    keyword: str | None = None
    routes: tuple[tuple[Regex, str], ...] = ()


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
    terraform: tuple[tuple[str, str], ...] = ()  # (resource type glob, product id)
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
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), self.message)


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
    env_vars: dict[str, str] = field(default_factory=dict)  # name -> vendor
    env_prefixes: list[tuple[str, str]] = field(default_factory=list)
    hosts: list[tuple[str, str]] = field(default_factory=list)  # (glob over host[:port], vendor)
    routing_prefixes: set[str] = field(default_factory=set)
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
        return frozenset(r.id for r in self.rules.values() if r.scope == "file" or r.when.get("check") in PIPELINE_CHECKS)

    def vendors(self) -> set[str]:
        """Every vendor and company the catalog names: what `allow-vendors` and the like may use."""
        return ({p.vendor for p in self.products} | {p.host for p in self.products if p.host} | set(self.owners)
                | set(self.owners.values()) | {v for _, v in self.hosts} | set(self.acquisitions))

    def detectors(self) -> Detectors:
        roots = {f.name.split(".")[0] for f in self.factories.values()}
        tracked = frozenset(self._by_module) | roots
        return Detectors(
            tracked_modules=tracked,
            factories={f.name: (f.argument, f.services) for f in self.factories.values()},
            model_families=tuple((m.family, m.pattern, m.needs_context) for m in self.model_families),
            model_prefilter=any_of(m.pattern for m in self.model_families),
            routing_prefixes=frozenset(self.routing_prefixes),
            hosts=tuple(pattern for pattern, _ in self.hosts),
            terraform=tuple((glob, p.id) for p in self.products for glob in p.terraform_resources),
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
    Patterns from user packs are RE2's (see `_compile`): those are joined on RE2, the built-in
    ones on `re`, and the result asks both."""
    native, linear = [], []
    for pattern in patterns:
        source = pattern.pattern
        flags = re.match(r"^\(\?([aiLmsux]+)\)", source)
        part = f"(?{flags.group(1)}:{source[flags.end():]})" if flags else f"(?:{source})"
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


OWNERS_FILE = "owners.yaml"
SECRETS_FILE = "secrets.yaml"


def load_rules(extra_dirs: Iterable[Path] = (), count_announced: bool = True) -> RuleSet:
    ruleset = RuleSet(count_announced=count_announced)
    digest = hashlib.sha256()
    built_in = data_dir("rules")
    for folder in (built_in, *extra_dirs):
        # The built-in packs ship with lockaudit and the test suite validates them against the
        # schemas; re-validating them on every run would cost a fifth of a warm scan. Packs from
        # any other folder may come from the scanned repository: they are validated, and their
        # regexes run on RE2.
        validate = folder != built_in
        for path, data in _pack_files(folder):
            digest.update(path.name.encode() + b"\0" + data + b"\0")
            if path.name == OWNERS_FILE:
                _load_owners(path, ruleset, validate, data)
            elif path.name == SECRETS_FILE:
                _load_secrets(path, ruleset, validate, data)
            else:
                _load_pack(path, ruleset, validate, data)
    ruleset.digest = digest.hexdigest()
    return ruleset


def _pack_files(folder: Path) -> Iterator[tuple[Path, bytes]]:
    """The YAML files of a rules folder with their bytes, by name: regular files only (never a
    FIFO, a device, a symlink or a folder), each at most MAX_PACK_BYTES, at most MAX_PACKS."""
    try:
        paths = sorted(path for path in folder.iterdir() if fnmatch.fnmatchcase(path.name, "*.y*ml"))
    except OSError as exc:
        raise PackError(f"{folder.name}: the rules folder cannot be read: {exc.strerror or exc}") from exc
    if len(paths) > MAX_PACKS:
        raise PackError(f"{folder.name}: more than {MAX_PACKS} rule packs in one folder")
    for path in paths:
        try:
            mode = os.lstat(path).st_mode
            if not stat.S_ISREG(mode):
                kind = "a symlink" if stat.S_ISLNK(mode) else "a folder" if stat.S_ISDIR(mode) else "a special file"
                raise OSError(0, f"{kind}, not a regular file")
            data = read_regular(path, MAX_PACK_BYTES)
        except OSError as exc:
            raise PackError(f"{path.name}: cannot be read: {exc.strerror or exc}") from exc
        yield path, data


MAX_YAML_NODES = 200_000  # after aliases are expanded: a "billion laughs" document stops here


def yaml_problem(root: yaml.Node) -> str | None:
    """Aliases that expand past a bound, or a key given twice in one mapping (which the safe
    loader would silently resolve to the last value): either makes the file untrustworthy."""
    stack, seen = [root], 0
    while stack:
        node = stack.pop()
        seen += 1
        if seen > MAX_YAML_NODES:
            return f"more than {MAX_YAML_NODES} nodes once aliases are expanded (an alias bomb?)"
        if isinstance(node, yaml.MappingNode):
            keys: set[str] = set()
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in keys and key.value != "<<":
                        return f"duplicate key {key.value!r} at line {key.start_mark.line + 1}"
                    keys.add(key.value)
                stack.extend((key, value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return None


def _load_yaml(path: Path, data: bytes | None, validate: bool = True) -> Any:
    """A pack or catalog from YAML (`data`, or else read from `path`): the safe loader, and (for
    packs not shipped with lockaudit) no alias bomb or duplicate key."""
    try:
        text = (read_regular(path, MAX_PACK_BYTES) if data is None else data).decode("utf-8")
        node = yaml.compose(text, Loader=_SafeLoader) if validate else None
        problem = yaml_problem(node) if node is not None else None
        if problem is not None:
            raise PackError(f"{path.name}: cannot be read as YAML: {problem}")
        return yaml.load(text, Loader=_SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError) as exc:
        raise PackError(f"{path.name}: cannot be read as YAML: {exc}") from exc


def _load_catalog(path: Path, data: bytes | None, schema_name: str, validate: bool = True) -> Any:
    """A YAML catalog that is not a rule pack, validated against its own schema."""
    document = _load_yaml(path, data, validate)
    error = jsonschema_best_error(_validator(schema_name), document) if validate else None
    if error is not None:
        location = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path).lstrip(".")
        raise PackError(f"{path.name}: {f'{location!r}: ' if location else ''}{error.message}")
    return document


def _load_secrets(path: Path, ruleset: RuleSet, validate: bool = True, data: bytes | None = None) -> None:
    """Key-shaped values to redact from every output; user folders add to the built-in ones."""
    document = _load_catalog(path, data, "secrets-1.schema.json", validate)
    for index, raw in enumerate(document["patterns"]):
        where = f"{path.name}: patterns[{index}] ({raw['id']})"
        pattern = _compile(raw["pattern"], where, validate)
        group = raw.get("group", 0)
        if group > pattern.groups:
            raise PackError(f"{where}: 'group' {group} but the pattern has {pattern.groups} groups")
        ruleset.secrets.append(SecretPattern(raw["id"], pattern, group, tuple(raw["examples"]["redact"]),
                                             tuple(raw["examples"].get("keep", ()))))


def _load_owners(path: Path, ruleset: RuleSet, validate: bool = True, data: bytes | None = None) -> None:
    """The ownership catalog: acquisitions (with status and date), related stakes, alternatives."""
    document = _load_catalog(path, data, "owners-1.schema.json", validate)
    for raw in document.get("acquisitions", []):
        ruleset.acquisitions[raw["company"]] = Acquisition(
            raw["company"], raw["owner"], raw["status"], str(raw["as_of"]), raw["source"])
    ruleset.related.extend({k: str(v) for k, v in raw.items()} for raw in document.get("related", []))
    ruleset.alternatives.update(document.get("alternatives", {}))


def _load_pack(path: Path, ruleset: RuleSet, validate: bool = True, data: bytes | None = None) -> None:
    name = path.name
    document = _load_yaml(path, data, validate)
    if not isinstance(document, dict):
        raise PackError(f"{name}: a rule pack must be a mapping")
    if validate:
        _check_against_schema(name, document)  # types and unknown keys; cross-references are checked below
    pack_id = _text(document, "id", name)
    if any(p.id == pack_id for p in ruleset.packs):
        raise PackError(f"{name}: pack id '{pack_id}' is defined twice")
    version = document.get("version", 1)
    if not isinstance(version, int):
        raise PackError(f"{name}: 'version' must be an integer")
    ruleset.packs.append(PackInfo(pack_id, _text(document, "title", name), version, name))
    if isinstance(document.get("vendor"), str) and isinstance(document.get("owner"), str):
        ruleset.owners.setdefault(document["vendor"], document["owner"])
        ruleset.vendor_layers.setdefault(document["vendor"], document.get("layer", "model-api"))

    catalog = document.get("catalog", {}) or {}
    for where, raw in _mappings(catalog.get("products"), f"{name}: catalog.products"):
        layer = raw.get("layer", document.get("layer"))
        if layer not in LAYERS:
            raise PackError(f"{where}: 'layer' must be one of {', '.join(LAYERS)}, got {layer!r}")
        product = Product(
            id=_text(raw, "id", where),
            title=_text(raw, "title", where),
            vendor=_text(raw, "vendor", where, default=document.get("vendor")),
            owner=_text(raw, "owner", where, default=document.get("owner")),
            layer=layer,
            host=raw.get("host"),
            abstraction=raw.get("abstraction", False),
            pack=pack_id,
            modules=_texts(raw, "modules", where),
            distributions=_texts(raw, "distributions", where),
            terraform_resources=_texts(raw, "terraform_resources", where),
        )
        ruleset.products.append(product)
        for module in product.modules:
            if module in ruleset._by_module:
                raise PackError(f"{where}: module '{module}' is already claimed by '{ruleset._by_module[module].id}'")
            ruleset._by_module[module] = product

    _load_usage_catalog(name, document, catalog, ruleset, validate)

    for where, raw in _mappings(document.get("rules"), f"{name}: rules"):
        rule_id = _text(raw, "id", where)
        where = f"{name}: rule '{rule_id}'"
        severity = _severity(raw.get("severity"), where)
        effort = _effort(raw.get("effort"), where)
        if rule_id in ruleset.rules:
            raise PackError(f"{where}: rule id is already defined in pack '{ruleset.rules[rule_id].pack}'")
        scope = raw.get("scope", "file")
        if scope not in ("file", "project"):
            raise PackError(f"{where}: 'scope' must be 'file' or 'project', got {scope!r}")
        texts = {key: _text(raw, key, where) for key in ("title", "category", "message", "remediation")}
        ruleset.rules[rule_id] = Rule(
            id=rule_id,
            severity=severity,
            effort=effort,
            links=_texts(raw, "links", where),
            pack=pack_id,
            when=_when(raw.get("when"), scope, where, validate),
            scope=scope,
            by_feature=raw.get("by_feature", False) is True,
            effort_per="project" if raw.get("effort_per") == "project" else "file",
            examples=_examples(raw.get("examples"), where),
            **texts,
        )


def _load_usage_catalog(name: str, document: dict[str, Any], catalog: dict[str, Any], ruleset: RuleSet,
                        untrusted: bool = True) -> None:
    """Constructors, factories, env vars, hosts, model ids, features and hidden defaults."""
    vendor = document.get("vendor")
    products = {p.id: p for p in ruleset.products}

    def product_of(raw: dict[str, Any], where: str) -> Product:
        product_id = _text(raw, "product", where)
        if product_id not in products:
            raise PackError(f"{where}: 'product' {product_id!r} is not a product of any pack loaded so far")
        return products[product_id]

    def vendor_of(raw: dict[str, Any], where: str, default: str | None) -> str:
        return _text(raw, "vendor", where, default=default)

    for where, raw in _mappings(catalog.get("constructors"), f"{name}: catalog.constructors"):
        product = product_of(raw, where)
        constructor = Constructor(_text(raw, "name", where), product, vendor_of(raw, where, product.vendor),
                                  _optional_text(raw, "host", where, product.host))
        ruleset.constructors.append(constructor)
        _add_examples(ruleset, raw.get("examples"), where, CLIENT_KINDS, constructor.name)
        ruleset._constructors_by_name.setdefault(constructor.name.rsplit(".", 1)[-1], []).append(constructor)
    for where, raw in _mappings(catalog.get("factories"), f"{name}: catalog.factories"):
        factory = Factory(_text(raw, "name", where), _text(raw, "argument", where),
                          frozenset(_texts(raw, "services", where)), product_of(raw, where))
        ruleset.factories[factory.name] = factory
        _add_examples(ruleset, raw.get("examples"), where, frozenset({"client"}), factory.name)
    for where, raw in _mappings(catalog.get("model_ids"), f"{name}: catalog.model_ids"):
        context = raw.get("context", "any")
        if context not in ("any", "model"):
            raise PackError(f"{where}: 'context' must be 'any' or 'model', got {context!r}")
        ruleset.model_families.append(ModelFamily(
            family=_text(raw, "family", where),
            vendor=vendor_of(raw, where, vendor),
            host=_optional_text(raw, "host", where, None),
            pattern=_compile(_text(raw, "pattern", where), f"{where}: 'pattern'", untrusted),
            needs_context=context == "model",
            open_weight=raw.get("open_weight", False) is True,
        ))
        # A model id is an example as a value given to `model`: where a scan would meet it.
        _add_examples(ruleset, raw.get("examples"), where, frozenset({"model-id"}), raw["family"],
                      as_code=lambda value: f"model = {value!r}\n")
    for variable in _texts(catalog, "env_vars", f"{name}: catalog"):
        ruleset.env_vars.setdefault(variable, vendor)
    for prefix in _texts(catalog, "env_prefixes", f"{name}: catalog"):
        ruleset.env_prefixes.append((prefix, vendor))
    if catalog.get("env_vars") or catalog.get("env_prefixes"):
        _add_examples(ruleset, catalog.get("env_examples"), f"{name}: catalog.env_examples", frozenset({"env"}), None,
                      vendor=vendor, as_code=lambda variable: f"import os\n\nos.getenv({variable!r})\n")
    for host in _texts(catalog, "hosts", f"{name}: catalog"):
        ruleset.hosts.append((host.lower(), vendor))
    for prefix in _texts(catalog, "routing_prefixes", f"{name}: catalog"):
        ruleset.routing_prefixes.add(prefix)
        if vendor:
            ruleset.routing_vendors.setdefault(prefix, vendor)
            ruleset.structure.vendor_names.setdefault(prefix.lower(), vendor)
    structure = catalog.get("structure") or {}
    if not isinstance(structure, dict):
        raise PackError(f"{name}: catalog.structure must be a mapping")
    names = structure.get("vendor_names") or {}
    if not isinstance(names, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in names.items()):
        raise PackError(f"{name}: catalog.structure.vendor_names must map words to vendors")
    for word, named in names.items():
        ruleset.structure.vendor_names.setdefault(word.lower(), named)
    for key in ("adapter_names", "generic_names", "web_modules", "web_folders", "persistence_modules",
                "persistence_folders"):
        getattr(ruleset.structure, key).update(_texts(structure, key, f"{name}: catalog.structure"))
    for where, raw in _mappings(catalog.get("roles"), f"{name}: catalog.roles"):
        ruleset.role_conventions.append(RoleConvention(
            _text(raw, "role", where), frozenset(_texts(raw, "folders", where)), _texts(raw, "files", where),
            raw.get("in_packages", False) is True))
    for where, raw in _mappings(catalog.get("features"), f"{name}: catalog.features"):
        ruleset.features.append(Feature(
            id=_text(raw, "id", where),
            title=_text(raw, "title", where),
            vendor=vendor_of(raw, where, vendor),
            pack=document["id"],
            products=frozenset(_texts(raw, "products", where)),
            paths=_texts(raw, "paths", where),
            functions=_texts(raw, "functions", where),
            keywords=frozenset(_texts(raw, "keywords", where)),
            tool_types=frozenset(_texts(raw, "tool_types", where)),
            dict_keys=frozenset(_texts(raw, "dict_keys", where)),
            severity=_severity(raw.get("severity", "medium"), where),
            effort=_effort(raw.get("effort", 3), where),
            substitute=_optional_text(raw, "substitute", where, None) or "",
        ))
        _add_examples(ruleset, raw.get("examples"), where, frozenset({"feature"}), raw["id"])
    for where, raw in _mappings(catalog.get("hidden_defaults"), f"{name}: catalog.hidden_defaults"):
        routes = raw.get("routes", {}) or {}
        if not isinstance(routes, dict):
            raise PackError(f"{where}: 'routes' must be a mapping of regex to vendor")
        ruleset.hidden_defaults.append(HiddenDefault(
            id=_text(raw, "id", where),
            title=_text(raw, "title", where),
            vendor=vendor,
            reaches=_optional_text(raw, "reaches", where, None),
            when_imported=_optional_text(raw, "when_imported", where, None),
            when_symbols=_texts(raw, "when_symbols", where),
            unless_called=_texts(raw, "unless_called", where),
            unless_env=_texts(raw, "unless_env", where),
            unless_set=_texts(raw, "unless_set", where),
            when_env_set=_texts(raw, "when_env_set", where),
            constructor=_optional_text(raw, "constructor", where, None),
            keyword=_optional_text(raw, "keyword", where, None),
            routes=tuple((_compile(pattern, f"{where}: routes", untrusted), target) for pattern, target in routes.items()),
        ))
        _add_examples(ruleset, raw.get("examples"), where, frozenset({"hidden-default"}), raw["id"])


def _severity(value: Any, where: str) -> str:
    if value not in SEVERITIES:
        raise PackError(f"{where}: 'severity' must be one of {', '.join(SEVERITIES)}, got {value!r}")
    return value


def _effort(value: Any, where: str) -> int:
    if value not in EFFORTS or isinstance(value, bool):
        raise PackError(f"{where}: 'effort' must be one of {EFFORTS}, got {value!r}")
    return value


def _when(when: Any, scope: str, where: str, validate: bool = True) -> dict[str, Any]:
    """Validate a rule's condition against the closed grammar, and compile its regexes."""
    if not isinstance(when, dict):
        raise PackError(f"{where}: 'when' must be a mapping")
    error = jsonschema_best_error(_when_validator(), when) if validate else None
    if error is not None:
        location = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        raise PackError(f"{where}: 'when{location}': {error.message}")
    if ("check" in when) != (scope == "project"):
        raise PackError(f"{where}: 'when.check' is required for scope 'project' and allowed only there")
    for pattern in _regexes(when):
        _compile(pattern, f"{where}: 'when' regex", validate)
    return when


def _regexes(condition: Any) -> Iterator[str]:
    if isinstance(condition, dict):
        for key, value in condition.items():
            if key == "regex" and isinstance(value, str):
                yield value
            else:
                yield from _regexes(value)
    elif isinstance(condition, list):
        for item in condition:
            yield from _regexes(item)


def _examples(raw: Any, where: str) -> tuple[Example, ...]:
    return tuple(Example(_example_files(item, f"{where}: 'examples.{label}[{index}]'"), label == "trigger")
                 for label, index, item in _example_items(raw, where, ("trigger", "ignore")))


def _example_items(section: Any, where: str, labels: tuple[str, str]) -> Iterator[tuple[str, int, Any]]:
    """(label, index, item) of an `examples` mapping of two lists, checked for shape."""
    if section is None:
        return
    if not isinstance(section, dict) or set(section) - set(labels):
        raise PackError(f"{where}: 'examples' must be a mapping with '{labels[0]}' and '{labels[1]}' lists")
    for label in labels:
        items = section.get(label, [])
        if not isinstance(items, list):
            raise PackError(f"{where}: 'examples.{label}' must be a list")
        for index, item in enumerate(items):
            yield label, index, item


def _example_files(item: Any, where: str) -> tuple[tuple[str, str], ...]:
    """An example's files: code alone is `example.py`; paths must stay inside the example."""
    files = {"example.py": item} if isinstance(item, str) else item
    if not isinstance(files, dict) or not files or not all(
            isinstance(k, str) and isinstance(v, str) and _safe_example_path(k) for k, v in files.items()):
        raise PackError(f"{where} must be code, or a mapping of relative file paths to code")
    return tuple(sorted(files.items()))


def _add_examples(ruleset: RuleSet, section: Any, where: str, kinds: frozenset[str], name: str | None,
                  vendor: str | None = None, as_code: Callable[[str], str] | None = None) -> None:
    """The `match` and `ignore` examples of one catalog entry. `as_code` turns a value into the
    code that uses it; with `name` None, each value is itself the name to find (a variable)."""
    examples = list(_catalog_examples(section, where, kinds, name, vendor, as_code))
    ruleset.catalog_examples.extend(examples)
    if {e.match for e in examples} != {True, False}:
        ruleset.unexampled.append(f"{where} ({name})" if name else where)


def _catalog_examples(section: Any, where: str, kinds: frozenset[str], name: str | None,
                      vendor: str | None, as_code: Callable[[str], str] | None) -> Iterator[CatalogExample]:
    for label, index, item in _example_items(section, where, ("match", "ignore")):
        at = f"{where}: 'examples.{label}[{index}]'"
        if as_code is not None and (not isinstance(item, str) or not item):
            raise PackError(f"{at} must be a non-empty string")
        files = _example_files(as_code(item) if as_code is not None else item, at)
        found = name if name is not None else item
        yield CatalogExample(f"{where} ({found}) {label}[{index}]", where.partition(":")[0], kinds, found, vendor,
                             files, label == "match")


def _safe_example_path(path: str) -> bool:
    parts = path.split("/")
    return bool(path) and not path.startswith("/") and ".." not in parts and "" not in parts


def _check_against_schema(name: str, document: dict[str, Any]) -> None:
    """The whole pack against its closed schema: catches unknown keys (a typo such as
    `severty` would otherwise silently fall back to a default)."""
    error = jsonschema_best_error(_validator("pack-1.schema.json"), document)
    if error is None:
        return
    path = list(error.absolute_path)
    where = name
    if len(path) >= 2 and path[0] == "rules" and isinstance(path[1], int):
        rule = document["rules"][path[1]]
        where = f"{name}: rule '{rule.get('id', path[1])}'" if isinstance(rule, dict) else where
        path = path[2:]
    field_name = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
    raise PackError(f"{where}: {f'{field_name!r}: ' if field_name else ''}{error.message}")


def _when_validator() -> Any:
    return _validator("when-1.schema.json")


@functools.lru_cache(maxsize=4)
def _validator(schema_name: str) -> Any:
    import jsonschema

    schema = json.loads((Path(__file__).parent / "schemas" / schema_name).read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def jsonschema_best_error(validator: Any, instance: Any) -> Any:
    import jsonschema

    return jsonschema.exceptions.best_match(validator.iter_errors(instance))


def _optional_text(raw: dict[str, Any], key: str, where: str, default: str | None) -> str | None:
    value = raw.get(key, default)
    if value is not None and not (isinstance(value, str) and value.strip()):
        raise PackError(f"{where}: '{key}' must be a non-empty string")
    return value


def _compile(pattern: Any, where: str, untrusted: bool = True) -> Any:
    """A pack's regex: on RE2 when the pack is not lockaudit's own, so that no pattern can
    backtrack (`(a|aa)+$` on a long line would otherwise run for hours); the built-in packs,
    tested with the suite, may use `re`'s lookarounds."""
    if not isinstance(pattern, str) or len(pattern) > MAX_PATTERN:
        raise PackError(f"{where}: a regex must be a string of at most {MAX_PATTERN} characters")
    try:
        return regex(pattern) if untrusted else re.compile(pattern)
    except LimitError as exc:
        raise PackError(f"{where}: {exc}") from None
    except re.error as exc:
        raise PackError(f"{where}: invalid regex: {exc}") from exc


def _mappings(section: Any, label: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """The entries of a list-of-mappings section, each with the name errors should use."""
    if section is None:
        return
    if not isinstance(section, list):
        raise PackError(f"{label} must be a list")
    for index, raw in enumerate(section):
        if not isinstance(raw, dict):
            raise PackError(f"{label}[{index}] must be a mapping")
        yield f"{label}[{index}]", raw


def _text(raw: dict[str, Any], key: str, where: str, default: Any = None) -> str:
    value = raw.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise PackError(f"{where}: '{key}' must be a non-empty string, got {value!r}")
    return value.strip()


def _texts(raw: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise PackError(f"{where}: '{key}' must be a list of strings")
    return tuple(value)
