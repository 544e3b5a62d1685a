"""Load rule packs (YAML under `rules/` and user folders) into a `RuleSet` (auditor/catalog.py).

Packs may come from the scanned repository, so they are read with auditor/safe_yaml.py, checked
against their JSON Schema and field by field, and their regexes run on RE2; a broken pack raises
`PackError` naming the file and field (exit 2).
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

from auditor import assistants
from auditor.catalog import (
    CLIENT_KINDS,
    EFFORTS,
    LAYERS,
    Acquisition,
    CatalogExample,
    Constructor,
    Example,
    Factory,
    Feature,
    HiddenDefault,
    ModelFamily,
    PackInfo,
    Product,
    RoleConvention,
    Rule,
    RuleSet,
    SecretPattern,
)
from auditor.facts import TOOL_SIGNALS
from auditor.files import read_regular
from auditor.limits import LimitError, regex
from auditor.resources import data_dir
from auditor.safe_yaml import load_yaml
from auditor.schema import jsonschema_best_error, validator_for
from auditor.severity import SEVERITIES

MAX_PATTERN = 1000
MAX_PACK_BYTES = 1024 * 1024  # the largest built-in pack is under 30 KiB
MAX_PACKS = 200  # files in one rules folder
OWNERS_FILE = "owners.yaml"
SECRETS_FILE = "secrets.yaml"


class PackError(Exception):
    """A rule pack that cannot be used; the message names the file, rule and field."""


def load_rules(extra_dirs: Iterable[Path] = (), count_announced: bool = True) -> RuleSet:
    """The built-in packs, then each folder of `extra_dirs` in order (a pack may name the products
    of any pack loaded before it); the digest covers every file read."""
    ruleset = RuleSet(count_announced=count_announced)
    digest = hashlib.sha256()
    digest.update(assistants.TABLE.encode() + b"\0" + assistants.table_data() + b"\0")  # read by discovery, not here
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


def _load_yaml(path: Path, data: bytes | None, validate: bool = True) -> Any:
    """A pack or catalog from YAML (`data`, or else read from `path`): the safe loader, and (for
    packs not shipped with lockaudit) no alias bomb or duplicate key."""
    try:
        return load_yaml((read_regular(path, MAX_PACK_BYTES) if data is None else data).decode("utf-8"), validate)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError) as exc:
        raise PackError(f"{path.name}: cannot be read as YAML: {exc}") from exc


def _load_catalog(path: Path, data: bytes | None, schema_name: str, validate: bool = True) -> Any:
    """A YAML catalog that is not a rule pack, validated against its own schema."""
    document = _load_yaml(path, data, validate)
    error = jsonschema_best_error(validator_for(schema_name), document) if validate else None
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
        ruleset.secrets.append(
            SecretPattern(
                raw["id"], pattern, group, tuple(raw["examples"]["redact"]), tuple(raw["examples"].get("keep", ()))
            )
        )


def _load_owners(path: Path, ruleset: RuleSet, validate: bool = True, data: bytes | None = None) -> None:
    """The ownership catalog: acquisitions (with status and date), related stakes, alternatives."""
    document = _load_catalog(path, data, "owners-1.schema.json", validate)
    for raw in document.get("acquisitions", []):
        ruleset.acquisitions[raw["company"]] = Acquisition(
            raw["company"], raw["owner"], raw["status"], str(raw["as_of"]), raw["source"]
        )
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
            actions=_texts(raw, "actions", where),
            pre_commit_repos=_texts(raw, "pre_commit_repos", where),
            commands=tuple(_compile(c, f"{where}: 'commands'", validate) for c in _texts(raw, "commands", where)),
            files=_texts(raw, "files", where),
            build_signs=tuple(_build_signs(raw.get("build_signs"), f"{where}.build_signs", validate)),
            index_hosts=_texts(raw, "index_hosts", where),
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


def _load_usage_catalog(
    name: str, document: dict[str, Any], catalog: dict[str, Any], ruleset: RuleSet, untrusted: bool = True
) -> None:
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
        constructor = Constructor(
            _text(raw, "name", where),
            product,
            vendor_of(raw, where, product.vendor),
            _optional_text(raw, "host", where, product.host),
        )
        ruleset.constructors.append(constructor)
        _add_examples(ruleset, raw.get("examples"), where, CLIENT_KINDS, constructor.name)
        ruleset._constructors_by_name.setdefault(constructor.name.rsplit(".", 1)[-1], []).append(constructor)
    for where, raw in _mappings(catalog.get("factories"), f"{name}: catalog.factories"):
        factory = Factory(
            _text(raw, "name", where),
            _text(raw, "argument", where),
            frozenset(_texts(raw, "services", where)),
            product_of(raw, where),
        )
        ruleset.factories[factory.name] = factory
        _add_examples(ruleset, raw.get("examples"), where, frozenset({"client"}), factory.name)
    for where, raw in _mappings(catalog.get("model_ids"), f"{name}: catalog.model_ids"):
        context = raw.get("context", "any")
        if context not in ("any", "model"):
            raise PackError(f"{where}: 'context' must be 'any' or 'model', got {context!r}")
        ruleset.model_families.append(
            ModelFamily(
                family=_text(raw, "family", where),
                vendor=vendor_of(raw, where, vendor),
                host=_optional_text(raw, "host", where, None),
                pattern=_compile(_text(raw, "pattern", where), f"{where}: 'pattern'", untrusted),
                needs_context=context == "model",
                open_weight=raw.get("open_weight", False) is True,
            )
        )
        # A model id is an example as a value given to `model`: where a scan would meet it.
        _add_examples(
            ruleset,
            raw.get("examples"),
            where,
            frozenset({"model-id"}),
            raw["family"],
            as_code=lambda value: f"model = {value!r}\n",
        )
    for variable in _texts(catalog, "env_vars", f"{name}: catalog"):
        ruleset.env_vars.setdefault(variable, vendor)
    for prefix in _texts(catalog, "env_prefixes", f"{name}: catalog"):
        ruleset.env_prefixes.append((prefix, vendor))
    if catalog.get("env_vars") or catalog.get("env_prefixes"):
        _add_examples(
            ruleset,
            catalog.get("env_examples"),
            f"{name}: catalog.env_examples",
            frozenset({"env"}),
            None,
            vendor=vendor,
            as_code=lambda variable: f"import os\n\nos.getenv({variable!r})\n",
        )
    for host in _texts(catalog, "hosts", f"{name}: catalog"):
        ruleset.hosts.append((host.lower(), vendor))
    ruleset.routing_suffixes.update(_texts(catalog, "routing_suffixes", f"{name}: catalog"))
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
    for key in (
        "adapter_names",
        "generic_names",
        "web_modules",
        "web_folders",
        "persistence_modules",
        "persistence_folders",
    ):
        getattr(ruleset.structure, key).update(_texts(structure, key, f"{name}: catalog.structure"))
    for where, raw in _mappings(catalog.get("roles"), f"{name}: catalog.roles"):
        ruleset.role_conventions.append(
            RoleConvention(
                _text(raw, "role", where),
                frozenset(_texts(raw, "folders", where)),
                _texts(raw, "files", where),
                raw.get("in_packages", False) is True,
            )
        )
    for where, raw in _mappings(catalog.get("features"), f"{name}: catalog.features"):
        ruleset.features.append(
            Feature(
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
            )
        )
        _add_examples(ruleset, raw.get("examples"), where, frozenset({"feature"}), raw["id"])
    for where, raw in _mappings(catalog.get("hidden_defaults"), f"{name}: catalog.hidden_defaults"):
        routes = raw.get("routes", {}) or {}
        if not isinstance(routes, dict):
            raise PackError(f"{where}: 'routes' must be a mapping of regex to vendor")
        ruleset.hidden_defaults.append(
            HiddenDefault(
                id=_text(raw, "id", where),
                title=_text(raw, "title", where),
                vendor=vendor,
                reaches=_optional_text(raw, "reaches", where, None),
                when_imported=_optional_text(raw, "when_imported", where, None),
                when_signal=_signal(raw, where),
                values=frozenset(_texts(raw, "values", where)),
                when_symbols=_texts(raw, "when_symbols", where),
                unless_called=_texts(raw, "unless_called", where),
                unless_env=_texts(raw, "unless_env", where),
                unless_set=_texts(raw, "unless_set", where),
                when_env_set=_texts(raw, "when_env_set", where),
                constructor=_optional_text(raw, "constructor", where, None),
                keyword=_optional_text(raw, "keyword", where, None),
                routes=tuple(
                    (_compile(pattern, f"{where}: routes", untrusted), target) for pattern, target in routes.items()
                ),
            )
        )
        _add_examples(ruleset, raw.get("examples"), where, frozenset({"hidden-default"}), raw["id"])


def _build_signs(section: Any, where: str, untrusted: bool) -> Iterator[tuple[str, Any, str]]:
    for at, raw in _mappings(section, where):
        signal = _text(raw, "signal", at)
        if signal not in TOOL_SIGNALS:
            raise PackError(f"{at}: 'signal' must be one of {', '.join(sorted(TOOL_SIGNALS))}, got {signal!r}")
        yield signal, _compile(_text(raw, "pattern", at), f"{at}: 'pattern'", untrusted), _text(raw, "label", at)


def _signal(raw: dict[str, Any], where: str) -> str | None:
    signal = _optional_text(raw, "when_signal", where, None)
    if signal is not None and signal not in TOOL_SIGNALS:
        raise PackError(f"{where}: 'when_signal' must be one of {', '.join(sorted(TOOL_SIGNALS))}, got {signal!r}")
    return signal


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
    error = jsonschema_best_error(validator_for("when-1.schema.json"), when) if validate else None
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
    return tuple(
        Example(_example_files(item, f"{where}: 'examples.{label}[{index}]'"), label == "trigger")
        for label, index, item in _example_items(raw, where, ("trigger", "ignore"))
    )


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
    if (
        not isinstance(files, dict)
        or not files
        or not all(isinstance(k, str) and isinstance(v, str) and _safe_example_path(k) for k, v in files.items())
    ):
        raise PackError(f"{where} must be code, or a mapping of relative file paths to code")
    return tuple(sorted(files.items()))


def _add_examples(
    ruleset: RuleSet,
    section: Any,
    where: str,
    kinds: frozenset[str],
    name: str | None,
    vendor: str | None = None,
    as_code: Callable[[str], str] | None = None,
) -> None:
    """The `match` and `ignore` examples of one catalog entry. `as_code` turns a value into the
    code that uses it; with `name` None, each value is itself the name to find (a variable)."""
    examples = list(_catalog_examples(section, where, kinds, name, vendor, as_code))
    ruleset.catalog_examples.extend(examples)
    if {e.match for e in examples} != {True, False}:
        ruleset.unexampled.append(f"{where} ({name})" if name else where)


def _catalog_examples(
    section: Any,
    where: str,
    kinds: frozenset[str],
    name: str | None,
    vendor: str | None,
    as_code: Callable[[str], str] | None,
) -> Iterator[CatalogExample]:
    for label, index, item in _example_items(section, where, ("match", "ignore")):
        at = f"{where}: 'examples.{label}[{index}]'"
        if as_code is not None and (not isinstance(item, str) or not item):
            raise PackError(f"{at} must be a non-empty string")
        files = _example_files(as_code(item) if as_code is not None else item, at)
        found = name if name is not None else item
        yield CatalogExample(
            f"{where} ({found}) {label}[{index}]",
            where.partition(":")[0],
            kinds,
            found,
            vendor,
            files,
            label == "match",
        )


def _safe_example_path(path: str) -> bool:
    parts = path.split("/")
    return bool(path) and not path.startswith("/") and ".." not in parts and "" not in parts


def _check_against_schema(name: str, document: dict[str, Any]) -> None:
    """The whole pack against its closed schema: catches unknown keys (a typo such as
    `severty` would otherwise silently fall back to a default)."""
    error = jsonschema_best_error(validator_for("pack-1.schema.json"), document)
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
