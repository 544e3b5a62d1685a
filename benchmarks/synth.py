"""Write a synthetic Python project whose size grows with a scale factor, for `bench.py --scale`.

Why: real trees come in one size each, so they cannot show how the scan's time grows with the
work. These trees grow in one dimension at a time, and scale N is scale 1 plus more of the same:
every module, test and notebook is drawn from its own seeded `random.Random` (named by shape and
index), so the first items of scale 8 are byte for byte those of scale 1, and two generations
of the same shape and scale are identical.

Shapes (the work grows with scale; everything else stays fixed; "base" is BASE[shape]):
- modules: a package `app/` of base x scale small modules in six subpackages, each importing
  two to four earlier ones (the first three fewer; absolute and relative, `import app.x` and
  `from app.x import y`, always the module before it, so the import graph has one chain through
  all of them); every tenth module is a vendor adapter (OpenAI, Anthropic or Google) that builds
  a client and calls it; a test module per 20 modules; a `pyproject.toml` declaring the SDKs.
- graph: base x scale modules, each importing three modules drawn from all the earlier ones, and
  every fifth of them an adapter: many modules depend on many others and many are coupled, so
  the work that grows with the import graph (dependents, chains, exposure) grows too.
- findings: 50 fixed modules holding base x scale vendor calls each, one per function, each
  with a model id: the usages (and the places of the findings) grow, the files do not.
- notebooks: base x scale notebooks (nbformat 4) of six code cells and three markdown cells,
  with shell escapes and magics; four in five call OpenAI or Anthropic.
- huge: one module of base x scale small functions (one in 200 calls OpenAI) and five normal
  modules; at scale 8 it is about 1.1 MB and 322,000 syntax tokens, under lockaudit's 8 MiB
  file-size cap and its budget of 500,000 syntax nodes (`auditor.limits.MAX_SYNTAX_NODES`),
  so it is analysed, not skipped.

Standard library only. Usage: python benchmarks/synth.py OUT --shape SHAPE --scale N [--base N]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

SHAPES = ("modules", "graph", "findings", "notebooks", "huge")
# Items per unit of scale: modules, calls per module, notebooks, functions of the huge module.
# Scale 1 is about 0.7 s of a whole-process scan on 2 cores (the huge module is held back by
# the syntax budget: 2,000 is 0.45 s), so that the work is not lost beside the start-up (0.3 s).
BASE = {"modules": 500, "graph": 400, "findings": 50, "notebooks": 400, "huge": 2_000}
MODULES_PER_TEST = 20
FINDING_MODULES = 50
HUGE_CALL_EVERY = 200
SUBPACKAGES = ("core", "models", "services", "api", "utils", "adapters")

# (vendor as lockaudit names it, imports, client construction, call, model ids)
VENDORS: tuple[tuple[str, tuple[str, ...], str, str, tuple[str, ...]], ...] = (
    (
        "OpenAI",
        ("import openai",),
        "openai.OpenAI()",
        'client.chat.completions.create(model="{model}", messages=[{{"role": "user", "content": {prompt}}}])',
        ("gpt-4o", "gpt-4o-mini", "gpt-4.1", "o3-mini"),
    ),
    (
        "Anthropic",
        ("from anthropic import Anthropic",),
        "Anthropic()",
        'client.messages.create(model="{model}", max_tokens=512, messages=[{{"role": "user", "content": {prompt}}}])',
        ("claude-sonnet-4-5", "claude-3-5-haiku-latest", "claude-opus-4-1"),
    ),
    (
        "Google",
        ("import google.genai",),
        "google.genai.Client()",
        'client.models.generate_content(model="{model}", contents={prompt})',
        ("gemini-2.5-flash", "gemini-2.5-pro", "gemini-2.0-flash"),
    ),
)
PYPROJECT = """\
[project]
name = "synth-app"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = [
    "openai>=1.40",
    "anthropic>=0.34",
    "google-genai>=1.0",
]

