"""First-party modules: what each analysed file is called when imported, which absolute
imports therefore load the project's own code rather than a distribution, and which file
an import of the project's own code loads.

A file's own root — the `sys.path` entry it is imported from — is the folder above the
topmost regular package (a folder with `__init__.py`) among its ancestors, climbing
through folders without `__init__.py` in between: Python imports `app/llm/alpha/chat.py`
as `app.llm.alpha.chat` when `app/` is a package, whether or not `llm/` and `alpha/` have
an `__init__.py` (they are namespace portions). A file with no package above it is a
script, run from its own folder; a folder named `src` is a source root even for namespace
packages. Import roots — where the project's code is importable from — are the scan root,
its `src/`, and each project folder (one holding `pyproject.toml`, `setup.py` or
`setup.cfg`) with its `src/`.

An absolute import is first-party when, seen from the importer's own root or from an
import root, it names:
- a regular package or a module file at that root: these shadow an installed
  distribution of the same name, as they do at run time; or
- a module that exists under a namespace package there (`agents/researcher.py` makes
  `agents.researcher` first-party but leaves `from agents import Agent` to the SDK, since
  a regular package wins over a namespace package at run time).
So `myapp/models/openai.py` is `myapp.models.openai`, a sibling `openai.py` inside a
package does not hide the SDK from its neighbours, a stub under `tests/stubs/openai/` does
not hide it from the rest of the tree, and in the SDK's own repository
(`src/openai/__init__.py`) `openai` is first-party.

Every file also gets a unique `module_name` for the graph: two files that Python would
call by one name (two projects' `utils`) get longer, path-based names instead of merging.
"""

from __future__ import annotations

import posixpath
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any


