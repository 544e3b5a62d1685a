"""Inventory: which facts are vendor usages, named the way users name them.

Imports: relative and first-party imports are the project's own; everything else is
matched against the catalog by longest module prefix (`from google import genai` imports
the module `google.genai`). Usage: clients are matched to catalog constructors and
factories, calls are attributed to their client's vendor, provider-only features and
hidden defaults are found from the packs' data, and literals and environment variables
are attributed by model family, host and variable name.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from auditor.audit import UsageRecord
from auditor.catalog import Feature, Product, RuleSet
from auditor.facts import (
    BASE_URL_KEYWORDS,
    CHECK,
    LOOKUP_KEY,
    CallFact,
    ConstructorFact,
    DependencyFact,
    EnvFact,
    Fact,
    ImportFact,
    SettingFact,
    StringFact,
    ToolFact,
)
from auditor.modules import ModuleIndex
from auditor.redact import redact_url
from auditor.roles import Roles

FLAG_NAMES = ("type_checking", "optional", "in_function", "conditional", "dynamic")
TRUE_LIKE = frozenset({"true", "1", "yes", "on"})


def build_inventory(
    facts: Iterable[Fact],
    modules: ModuleIndex,
    ruleset: RuleSet,
    roles: Roles | None = None,
    found: Iterable[UsageRecord] | None = None,
    switches: Iterable[Switches] | None = None,
) -> list[UsageRecord]:
    """`found` and `switches`: the records of the facts one by one (`fact_records`) and what
    `fact_switches` gives for them, when the caller kept them per file; what the whole project
    adds (hidden defaults, roles, the order) is done here."""
    facts = list(facts)
    products = {p.id: p for p in ruleset.products}
    records = list(found) if found is not None else fact_records(facts, modules, ruleset, products)
    role_of = roles.role if roles is not None else (lambda path: "product")
    parts = switches if switches is not None else [fact_switches(facts)]
    records.extend(_hidden_defaults(parts, records, ruleset, products, role_of))
    records = [replace(r, role=role) if (role := role_of(r.path)) != r.role else r for r in records]
    records.sort(key=_order)
    return records


def fact_records(
    facts: Iterable[Fact], modules: ModuleIndex, ruleset: RuleSet, products: dict[str, Product]
) -> list[UsageRecord]:
    """The records each fact makes by itself, in the facts' order."""
    records: list[UsageRecord] = []
    for fact in facts:
        if isinstance(fact, ImportFact):
            record = _import_record(fact, modules, ruleset)
            if record is not None:
                records.append(record)
        elif isinstance(fact, ConstructorFact):
            if not _first_party(modules, fact.loc.path, fact.qualname):
                records.extend(_constructor_records(fact, ruleset))
        elif isinstance(fact, CallFact):
            if not _first_party(modules, fact.loc.path, fact.receiver or fact.function or ""):
                records.extend(_call_records(fact, ruleset))
        elif isinstance(fact, StringFact):
            record = _string_record(fact, ruleset)
            if record is not None:
                records.append(record)
        elif isinstance(fact, EnvFact):
            vendor = ruleset.env_vendor(fact.name)
            if vendor is not None:
                value = (
                    f"{fact.access} ({fact.value})"
                    if fact.access == "read" and fact.value
                    else (f"{fact.access}={fact.value}" if fact.value else fact.access)
                )
                records.append(_record("env", fact, ruleset, fact.name, vendor=vendor, value=value))
        elif isinstance(fact, ToolFact):
            record = _tool_record(fact, ruleset, products)
            if record is not None:
                records.append(record)
        elif isinstance(fact, DependencyFact):
            product = ruleset.product_for_distribution(fact.name)
            if product is not None:
                records.append(
                    _record(
                        "dependency",
                        fact,
                        ruleset,
                        fact.name,
                        product=product,
                        call=f"{fact.source}:{fact.group}",
                        value=fact.version or fact.specifier,
                    )
                )
        elif isinstance(fact, SettingFact):
            product = ruleset.product_for_module(fact.name)
            if product is not None and not _first_party(modules, fact.loc.path, fact.name):
                records.append(_record("setting", fact, ruleset, fact.name, product=product))
    return records


def _record(
    kind: str,
    fact: Fact,
    ruleset: RuleSet,
    name: str,
    *,
    product: Product | None = None,
    vendor: str | None = None,
    host: str | None = None,
    **fields: Any,
) -> UsageRecord:
    vendor = vendor or (product.vendor if product else None)
    loc = fact.loc
    return UsageRecord(
        kind,
        loc.path,
        loc.line,
        loc.column,
        loc.cell,
        name=name,
        vendor=vendor,
        owner=ruleset.owner_of(vendor),
        layer=product.layer if product else ruleset.vendor_layers.get(vendor or "", "model-api"),
        product=product.id if product else None,
        host=host if host is not None else (product.host if product else None),
        scope=getattr(fact, "scope", "<module>"),
        **fields,
    )


