"""Gitignore-style path patterns, anchored at the folder they were written for.

Patterns come from configuration the scanned repository may have written, so they are
matched by RE2 (auditor/limits.py): no pattern can make matching backtrack.
"""

from __future__ import annotations

from collections.abc import Iterable

from auditor.limits import gitignore_spec


class PathPatterns:
    """Patterns relative to some folder, matched against paths relative to the scan root.

    `prefix` is the scan root's path relative to the patterns' folder ("" when they are
    the same), so `adapters = ["app/llm/"]` in a parent's configuration still matches
    when only `app` is scanned. A pattern that is invalid, or too many of them, raises a
    `ValueError` (`auditor.limits.LimitError`) naming it.
    """

    def __init__(self, patterns: Iterable[str], prefix: str = "") -> None:
        self.patterns = tuple(patterns)
        self.prefix = prefix
        self._spec = gitignore_spec([_normalise(p) for p in self.patterns])

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def match(self, rel: str, is_dir: bool = False) -> bool:
        if not self.patterns:
            return False
        candidate = f"{self.prefix}/{rel}" if self.prefix else rel
        return self._spec.match_file(candidate + "/" if is_dir else candidate)


def _normalise(pattern: str) -> str:
    """`./examples` means `examples` relative to the folder, as users expect."""
    while pattern.startswith("./"):
        pattern = pattern[2:]
    return pattern
