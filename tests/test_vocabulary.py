"""Each list of names is spelled once in the code, and the JSON Schemas users validate against
say the same: usage kinds, layers, severities, roles, efforts, check names and toolchain signs. A stage's subset
of the usage kinds names only kinds that exist."""

from __future__ import annotations

import json
from pathlib import Path

from auditor.audit import CODE_LAYERS, COUPLING_KINDS, USAGE_KINDS
from auditor.catalog import CLIENT_KINDS, EFFORTS, LAYERS, PIPELINE_CHECKS
from auditor.engine import CHECKS
from auditor.facts import TOOL_SIGNALS
from auditor.portfolio import POSTURES
from auditor.report.portfolio import POSTURE_WORDS
from auditor.roles import ROLES
from auditor.severity import SEVERITIES

SCHEMAS = Path(__file__).resolve().parents[1] / "auditor" / "schemas"


def _defs(name: str) -> dict:
    return json.loads((SCHEMAS / name).read_text())["$defs"]


def test_the_schemas_enumerate_what_the_code_names() -> None:
    audit, pack, when = _defs("audit-1.schema.json"), _defs("pack-1.schema.json"), _defs("when-1.schema.json")
    assert tuple(audit["usageKind"]["enum"]) == tuple(when["kind"]["enum"]) == USAGE_KINDS
    assert tuple(audit["layer"]["enum"]) == tuple(pack["layer"]["enum"]) == LAYERS
    assert tuple(audit["severity"]["enum"]) == tuple(pack["severity"]["enum"]) == SEVERITIES
    assert tuple(audit["role"]["enum"]) == ROLES
    assert tuple(pack["effort"]["enum"]) == EFFORTS
    checks = next(
        c["properties"]["check"]["enum"] for c in when["condition"]["oneOf"] if "check" in c.get("properties", {})
    )
    assert set(checks) == set(CHECKS) | PIPELINE_CHECKS
    assert sorted(pack["signal"]["enum"]) == sorted(TOOL_SIGNALS)
    assert tuple(_defs("portfolio-1.schema.json")["posture"]["enum"]) == POSTURES == tuple(POSTURE_WORDS)


def test_every_stages_subset_names_only_known_kinds_and_layers() -> None:
    from auditor.owners import PRESENCE_KINDS
    from auditor.report.cyclonedx import SERVICE_KINDS
    from auditor.report.maps import MAP_KINDS
    from auditor.score import EXIT_PLAN_KINDS

    for subset in (COUPLING_KINDS, CLIENT_KINDS, PRESENCE_KINDS, SERVICE_KINDS, MAP_KINDS, EXIT_PLAN_KINDS):
        assert set(subset) <= set(USAGE_KINDS), set(subset) - set(USAGE_KINDS)
    assert set(CODE_LAYERS) <= set(LAYERS)


def test_the_tool_files_discovery_reads_are_the_ones_the_packs_attribute() -> None:
    """Discovery decides which files to read; the packs say whose each one is (`files:`)."""
    from auditor.discover import NAMED_KINDS
    from auditor.packs import load_rules

    read = {name for name, kind in NAMED_KINDS.items() if kind == "tool-config"}
    attributed = [name for product in load_rules().products for name in product.files]
    assert sorted(attributed) == sorted(read)
