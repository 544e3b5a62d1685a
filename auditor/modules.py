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
from collections.abc import Iterable


class ModuleIndex:
    def __init__(self, paths: Iterable[str], project_dirs: Iterable[str] = ()) -> None:
        paths = sorted(paths)
        self._init_dirs = {posixpath.dirname(p) for p in paths if posixpath.basename(p) == "__init__.py"}
        self._roots: dict[str, str] = {}  # path -> its own root folder
        self._names: dict[str, str] = {}  # path -> dotted name from its own root
        self._regular: dict[str, set[str]] = defaultdict(set)  # root -> shadowing top-level names
        self._table: dict[str, dict[str, str]] = defaultdict(dict)  # root -> dotted name -> path
        import_roots = {"", "src"}
        for folder in project_dirs:
            import_roots |= {folder, posixpath.join(folder, "src") if folder else "src"}
        self._import_roots = sorted(import_roots, key=lambda r: (-r.count("/"), -len(r), r))  # deepest first
        for path in paths:
            root, name = self._locate(path)
            self._roots[path], self._names[path] = root, name
            if name:
                self._register(root, name, path)
            for import_root in import_roots - {root}:  # namespace packages below an import root
                inside = _relative_module(import_root, path)
                if inside:
                    self._register(import_root, inside, path)
        present = [r for r in self._import_roots if r in self._table]
        self._global_regular = set().union(*(self._regular[r] for r in present if r in self._regular))
        self._global_modules = set().union(*(self._table[r] for r in present))
        self._unique = self._unique_names(paths)
        # Answers by question, asked from a root (what an absolute import means depends on the
        # importer's root alone): a project asks the same import thousands of times (every file
        # of an SDK imports its `_types`), and `history` asks one index across many commits.
        self._first_party: dict[tuple[str, str, str | None], bool] = {}
        self._resolved: dict[tuple[str, str, str | None, int], str | None] = {}

    def _register(self, root: str, name: str, path: str) -> None:
        parts = name.split(".")
        top_folder = posixpath.join(root, parts[0])
        if len(parts) == 1 or top_folder in self._init_dirs:
            self._regular[root].add(parts[0])
        self._table[root].setdefault(name, path)

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

    def _unique_names(self, paths: list[str]) -> dict[str, str]:
        """Display names for the graph: the import name, made longer only where two files share it."""
        preferred: dict[str, str] = {}
        for path in paths:
            name = self._names[path]
            if self._topmost_package(posixpath.dirname(path)) is None:
                # A script or a top-level namespace package: named as the project imports it.
                inside = next((m for r in self._import_roots if (m := _relative_module(r, path))), None)
                name = inside or name
            preferred[path] = name or path
        counts = Counter(preferred.values())
        unique = {}
        for path, name in preferred.items():
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
        if key not in self._resolved:
            self._resolved[key] = self._resolve(importer, module, symbol, level)
        return self._resolved[key]

    def _resolve(self, importer: str, module: str, symbol: str | None, level: int) -> str | None:
        if level:
            base = self.absolute(importer, module, level)
        elif self.is_first_party(importer, module, symbol):
            base = module
        else:
            return None
        if base is None:
            return None
        root = self._root_and_name(importer)[0]
        roots = [root, *(r for r in self._import_roots if r != root)] if not level else [root]
        candidates = [f"{base}.{symbol}"] if base and symbol and symbol != "*" else []
        parts = base.split(".") if base else []
        candidates += [".".join(parts[:end]) for end in range(len(parts), 0, -1)]
        for candidate in candidates:
            for where in roots:
                found = self._table.get(where, {}).get(candidate)
                if found is not None:
                    return found
        return None

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
