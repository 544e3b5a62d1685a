"""The adapter boundary, found from structure the way an architect reads a codebase.

Configured `adapters` win. Otherwise the adapter layer is what the product code's shape says
it is — never simply "every module that uses an SDK":
- a **provider family**: a folder whose children are named after vendors (`llm/openai.py`,
  `llm/anthropic.py`, `conversation/google/`), holding the SDK use for each; helpers in that
  folder belong to it unless more of the project imports them than the family does;
- **implementations of a shared base**: classes named after a vendor that subclass one base
  of the project's own (or of a neutral framework) which other modules implement too;
- a **factory** that imports one vendor's SDK per branch, where it is chosen;
- a **wrapper**: a module using one vendor, named after it, or named like a model client
  (`llm.py`, `providers/…`) that other modules import and whose definitions mostly call it.
Routes, views and persistence models are never adapters. Every other product module that
uses an SDK directly is a leak (auditor/leaks.py ranks them). Each adapter says why it was
chosen and how sure that is; `config` is the one line of configuration that confirms it.
The vocabulary (vendor words, adapter names, web and persistence imports) is data, in
`structure` in rules/core.yaml.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from auditor.audit import CODE_LAYERS, COUPLING_KINDS, UsageRecord
from auditor.catalog import RuleSet, Structure
from auditor.facts import ClassFact, Fact, ImportFact, ModuleFact
from auditor.modules import ModuleIndex
from auditor.patterns import PathPatterns
from auditor.roles import PRODUCT, Roles

MIN_MODULES_FOR_BOUNDARY = 3  # a project this small has no boundary to speak of
# The provider-family rule, as the README states it (tests/test_readme.py holds them together):
FAMILY_SHARE = 0.3  # vendor-named children among a folder's children that make it a provider family
FAMILY_SDK_SHARE = 0.5  # of the folder's children that use an SDK, the vendor-named ones are at least this
HELPER_OUTSIDE_MIN = 2  # a helper leaves the family when more modules outside import it than this and than inside
WRAPPER_SHARE = 0.5  # top-level definitions of a wrapper that use its vendor
GENERIC_BASES = frozenset(
    {
        "object",
        "abc.ABC",
        "typing.Protocol",
        "typing.Generic",
        "Generic",
        "Protocol",
        "ABC",
        "pydantic.BaseModel",
        "BaseModel",
        "Exception",
        "enum.Enum",
        "Enum",
        "dict",
        "str",
    }
)
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_SPLIT = re.compile(r"[_\-.\s]+")
CONFIDENCE = ("low", "medium", "high")


@dataclass
class Profile:
    """What one product module does with vendor SDKs, and what kind of module it is."""

    path: str
    vendors: Counter[str] = field(default_factory=Counter)  # vendor -> coupling sites
    lazy_imports: int = 0  # vendor imports inside functions
    vendor_imports: int = 0
    type_only: bool = True  # every vendor use is under `if TYPE_CHECKING:`
    vendor_types: set[str] = field(default_factory=set)  # vendor names it imports (types, classes)
    web: bool = False  # a route or view: a public API
    persistence: bool = False  # a database model
    lines: int = 0
    definitions: int = 0
    touched: set[str] = field(default_factory=set)  # top-level definitions that use a vendor
    call_paths: set[tuple[str, str]] = field(default_factory=set)  # (vendor, API path or function)
    clients: int = 0  # vendor clients it builds
    features: set[str] = field(default_factory=set)

    @property
    def carries_types(self) -> bool:
        """Names vendor types but neither builds clients nor calls APIs: a data or schema module
        whose classes carry those types wherever they go."""
        return bool(self.vendor_types) and not self.clients and not self.call_paths

    @property
    def direct(self) -> bool:
        return bool(self.vendors)

    def share(self) -> float:
        """How much of the module is about its vendor: definitions that use it, counting
        module-level use (a client built at import time) as one more."""
        module_level = "<module>" in self.touched
        used = len(self.touched - {"<module>"}) + module_level
        return used / max(1, self.definitions + module_level)


@dataclass(frozen=True)
class Adapter:
    """One part of the adapter layer: a folder or a file, with its evidence."""

    pattern: str  # as `adapters` takes it: `app/llm/` or `app/ai.py`
    vendors: tuple[str, ...]
    reason: str
    confidence: str
    modules: tuple[str, ...]  # the SDK-using files in it

    def as_dict(self) -> dict[str, Any]:
        return {
            "pattern": self.pattern,
            "vendors": list(self.vendors),
            "reason": self.reason,
            "confidence": self.confidence,
            "modules": list(self.modules),
        }


@dataclass(frozen=True)
class Boundary:
    """The adapter boundary: configured, inferred, or absent with the modules that use SDKs."""

    source: str  # configured | inferred | none | not-needed
    adapters: tuple[Adapter, ...] = ()
    paths: frozenset[str] = frozenset()  # every product file inside, when inferred
    direct: tuple[str, ...] = ()  # product files that use a vendor SDK directly
    total: int = 0  # product Python modules
    confidence: str | None = None
    configured: PathPatterns | None = None
    names: tuple[str, ...] = ()  # dotted names of the adapter modules

    def contains(self, path: str) -> bool:
        if self.source == "configured":
            return self.configured is not None and self.configured.match(path)
        return path in self.paths

    def config_line(self) -> str | None:
        if self.source != "inferred":
            return None
        return "adapters = [" + ", ".join(f'"{a.pattern}"' for a in self.adapters) + "]"

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "modules": list(self.names),
            "paths": sorted(self.paths),
            "direct": len(self.direct),
            "total": self.total,
            "direct_modules": list(self.direct),
            "adapters": [a.as_dict() for a in self.adapters],
            "confidence": self.confidence,
            "config": self.config_line(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], configured: PathPatterns) -> Boundary:
        """A boundary remembered from the last whole-project scan (the per-file hook's)."""
        adapters = tuple(
            Adapter(a["pattern"], tuple(a["vendors"]), a["reason"], a["confidence"], tuple(a["modules"]))
            for a in data.get("adapters", ())
        )
        return cls(
            data["source"],
            adapters,
            frozenset(data.get("paths", ())),
            tuple(data.get("direct_modules", ())),
            data.get("total", 0),
            data.get("confidence"),
            configured,
            tuple(data.get("modules", ())),
        )


# -- what each module is -------------------------------------------------------------------


@dataclass
class Traits:
    """What a module's own facts say of it: its size, and whether it imports a web framework
    or an ORM."""

    lines: int | None = None
    definitions: int = 0
    web: bool = False
    persistence: bool = False


def module_traits(facts: Iterable[Fact], structure: Structure) -> dict[str, Traits]:
    """Each file's traits, by path, from its facts."""
    found: dict[str, Traits] = {}
    for fact in facts:
        if isinstance(fact, ModuleFact):
            traits = found.setdefault(fact.loc.path, Traits())
            traits.lines, traits.definitions = fact.lines, fact.definitions
        elif isinstance(fact, ImportFact) and not fact.unresolved and not fact.level:
            name = f"{fact.module}.{fact.symbol}" if fact.symbol else fact.module
            web, persistence = _under_any(name, structure.web_modules), _under_any(name, structure.persistence_modules)
            if web or persistence:
                traits = found.setdefault(fact.loc.path, Traits())
                traits.web |= web
                traits.persistence |= persistence
    return found


def profile_modules(
    inventory: Iterable[UsageRecord],
    facts: Iterable[Fact],
    paths: Iterable[str],
    roles: Roles,
    ruleset: RuleSet,
    traits: Iterable[dict[str, Traits]] | None = None,
) -> dict[str, Profile]:
    """A profile for every product Python module. `traits`: what `module_traits` gives for the
    facts, when the caller kept it per file."""
    neutral = {p.id for p in ruleset.products if p.abstraction}
    structure = ruleset.structure
    profiles = {p: Profile(p) for p in paths if roles.role(p) == PRODUCT}
    for found in traits if traits is not None else [module_traits(facts, structure)]:
        for path, trait in found.items():
            profile = profiles.get(path)
            if profile is None:
                continue
            if trait.lines is not None:
                profile.lines, profile.definitions = trait.lines, trait.definitions
            profile.web |= trait.web
            profile.persistence |= trait.persistence
    for profile in profiles.values():
        folders = profile.path.split("/")[:-1]
        if any(folder in structure.web_folders for folder in folders):
            profile.web = True
        # An ORM import makes a database model only where models live, not in a service using a session.
        stem = profile.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        if profile.persistence and not ({*folders, stem} & structure.persistence_folders):
            profile.persistence = False
    for record in inventory:
        profile = profiles.get(record.path)
        if (
            profile is None
            or record.kind not in COUPLING_KINDS
            or not record.vendor
            or record.product in neutral
            or record.product is None
            or record.layer not in CODE_LAYERS
        ):  # cloud sign-in is not a model API
            continue
        profile.vendors[record.vendor] += 1
        if record.kind != "import" or record.scope != "<module>":  # an import alone uses nothing yet
            profile.touched.add(record.scope.split(".")[0])
        if "type_checking" not in record.flags:
            profile.type_only = False
        if record.kind == "import":
            profile.vendor_imports += 1
            profile.lazy_imports += "in_function" in record.flags
            if record.symbol and record.symbol[:1].isupper():
                profile.vendor_types.add(record.symbol)
        elif record.kind == "call" and _on_a_type(record, ruleset):
            profile.vendor_types.add(record.name.rsplit(".", 1)[-1])  # a vendor type built or used as data
        elif record.kind == "call":
            profile.call_paths.add((record.vendor, record.call or record.name))
        elif record.kind == "client":
            profile.clients += 1
        elif record.kind == "feature":
            profile.features.add(record.name)
    return profiles


def _on_a_type(record: UsageRecord, ruleset: RuleSet) -> bool:
    """A vendor type built as data (`ChatCompletionMessage(...)`) or a method of one
    (`completion.model_dump()`): not a call to the vendor's API."""
    if not record.name.rsplit(".", 1)[-1][:1].isupper():
        return False  # a module function: `litellm.completion`, `tiktoken.get_encoding`
    return record.call is None or (
        ruleset.constructor_for(record.name) is None and record.name not in ruleset.factories
    )


def _under_any(name: str, modules: set[str]) -> bool:
    """`name` is one of `modules` or inside one: its own prefixes looked up, not every module tried."""
    parts = name.split(".")
    return any(".".join(parts[:end]) in modules for end in range(1, len(parts) + 1))


# -- names -------------------------------------------------------------------------------


def name_vendor(name: str, structure: Structure) -> str | None:
    """The vendor a file or folder name is about (`anthropic_client` → Anthropic), if any."""
    words = [w for w in _SPLIT.split(name.lower()) if w]
    return _words_vendor(words, structure)


def class_vendor(name: str, structure: Structure) -> str | None:
    """The vendor a class name is about (`AzureOpenAIEmbedder` → Microsoft, `GeminiClient` → Google)."""
    return _words_vendor([w.lower() for w in _CAMEL.findall(name)], structure)


def _words_vendor(words: list[str], structure: Structure) -> str | None:
    """The first vendor named by a word or two adjacent words (`open`+`ai`, `vertex_ai`)."""
    names = structure.vendor_names
    for index, word in enumerate(words):
        following = words[index + 1] if index + 1 < len(words) else ""
        for candidate in (word + following, f"{word}_{following}", word) if following else (word,):
            if candidate in names:
                return names[candidate]
    return None


def _adapterish(path: str, structure: Structure, depth: int = 3) -> bool:
    """The file, its folder or the folder above is named like a place that talks to models."""
    parts = path.rsplit(".", 1)[0].split("/")
    return any(
        set(_SPLIT.split(part.lower())) & structure.adapter_names or part.lower() in structure.adapter_names
        for part in parts[-depth:]
    )


# -- inference -----------------------------------------------------------------------------


def infer_boundary(
    profiles: dict[str, Profile],
    importers: dict[str, set[str]],
    facts: Iterable[Fact],
    modules: ModuleIndex,
    ruleset: RuleSet,
    configured: PathPatterns,
    names: dict[str, str],
) -> Boundary:
    """`importers`: product path -> the product paths that import it; `names`: path -> module name."""
    direct = tuple(sorted(p for p, profile in profiles.items() if profile.direct))
    total = len(profiles)
    if configured:
        return Boundary("configured", direct=direct, total=total, configured=configured)
    if not direct or total < MIN_MODULES_FOR_BOUNDARY:
        return Boundary("not-needed", direct=direct, total=total)
    structure = ruleset.structure
    classes = _ClassIndex(facts, modules, ruleset, set(profiles))
    adapters: list[Adapter] = []
    assigned: set[str] = set()
    for finder in (_families, _implementations, _factories, _wrappers):
        for adapter in finder(profiles, importers, structure, classes, assigned):
            adapters.append(adapter)
            assigned.update(adapter.modules)
    if not adapters:
        return Boundary("none", direct=direct, total=total)
    patterns = PathPatterns([a.pattern for a in adapters])
    paths = frozenset(p for p in profiles if patterns.match(p))
    adapter_modules = sorted(assigned)
    weights: Counter[str] = Counter()
    for adapter in adapters:
        weights[adapter.confidence] += len(adapter.modules)
    count = sum(weights.values())
    confidence = "high" if weights["high"] >= 0.7 * count else "low" if weights["low"] >= 0.5 * count else "medium"
    return Boundary(
        "inferred",
        tuple(sorted(adapters, key=lambda a: a.pattern)),
        paths,
        direct,
        total,
        confidence,
        names=tuple(sorted(names.get(p, p) for p in adapter_modules)),
    )


def _families(
    profiles: dict[str, Profile],
    importers: dict[str, set[str]],
    structure: Structure,
    classes: _ClassIndex,
    assigned: set[str],
) -> list[Adapter]:
    """Folders with one child per vendor, deepest first."""
    children: dict[str, set[str]] = defaultdict(set)
    for path in profiles:
        parts = path.split("/")
        for depth in range(len(parts) - 1):
            children["/".join(parts[:depth])].add(parts[depth])
        stem = parts[-1].rsplit(".", 1)[0]
        if stem != "__init__":
            children["/".join(parts[:-1])].add(stem)
    families: dict[str, dict[str, str]] = {}  # folder -> its vendor-named children
    for folder in sorted(children, key=lambda f: (-f.count("/"), f)):
        named = {c: v for c in children[folder] if (v := name_vendor(c, structure))}
        if (
            folder
            and len(set(named.values())) >= 2
            and (len(named) >= FAMILY_SHARE * len(children[folder]) or _adapterish(folder, structure, depth=1))
        ):
            families[folder] = named

    # A folder that holds most of the product is not a family however its files are named: the
    # vendor-named children must be most of the children that use an SDK.
    for folder, named in list(families.items()):
        using = {_child(folder, p) for p in profiles if p.startswith(folder + "/") and profiles[p].direct}
        if len(using & set(named)) < FAMILY_SDK_SHARE * len(using):
            del families[folder]

    def in_family(path: str) -> bool:
        return any(path.startswith(folder + "/") for folder in families)

    found: list[Adapter] = []
    for folder, named in families.items():
        inside = [p for p in profiles if p.startswith(folder + "/") and profiles[p].direct and p not in assigned]
        members, leaks = [], []
        for path in inside:
            profile = profiles[path]
            child = _child(folder, path)
            if profile.web or profile.persistence:
                leaks.append(path)
            elif child in named or _factory_like(profile, 2):
                members.append(path)
            else:  # a helper of the family, unless more of the project uses it than the adapters do
                outside = {i for i in importers.get(path, ()) if not in_family(i)}
                within = importers.get(path, set()) - outside
                (leaks if len(outside) > max(HELPER_OUTSIDE_MIN, len(within)) else members).append(path)
        if not members:
            continue
        vendors = set(named.values())
        served = sorted({v for p in members for v in profiles[p].vendors} | vendors)
        base = classes.common_base(members)
        chooser = _chooser(folder, named, importers, profiles)
        reason = f"one module per vendor under {folder}/ ({len(vendors)} vendors named: {', '.join(sorted(vendors))})"
        reason += f", each subclassing {base}" if base else ""
        reason += f", chosen in {chooser}" if chooser else ""
        confidence = "high" if len(vendors) >= 3 or base or _adapterish(folder, structure, depth=1) else "medium"
        assigned.update(members)
        if not leaks:
            found.append(Adapter(folder + "/", tuple(served), reason, confidence, tuple(sorted(members))))
            continue
        by_part: dict[str, list[str]] = defaultdict(list)  # the folder also holds leaks: name its parts instead
        for path in members:
            rest = path[len(folder) + 1 :]
            by_part[f"{folder}/{rest.split('/')[0]}/" if "/" in rest else path].append(path)
        for pattern, paths in sorted(by_part.items()):  # each part serves what the family serves
            found.append(Adapter(pattern, tuple(served), reason, confidence, tuple(sorted(paths))))
    return found


def _child(folder: str, path: str) -> str:
    """The name of `folder`'s child that holds `path`: a subfolder, or a module without its suffix."""
    return path[len(folder) + 1 :].split("/")[0].rsplit(".", 1)[0]


def _factory_like(profile: Profile, vendors: int) -> bool:
    """Imports at least `vendors` vendors' SDKs, mostly inside the functions that use them."""
    return (
        len(profile.vendors) >= vendors
        and profile.vendor_imports > 0
        and profile.lazy_imports >= 0.5 * profile.vendor_imports
    )


def _chooser(
    folder: str, named: dict[str, str], importers: dict[str, set[str]], profiles: dict[str, Profile]
) -> str | None:
    """A module that imports two or more of a family's vendor modules: the registry or factory."""
    counts: Counter[str] = Counter()
    for path in profiles:
        rest = path[len(folder) + 1 :] if path.startswith(folder + "/") else None
        if rest is None or _child(folder, path) not in named:
            continue
        for importer in importers.get(path, ()):
            if not importer.startswith(folder + "/" + rest.split("/")[0]):
                counts[importer] += 1
    best = [p for p, n in counts.most_common() if n >= 2]
    return best[0] if best else None


def _implementations(
    profiles: dict[str, Profile],
    importers: dict[str, set[str]],
    structure: Structure,
    classes: _ClassIndex,
    assigned: set[str],
) -> list[Adapter]:
    """Vendor-named classes implementing a base that other modules implement as well."""
    found = []
    for path in sorted(p for p, profile in profiles.items() if profile.direct and p not in assigned):
        profile = profiles[path]
        if profile.web or profile.persistence:
            continue
        stem_vendor = name_vendor(posixpath.basename(path).rsplit(".", 1)[0], structure)
        for name, root in classes.roots_in(path):
            if not (stem_vendor or class_vendor(name.rsplit(".", 1)[-1], structure)):
                continue
            implementers = classes.implementers(root)
            first_party = root.split(":", 1)[0].endswith((".py", ".pyi"))
            if len(implementers) < 2 and not first_party:
                continue  # a lone implementation of a framework's base says little
            label = root.rsplit(":", 1)[-1]
            vendor = ", ".join(sorted(profile.vendors))
            others = len(implementers - {path})
            reason = f"implements {label} for {vendor}" + (
                ", as 1 other module implements it for its vendor"
                if others == 1
                else f", as {others} other modules implement it for theirs"
                if others
                else ", the project's own interface"
            )
            served = {v for p in implementers if p in profiles for v in profiles[p].vendors} | set(profile.vendors)
            found.append(Adapter(path, tuple(sorted(served)), reason, "high" if others >= 2 else "medium", (path,)))
            assigned.add(path)
            break
    return found


def _factories(
    profiles: dict[str, Profile],
    importers: dict[str, set[str]],
    structure: Structure,
    classes: _ClassIndex,
    assigned: set[str],
) -> list[Adapter]:
    """A module importing one vendor SDK per branch, where it is chosen: three or more vendors,
    or any number in a module named as a factory or client."""
    found = []
    for path in sorted(p for p, profile in profiles.items() if profile.direct and p not in assigned):
        profile = profiles[path]
        if profile.web or profile.persistence:
            continue
        stem = posixpath.basename(path).rsplit(".", 1)[0]
        named = _adapterish(stem, structure, depth=1) and stem not in structure.generic_names
        if _factory_like(profile, 3):
            reason = f"picks among {len(profile.vendors)} vendors, importing each SDK only in the branch that uses it"
        elif named and _factory_like(profile, 1) and importers.get(path):
            reason = (
                f"builds {', '.join(sorted(profile.vendors))} clients for the project, importing the SDK only there"
            )
        else:
            continue
        found.append(Adapter(path, tuple(sorted(profile.vendors)), reason, "medium", (path,)))
        assigned.add(path)
    return found


def _wrappers(
    profiles: dict[str, Profile],
    importers: dict[str, set[str]],
    structure: Structure,
    classes: _ClassIndex,
    assigned: set[str],
) -> list[Adapter]:
    """A module whose job is wrapping one vendor's SDK for the rest of the project."""
    found = []
    for path in sorted(p for p, profile in profiles.items() if profile.direct and p not in assigned):
        profile = profiles[path]
        if (
            profile.web
            or profile.persistence
            or len(profile.vendors) > 2
            or not (profile.clients or profile.call_paths)
        ):
            continue  # a wrapper calls its vendor: a module that only names vendor types spreads them
        folder, filename = posixpath.split(path)
        vendor = ", ".join(sorted(profile.vendors))
        stem = filename.rsplit(".", 1)[0]
        named = name_vendor(stem, structure) or name_vendor(posixpath.basename(folder), structure)
        users = len(importers.get(path, ()))
        if named:
            found.append(
                Adapter(
                    path,
                    tuple(sorted(profile.vendors)),
                    f"wraps {vendor} and is named after {named}",
                    "medium",
                    (path,),
                )
            )
        elif (
            stem not in structure.generic_names
            and _adapterish(path, structure)
            and users
            and profile.share() >= WRAPPER_SHARE
        ):
            found.append(
                Adapter(
                    path,
                    tuple(sorted(profile.vendors)),
                    f"wraps {vendor} for {users} module{'s' if users != 1 else ''} that "
                    f"import{'s' if users == 1 else ''} it",
                    "low",
                    (path,),
                )
            )
        else:
            continue
        assigned.add(path)
    return found


class _ClassIndex:
    """Classes of the product code and the root of each one's chain of first-party bases."""

    def __init__(self, facts: Iterable[Fact], modules: ModuleIndex, ruleset: RuleSet, product: set[str]) -> None:
        self._bases: dict[str, list[str]] = {}  # "path:Class" -> base keys
        self._by_path: dict[str, list[str]] = defaultdict(list)
        for fact in facts:
            if not isinstance(fact, ClassFact) or fact.loc.path not in product:
                continue
            key = f"{fact.loc.path}:{fact.name}"
            self._by_path[fact.loc.path].append(fact.name)
            self._bases[key] = [
                b for b in (self._key(fact.loc.path, base, modules, ruleset) for base in fact.bases) if b
            ]
        self._roots: dict[str, list[str]] = {}
        self._implementers: dict[str, set[str]] = defaultdict(set)
        for key in self._bases:
            for root in self._root(key):
                self._implementers[root].add(key.split(":", 1)[0])

    @staticmethod
    def _key(path: str, base: str, modules: ModuleIndex, ruleset: RuleSet) -> str | None:
        if base in GENERIC_BASES:
            return None
        if base.startswith("."):
            level = len(base) - len(base.lstrip("."))
            module, _, name = base.lstrip(".").rpartition(".")
            target = modules.resolve(path, module, name, level)
            return f"{target}:{name}" if target else None
        if "." not in base:
            return f"{path}:{base}"
        module, _, name = base.rpartition(".")
        target = modules.resolve(path, module, name)
        if target is not None:
            return f"{target}:{name}"
        product = ruleset.product_for_module(base)
        return f"{base}:{name}" if product is not None and product.abstraction else None  # a neutral framework's base

    def _root(self, key: str, depth: int = 0) -> list[str]:
        """The topmost known bases of a class (itself excluded): `OpenAIClient → BaseOpenAIClient → LLMClient`."""
        if key in self._roots:
            return self._roots[key]
        self._roots[key] = []  # a cycle stops here
        roots: list[str] = []
        for base in self._bases.get(key, ()):
            above = self._root(base, depth + 1) if base in self._bases and depth < 20 else []
            roots.extend(above or [base])
        self._roots[key] = sorted(set(roots))
        return self._roots[key]

    def roots_in(self, path: str) -> list[tuple[str, str]]:
        return [(name, root) for name in self._by_path.get(path, ()) for root in self._root(f"{path}:{name}")]

    def implementers(self, root: str) -> set[str]:
        return self._implementers.get(root, set())

    def common_base(self, paths: list[str]) -> str | None:
        """The base that at least half of these modules' classes share, by its class name."""
        counts: Counter[str] = Counter()
        for path in set(paths):
            for root in {r for _, r in self.roots_in(path)}:
                counts[root] += 1
        if not counts:
            return None
        root, count = min(counts.items(), key=lambda item: (-item[1], item[0]))  # a tie by name: sets have no order
        return root.rsplit(":", 1)[-1] if count >= max(2, len(set(paths)) / 2) else None
