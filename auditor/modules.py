"""First-party modules: what each analysed file is called when imported, and which
absolute imports therefore refer to the project's own code rather than a distribution.

A file's source root is found by walking up through folders that hold `__init__.py`;
a folder named `src` is a source root even for namespace packages. An absolute import
is first-party when its top-level name is a module beside the importer (Python puts a
script's folder on `sys.path`) or a top-level package anywhere in the project. So
`myapp/models/openai.py` is `myapp.models.openai`, a plain `import openai` elsewhere is
still the SDK, and in the SDK's own repository (`src/openai/__init__.py`) it is not.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Iterable


class ModuleIndex:
    def __init__(self, paths: Iterable[str]) -> None:
        paths = list(paths)
        self._init_dirs = {posixpath.dirname(p) for p in paths if posixpath.basename(p) == "__init__.py"}
        self._names: dict[str, str] = {}  # path -> dotted module name
        self._roots: dict[str, str] = {}  # path -> source root folder
        self._top_by_root: dict[str, set[str]] = defaultdict(set)
        self._packages: set[str] = set()
        for path in paths:
            root, name = self._locate(path)
            self._roots[path] = root
            self._names[path] = name
            if not name:
                continue
            top = name.split(".")[0]
            self._top_by_root[root].add(top)
            top_folder = posixpath.join(root, top) if root else top
            if top_folder in self._init_dirs or posixpath.basename(root) == "src":
                self._packages.add(top)

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

    def is_first_party(self, importer: str, module: str) -> bool:
        top = module.split(".")[0]
        root = self._roots.get(importer)
        if root is None:
            root = self._locate(importer)[0]
        return top in self._top_by_root.get(root, ()) or top in self._packages

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