def _tool_record(fact: ToolFact, ruleset: RuleSet, products: dict[str, Product]) -> UsageRecord | None:
    product = products.get(fact.product)
    if product is None:
        return None
    triggered = [d for d in ruleset.hidden_defaults if d.when_signal and d.when_signal == fact.signal]
    if triggered:  # a trigger, not a sign of its own
        default = next((d for d in triggered if fact.value in d.values), None)
        if default is None:
            return None
        return _record(
            "hidden-default",
            fact,
            ruleset,
            default.id,
            product=product,
            vendor=default.reaches or default.vendor,
            value=default.describe(fact.value or ""),
            signal=default.id,
        )
    return _record("config", fact, ruleset, fact.label, product=product, value=fact.value, signal=fact.signal)


def _first_party(modules: ModuleIndex, path: str, qualname: str) -> bool:
    """A name reached through the project's own modules (`agents.researcher.run` from a local
    `agents/researcher.py`) is not the vendor's, whatever its top-level name."""
    parts = qualname.split(".")
    return any(modules.is_first_party(path, ".".join(parts[:end])) for end in range(len(parts), 0, -1))


def _import_record(fact: ImportFact, modules: ModuleIndex, ruleset: RuleSet) -> UsageRecord | None:
    loc = fact.loc
    if fact.unresolved:
        return UsageRecord(
            "import",
            loc.path,
            loc.line,
            loc.column,
            loc.cell,
            name="",
            scope=fact.scope,
            flags=(*_flags(fact), "unresolved"),
            expression=fact.expression,
        )
    if fact.level or modules.is_first_party(loc.path, fact.module, fact.symbol):
        return None  # the project's own: most imports
    name, symbol, constructor, product = ruleset.import_target(fact.module, fact.symbol)
    if constructor is None and product is None:
        return None  # the standard library's, or a distribution the catalog does not know
    flags = _flags(fact)
    if constructor is not None:  # `from openai import AzureOpenAI`: OpenAI's API, served by Microsoft
        return _record(
            "import",
            fact,
            ruleset,
            name,
            product=constructor.product,
            vendor=constructor.vendor,
            host=constructor.host,
            symbol=symbol,
            flags=flags,
        )
    return _record("import", fact, ruleset, name, product=product, symbol=symbol, flags=flags)


def _flags(fact: ImportFact) -> tuple[str, ...]:
    return tuple(name for name in FLAG_NAMES if getattr(fact, name))


def _constructor_records(fact: ConstructorFact, ruleset: RuleSet) -> Iterator[UsageRecord]:
    keywords = dict(fact.keywords)
    factory = ruleset.factories.get(fact.qualname) if fact.service else None
    if factory is not None:
        if not fact.rebound:
            yield _record("client", fact, ruleset, fact.qualname, product=factory.product, value=fact.service)
        return
    constructor = ruleset.constructor_for(fact.qualname)
    if constructor is None:  # a vendor type built as data (a message, a config object)
        product = ruleset.product_for_module(fact.qualname)
        if product is not None:
            yield _record("call", fact, ruleset, fact.qualname, product=product)
            yield from _features(fact, ruleset, product, None, fact.qualname)
        return
    product = constructor.product
    base_url = redact_url(next((keywords[k] for k in BASE_URL_KEYWORDS if keywords.get(k)), None))
    if not fact.rebound:
        yield _record(
            "client",
            fact,
            ruleset,
            constructor.name,
            product=product,
            vendor=constructor.vendor,
            host=constructor.host,
            value=base_url,
        )
    reached = ruleset.host_vendor(_host_port(base_url)) if base_url else None
    if reached is not None and reached != constructor.vendor:
        # An SDK pointed at another vendor's compatible endpoint: the wire format is portable.
        yield _record(
            "compatible-api",
            fact,
            ruleset,
            constructor.name,
            product=product,
            vendor=reached,
            host=None,
            value=base_url,
        )
    if fact.rebound:
        return
    yield from _features(
        fact,
        ruleset,
        product,
        None,
        constructor.name,
        reached if reached is not None and reached != constructor.vendor else None,
    )


