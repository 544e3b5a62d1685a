"""Where the data folders that ship with lockaudit (`rules/`, `reports/`) are at run time.

In a wheel they are copied into the package as `auditor/_data/<name>`; in a source
checkout (editable install, tests) they sit at the top of the repository.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    packaged = _PACKAGE / "_data" / name
    if packaged.is_dir():
        return packaged
    checkout = _PACKAGE.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"lockaudit's '{name}' data folder is missing from this installation")
