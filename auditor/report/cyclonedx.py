"""CycloneDX 1.6 AI-BOM: the SDKs, layers and tools as components, the hosted model APIs as
services with the endpoints found, and the model ids as machine-learning-model components.
Built and serialised with cyclonedx-python-lib, and checked with its own validator. Its time is
the scan's and its serial number is derived from the scan, so rendering a saved audit again
gives the same document."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime

from auditor.audit import Audit
from auditor.report.escape import json_text

SERVICE_KINDS = frozenset({"client", "call", "endpoint", "compatible-api", "env", "model-id"})


def render_cyclonedx(audit: Audit) -> str:
    from cyclonedx.model import Property, XsUri
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.component import Component, ComponentType
    from cyclonedx.model.contact import OrganizationalEntity
    from cyclonedx.model.service import Service
    from cyclonedx.output.json import JsonV1Dot6

    started = audit.scan.get("started")
    bom = Bom(serial_number=uuid.uuid5(uuid.NAMESPACE_URL, f"lockaudit:{audit.root}:{started}:{audit.tool_version}"))
    if started:
        bom.metadata.timestamp = datetime.fromisoformat(started)
    root = Component(name=_root_name(audit.root), type=ComponentType.APPLICATION, bom_ref="project")
    bom.metadata.component = root
    products: dict[str, dict[str, object]] = {}
    files: dict[str, set[str]] = defaultdict(set)  # product -> the files that use it
    versions: dict[str, str] = {}
    endpoints: dict[str, set[str]] = defaultdict(set)
    models: dict[str, tuple[str | None, str]] = {}
    vendors_used: set[str] = set()
    for record in audit.inventory:
        if record.product:
            products.setdefault(record.product, {"vendor": record.vendor, "owner": record.owner, "layer": record.layer})
            files[record.product].add(record.path)
        if record.kind == "dependency" and record.product and record.value and record.value[:1].isdigit():
            versions.setdefault(record.product, record.value)
        if record.kind == "endpoint" and record.vendor and record.value:
            endpoints[record.vendor].add(record.value)
        if record.kind == "compatible-api" and record.vendor and record.value:
            endpoints[record.vendor].add(record.value)
        if record.kind == "model-id" and record.value:
            models.setdefault(record.value, (record.vendor, record.name))
        if record.kind in SERVICE_KINDS and record.vendor:
            vendors_used.add(record.vendor)
    for product_id, info in sorted(products.items()):
        owner = info["owner"]
        bom.components.add(
            Component(
                name=product_id,
                version=versions.get(product_id),
                type=ComponentType.LIBRARY
                if info["layer"] not in ("ci", "coding-assistant", "registry", "cloud")
                else ComponentType.PLATFORM,
                bom_ref=f"product:{product_id}",
                supplier=OrganizationalEntity(name=str(info["vendor"])) if info["vendor"] else None,
                properties=[
                    Property(name="lockaudit:layer", value=str(info["layer"])),
                    Property(name="lockaudit:owner", value=str(owner or "")),
                    Property(name="lockaudit:files", value=str(len(files[product_id]))),
                ],
            )
        )
    for value, (vendor, family) in sorted(models.items()):
        bom.components.add(
            Component(
                name=value,
                type=ComponentType.MACHINE_LEARNING_MODEL,
                bom_ref=f"model:{value}",
                supplier=OrganizationalEntity(name=vendor) if vendor else None,
                properties=[Property(name="lockaudit:family", value=family)],
            )
        )
    for vendor in sorted(vendors_used | set(endpoints)):
        bom.services.add(
            Service(
                name=f"{vendor} API",
                bom_ref=f"service:{vendor}",
                provider=OrganizationalEntity(name=vendor),
                endpoints=[XsUri(url) for url in sorted(endpoints.get(vendor, ()))] or None,
                properties=[Property(name="lockaudit:owner", value=_owner(audit, vendor))],
            )
        )
    bom.register_dependency(root, list(bom.components))  # the project depends on everything found
    # The library writes ASCII JSON today; json_text keeps bidi and invisible characters escaped if that changes.
    return json_text(JsonV1Dot6(bom).output_as_string(indent=2)) + "\n"


def _owner(audit: Audit, vendor: str) -> str:
    return next((r.owner for r in audit.inventory if r.vendor == vendor and r.owner), "") or ""


def _root_name(root: str) -> str:
    return root.rstrip("/").rsplit("/", 1)[-1] or "project"
