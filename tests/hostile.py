"""A hostile repository, written by the tests: everything a stranger's pull request can put in
a tree to crash, hang, fool or exploit a scanner, with what lockaudit must say about each."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

# Run lockaudit without the capabilities that let root read any file, so that a file or
# folder with mode 000 is unreadable even when the tests run as root (as CI does).
SETPRIV = shutil.which("setpriv")
UNPRIVILEGED = (
    [SETPRIV, "--inh-caps=-dac_override,-dac_read_search", "--bounding-set=-dac_override,-dac_read_search"]
    if os.geteuid() == 0 and SETPRIV
    else []
)
CAN_LOCK = os.geteuid() != 0 or bool(SETPRIV)

# path → the start of the reason it is listed under `skipped`
SKIPPED = {
    "big_generated.py": "larger than the size cap",
    "deep_binop.py": "cannot be parsed: RecursionError",
    "deep_list.py": "syntax error: line 1: too many nested parentheses",
    "deep_nesting.py": "syntax error: line 1: too many nested parentheses",
    "fifo.py": "not a regular file",
    "invalid_utf8.py": "cannot be decoded",
    "not_json.ipynb": "not a valid notebook: not JSON",
    "nul.py": "binary file (NUL bytes)",
    "outside.py": "symlink to outside the root, not followed",
    "py2.py": "syntax error: line 1: Missing parentheses in call to 'print'",
    "string_cells.ipynb": "invalid notebook cell: cell 0: not an object",
    "sub/pyproject.toml": "invalid TOML",
    "syntax_error.py": "syntax error: line 1: invalid syntax",
    "zero.py": "symlink to outside the root, not followed",
    ".github/workflows/bomb.yml": "invalid YAML: more than 200000 nodes once aliases are expanded",
    ".pre-commit-config.yaml": "invalid YAML: duplicate key 'repos' at line 4",
    "settings.json": "invalid JSON: nested more than 200 levels deep",
} | (
    {"unreadable.py": "cannot be read: Permission denied", "locked": "folder cannot be read: Permission denied"}
    if CAN_LOCK
    else {}
)

# Files that must be analysed, each with the vendor import lockaudit must find in it.
ANALYSED = {
    "ok.py": "openai",
    "newer_grammar.py": "anthropic",
    "pep701.py": "openai",
    "latin1.py": "openai",
    "cp1252.py": "anthropic",
    "bom.py": "openai",
    "crlf.py": "anthropic",
    "formfeed.py": "openai",
    "long_file.py": "openai",
    "many_cells.ipynb": "openai",
    "name with spaces.py": "openai",
    "new\nline.py": "openai",
    "bad\\xffname.py": "openai",
    'evil"><img src=x onerror=alert(1)>.py': "openai",
    "esc\x1b[31mred.py": "openai",
    "d/" * 200 + "leaf.py": "openai",
}
HOSTILE_CODE = "# </script><script>alert(2)</script> {{ 7*7 }} \x1b]0;pwned\x07 | ## *"


def build(root: Path, marker: Path) -> None:
    """The tree; `marker` is a file that exists only if something from the tree ran."""

    def write(rel: str, data: str | bytes) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data) if isinstance(data, bytes) else path.write_text(data)

    write("ok.py", f"import openai  {HOSTILE_CODE}\nclient = openai.OpenAI()\n")
    write("syntax_error.py", "def f(:\n    pass\n")
    write("py2.py", "print 'hello'\nexec 'x = 1'\n")
    write(
        "newer_grammar.py",
        "type Vector = list[float]\ndef first[T](xs: list[T]) -> T:\n    return xs[0]\nimport anthropic\n",
    )
    write("pep701.py", 'import openai\nname = "x"\nmsg = f"{"nested" + name}"\n')
    write("latin1.py", "# -*- coding: latin-1 -*-\n# caf\xe9\nimport openai\n".encode("latin-1"))
    write("cp1252.py", "# coding: cp1252\ns = '\u2019'\nimport anthropic\n".encode("cp1252"))
    write("bom.py", b"\xef\xbb\xbfimport openai\n")
    write("invalid_utf8.py", b"import openai\nx = '\xff\xfe'\n")
    write("nul.py", b"import openai\x00\n")
    write("crlf.py", b"import openai\r\nclient = openai.OpenAI()\r\n\rimport anthropic\n")
    write("formfeed.py", "import openai\n\x0c\ndef f():\n    return 1\n")
    write("big_generated.py", "x = 1\n" * (20 * 1024 * 1024 // 6 + 1))
    write("long_file.py", "import openai\n" + "y = 2\n" * 100_000)
    write("deep_nesting.py", "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n")
    write("deep_list.py", "x = " + "[" * 3000 + "]" * 3000 + "\n")
    write("deep_binop.py", "x = " + " + ".join(["1"] * 50_000) + "\n")
    cells = [{"cell_type": "code", "source": [f"x{i} = {i}\n"]} for i in range(5000)]
    cells.append({"cell_type": "code", "source": "import openai\n"})  # a string source, not a list
    write("many_cells.ipynb", json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    write("not_json.ipynb", "{not json")
    write("string_cells.ipynb", json.dumps({"cells": ["import openai"], "metadata": {}, "nbformat": 4}))
    write("pyproject.toml/.keep", "")  # a pyproject.toml that is a folder
    write("sub/pyproject.toml", "[project\nname = 1\n")
    write(".pre-commit-config.yaml", "repos:\n  - repo: a\n    rev: b\nrepos:\n  - repo: c\n")
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i in range(8):
        this, previous = chr(98 + i), chr(97 + i)
        bomb += f"{this}: &{this} [{','.join([f'*{previous}'] * 9)}]\n"
    write(".github/workflows/bomb.yml", bomb + "jobs: *i\n")
    write(".github/workflows/tag.yml", f"on: !!python/object/apply:os.system ['touch {marker}']\njobs: {{}}\n")
    write("config.json", "[1, 2, 3]\n")
    write("settings.json", '{"model": "gpt-4o", "nested": ' + "[" * 2000 + "]" * 2000 + "}")
    os.symlink("loop_b", root / "loop_a")
    os.symlink("loop_a", root / "loop_b")
    os.symlink("/etc/passwd", root / "outside.py")
    os.symlink("/dev/zero", root / "zero.py")
    os.mkfifo(root / "fifo.py")
    for name in ("name with spaces.py", "new\nline.py", 'evil"><img src=x onerror=alert(1)>.py', "esc\x1b[31mred.py"):
        write(name, "import openai\n")
    (root / os.fsdecode(b"bad\xffname.py")).write_text("import openai\n")
    write("d/" * 200 + "leaf.py", "import openai\n")
    write("unreadable.py", "import anthropic\n")
    (root / "unreadable.py").chmod(0)
    write("locked/inside.py", "import anthropic\n")
    (root / "locked").chmod(0)


def unlock(root: Path) -> None:
    """So that pytest can delete the tree."""
    for rel in ("unreadable.py", "locked"):
        if (root / rel).exists():
            (root / rel).chmod(0o755)
