"""Every detecting catalog entry of the built-in packs carries examples that must and must not
match, and they hold: constructors, factories, model-id families, features, hidden defaults and
each pack's environment variables."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.packs import PackError, load_rules
from auditor.ruletest import run_catalog_examples

RULESET = load_rules()
EXAMPLES = RULESET.catalog_examples


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.entry for e in EXAMPLES])
def test_catalog_example(example) -> None:
    (result,) = run_catalog_examples(RULESET, [example])
    assert result.passed, result.describe()


def test_every_detecting_entry_has_examples_both_ways() -> None:
    assert RULESET.unexampled == []


PACK = """\
id: probe
title: Probe
vendor: Probe
owner: Probe
layer: model-api
catalog:
  products:
    - {id: probe, title: Probe, modules: [probe]}
  constructors:
    - name: probe.Client
      product: probe
      examples:
        match: ["from probe import Client\\nClient()\\n"]
        ignore: ["from elsewhere import Client\\nClient()\\n"]
  model_ids:
    - family: probe-chat
      pattern: '^probe-\\d+$'
      examples:
        match: [probe-1]
        ignore: [probe-x]
  env_prefixes: [PROBE_]
  env_examples:
    match: [PROBE_API_KEY]
    ignore: [PROBED_KEY]
"""


def _pack(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "packs"
    folder.mkdir()
    (folder / "probe.yaml").write_text(text, encoding="utf-8")
    return folder


def test_a_pack_s_catalog_examples_run_and_catch_a_wrong_one(tmp_path: Path) -> None:
    ruleset = load_rules([_pack(tmp_path, PACK.replace("ignore: [probe-x]", "ignore: [probe-2]"))])
    ours = [e for e in ruleset.catalog_examples if e.source == "probe.yaml"]
    results = {r.example.entry: r for r in run_catalog_examples(ruleset, ours)}
    assert len(results) == 6
    failed = [entry for entry, r in results.items() if not r.passed]
    assert failed == ["probe.yaml: catalog.model_ids[0] (probe-chat) ignore[0]"]
    assert "model-id probe-chat Probe" in results[failed[0]].describe()
    assert not [w for w in ruleset.unexampled if w.startswith("probe.yaml")]


def test_an_entry_without_an_ignore_example_is_listed(tmp_path: Path) -> None:
    ruleset = load_rules([_pack(tmp_path, PACK.replace("        ignore: [probe-x]\n", ""))])
    assert [w for w in ruleset.unexampled if w.startswith("probe.yaml")] == [
        "probe.yaml: catalog.model_ids[0] (probe-chat)"
    ]


@pytest.mark.parametrize(
    "bad, reason",
    [
        ("        match: [probe-1]\n", "        match: probe-1\n"),
        ("        match: [probe-1]\n", "        match: ['']\n"),
        ('        match: ["from probe import Client\\nClient()\\n"]\n', "        match: [{'../x.py': 'x'}]\n"),
    ],
)
def test_malformed_catalog_examples_are_refused(tmp_path: Path, bad: str, reason: str) -> None:
    with pytest.raises(PackError, match="examples"):
        load_rules([_pack(tmp_path, PACK.replace(bad, reason))])
