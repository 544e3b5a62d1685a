"""Built-in rule packs load, and every catalog module is detected when imported."""

from __future__ import annotations

from pathlib import Path

from auditor.packs import LAYERS, Rule, load_rules
from helpers import scan_json


def test_builtin_packs_load_with_valid_fields() -> None:
    ruleset = load_rules()
    assert {"openai", "microsoft", "anthropic", "google", "core"} <= {p.id for p in ruleset.packs}
    assert all(p.layer in LAYERS for p in ruleset.products)
    assert "sdk-import-outside-adapter" in ruleset.rules


def test_every_catalog_module_is_detected(tmp_path: Path) -> None:
    ruleset = load_rules()
    expected = {m: p for p in ruleset.products for m in p.modules}
    (tmp_path / "uses_all.py").write_text("".join(f"import {m}\n" for m in expected))
    audit = scan_json(tmp_path)
    got = {r["name"]: (r["product"], r["vendor"], r["owner"], r["layer"]) for r in audit["inventory"]}
    assert got == {m: (p.id, p.vendor, p.owner, p.layer) for m, p in expected.items()}
    flagged = {f["product"] for f in audit["findings"]}
    assert flagged == {p.id for p in expected.values() if not p.abstraction}


def test_longest_module_prefix_wins() -> None:
    ruleset = load_rules()
    assert ruleset.product_for_module("llama_index.llms.openai.base").id == "llama-index-openai"
    assert ruleset.product_for_module("llama_index.core.settings").id == "llama-index"
    assert ruleset.product_for_module("google.cloud.storage") is None
    assert ruleset.product_for_module("openai_helpers") is None


def test_messages_fill_only_known_placeholders() -> None:
    rule = Rule("r", "t", "low", 1, "c", "{product} by {vendor} {product.__class__} {missing}", "fix", (), "p")
    assert rule.render({"product": "SDK", "vendor": "V"}) == "SDK by V {product.__class__} {missing}"