[tool.pytest.ini_options]
testpaths = ["tests"]
"""


class SynthError(Exception):
    """Bad arguments or an unusable output folder; the message says which and why."""


class _Tree:
    """Writes the files and keeps the description's counts."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: dict[str, int] = {"python": 0, "notebook": 0, "other": 0}
        self.lines = 0
        self.bytes = 0

    def write(self, relative: str, text: str) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        kind = "python" if relative.endswith(".py") else "notebook" if relative.endswith(".ipynb") else "other"
        self.files[kind] += 1
        self.lines += text.count("\n")
        self.bytes += len(text.encode("utf-8"))


def _rng(shape: str, index: int) -> random.Random:
    """One generator per item, so an item does not depend on the scale or on the items before it."""
    return random.Random(f"lockaudit-synth:{shape}:{index}")


def _call(vendor: int, model: str, prompt: str) -> str:
    return VENDORS[vendor][3].format(model=model, prompt=prompt)


# -- modules -------------------------------------------------------------------------------


def _module_name(index: int) -> tuple[str, str]:
    """(subpackage, module) of module `index`: `app.<subpackage>.m<index>`."""
    return SUBPACKAGES[index % len(SUBPACKAGES)], f"m{index:05d}"


def _is_adapter(index: int) -> bool:
    return index % 10 == 7


