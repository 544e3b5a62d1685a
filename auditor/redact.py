"""Redaction: key-shaped values (API keys, tokens, connection-string secrets) never leave
the repository through an output. The patterns are data (`rules/secrets.yaml`); this
module applies them to every string from the scanned tree that the pipeline hands on
(findings, inventory, skip reasons), before scores or any renderer see it, so no format
can forget to."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from auditor.audit import Finding, Skipped, Snippet, Suppressed, UsageRecord
from auditor.packs import SecretPattern, any_of

MARK = "[REDACTED]"
MAX_SCANNED = 20_000  # characters per string: longer values are cut before matching, so matching stays bounded


class Redactor:
    def __init__(self, patterns: Iterable[SecretPattern]) -> None:
        self.patterns = tuple(patterns)
        self._any = any_of(p.pattern for p in self.patterns)  # one pass decides for the many strings with no secret

    def text(self, text: str) -> str:
        if len(text) > MAX_SCANNED:
            text = text[:MAX_SCANNED] + "…"
        if not self._any.search(text):
            return text
        for secret in self.patterns:
            text = secret.pattern.sub(lambda m, g=secret.group: _blank(m.group(0), m.start(g) - m.start(), m.end(g) - m.start()), text)
        return text

    def optional(self, text: str | None) -> str | None:
        return None if text is None else self.text(text)

    def findings(self, findings: Iterable[Finding]) -> list[Finding]:
        return [self._finding(f) for f in findings]

    def records(self, records: Iterable[UsageRecord]) -> list[UsageRecord]:
        return [self._record(r) for r in records]

    def suppressed(self, suppressed: Iterable[Suppressed]) -> list[Suppressed]:
        return [dataclasses.replace(s, finding=self._finding(s.finding), reason=self.text(s.reason)) for s in suppressed]

    def skipped(self, skipped: Iterable[Skipped]) -> list[Skipped]:
        return [Skipped(s.path, self.text(s.reason)) for s in skipped]

    def _finding(self, finding: Finding) -> Finding:
        snippet = finding.snippet
        if snippet is not None:
            snippet = Snippet(snippet.start, tuple(self.text(line) for line in snippet.lines))
        return dataclasses.replace(finding, message=self.text(finding.message), snippet=snippet,
                                   chain=tuple(self.text(step) for step in finding.chain))

    def _record(self, record: UsageRecord) -> UsageRecord:
        return dataclasses.replace(record, value=self.optional(record.value), expression=self.optional(record.expression),
                                   name=self.text(record.name))


def _blank(match: str, start: int, end: int) -> str:
    if start < 0 or end <= start:  # the group did not take part in the match: the whole match is the secret
        return MARK
    return match[:start] + MARK + match[end:]
