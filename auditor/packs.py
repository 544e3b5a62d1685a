"""Load rule packs (YAML under `rules/` and user folders) into a catalog and rule table.

Packs may come from the scanned repository, so they are loaded with the safe loader and
validated field by field; a broken pack raises `PackError` naming the file and field
(exit 2). The full JSON Schema and the declarative `when` matcher arrive with the rule
pack work; this module already owns the format.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from auditor.resources import data_dir
from auditor.severity import SEVERITIES

LAYERS = (
    "model-api", "orchestration", "tokenizer", "evaluation", "package-manager", "lint-format",
    "type-check", "ci", "cloud", "coding-assistant", "registry",
)
EFFORTS = (0, 1, 3, 5, 7, 13)
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


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

    def render(self, values: dict[str, str]) -> str:
        """Fill `{name}` placeholders from `values` only: packs are untrusted input."""
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), self.message)


@dataclass(frozen=True)
class PackInfo:
    id: str
    title: str
    version: int
    source: str


@dataclass
class RuleSet:
    packs: list[PackInfo] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)
    rules: dict[str, Rule] = field(default_factory=dict)
    _by_module: dict[str, Product] = field(default_factory=dict)

    def product_for_module(self, module: str) -> Product | None:
        """The product owning the longest dotted prefix of `module`."""
        parts = module.split(".")
        for end in range(len(parts), 0, -1):
            product = self._by_module.get(".".join(parts[:end]))
            if product is not None:
                return product
        return None

    def catalog_depth(self, module: str) -> int:
        """Length, in dotted parts, of the catalog module that matches `module` (0: none)."""
        parts = module.split(".")
        for end in range(len(parts), 0, -1):
            if ".".join(parts[:end]) in self._by_module:
                return end
        return 0


def load_rules(extra_dirs: Iterable[Path] = ()) -> RuleSet:
    ruleset = RuleSet()
    for folder in (data_dir("rules"), *extra_dirs):
        for path in sorted(folder.glob("*.y*ml")):
            _load_pack(path, ruleset)
    return ruleset


def _load_pack(path: Path, ruleset: RuleSet) -> None:
    name = path.name
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise PackError(f"{name}: cannot be read as YAML: {exc}") from exc
    if not isinstance(document, dict):
        raise PackError(f"{name}: a rule pack must be a mapping")
    pack_id = _text(document, "id", name)
    if any(p.id == pack_id for p in ruleset.packs):
        raise PackError(f"{name}: pack id '{pack_id}' is defined twice")
    version = document.get("version", 1)
    if not isinstance(version, int):
        raise PackError(f"{name}: 'version' must be an integer")
    ruleset.packs.append(PackInfo(pack_id, _text(document, "title", name), version, name))

    catalog = document.get("catalog", {}) or {}
    if not isinstance(catalog, dict):
        raise PackError(f"{name}: 'catalog' must be a mapping")
    for where, raw in _mappings(catalog.get("products"), f"{name}: catalog.products"):
        host = raw.get("host")
        if host is not None and not isinstance(host, str):
            raise PackError(f"{where}: 'host' must be a string")
        abstraction = raw.get("abstraction", False)
        if not isinstance(abstraction, bool):
            raise PackError(f"{where}: 'abstraction' must be true or false")
        layer = raw.get("layer", document.get("layer"))
        if layer not in LAYERS:
            raise PackError(f"{where}: 'layer' must be one of {', '.join(LAYERS)}, got {layer!r}")
        product = Product(
            id=_text(raw, "id", where),
            title=_text(raw, "title", where),
            vendor=_text(raw, "vendor", where, default=document.get("vendor")),
            owner=_text(raw, "owner", where, default=document.get("owner")),
            layer=layer,
            host=host,
            abstraction=abstraction,
            pack=pack_id,
            modules=_texts(raw, "modules", where),
            distributions=_texts(raw, "distributions", where),
        )
        ruleset.products.append(product)
        for module in product.modules:
            if module in ruleset._by_module:
                raise PackError(f"{where}: module '{module}' is already claimed by '{ruleset._by_module[module].id}'")
            ruleset._by_module[module] = product

    for where, raw in _mappings(document.get("rules"), f"{name}: rules"):
        rule_id = _text(raw, "id", where)
        where = f"{name}: rule '{rule_id}'"
        severity = raw.get("severity")
        if severity not in SEVERITIES:
            raise PackError(f"{where}: 'severity' must be one of {', '.join(SEVERITIES)}, got {severity!r}")
        effort = raw.get("effort")
        if effort not in EFFORTS:
            raise PackError(f"{where}: 'effort' must be one of {EFFORTS}, got {effort!r}")
        if rule_id in ruleset.rules:
            raise PackError(f"{where}: rule id is already defined in pack '{ruleset.rules[rule_id].pack}'")
        ruleset.rules[rule_id] = Rule(
            id=rule_id,
            title=_text(raw, "title", where),
            severity=severity,
            effort=effort,
            category=_text(raw, "category", where),
            message=_text(raw, "message", where),
            remediation=_text(raw, "remediation", where),
            links=_texts(raw, "links", where),
            pack=pack_id,
        )


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
