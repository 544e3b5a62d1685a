"""The "did you mean" of an error message: a typo in a rule id, role or key names its nearest
known spelling, as Ruff and git do."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(value: str, choices: Iterable[str], prefix: str = "") -> str:
    """'; did you mean 'x'?' for the closest choice (with `prefix` before it), or ''."""
    hint = difflib.get_close_matches(value, sorted(choices), n=1)
    return f"; did you mean '{prefix}{hint[0]}'?" if hint else ""
