"""YAML that may come from the scanned repository (rule packs, CI and tool configuration), read safely.

The safe loader builds no objects, but still expands aliases without bound and keeps the last of
two equal keys; `yaml_problem` refuses both, so a hostile file costs neither memory nor meaning.
"""

from __future__ import annotations

from typing import Any

import yaml

# The C-accelerated safe loader when PyYAML was built with libyaml: same safety, faster start.
SafeLoader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_YAML_NODES = 200_000  # after aliases are expanded: a "billion laughs" document stops here


class UnsafeYAML(yaml.YAMLError):
    """Well-formed YAML that `yaml_problem` refuses; the message says why."""


def yaml_problem(root: yaml.Node) -> str | None:
    """Aliases that expand past a bound, or a key given twice in one mapping (which the safe
    loader would silently resolve to the last value): either makes the file untrustworthy."""
    stack, seen = [root], 0
    while stack:
        node = stack.pop()
        seen += 1
        if seen > MAX_YAML_NODES:
            return f"more than {MAX_YAML_NODES} nodes once aliases are expanded (an alias bomb?)"
        if isinstance(node, yaml.MappingNode):
            keys: set[str] = set()
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in keys and key.value != "<<":
                        return f"duplicate key {key.value!r} at line {key.start_mark.line + 1}"
                    keys.add(key.value)
                stack.extend((key, value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return None


def load_yaml(text: str, checked: bool = True) -> Any:
    """The data in `text`, by the safe loader. `checked` first raises `UnsafeYAML` for what
    `yaml_problem` refuses; only files that ship with lockaudit, tested by the suite, skip it."""
    if checked:
        node = yaml.compose(text, Loader=SafeLoader)
        problem = yaml_problem(node) if node is not None else None
        if problem is not None:
            raise UnsafeYAML(problem)
    return yaml.load(text, Loader=SafeLoader)