class ModuleIndex:
    def __init__(self, paths: Iterable[str], project_dirs: Iterable[str] = ()) -> None:
        paths = sorted(paths)
        self._init_dirs = {posixpath.dirname(p) for p in paths if posixpath.basename(p) == "__init__.py"}
        self._project_dirs = sorted(set(project_dirs))
        self._roots: dict[str, str] = {}  # path -> its own root folder
        self._names: dict[str, str] = {}  # path -> dotted name from its own root
        self._regular: dict[str, set[str]] = defaultdict(set)  # root -> shadowing top-level names
        self._table: dict[str, dict[str, str]] = defaultdict(dict)  # root -> dotted name -> path
        # What each file registered, so that `update` can take a removed file's names back: a
        # name's path is the first in sorted order of those claiming it, a top-level name is
        # regular while one file makes it so.
        self._registered: dict[str, list[tuple[str, str, bool]]] = {}  # path -> (root, name, regular)
        self._claims: dict[tuple[str, str], set[str]] = defaultdict(set)
        self._regular_claims: Counter[tuple[str, str]] = Counter()
        import_roots = {"", "src"}
        for folder in self._project_dirs:
            import_roots |= {folder, posixpath.join(folder, "src") if folder else "src"}
        self._import_root_set = import_roots
        self._import_roots = sorted(import_roots, key=lambda r: (-r.count("/"), -len(r), r))  # deepest first
        for path in paths:
            self._add(path)
        self._preferred: dict[str, str] = {}  # path -> its graph name before collisions are settled
        self._settle(paths)
        # Answers by question, asked from a root (what an absolute import means depends on the
        # importer's root alone): a project asks the same import thousands of times (every file
        # of an SDK imports its `_types`), and `history` asks one index across many commits.
        self._first_party: dict[tuple[str, str, str | None], bool] = {}
        self._resolved: dict[tuple[str, str, str | None, int], str | None] = {}
        self._looked: dict[tuple[str, str, str | None, int], frozenset[str]] = {}  # names an answer read
        self._asked: set[tuple[Any, ...]] | None = None  # the questions asked while `asking`

    def _add(self, path: str) -> None:
        root, name = self._locate(path)
        self._roots[path], self._names[path] = root, name
        registered = [(root, name)] if name else []
        for import_root in self._import_root_set - {root}:  # namespace packages below an import root
            inside = _relative_module(import_root, path)
            if inside:
                registered.append((import_root, inside))
        self._registered[path] = [self._register(where, dotted, path) for where, dotted in registered]

    def _register(self, root: str, name: str, path: str) -> tuple[str, str, bool]:
        parts = name.split(".")
        regular = len(parts) == 1 or posixpath.join(root, parts[0]) in self._init_dirs
        if regular:
            self._regular[root].add(parts[0])
            self._regular_claims[(root, parts[0])] += 1
        claims = self._claims[(root, name)]
        claims.add(path)
        table = self._table[root]
        if name not in table or path < table[name]:
            table[name] = path
        return root, name, regular

    def _unregister(self, path: str) -> None:
        for root, name, regular in self._registered.pop(path):
            if regular:
                top = name.split(".")[0]
                self._regular_claims[(root, top)] -= 1
                if not self._regular_claims[(root, top)]:
                    del self._regular_claims[(root, top)]
                    self._regular[root].discard(top)
            claims = self._claims[(root, name)]
            claims.discard(path)
            if claims:
                self._table[root][name] = min(claims)
            else:
                del self._claims[(root, name)]
                del self._table[root][name]
        del self._roots[path], self._names[path]

    def _settle(self, changed: Iterable[str]) -> None:
        """What depends on every file at once: the names at any import root, and the graph's
        unique names (`changed`: the files whose preferred name must be worked out again)."""
        present = [r for r in self._import_roots if r in self._table]
        self._global_regular = set().union(*(self._regular[r] for r in present if r in self._regular))
        self._global_modules = set().union(*(self._table[r] for r in present))
        for path in changed:
            if path in self._names:
                self._preferred[path] = self._preferred_name(path)
            else:
                self._preferred.pop(path, None)
        self._unique = self._unique_names()

    def update(self, paths: Iterable[str], project_dirs: Iterable[str] = ()) -> set[tuple[Any, ...]] | None:
        """Make this the index of `paths`, keeping the answers no added or removed file can
        change; returns the questions whose answers may have (for what was built on them), or
        None when the index cannot follow (packages or project folders changed: build afresh)."""
        paths = set(paths)
        added, removed = sorted(paths - self._roots.keys()), sorted(self._roots.keys() - paths)
        if not added and not removed and sorted(set(project_dirs)) == self._project_dirs:
            return set()
        inits = {posixpath.dirname(p) for p in (*added, *removed) if posixpath.basename(p) == "__init__.py"}
        if inits or sorted(set(project_dirs)) != self._project_dirs:
            return None
        names = {name for path in removed for _, name, _ in self._registered[path]}
        regular_before = self._regular_pairs()
        for path in removed:
            self._unregister(path)
        for path in added:
            self._add(path)
        names |= {name for path in added for _, name, _ in self._registered[path]}
        # A top-level name's "regular package here" changed only at the roots where it came or went.
        tops = {top for _, top in regular_before ^ self._regular_pairs()}
        self._settle((*added, *removed))
        stale_first_party = {key for key in self._first_party if self._reads(names, tops, key[1], key[2])}
        stale_resolved = {
            key
            for key, looked in self._looked.items()
            if not names.isdisjoint(looked) or (not key[3] and self._reads(names, tops, key[1], key[2]))
        }
        for key in stale_first_party:
            del self._first_party[key]
        for resolved in stale_resolved:
            self._resolved.pop(resolved, None)
            del self._looked[resolved]
        return {*stale_first_party, *stale_resolved}

    def _regular_pairs(self) -> set[tuple[str, str]]:
        return {(root, top) for root, tops in self._regular.items() for top in tops}

    @staticmethod
    def _reads(names: set[str], tops: set[str], module: str, symbol: str | None) -> bool:
        """Whether the first-party answer for `module` (`symbol`) reads one of these names."""
        return (
            module in names
            or module.split(".")[0] in tops
            or (symbol is not None and symbol != "*" and f"{module}.{symbol}" in names)
        )

    @contextmanager
    def asking(self) -> Iterator[set[tuple[Any, ...]]]:
        """The questions asked of the index meanwhile (what a result built on them depends on)."""
        asked: set[tuple[Any, ...]] = set()
        self._asked = asked
        try:
            yield asked
        finally:
            self._asked = None

    def _locate(self, path: str) -> tuple[str, str]:
        folder, filename = posixpath.split(path)
        stem = filename.rsplit(".", 1)[0]
        parts = [] if filename == "__init__.py" else [stem]
        top = self._topmost_package(folder)
        if top is not None:  # inside a regular package, namespace folders on the way included
            root = posixpath.dirname(top)
            inside = folder[len(root) + 1 :] if root else folder
            segments = inside.split("/")
            if all(s.isidentifier() for s in segments) and (filename == "__init__.py" or stem.isidentifier()):
                return root, ".".join([*segments, *parts])
        while folder and folder in self._init_dirs:  # a script's package chain, as pytest's rootdir sees it
            folder, package = posixpath.split(folder)
            parts.insert(0, package)
        segments = folder.split("/") if folder else []
        if "src" in segments:  # src layouts, namespace packages included
            cut = len(segments) - 1 - segments[::-1].index("src")
            parts = segments[cut + 1 :] + parts
            folder = "/".join(segments[: cut + 1])
        return folder, ".".join(parts)

    def _topmost_package(self, folder: str) -> str | None:
        """The highest folder at or above `folder` that is a regular package, not climbing
        past a `src` folder (a source root) or to the scan root itself."""
        top = None
        while folder:
            if posixpath.basename(folder) == "src":
                break
            if folder in self._init_dirs:
                top = folder
            folder = posixpath.dirname(folder)
        return top

    def _preferred_name(self, path: str) -> str:
        name = self._names[path]
        if self._topmost_package(posixpath.dirname(path)) is None:
            # A script or a top-level namespace package: named as the project imports it.
            inside = next((m for r in self._import_roots if (m := _relative_module(r, path))), None)
            name = inside or name
        return name or path

    def _unique_names(self) -> dict[str, str]:
        """Display names for the graph: the import name, made longer only where two files share it."""
        counts = Counter(self._preferred.values())
        unique = {}
        for path, name in self._preferred.items():
            if counts[name] > 1:
                name = _relative_module("", path) or path.rsplit(".", 1)[0]
            unique[path] = name
        return unique

    def module_name(self, path: str) -> str:
        """The file's unique name in the graph (its import name unless that is shared)."""
        return self._unique.get(path) or self._locate(path)[1]

    def _root_and_name(self, path: str) -> tuple[str, str]:
        """A file's own root and its dotted name from there; files outside the index are located afresh."""
        if path in self._roots:
            return self._roots[path], self._names[path]
        return self._locate(path)

    def is_first_party(self, importer: str, module: str, symbol: str | None = None) -> bool:
        key = (self._root_and_name(importer)[0], module, symbol)
        if self._asked is not None:
            self._asked.add(key)
        if key not in self._first_party:
            self._first_party[key] = self._is_first_party(*key)
        return self._first_party[key]

    def _is_first_party(self, root: str, module: str, symbol: str | None) -> bool:
        top = module.split(".")[0]
        candidates = {module, f"{module}.{symbol}"} if symbol and symbol != "*" else {module}
        own = self._table.get(root, {})
        return (
            top in self._regular.get(root, ())
            or top in self._global_regular
            or any(c in own for c in candidates)
            or not candidates.isdisjoint(self._global_modules)
        )

    def resolve(self, importer: str, module: str, symbol: str | None = None, level: int = 0) -> str | None:
        """The file an import statement in `importer` loads, when it is the project's own:
        `module.symbol` when that is a module, else `module` or its nearest parent package."""
        # A relative import depends on the importer's own name; an absolute one on its root only.
        key = (importer if level else self._root_and_name(importer)[0], module, symbol, level)
        if self._asked is not None:
            self._asked.add(key)
        if key not in self._resolved:
            self._resolved[key], self._looked[key] = self._resolve(importer, module, symbol, level)
        return self._resolved[key]

    def _resolve(self, importer: str, module: str, symbol: str | None, level: int) -> tuple[str | None, frozenset[str]]:
        """The answer, and the names it looked up (an absolute import's also reads `module`'s
        first-party answer, which `update` checks by its key)."""
        if level:
            base = self.absolute(importer, module, level)
        elif self.is_first_party(importer, module, symbol):
            base = module
        else:
            return None, frozenset()
        if base is None:
            return None, frozenset()
        root = self._root_and_name(importer)[0]
        roots = [root, *(r for r in self._import_roots if r != root)] if not level else [root]
        candidates = [f"{base}.{symbol}"] if base and symbol and symbol != "*" else []
        parts = base.split(".") if base else []
        candidates += [".".join(parts[:end]) for end in range(len(parts), 0, -1)]
        for candidate in candidates:
            for where in roots:
                found = self._table.get(where, {}).get(candidate)
                if found is not None:
                    return found, frozenset(candidates)
        return None, frozenset(candidates)

    def absolute(self, importer: str, module: str, level: int) -> str | None:
        """The absolute name of a relative import, or None when it climbs above the root."""
        name = self._root_and_name(importer)[1]
        package = name.split(".") if name else []
        if posixpath.basename(importer) != "__init__.py":
            package = package[:-1]
        if level - 1 > len(package) or (level - 1 == len(package) and not module):
            return None
        base = package[: len(package) - (level - 1)]
        return ".".join([*base, *([module] if module else [])])


def _relative_module(root: str, path: str) -> str | None:
    """`path` as a dotted module name below `root`, if every part is an identifier."""
    if root and not path.startswith(root + "/"):
        return None
    parts = (path[len(root) + 1 :] if root else path).split("/")
    parts[-1] = parts[-1].rsplit(".", 1)[0]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts) if parts and all(p.isidentifier() for p in parts) else None
