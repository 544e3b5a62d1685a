"""Coding assistants' instruction files (`CLAUDE.md`, `.cursor/rules/`, …): which assistant reads each.

Which vendor's tool reads which file is vendor knowledge, so it is data: `rules/files/assistants.yaml`,
shipped with lockaudit (a scanned tree cannot change it) and read on first use. Discovery names
these files `assistant` before any pack is loaded (the command line asks it too), so the table is
not part of a `RuleSet`; the toolchain extractor attributes each file to its product, and the
rule-pack digest covers the table, so cached facts follow it.
"""

from __future__ import annotations

import functools
import re

from auditor.resources import data_dir
from auditor.safe_yaml import load_yaml

TABLE = "files/assistants.yaml"  # under rules/


@functools.cache
def table_data() -> bytes:
    return (data_dir("rules") / TABLE).read_bytes()


@functools.cache
def _patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    document = load_yaml(table_data().decode("utf-8"), checked=False)  # shipped and tested: trusted
    return tuple((re.compile("|".join(entry["paths"])), entry["product"]) for entry in document["assistants"])


def assistant_product(rel: str) -> str | None:
    """The product of the assistant that reads the file at `rel` (relative to the root), if any."""
    return next((product for pattern, product in _patterns() if pattern.search(rel)), None)
