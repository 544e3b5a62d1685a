"""Known vulnerabilities of the project's pinned dependencies, through pip-audit.

pip-audit's Python modules are private, so lockaudit calls its command line with JSON
output, on a requirements list of exact pins (locked versions first, else `==` pins from
the manifests), with `--no-deps --disable-pip` so that nothing is installed or resolved.
It is the one part of lockaudit that needs the network: with no network, or a service
that does not answer within the time limit, the scan still succeeds and says so plainly.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from auditor.facts import DependencyFact

DEFAULT_TIMEOUT = 120.0


@dataclass
class VulnerabilityReport:
    status: str  # checked | unavailable | nothing-pinned
    notice: str = ""
    vulnerable: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # "name==version" -> vulns
    audited: int = 0
    not_audited: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "notice": self.notice,
            "audited": self.audited,
            "not_audited": self.not_audited,
            "vulnerable": [
                {"package": key, "vulnerabilities": value} for key, value in sorted(self.vulnerable.items())
            ],
        }


def pins(facts: Iterable[DependencyFact]) -> list[str]:
    """Exact pins to audit: locked versions win over manifest pins of the same name."""
    locked: dict[str, str] = {}
    declared: dict[str, str] = {}
    for fact in facts:
        if fact.group == "locked" and fact.version:
            locked.setdefault(fact.name, fact.version)
        elif (
            fact.specifier
            and fact.specifier.startswith("==")
            and "*" not in fact.specifier
            and "," not in fact.specifier
        ):
            declared.setdefault(fact.name, fact.specifier[2:])
    return sorted(f"{name}=={version}" for name, version in {**declared, **locked}.items())


def audit(facts: Iterable[DependencyFact], timeout: float = DEFAULT_TIMEOUT) -> VulnerabilityReport:
    import importlib.util

    if importlib.util.find_spec("pip_audit") is None:
        return VulnerabilityReport(
            "unavailable",
            "vulnerability lookup needs pip-audit, which is not installed: pip install 'lockaudit[vulns]'",
        )
    requirements = pins(facts)
    if not requirements:
        return VulnerabilityReport("nothing-pinned", "no pinned or locked dependency to check for vulnerabilities")
    with tempfile.TemporaryDirectory(prefix="lockaudit-vulns-") as folder:
        listing = os.path.join(folder, "requirements.txt")
        with open(listing, "w", encoding="utf-8") as stream:
            stream.write("\n".join(requirements) + "\n")
        command = [
            sys.executable,
            "-m",
            "pip_audit",
            "-r",
            listing,
            "--no-deps",
            "--disable-pip",
            "--format",
            "json",
            "--progress-spinner",
            "off",
            "--timeout",
            str(max(5, int(timeout // 4))),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return VulnerabilityReport("unavailable", f"vulnerability lookup gave no answer within {timeout:g} s")
        except OSError as exc:
            return VulnerabilityReport("unavailable", f"pip-audit could not start: {exc}")
    if done.returncode not in (0, 1):
        reason = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
        return VulnerabilityReport("unavailable", f"vulnerability lookup failed: {reason[:300]}")
    try:
        return parse(json.loads(done.stdout))
    except (ValueError, TypeError, KeyError) as exc:
        return VulnerabilityReport("unavailable", f"pip-audit's output could not be read: {exc}")


def parse(document: Any) -> VulnerabilityReport:
    """pip-audit's JSON: `{"dependencies": [{name, version, vulns: [{id, fix_versions, aliases}]}
    or {name, skip_reason}], "fixes": [...]}` (older releases: the list alone)."""
    dependencies = document["dependencies"] if isinstance(document, dict) else document
    report = VulnerabilityReport("checked")
    for dependency in dependencies:
        name = dependency["name"]
        if "skip_reason" in dependency:
            report.not_audited.append(f"{name}: {dependency['skip_reason']}")
            continue
        report.audited += 1
        vulns = [
            {"id": v["id"], "fix_versions": list(v.get("fix_versions", [])), "aliases": list(v.get("aliases", []))}
            for v in dependency.get("vulns", [])
        ]
        if vulns:
            report.vulnerable[f"{name}=={dependency['version']}"] = vulns
    if report.not_audited and not report.audited:
        report.status = "unavailable"
        report.notice = (
            f"vulnerability lookup unavailable: none of {len(report.not_audited)} pinned packages could "
            f"be audited ({report.not_audited[0]})"
        )
    elif report.not_audited:
        report.notice = f"{len(report.not_audited)} pinned packages could not be audited"
    return report