def _call_records(fact: CallFact, ruleset: RuleSet) -> Iterator[UsageRecord]:
    if fact.receiver is not None and ".types." in f"{fact.receiver}.":
        return  # `response.model_dump()` on a vendor's response or data type: not an API call
    if fact.receiver is not None:
        factory = ruleset.factories.get(fact.receiver) if fact.service else None
        constructor = None if factory else ruleset.constructor_for(fact.receiver)
        if factory is not None:
            product, vendor, host, name = factory.product, None, None, fact.receiver
        elif constructor is not None:
            product, vendor, host, name = constructor.product, constructor.vendor, constructor.host, constructor.name
        else:
            found = ruleset.product_for_module(fact.receiver)
            if found is None:
                return
            product, vendor, host, name = found, None, None, fact.receiver
        base_url = redact_url(fact.base_url)
        yield _record(
            "call",
            fact,
            ruleset,
            name,
            product=product,
            vendor=vendor,
            host=host,
            call=fact.path,
            value=fact.service or base_url,
            via=fact.via,
        )
        # A provider-only feature on a client pointed at another vendor is that vendor's to replace.
        reached = ruleset.host_vendor(_host_port(base_url)) if base_url else None
        yield from _features(fact, ruleset, product, fact.path, None, reached or vendor)
        return
    assert fact.function is not None
    found = ruleset.product_for_module(fact.function)
    if found is not None:
        yield _record("call", fact, ruleset, fact.function, product=found)
        yield from _features(fact, ruleset, found, None, fact.function)


def _features(
    fact: ConstructorFact | CallFact,
    ruleset: RuleSet,
    product: Product,
    path: str | None,
    function: str | None,
    vendor: str | None = None,
) -> Iterator[UsageRecord]:
    keywords = {name for name, _ in fact.keywords}
    for feature in ruleset.features:
        matched = _feature_match(feature, product, path, function, keywords, fact)
        if matched is not False:
            # `vendor` is the host a client reaches when it is not the SDK's own vendor.
            owner_vendor = vendor if vendor is not None and vendor != product.vendor else feature.vendor
            yield _record(
                "feature",
                fact,
                ruleset,
                feature.id,
                product=product,
                vendor=owner_vendor,
                call=path or function,
                value=matched,
                signal=feature.id,
            )


def _feature_match(
    feature: Feature,
    product: Product,
    path: str | None,
    function: str | None,
    keywords: set[str],
    fact: ConstructorFact | CallFact,
) -> str | None | bool:
    """False when the feature does not match; otherwise the signal that matched (or None)."""
    if feature.products and product.id not in feature.products:
        return False
    if not feature.products and product.pack != feature.pack:
        return False
    if feature.paths or feature.functions:
        located = (path is not None and any(fnmatch.fnmatchcase(path, g) for g in feature.paths)) or (
            function is not None and any(fnmatch.fnmatchcase(function, g) for g in feature.functions)
        )
        if not located:
            return False
    if not (feature.keywords or feature.tool_types or feature.dict_keys):
        return None if (feature.paths or feature.functions) else False
    for signals, present in (
        (feature.keywords, keywords),
        (feature.tool_types, set(fact.tool_types)),
        (feature.dict_keys, set(fact.dict_keys)),
    ):
        hits = sorted(signals & present)
        if hits:
            return ", ".join(hits)
    return False


def _string_record(fact: StringFact, ruleset: RuleSet) -> UsageRecord | None:
    if fact.what == "endpoint":
        vendor = ruleset.host_vendor(_host_port(fact.value))
        if vendor is None:
            return None
        return _record("endpoint", fact, ruleset, _host_port(fact.value), vendor=vendor, value=fact.value)
    family = ruleset.family(fact.family)
    if family is None:
        return None
    flags = tuple(
        f
        for f, on in (
            ("open_weight", family.open_weight),
            ("routed", bool(fact.routed_via)),
            ("lookup_key", fact.context == LOOKUP_KEY),
            ("check", fact.context == CHECK),
        )
        if on
    )
    if family.open_weight:  # anyone can serve open weights: the host is the lock-in, not the model's author
        host = ruleset.routing_vendors.get(fact.routed_via or "")
        return UsageRecord(
            "model-id",
            fact.loc.path,
            fact.loc.line,
            fact.loc.column,
            fact.loc.cell,
            name=family.family,
            vendor=host,
            owner=ruleset.owner_of(host),
            layer="model-api",
            scope=fact.scope,
            value=fact.value,
            flags=flags,
            signal=family.family,
        )
    return _record(
        "model-id",
        fact,
        ruleset,
        family.family,
        vendor=family.vendor,
        host=family.host,
        value=fact.value,
        flags=flags,
        signal=family.family,
    )


@dataclass
class Switches:
    """What facts say about the project's hidden defaults: the functions called, the environment
    variables and settings seen, and what may switch a default on, in source order."""

    called: set[str] = field(default_factory=set)
    env: set[str] = field(default_factory=set)
    settings: set[str] = field(default_factory=set)
    switches: list[EnvFact | ConstructorFact] = field(default_factory=list)


