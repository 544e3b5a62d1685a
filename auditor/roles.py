"""Roles: which part each file plays in the project — product code, or a test, example,
doc, script, benchmark, migration, fixture or demo notebook.

Decided from what the project itself says first, then from path conventions:
1. the configuration's `roles` table (gitignore patterns; the last match wins);
2. fixtures and migrations by their folders, wherever they are;
3. pytest's `testpaths`, folders holding a `conftest.py`, and test files and folders;
4. what the build ships (hatch, setuptools, Poetry, uv_build, flit and PDM package lists,
   and `src/` layouts) is product, even in a folder named like `scripts/`;
5. the other conventions (`examples/`, `docs/`, `scripts/`, `benchmarks/`, notebooks), but
   only outside Python packages: `myagent/tools/` is product, top-level `tools/` a script;
6. everything else is product.
The conventions are data (`roles` in rules/core.yaml). Build files are read here, bounded
in size, and never executed; one that cannot be read says nothing (its extractor reports why).
"""

from __future__ import annotations

import configparser
import fnmatch
import functools
import posixpath
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.catalog import ROLES, RoleConvention as Convention
from auditor.discover import Discovery
from auditor.files import read_regular
from auditor.limits import load_toml
from auditor.patterns import PathPatterns

PRODUCT = "product"
# Roles that describe what a file is wherever it sits, even inside a shipped package.
INTRINSIC = ("fixture", "migration")
MAX_BUILD_FILE = 1 << 20
# Files that say where tests and shipped code are: pyproject.toml, setup.cfg, and these, read
# for pytest's `testpaths` (pytest.ini is read only here).
PYTEST_FILES = (("pytest.ini", "pytest"), ("tox.ini", "pytest"))
LAYOUT_FILES = frozenset({"pyproject.toml", "setup.cfg", *(name for name, _ in PYTEST_FILES)})


@dataclass(frozen=True)
class Layout:
    """What the project's build and test configuration says about its folders (root-relative)."""

    shipped: tuple[str, ...] = ()  # folders or files the build puts in the distribution
    tests: tuple[str, ...] = ()  # pytest testpaths and folders holding a conftest.py
    sources: tuple[str, ...] = ()  # the build files read


@dataclass
class Roles:
    """Each file's role, and which roles the score, the gate and the reports count."""

    of: dict[str, str] = field(default_factory=dict)
    counted: frozenset[str] = frozenset({PRODUCT})
    note: str | None = None  # why the counted roles differ from what was asked, when they do
    layout: Layout = field(default_factory=Layout)

    def role(self, path: str) -> str:
        return self.of.get(path, PRODUCT)

    def counts(self, path: str) -> bool:
        return self.role(path) in self.counted

    def promote(self, importers: dict[str, set[str]], configured: Iterable[tuple[PathPatterns, str]] = ()) -> set[str]:
        """Code that product code imports runs with it, whatever its folder is called: a module
        in `app/snapshots/` that `app/main.py` imports is product code, or a change could hide
        its coupling by naming a folder. The user's own `roles` entries are left as they are.
        Returns the paths promoted."""
        configured = list(configured)
        imports: dict[str, set[str]] = {}
        for target, sources in importers.items():
            for source in sources:
                imports.setdefault(source, set()).add(target)
        promoted: set[str] = set()
        queue = [path for path in imports if self.role(path) == PRODUCT]
        while queue:
            for target in imports.get(queue.pop(), ()):
                if self.role(target) == PRODUCT or any(p.match(target) for p, _ in configured):
                    continue
                self.of[target] = PRODUCT
                promoted.add(target)
                queue.append(target)
        return promoted

    def as_dict(self) -> dict[str, Any]:
        files: dict[str, int] = {}
        for role in self.of.values():
            files[role] = files.get(role, 0) + 1
        return {
            "counted": sorted(self.counted, key=ROLES.index),
            "note": self.note,
            "files": {role: files[role] for role in ROLES if role in files},
            "shipped": list(self.layout.shipped),
            "tests": list(self.layout.tests),
        }


Read = Callable[[str], bytes | None]  # a root-relative file's bytes, None when absent


def assign_roles(
    root: Path,
    found: Discovery,
    conventions: Iterable[Convention],
    configured: Iterable[tuple[PathPatterns, str]] = (),
    include: Iterable[str] = (),
    max_bytes: int = MAX_BUILD_FILE,
    read: Read | None = None,
    known: KnownRoles | None = None,
) -> Roles:
    """`read`: how the project's build and pytest files are read; with `--since`, as they were
    at the merge base, so a change cannot declare its own code a test. `known`: the roles an
    earlier scan of the same tree's history gave."""
    conventions = list(conventions)
    configured = list(configured)
    packages = {posixpath.dirname(f.path) for f in found.files if posixpath.basename(f.path) == "__init__.py"}
    layout = read_layout(root, found, packages, max_bytes, read)
    roles = Roles(layout=layout)
    decided_by = (conventions, [(p.patterns, p.prefix, role) for p, role in configured], layout, packages)
    given = (known or KnownRoles()).under(decided_by)
    for source in found.files:
        role = given.get(source.path)
        if role is None:
            role = given[source.path] = _role(source.path, conventions, configured, layout, packages)
        if source.kind == "promptfoo" and role == "benchmark":
            role = PRODUCT  # an eval configuration in evals/ is the project's evaluation toolchain
        roles.of[source.path] = role
    counted = {PRODUCT, *include}
    if PRODUCT not in roles.of.values() and roles.of:
        counted = set(ROLES)
        roles.note = "no file is product code, so every role is counted"
    roles.counted = frozenset(counted)
    return roles


