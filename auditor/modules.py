"""First-party modules: what each analysed file is called when imported, and which
absolute imports therefore refer to the project's own code rather than a distribution.

A file's source root is found by walking up through folders that hold `__init__.py`; a
folder named `src` is a source root even for namespace packages. Import roots — where
the project's code is importable from — are the scan root, its `src/`, and each project
folder (one holding `pyproject.toml`, `setup.py` or `setup.cfg`) with its `src/`. An
absolute import is first-party when, seen from the importer's own source root (Python
puts a script's folder on `sys.path`) or from an import root, it names:
- a regular package (a folder with `__init__.py`) or a module file at that root: these
  shadow an installed distribution of the same name, as they do at run time; or
- a module that exists under a namespace package there (`agents/researcher.py` makes
  `agents.researcher` first-party but leaves `from agents import Agent` to the SDK, since
  a regular package wins over a namespace package at run time).
So `myapp/models/openai.py` is `myapp.models.openai`, a stub under `tests/stubs/openai/`
does not hide the SDK from the rest of the tree, and in the SDK's own repository
(`src/openai/__init__.py`) `openai` is first-party.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Iterable


class ModuleIndex:
    def __init__(self, paths: Iterable[str], project_dirs: Iterable[str] = ()) -> None:
        paths = list(paths)
        self._init_dirs = {posixpath.dirname(p) for p in paths if posixpath.basename(p) == "__init__.py"}
        self._roots: dict[str, str] = {}  # path -> source root folder
        self._names: dict[str, str] = {}  # path -> dotted module name
        self._regular: dict[str, set[str]] = defaultdict(set)  # root -> shadowing top-level names
        self._modules: dict[str, set[str]] = defaultdict(set)  # root -> importable dotted names
        import_roots = {"", "src"}
        for folder in project_dirs:
            import_roots |= {folder, posixpath.join(folder, "src") if folder else "src"}
        for path in paths:
            root, name = self._locate(path)
            self._roots[path], self._names[path] = root, name
            if name:
                self._register(root, name)
            for import_root in import_roots - {root}:  # namespace packages below an import root
                inside = _relative_module(import_root, path)
                if inside:
                    self._register(import_root, inside)
        self._global_regular = set().union(*(self._regular[r] for r in import_roots if r in self._regular))
        self._global_modules = set().union(*(self._modules[r] for r in import_roots if r in self._modules))

    def _register(self, root: str, name: str) -> None:
        parts = name.split(".")
        top_folder = posixpath.join(root, parts[0])
        if len(parts) == 1 or top_folder in self._init_dirs:
            self._regular[root].add(parts[0])
        self._modules[root].add(name)
        for end in range(1, len(parts)):  # packages along the way, if they are regular ones
            if posixpath.join(root, *parts[:end]) in self._init_dirs:
                self._modules[root].add(".".join(parts[:end]))

    def _locate(self, path: str) -> tuple[str, str]:
        folder, filename = posixpath.split(path)
        stem = filename.rsplit(".", 1)[0]
        parts = [] if filename == "__init__.py" else [stem]
        while folder and folder in self._init_dirs:
            folder, package = posixpath.split(folder)
            parts.insert(0, package)
        segments = folder.split("/") if folder else []
        if "src" in segments:  # src layouts, namespace packages included
            cut = len(segments) - 1 - segments[::-1].index("src")
            parts = segments[cut + 1 :] + parts
            folder = "/".join(segments[: cut + 1])
        return folder, ".".join(parts)

    def module_name(self, path: str) -> str:
        return self._names.get(path) or self._locate(path)[1]

    def is_first_party(self, importer: str, module: str, symbol: str | None = None) -> bool:
        top = module.split(".")[0]
        candidates = {module, f"{module}.{symbol}"} if symbol and symbol != "*" else {module}
        root = self._roots.get(importer)
        if root is None:
            root = self._locate(importer)[0]
        return (
            top in self._regular.get(root, ())
            or top in self._global_regular
            or not candidates.isdisjoint(self._modules.get(root, ()))
            or not candidates.isdisjoint(self._global_modules)
        )

    def absolute(self, importer: str, module: str, level: int) -> str | None:
        """The absolute name of a relative import, or None when it climbs above the root."""
        name = self.module_name(importer)
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