def fact_switches(facts: Iterable[Fact]) -> Switches:
    found = Switches()
    for fact in facts:
        if isinstance(fact, CallFact):
            if fact.function:
                found.called.add(fact.function)
        elif isinstance(fact, EnvFact):
            found.env.add(fact.name)
            found.switches.append(fact)
        elif isinstance(fact, SettingFact):
            found.settings.add(fact.name)
        elif isinstance(fact, ConstructorFact):
            found.switches.append(fact)
    return found


def _hidden_defaults(
    parts: Iterable[Switches],
    records: list[UsageRecord],
    ruleset: RuleSet,
    products: dict[str, Product],
    role_of: Callable[[str], str],
) -> Iterator[UsageRecord]:
    """Project-level: defaults of abstraction layers that reach a vendor no import shows."""
    # Imports, and vendor types used without a client (`llama_index.core.VectorStoreIndex(...)`).
    imports = sorted(
        (r for r in records if (r.kind == "import" or (r.kind == "call" and r.call is None)) and r.name),
        key=lambda r: (role_of(r.path) != "product", _order(r)),
    )  # product code first: it counts
    called: set[str] = set()
    env_seen: set[str] = set()
    settings: set[str] = set()
    switches: list[EnvFact | ConstructorFact] = []
    for part in parts:
        called |= part.called
        env_seen |= part.env
        settings |= part.settings
        switches += part.switches
    for default in ruleset.hidden_defaults:
        if default.when_imported:
            first = next((r for r in imports if _reaches(r, default.when_imported, default.when_symbols)), None)
            if first is None:
                continue
            suppressed = (
                any(_called(c, called) for c in default.unless_called)
                or env_seen & set(default.unless_env)
                or settings & set(default.unless_set)
            )
            if not suppressed:
                yield UsageRecord(
                    "hidden-default",
                    first.path,
                    first.line,
                    first.column,
                    first.cell,
                    name=default.id,
                    vendor=default.reaches,
                    owner=ruleset.owner_of(default.reaches),
                    layer=first.layer,
                    product=first.product,
                    scope=first.scope,
                    value=default.title,
                    signal=default.id,
                )
        for fact in switches if default.when_env_set or default.constructor else ():
            if (
                default.when_env_set
                and isinstance(fact, EnvFact)
                and fact.name in default.when_env_set
                and _switched_on(fact)
            ):
                yield _record(
                    "hidden-default",
                    fact,
                    ruleset,
                    default.id,
                    vendor=default.reaches or default.vendor,
                    value=default.title,
                    signal=default.id,
                )
            if default.constructor and isinstance(fact, ConstructorFact):
                constructor = ruleset.constructor_for(fact.qualname)
                model = dict(fact.keywords).get(default.keyword or "")
                if constructor is None or constructor.name != default.constructor or not model:
                    continue
                target = next((vendor for pattern, vendor in default.routes if pattern.search(model)), None)
                if target is not None:
                    yield _record(
                        "hidden-default",
                        fact,
                        ruleset,
                        default.id,
                        product=constructor.product,
                        vendor=target,
                        value=default.title,
                        signal=default.id,
                    )


def _reaches(record: UsageRecord, module: str, symbols: tuple[str, ...]) -> bool:
    """An import or use of `module`, or, with `symbols`, of one of those names under it."""
    name = f"{record.name}.{record.symbol}" if record.symbol and record.symbol != "*" else record.name
    if name != module and not name.startswith(module + "."):
        return False
    return not symbols or name.rsplit(".", 1)[-1] in symbols


def _switched_on(fact: EnvFact) -> bool:
    """Set to true unconditionally, or read with true as its default: on unless someone says no.
    A write under a condition (`if LANGCHAIN_API_KEY: …`) is an opt-in, not a default."""
    if fact.access == "write":
        return not fact.conditional and (fact.value or "") in TRUE_LIKE
    return (
        fact.access == "read"
        and (fact.value or "").removeprefix("default=") in TRUE_LIKE
        and (fact.value or "").startswith("default=")
    )


def _called(name: str, called: set[str]) -> bool:
    """`agents.set_tracing_disabled` is called as that or through a submodule of `agents`."""
    module, _, function = name.rpartition(".")
    return name in called or any(c.startswith(module + ".") and c.endswith("." + function) for c in called)


def _host_port(url: str | None) -> str:
    parts = urlsplit(url or "")
    try:
        port = parts.port
    except ValueError:
        port = None
    host = (parts.hostname or "").lower()
    return f"{host}:{port}" if port else host


def _order(record: UsageRecord) -> tuple[str, int, int, int, str, str, str, str, str, str]:
    return (
        record.path,
        record.cell if record.cell is not None else -1,
        record.line,
        record.column,
        record.kind,
        record.name,
        record.symbol or "",
        record.call or "",
        record.value or "",
        record.expression or "",
    )