class KnownRoles:
    """Each path's role by convention, kept while everything that decides it (the conventions,
    the configured patterns, the build's layout, the packages) stays the same."""

    def __init__(self) -> None:
        self._decided_by: Any = None
        self._roles: dict[str, str] = {}

    def under(self, decided_by: Any) -> dict[str, str]:
        if decided_by != self._decided_by:
            self._decided_by, self._roles = decided_by, {}
        return self._roles


def _role(
    path: str,
    conventions: list[Convention],
    configured: list[tuple[PathPatterns, str]],
    layout: Layout,
    packages: set[str],
) -> str:
    chosen = None
    for patterns, role in configured:  # the last match wins, as in the overrides
        if patterns.match(path):
            chosen = role
    if chosen is not None:
        return chosen
    convention, where = _convention(path, conventions, packages)
    if convention in INTRINSIC:
        return convention
    if _under(path, layout.tests) or convention == "test":
        return "test"
    shipped = max((f for f in layout.shipped if path == f or path.startswith(f + "/")), key=len, default=None)
    # What the build ships is product, even in a folder named `scripts/` inside it; a shipped
    # package that itself sits in `examples/` (a monorepo's example project) stays an example.
    if shipped is not None and (convention is None or where is None or where.startswith(shipped + "/")):
        return PRODUCT
    return convention or PRODUCT


def _convention(path: str, conventions: list[Convention], packages: set[str]) -> tuple[str | None, str | None]:
    """The first role whose convention matches, and the folder that matched (None for a file name)."""
    segments = path.split("/")
    folders, name = segments[:-1], segments[-1]
    for convention in conventions:  # in priority order: the first role that matches wins
        for index, folder in enumerate(folders):
            if _matches(convention.folders, folder) and (
                convention.in_packages or not _in_package("/".join(folders[:index]), packages)
            ):
                return convention.role, "/".join(folders[: index + 1])
        if _matches(convention.files, name):  # a file's own name counts anywhere
            return convention.role, None
    return None, None


@functools.lru_cache(maxsize=1 << 16)
def _matches(globs: Iterable[str], name: str) -> bool:
    """Folder and file names repeat across a tree: each is matched against a convention once."""
    return any(fnmatch.fnmatchcase(name, glob) for glob in globs)


def _in_package(folder: str, packages: set[str]) -> bool:
    """Whether `folder` is a regular package or lies inside one."""
    while folder:
        if folder in packages:
            return True
        folder = posixpath.dirname(folder)
    return False


def _under(path: str, folders: Iterable[str]) -> bool:
    return any(path == f or path.startswith(f + "/") for f in folders)


# -- what the project says ---------------------------------------------------------------


def read_layout(
    root: Path, found: Discovery, packages: set[str], max_bytes: int = MAX_BUILD_FILE, read: Read | None = None
) -> Layout:
    limit = min(max_bytes, MAX_BUILD_FILE)

    def data(rel: str, on_disk: str | Path | None) -> bytes | None:
        if read is not None:
            return read(rel)
        try:
            return read_regular(on_disk, limit) if on_disk is not None else None
        except OSError:  # unreadable or too large: the extractor lists it
            return None

    by_path = {f.path: f.abspath for f in found.files}
    shipped: list[str] = []
    tests: list[str] = []
    sources: list[str] = []
    for project in sorted(set(found.project_dirs) | {""}):

        def at(rel: str, project: str = project) -> str:  # this iteration's project, bound when defined
            return posixpath.normpath(posixpath.join(project, rel)) if rel not in ("", ".") else project

        pyproject = _toml(data(at("pyproject.toml"), by_path.get(at("pyproject.toml"))))
        setup_cfg = _ini(data(at("setup.cfg"), by_path.get(at("setup.cfg"))))
        if pyproject is not None:
            sources.append(at("pyproject.toml"))
            shipped += [at(p) for p in _shipped_by_pyproject(pyproject)]
            tests += [at(p) for p in _strings(_get(pyproject, "tool", "pytest", "ini_options", "testpaths"))]
        if setup_cfg is not None:
            sources.append(at("setup.cfg"))
            shipped += [at(p) for p in _shipped_by_setup_cfg(setup_cfg)]
            tests += [at(p) for p in _split(setup_cfg.get("tool:pytest", "testpaths", fallback=""))]
        for name, section in PYTEST_FILES:
            ini = _ini(data(at(name), by_path.get(at(name), root / at(name))))  # pytest.ini is not otherwise read
            if ini is not None and ini.has_option(section, "testpaths"):
                sources.append(at(name))
                tests += [at(p) for p in _split(ini.get(section, "testpaths"))]
        source_root = at("src")
        if any(f.path.startswith(source_root + "/") for f in found.files):
            shipped.append(source_root)
    shipped = [p for p in shipped if p and not any(c in p for c in "*?[") and not p.startswith("..")]
    for path in by_path:
        folder = posixpath.dirname(path)
        if (
            posixpath.basename(path) == "conftest.py"
            and folder
            and folder not in found.project_dirs
            and not _under(folder, shipped)
            and not _in_package(folder, packages)
            and (read is None or read(path) is not None)
        ):
            tests.append(folder)
    tests = [p for p in tests if p and not any(c in p for c in "*?[") and not p.startswith("..")]
    return Layout(tuple(sorted(set(shipped))), tuple(sorted(set(tests))), tuple(sources))


