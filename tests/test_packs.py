"""Built-in rule packs load, and every catalog module is detected when imported."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.catalog import LAYERS, Rule
from auditor.packs import PackError, load_rules
from helpers import scan_json

CATALOG = (
    "id: x\ntitle: X\nvendor: V\nowner: O\nlayer: model-api\n"
    "catalog:\n  products:\n    - id: p\n      title: P\n      modules: [acme]\n"
)


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
    got = {
        r["name"]: (r["product"], r["vendor"], r["owner"], r["layer"])
        for r in audit["inventory"]
        if r["kind"] == "import"
    }
    assert got == {m: (p.id, p.vendor, ruleset.owner_of(p.vendor), p.layer) for m, p in expected.items()}
    flagged = [f for f in audit["findings"] if f["rule_id"] == "sdk-import-outside-adapter"]
    vendor_specific = [m for m, p in expected.items() if not p.abstraction]
    assert {f["vendor"] for f in flagged} == {expected[m].vendor for m in vendor_specific}  # one finding per vendor
    assert sum(len(f["places"]) for f in flagged) == len(vendor_specific)  # listing every import


def test_longest_module_prefix_wins() -> None:
    ruleset = load_rules()
    assert ruleset.product_for_module("llama_index.llms.openai.base").id == "llama-index-openai"
    assert ruleset.product_for_module("llama_index.core.settings").id == "llama-index"
    assert ruleset.product_for_module("google.cloud.storage") is None
    assert ruleset.product_for_module("openai_helpers") is None


def test_messages_fill_only_known_placeholders() -> None:
    rule = Rule("r", "t", "low", 1, "c", "{product} by {vendor} {product.__class__} {missing}", "fix", (), "p")
    assert rule.render({"product": "SDK", "vendor": "V"}) == "SDK by V {product.__class__} {missing}"


@pytest.mark.parametrize(
    "text, message",
    [
        ("- just a list\n", "x.yaml: a rule pack must be a mapping"),
        ("id: x\ntitle: X\ncatalog: [1]\n", "x.yaml: 'catalog': [1] is not of type 'object'"),
        (
            "id: x\ntitle: X\ncatalog:\n  products: {a: 1}\n",
            "x.yaml: 'catalog.products': {'a': 1} is not of type 'array'",
        ),
        ("id: x\ntitle: X\ncatalog:\n  products: [3]\n", "x.yaml: 'catalog.products[0]': 3 is not of type 'object'"),
        (CATALOG + "      host: 7\n", "x.yaml: 'catalog.products[0].host': 7 is not of type 'string'"),
        (
            CATALOG + "      abstraction: 'yes'\n",
            "x.yaml: 'catalog.products[0].abstraction': 'yes' is not of type 'boolean'",
        ),
        (CATALOG.replace("layer: model-api", "layer: models"), "x.yaml: 'layer': 'models' is not one of"),
        (CATALOG.replace("[acme]", "[openai]"), "module 'openai' is already claimed by 'openai'"),
        ("id: openai\ntitle: Dup\n", "x.yaml: pack id 'openai' is defined twice"),
        (
            "id: x\ntitle: X\nrules:\n  - {id: r, title: t, severity: low, effort: 2, category: c, message: m,"
            " remediation: f, when: {kind: import}}\n",
            "x.yaml: rule 'r': 'effort'",
        ),
        (
            "id: x\ntitle: X\nrules:\n  - {id: r, title: t, severity: low, effort: 1, category: c, message: m}\n",
            "x.yaml: rule 'r': 'remediation' is a required property",
        ),
        (
            "id: x\ntitle: X\nrules:\n  - {id: r, title: t, severity: low, effort: 1, category: c, message: m,"
            " remediation: f, when: {kind: import}, severty: high}\n",
            "x.yaml: rule 'r': Additional properties are not allowed ('severty' was unexpected)",
        ),
        (CATALOG + "      moduels: [x]\n", "x.yaml: 'catalog.products[0]': Additional properties"),
        (CATALOG + "      modules: [acme]\n", "x.yaml: cannot be read as YAML: duplicate key 'modules' at line 11"),
        (
            CATALOG + "      build_signs: [{signal: uv-imag, pattern: 'x', label: x}]\n",
            "x.yaml: 'catalog.products[0].build_signs[0].signal': 'uv-imag' is not one of",
        ),
        (
            CATALOG + "      build_signs: [{signal: uv-image, pattern: '(', label: x}]\n",
            "x.yaml: catalog.products[0].build_signs[0]: 'pattern': invalid regex",
        ),
        (
            "id: x\ntitle: X\ncatalog:\n  hidden_defaults: [{id: d, title: t, when_signal: ungraded}]\n",
            "x.yaml: 'catalog.hidden_defaults[0].when_signal': 'ungraded' is not one of",
        ),
    ],
)
def test_broken_pack_names_file_and_field(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "x.yaml").write_text(text)
    with pytest.raises(PackError) as caught:
        load_rules([tmp_path])
    assert message in str(caught.value)


@pytest.mark.parametrize(
    "when, message",
    [
        ("{kind: imports}", "'when.kind'"),
        ("{kind: import, fields: {vendor: {like: x}}}", "'when.fields.vendor'"),
        ("{kind: import, fields: {colour: {equals: x}}}", "'when.fields'"),
        ("{kind: import, fields: {name: {regex: '('}}}", "'when' regex: invalid regex"),
        ("{all: [{kind: import}, {eval: '1+1'}]}", "'when.all[1]'"),
        ("{check: env-spread}", "'when.check' is required for scope 'project' and allowed only there"),
        ("[1, 2]", "'when': [1, 2] is not of type 'object'"),
    ],
)
def test_broken_when_is_named(tmp_path: Path, when: str, message: str) -> None:
    (tmp_path / "x.yaml").write_text(
        "id: x\ntitle: X\nrules:\n  - id: r\n    title: t\n    severity: low\n    effort: 1\n    category: c\n"
        f"    message: m\n    remediation: fix\n    when: {when}\n"
    )
    with pytest.raises(PackError) as caught:
        load_rules([tmp_path])
    assert "x.yaml: rule 'r': " in str(caught.value) and message in str(caught.value), str(caught.value)


def test_ownership_follows_acquisitions_and_their_status() -> None:
    counted = load_rules()
    assert counted.owner_of("Astral") == "OpenAI" and counted.owner_of("Promptfoo") == "OpenAI"
    assert counted.owner_of("GitHub") == "Microsoft" and counted.owner_of("Anthropic") == "Anthropic"
    assert [(d.owner, d.status, d.as_of) for d in counted.deals_of("Astral")] == [("OpenAI", "announced", "2026-03-19")]
    completed_only = load_rules(count_announced=False)
    assert completed_only.owner_of("Astral") == "Astral" and completed_only.owner_of("GitHub") == "Microsoft"


def test_every_built_in_pack_and_catalog_is_valid_against_its_schema() -> None:
    """lockaudit trusts its own packs at run time (no schema check, for speed): this is the check."""
    import json

    import jsonschema
    import yaml

    from auditor.resources import data_dir

    schemas = Path(__file__).resolve().parent.parent / "auditor" / "schemas"
    validators = {
        name: jsonschema.Draft202012Validator(json.loads((schemas / f"{name}-1.schema.json").read_text()))
        for name in ("pack", "owners", "secrets", "when")
    }
    checked = 0
    for path in sorted(data_dir("rules").glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        kind = path.stem if path.stem in ("owners", "secrets") else "pack"
        validators[kind].validate(document)
        for rule in document.get("rules", []) if kind == "pack" else []:
            validators["when"].validate(rule["when"])
        checked += 1
    assert checked >= 30
