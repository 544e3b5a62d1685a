"""Severities, lowest first; `fail-on` thresholds compare by position."""

SEVERITIES: tuple[str, ...] = ("info", "low", "medium", "high", "critical")
DEFAULT_FAIL_ON = "medium"  # the gate's threshold when neither the configuration nor --fail-on sets one


def at_least(severity: str, threshold: str) -> bool:
    return SEVERITIES.index(severity) >= SEVERITIES.index(threshold)