def _adapter_vendor(index: int) -> int:
    return (index // 10) % len(VENDORS)


def _import_lines(index: int, targets: list[int], rng: random.Random) -> tuple[list[str], list[str]]:
    """Import statements for `targets` from module `index`, and an expression calling each."""
    own_package, _ = _module_name(index)
    imports, uses = [], []
    for target in targets:
        package, module = _module_name(target)
        style = rng.randrange(4)
        if style == 0:
            imports.append(f"from app.{package}.{module} import func_{target}")
            uses.append(f"func_{target}(value)")
        elif style == 1:
            imports.append(f"import app.{package}.{module}")
            uses.append(f"app.{package}.{module}.func_{target}(value)")
        elif style == 2 and package == own_package:
            imports.append(f"from .{module} import func_{target}")
            uses.append(f"func_{target}(value)")
        elif style == 2:
            imports.append(f"from ..{package}.{module} import func_{target}")
            uses.append(f"func_{target}(value)")
        else:
            imports.append(f"from app.{package} import {module}")
            uses.append(f"{module}.func_{target}(value)")
    return imports, uses


def _module_source(index: int) -> str:
    """Module `index`: imports of earlier modules, `func_<index>` calling them, a class; an
    adapter also builds a vendor client and calls it."""
    rng = _rng("modules", index)
    targets: list[int] = []
    if index:
        targets.append(index - 1)  # the chain through every module
        window = range(max(0, index - 60), index - 1)
        if len(window):
            targets += rng.sample(window, min(len(window), rng.randint(1, 3)))
    imports, uses = _import_lines(index, sorted(targets), rng)
    lines = [f'"""Synthetic module {index}."""', "", "from __future__ import annotations", ""]
    adapter = _is_adapter(index)
    if adapter:
        name, vendor_imports, construct, _, models = VENDORS[_adapter_vendor(index)]
        lines += [*vendor_imports, ""]
    lines += [
        *imports,
        "",
        f"FACTOR_{index} = {rng.randint(2, 97)}",
        "",
        "",
        f"def func_{index}(value: int) -> int:",
        f'    """Combine the results of the modules module {index} imports."""',
        f"    total = value * FACTOR_{index}",
    ]
    lines += [f"    total += {use}" for use in uses]
    lines += [f"    return total % {rng.randint(1000, 99999)}", "", ""]
    if adapter:
        model = rng.choice(models)
        lines += [
            f"class Adapter{index}:",
            f'    """Talks to {name} for module {index}."""',
            "",
            "    def __init__(self) -> None:",
            f"        self.client = {construct}",
            "",
            "    def ask(self, prompt: str) -> str:",
            "        client = self.client",
            f"        response = {_call(_adapter_vendor(index), model, 'prompt')}",
            f"        return str(response) + str(func_{index}(len(prompt)))",
            "",
        ]
    else:
        lines += [
            f"class Record{index}:",
            f'    """A value of module {index}."""',
            "",
            "    def __init__(self, value: int) -> None:",
            "        self.value = value",
            "",
            "    def scaled(self) -> int:",
            f"        return func_{index}(self.value)",
            "",
        ]
        for method in range(rng.randint(0, 3)):
            lines += [
                f"    def step_{method}(self, other: int) -> int:",
                f"        return self.value * {rng.randint(2, 9)} + other - {method}",
                "",
            ]
    return "\n".join(lines).rstrip("\n") + "\n"


def _test_source(index: int, modules: int) -> str:
    """Test module `index`: tests of three modules of its own block of MODULES_PER_TEST."""
    rng = _rng("tests", index)
    block = range(index * MODULES_PER_TEST, min(modules, (index + 1) * MODULES_PER_TEST))
    targets = sorted(rng.sample(block, min(len(block), 3)))
    lines = [f'"""Tests of three synthetic modules ({index})."""', "", "from __future__ import annotations", ""]
    lines += [f"from app.{_module_name(t)[0]}.{_module_name(t)[1]} import func_{t}" for t in targets]
    for t in targets:
        lines += ["", "", f"def test_func_{t}() -> None:", f"    assert func_{t}({rng.randint(1, 50)}) >= 0"]
    return "\n".join(lines) + "\n"


def _package(
    tree: _Tree, count: int, source: Callable[[int], str], vendor: Callable[[int], int | None]
) -> dict[str, int]:
    """The `app/` package of `count` modules, `source(index)` each; the vendor calls per vendor,
    given which vendor (if any) module `index` calls."""
    tree.write("pyproject.toml", PYPROJECT)
    tree.write("app/__init__.py", '"""The synthetic application."""\n')
    for package in SUBPACKAGES:
        tree.write(f"app/{package}/__init__.py", f'"""Subpackage {package}."""\n')
    calls = {entry[0]: 0 for entry in VENDORS}
    for index in range(count):
        package, module = _module_name(index)
        tree.write(f"app/{package}/{module}.py", source(index))
        called = vendor(index)
        if called is not None:
            calls[VENDORS[called][0]] += 1
    return calls


def _modules(tree: _Tree, count: int) -> dict[str, Any]:
    tests = max(1, count // MODULES_PER_TEST)
    calls = _package(tree, count, _module_source, lambda i: _adapter_vendor(i) if _is_adapter(i) else None)
    tree.write("tests/__init__.py", "")
    for index in range(tests):
        tree.write(f"tests/test_synth_{index:04d}.py", _test_source(index, count))
    return {
        "modules": count,
        "adapters": sum(calls.values()),
        "vendor_calls": calls,
        "test_modules": tests,
        "longest_import_chain": count,
    }


# -- graph ---------------------------------------------------------------------------------


def _graph_source(index: int) -> str:
    """Module `index` of the dense graph: three imports from any earlier module; every fifth
    module an adapter that builds a client and calls it."""
    rng = _rng("graph", index)
    targets = sorted(rng.sample(range(index), min(index, 3)))
    imports, uses = _import_lines(index, targets, rng)
    lines = [
        f'"""Synthetic module {index} of a dense import graph."""',
        "",
        *imports,
        "",
        "",
        f"def func_{index}(value: int) -> int:",
        f"    total = value + {index}",
    ]
    lines += [f"    total += {use}" for use in uses]
    lines += ["    return total", ""]
    if index % 5 == 0:
        vendor = (index // 5) % len(VENDORS)
        _, vendor_imports, construct, _, models = VENDORS[vendor]
        lines = [
            *vendor_imports,
            *lines,
            "",
            f"CLIENT_{index} = {construct}",
            "",
            "",
            "def ask(prompt: str) -> object:",
            f"    client = CLIENT_{index}",
            f"    return {_call(vendor, rng.choice(models), 'prompt')}",
            "",
        ]
    return "\n".join(lines).rstrip("\n") + "\n"


def _graph(tree: _Tree, count: int) -> dict[str, Any]:
    calls = _package(tree, count, _graph_source, lambda i: (i // 5) % len(VENDORS) if i % 5 == 0 else None)
    return {"modules": count, "adapters": sum(calls.values()), "vendor_calls": calls}


# -- findings ------------------------------------------------------------------------------


def _findings(tree: _Tree, per_module: int) -> dict[str, Any]:
    tree.write("pyproject.toml", PYPROJECT)
    tree.write("calls/__init__.py", "")
    calls = {vendor[0]: 0 for vendor in VENDORS}
    for index in range(FINDING_MODULES):
        vendor = index % len(VENDORS)
        name, vendor_imports, construct, _, models = VENDORS[vendor]
        lines = [
            f'"""{per_module} calls to {name}."""',
            "",
            "from __future__ import annotations",
            "",
            *vendor_imports,
            "",
            f"client = {construct}",
            "",
        ]
        for call in range(per_module):
            rng = _rng(f"findings:{index}", call)
            lines += [
                "",
                f"def ask_{call}(prompt: str) -> object:",
                f"    return {_call(vendor, rng.choice(models), 'prompt')}",
            ]
        tree.write(f"calls/calls_{index:03d}.py", "\n".join(lines) + "\n")
        calls[name] += per_module
    return {"modules": FINDING_MODULES, "vendor_calls": calls, "calls_per_module": per_module}


# -- notebooks -----------------------------------------------------------------------------


def _cell(kind: str, text: str) -> dict[str, Any]:
    source = text.splitlines(keepends=True)
    if kind == "markdown":
        return {"cell_type": "markdown", "metadata": {}, "source": source}
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}


def _notebook(index: int) -> tuple[dict[str, Any], str | None]:
    """Notebook `index` and the vendor it calls (None for a plain one)."""
    rng = _rng("notebooks", index)
    vendor = None if index % 5 == 4 else index % 2  # OpenAI, Anthropic, or neither
    rows = rng.randint(5, 50)
    cells = [
        _cell("markdown", f"# Analysis {index}\n\nSynthetic notebook for the benchmark.\n"),
        _cell("code", "%matplotlib inline\n!pip install pandas\nimport json\nimport pandas as pd\n"),
        _cell(
            "code",
            f"rows = [{{'id': i, 'score': (i * {rng.randint(3, 17)}) % 101}} for i in range({rows})]\n"
            "df = pd.DataFrame(rows)\ndf.describe()\n",
        ),
        _cell("markdown", "## Scores\n\nFiltered and grouped.\n"),
        _cell(
            "code",
            f"high = df[df['score'] > {rng.randint(10, 90)}]\n"
            "summary = high.groupby('id').agg({'score': 'mean'})\nsummary.head()\n",
        ),
    ]
    if vendor is None:
        cells += [
            _cell("code", "total = int(df['score'].sum())\nprint(total)\n"),
            _cell("code", "def label(score: int) -> str:\n    return 'high' if score > 50 else 'low'\n"),
            _cell("code", "df['label'] = df['score'].map(label)\njson.dumps(df.to_dict())\n"),
        ]
    else:
        _, vendor_imports, construct, _, models = VENDORS[vendor]
        model = rng.choice(models)
        cells += [
            _cell("code", "\n".join(vendor_imports) + f"\nclient = {construct}\n"),
            _cell(
                "code", f"prompt = 'Summarise: ' + summary.to_string()\nresponse = {_call(vendor, model, 'prompt')}\n"
            ),
            _cell("code", "print(response)\n"),
        ]
    cells.append(_cell("markdown", "## Notes\n\nNothing else.\n"))
    document = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python", "version": "3.12"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    for number, cell in enumerate(document["cells"]):
        cell["id"] = f"cell-{index}-{number}"
    return document, None if vendor is None else VENDORS[vendor][0]


def _notebooks(tree: _Tree, count: int) -> dict[str, Any]:
    tree.write("pyproject.toml", PYPROJECT)
    calls = {"OpenAI": 0, "Anthropic": 0}
    for index in range(count):
        document, vendor = _notebook(index)
        tree.write(f"notebooks/analysis_{index:05d}.ipynb", json.dumps(document, indent=1) + "\n")
        if vendor:
            calls[vendor] += 1
    return {"notebooks": count, "vendor_calls": calls, "plain_notebooks": count - sum(calls.values())}


# -- huge ----------------------------------------------------------------------------------


def _huge(tree: _Tree, functions: int) -> dict[str, Any]:
    tree.write("pyproject.toml", PYPROJECT)
    tree.write("app/__init__.py", "")
    lines = [
        '"""One very large generated module."""',
        "",
        "from __future__ import annotations",
        "",
        "import openai",
        "",
        "client = openai.OpenAI()",
        "",
    ]
    calls = 0
    for index in range(functions):
        rng = _rng("huge", index)
        if index % HUGE_CALL_EVERY == HUGE_CALL_EVERY - 1:
            model = rng.choice(VENDORS[0][4])
            lines += ["", f"def fn_{index}(prompt: str) -> object:", f"    return {_call(0, model, 'prompt')}"]
            calls += 1
        elif index:
            lines += [
                "",
                f"def fn_{index}(value: int) -> int:",
                f"    return fn_{rng.randrange(index)}(value) * {rng.randint(2, 9)} + {rng.randint(0, 99)}",
            ]
        else:
            lines += ["", "def fn_0(value: int) -> int:", "    return value + 1"]
    text = "\n".join(lines) + "\n"
    tree.write("app/huge.py", text)
    for index in range(5):  # the normal modules around it
        tree.write(
            f"app/part_{index}.py",
            f'"""Normal module {index}."""\n\nfrom app.huge import fn_{index}\n\n\n'
            f"def use_{index}(value: int) -> int:\n    return fn_{index}(value) + {index}\n",
        )
    return {
        "functions": functions,
        "vendor_calls": {"OpenAI": calls},
        "huge_bytes": len(text.encode("utf-8")),
        "huge_lines": text.count("\n"),
    }


_SHAPES: dict[str, Callable[[_Tree, int], dict[str, Any]]] = {
    "modules": _modules,
    "graph": _graph,
    "findings": _findings,
    "notebooks": _notebooks,
    "huge": _huge,
}


def generate(root: Path, shape: str, scale: int, base: int | None = None) -> dict[str, Any]:
    """Write `shape` at `scale` into `root` (missing or empty) and describe it: files by kind,
    lines and bytes written, and the shape's expected counts (modules, vendor calls...).
    `base` replaces the shape's items per unit of scale (BASE)."""
    if shape not in _SHAPES:
        raise SynthError(f"unknown shape {shape!r}; choose one of {', '.join(SHAPES)}")
    base = BASE[shape] if base is None else base
    for name, value in (("scale", scale), ("base", base)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise SynthError(f"{name} must be a whole number of at least 1, not {value!r}")
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise SynthError(f"{root}: exists and is not a folder")
    try:
        if root.is_dir() and any(root.iterdir()):
            raise SynthError(f"{root}: folder is not empty; give a new or empty folder")
        root.mkdir(parents=True, exist_ok=True)
        tree = _Tree(root)
        expected = _SHAPES[shape](tree, scale * base)
    except OSError as exc:
        raise SynthError(f"{exc.filename or root}: cannot write: {exc.strerror or exc}") from None
    return {
        "shape": shape,
        "scale": scale,
        "base": base,
        "files": sum(tree.files.values()),
        "python_files": tree.files["python"],
        "notebooks": tree.files["notebook"],
        "other_files": tree.files["other"],
        "lines": tree.lines,
        "bytes": tree.bytes,
        "vendors": sorted(expected["vendor_calls"]),
        "expected": expected,
    }


def _fail(message: str) -> NoReturn:
    print(f"synth: error: {message}", file=sys.stderr)
    sys.exit(2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python benchmarks/synth.py", description="Write a synthetic Python project of a given shape and scale."
    )
    parser.add_argument("out", metavar="OUT", help="new or empty folder to write into")
    parser.add_argument("--shape", choices=SHAPES, required=True, help="what grows with the scale")
    parser.add_argument("--scale", type=int, default=1, metavar="N", help="work factor (default 1)")
    parser.add_argument(
        "--base",
        type=int,
        metavar="N",
        help="items per unit of scale: modules, calls per module, notebooks or functions "
        f"(default {', '.join(f'{k} {v:,}' for k, v in BASE.items())})",
    )
    args = parser.parse_args(argv)
    try:
        description = generate(Path(args.out), args.shape, args.scale, args.base)
    except SynthError as exc:
        _fail(str(exc))
    print(json.dumps(description, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
