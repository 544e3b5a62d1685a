"""lockaudit: a static vendor lock-in auditor for Python codebases."""

__version__ = "0.1.0"
