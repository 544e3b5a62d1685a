"""Validation against lockaudit's JSON Schemas (the files in `auditor/schemas/`).

jsonschema is imported on first use, not with this module: loading it costs more than most
commands need (tests/test_cli.py checks which commands load it).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any


@functools.lru_cache(maxsize=8)
def validator_for(schema_name: str) -> Any:
    """A validator for one of lockaudit's schemas, e.g. `pack-1.schema.json`; built once per process."""
    import jsonschema

    schema = json.loads((Path(__file__).parent / "schemas" / schema_name).read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def jsonschema_best_error(validator: Any, instance: Any) -> Any:
    """The error that best says why `instance` does not fit, or None when it does."""
    import jsonschema

    return jsonschema.exceptions.best_match(validator.iter_errors(instance))


def schema_problem(schema_name: str, document: Any) -> str | None:
    """`where: why` for what in `document` best shows it does not fit the schema (`where` a
    `/`-joined path, `the document` at the top), or None when it fits."""
    error = jsonschema_best_error(validator_for(schema_name), document)
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path) or "the document"
    return f"{where}: {error.message[:200]}"