def _shipped_by_pyproject(document: dict[str, Any]) -> list[str]:
    """Folders the build backends named in pyproject.toml put in the wheel."""
    found: list[str] = []
    hatch = _get(document, "tool", "hatch", "build", "targets", "wheel")
    found += _strings(_get(hatch, "packages")) + _strings(_get(hatch, "only-include"))
    found += _strings(_get(document, "tool", "hatch", "build", "packages"))
    setuptools = _get(document, "tool", "setuptools")
    package_dir = _get(setuptools, "package-dir")
    base = package_dir.get("", "") if isinstance(package_dir, dict) and isinstance(package_dir.get(""), str) else ""
    packages = _get(setuptools, "packages")
    if isinstance(packages, list):
        found += [posixpath.join(base, p.replace(".", "/")) for p in _strings(packages) if "." not in p]
    find = _get(packages, "find") if isinstance(packages, dict) else None
    if isinstance(find, dict):
        wheres = _strings(find.get("where")) or ["."]
        includes = [i.rstrip("*").rstrip(".") for i in _strings(find.get("include")) if i.rstrip("*").rstrip(".")]
        for where in wheres:
            found += (
                [posixpath.join(where, i.replace(".", "/")) for i in includes]
                if includes
                else ([where] if where not in (".", "") else [])
            )
    for entry in _get(document, "tool", "poetry", "packages") or []:
        if isinstance(entry, dict) and isinstance(entry.get("include"), str):
            source = entry.get("from")
            found.append(posixpath.join(source if isinstance(source, str) else "", entry["include"]))
    backend = _get(document, "build-system", "build-backend")
    if backend == "uv_build":
        uv = _get(document, "tool", "uv", "build-backend") or {}
        root = uv.get("module-root", "src") if isinstance(uv, dict) else "src"
        name = uv.get("module-name") if isinstance(uv, dict) else None
        name = name or _get(document, "project", "name")
        if isinstance(name, str) and isinstance(root, str):
            found.append(posixpath.join(root, name.replace("-", "_").replace(".", "/").lower()))
    flit = _get(document, "tool", "flit", "module", "name")
    if isinstance(flit, str):
        found.append(flit.replace(".", "/"))
    pdm = _get(document, "tool", "pdm", "build", "package-dir")
    if isinstance(pdm, str):
        found.append(pdm)
    return [posixpath.normpath(p) for p in found if isinstance(p, str) and p.strip("./")]


def _shipped_by_setup_cfg(parser: configparser.ConfigParser) -> list[str]:
    found: list[str] = []
    base = ""
    package_dir = parser.get("options", "package_dir", fallback="")
    for line in package_dir.splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "" and value.strip():
            base = value.strip()
    packages = parser.get("options", "packages", fallback="").strip()
    if packages.startswith("find"):
        found += _split(parser.get("options.packages.find", "where", fallback="")) or ([base] if base else [])
    else:
        found += [posixpath.join(base, p.replace(".", "/")) for p in _split(packages) if "." not in p]
    return [posixpath.normpath(p) for p in found if p.strip("./")]


def _toml(data: bytes | None) -> dict[str, Any] | None:
    if data is None:
        return None
    try:
        return load_toml(data)
    except ValueError:  # invalid, too large or too deep: the extractor lists it
        return None


def _ini(data: bytes | None) -> configparser.ConfigParser | None:
    if data is None:
        return None
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(data.decode("utf-8"))
    except (UnicodeDecodeError, configparser.Error):
        return None
    return parser


def _get(document: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(document, dict):
            return None
        document = document.get(key)
    return document


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _split(value: str) -> list[str]:
    return [part for part in value.replace(",", " ").split() if part]
