"""Coding assistants' instruction files are data (rules/files/assistants.yaml), not Python: each
entry names a product of the built-in catalog, and discovery and the toolchain extractor read
the one table."""

from __future__ import annotations

from auditor.assistants import _patterns, assistant_product
from auditor.discover import file_kind
from auditor.packs import load_rules

CASES = {
    ".github/copilot-instructions.md": "github-copilot",
    ".github/instructions/py.instructions.md": "github-copilot",
    ".github/agents/review.agent.md": "github-copilot",
    "CLAUDE.md": "claude-code",
    "app/.claude/settings.json": "claude-code",
    ".cursorrules": "cursor",
    ".cursor/rules/style.mdc": "cursor",
    "GEMINI.md": "gemini-cli",
    ".codex/config.toml": "codex",
}


def test_each_assistant_is_a_catalog_product_and_its_files_are_assistant_files() -> None:
    products = {product.id: product for product in load_rules().products}
    assert {product for _, product in _patterns()} == set(CASES.values())
    for path, product in CASES.items():
        assert assistant_product(path) == product
        assert file_kind(path.rsplit("/", 1)[-1], path) == "assistant"
        assert products[product].layer == "coding-assistant"
    assert assistant_product("docs/CLAUDE.md.bak") is None and file_kind("AGENTS.md", "AGENTS.md") is None
