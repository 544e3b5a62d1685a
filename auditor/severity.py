"""Severities, lowest first; `fail-on` thresholds compare by position."""

SEVERITIES: tuple[str, ...] = ("info", "low", "medium", "high", "critical")


def at_least(severity: str, threshold: str) -> bool:
    return SEVERITIES.index(severity) >= SEVERITIES.index(threshold)
