"""Redaction: key-shaped values (API keys, tokens, connection-string secrets, private keys)
never leave the repository through an output or the cache. The patterns are data
(`rules/secrets.yaml`); this module applies them to every string from the scanned tree that
the pipeline hands on (findings, inventory, skip reasons), before scores or any renderer see
it, so no format can forget to.

Two rules keep a secret from surviving in part. Text is redacted whole and clipped afterwards
(a key cut in half no longer looks like a key). A private key spans lines: which lines belong
to a `-----BEGIN … PRIVATE KEY-----` block is decided on the whole file, so a snippet that
shows only the middle of the block shows none of it."""

from __future__ import annotations

import bisect
import dataclasses
import functools
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from urllib.parse import urlsplit

from auditor.audit import Finding, Skipped, Snippet, Suppressed, UsageRecord
from auditor.catalog import RuleSet, SecretPattern, any_of

MARK = "[REDACTED]"
MAX_SCANNED = 20_000  # characters per string: longer values are cut before matching, so matching stays bounded
CLIPPED = "…"
REMEMBERED, REMEMBERED_LENGTH = 50_000, 256  # short strings redacted before, answered from memory

# Private keys in PEM or OpenPGP armour: RSA, EC, DSA, OPENSSH, ENCRYPTED, plain PKCS#8, PGP … KEY BLOCK.
_KEY_BEGIN = re.compile(r"-----BEGIN (?:[A-Z0-9]{1,20} ){0,4}PRIVATE KEY(?: BLOCK)?-----")
_KEY_END = re.compile(r"-----END (?:[A-Z0-9]{1,20} ){0,4}PRIVATE KEY(?: BLOCK)?-----")
_KEY_MATERIAL = re.compile(r"[A-Za-z0-9+/]{2}")  # a span without it (a quote, `\n"`, blanks) hides nothing
# A cut string's last word may be the head of a key that no longer matches its pattern: it goes.
_WORD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+/=.~:@%-"


class Redactor:
    def __init__(self, patterns: Iterable[SecretPattern]) -> None:
        self.patterns = tuple(patterns)
        self._any = any_of(p.pattern for p in self.patterns)  # one pass decides for the many strings with no secret
        self._done: dict[str, str] = {}  # a model id or a module name recurs hundreds of times

    def text(self, text: str) -> str:
        done = self._done.get(text)
        if done is None:
            done = self._text(text)
            if len(text) <= REMEMBERED_LENGTH and len(self._done) < REMEMBERED:
                self._done[text] = done
        return done

    def _text(self, text: str) -> str:
        if len(text) > MAX_SCANNED:
            text = text[:MAX_SCANNED].rstrip(_WORD) + CLIPPED
        if "PRIVATE KEY" in text:
            text = "".join(self._private_keys(text.splitlines(keepends=True)))
        if not self._any.search(text):
            return text
        for secret in self.patterns:
            text = secret.pattern.sub(
                lambda m, g=secret.group: _blank(m.group(0), m.start(g) - m.start(), m.end(g) - m.start()), text
            )
        return text

    def optional(self, text: str | None) -> str | None:
        return None if text is None else self.text(text)

    def lines(self, lines: Sequence[str], wanted: Iterable[int] | None = None) -> dict[int, str]:
        """The redacted text of the lines at the 0-based indices `wanted` (all by default), where
        every line between a private key's BEGIN and END (or the end of `lines`) is redacted,
        whichever of them are wanted: pass a file's (or a cell's) lines whole."""
        indices = range(len(lines)) if wanted is None else sorted({i for i in wanted if 0 <= i < len(lines)})
        blocks = self._private_keys(lines) if any("PRIVATE KEY" in line for line in lines) else lines
        return {index: self.text(blocks[index]) for index in indices}

    def findings(self, findings: Iterable[Finding]) -> list[Finding]:
        return [self._finding(f) for f in findings]

    def records(self, records: Iterable[UsageRecord]) -> list[UsageRecord]:
        return [self._record(r) for r in records]

    def suppressed(self, suppressed: Iterable[Suppressed]) -> list[Suppressed]:
        return [
            dataclasses.replace(s, finding=self._finding(s.finding), reason=self.text(s.reason)) for s in suppressed
        ]

    def skipped(self, skipped: Iterable[Skipped]) -> list[Skipped]:
        return [Skipped(s.path, self.text(s.reason)) for s in skipped]

    def changes(self, value: Any) -> bool:
        """Whether redaction would change any string in `value` (a string, or JSON-like data)."""
        strings = list(_strings(value))
        joined = "\n".join(strings)  # one pass over all of them decides for the many values with no secret
        if "PRIVATE KEY" in joined or any(len(s) > MAX_SCANNED for s in strings):  # too long to judge: as if it did
            return any(len(s) > MAX_SCANNED or self.text(s) != s for s in strings)
        starts = list(itertools.accumulate((len(s) + 1 for s in strings), initial=0))
        suspects: set[int] = set()
        for match in self._any.finditer(joined):  # every string a match touches: it may hide one inside it
            first = bisect.bisect_right(starts, match.start()) - 1
            suspects.update(range(first, bisect.bisect_right(starts, max(match.start(), match.end() - 1))))
        return any(self.text(strings[i]) != strings[i] for i in sorted(suspects))

    @staticmethod
    def forms(name: str, value: str) -> tuple[str, str]:
        """How a value is written under its name (`api_key="…"`, `AWS_SECRET_ACCESS_KEY=…`): a
        value that is a secret only by its name is one when either form changes."""
        return f'{name}="{value}"', f"{name}={value}"

    def _private_keys(self, lines: Sequence[str]) -> list[str]:
        """`lines` with everything between a private key's BEGIN and END markers replaced; a
        block without END runs to the last line. The markers stay, so a reader sees what was here."""
        out, inside = [], False
        for line in lines:
            body, ending = _split_ending(line)
            kept, position = [], 0
            while True:
                if not inside:
                    begin = _KEY_BEGIN.search(body, position)
                    if begin is None:
                        kept.append(body[position:])
                        break
                    kept.append(body[position : begin.end()])
                    position, inside = begin.end(), True
                end = _KEY_END.search(body, position)
                hidden = body[position : end.start() if end else len(body)]
                if _KEY_MATERIAL.search(hidden):
                    indent = len(hidden) - len(hidden.lstrip()) if position == 0 else 0
                    kept.append(hidden[:indent] + MARK)
                else:
                    kept.append(hidden)
                if end is None:
                    break
                kept.append(end.group(0))
                position, inside = end.end(), False
            out.append("".join(kept) + ending)
        return out

    def _finding(self, finding: Finding) -> Finding:
        snippet = finding.snippet
        if snippet is not None:
            shown = self.lines(snippet.lines)  # already redacted by `quote`; this keeps a hand-made snippet safe too
            snippet = Snippet(snippet.start, tuple(shown[i] for i in range(len(snippet.lines))))
        return dataclasses.replace(
            finding,
            message=self.text(finding.message),
            snippet=snippet,
            chain=tuple(self.text(step) for step in finding.chain),
        )

    def _record(self, record: UsageRecord) -> UsageRecord:
        value, expression, name = self.optional(record.value), self.optional(record.expression), self.text(record.name)
        if value == record.value and expression == record.expression and name == record.name:
            return record  # nearly every record: no copy
        return dataclasses.replace(record, value=value, expression=expression, name=name)


@functools.lru_cache(maxsize=1)
def built_in() -> Redactor:
    """The patterns that ship with lockaudit, for code that has no rule set at hand (the cache)."""
    from auditor.packs import SECRETS_FILE, _load_secrets
    from auditor.resources import data_dir

    ruleset = RuleSet()
    _load_secrets(data_dir("rules") / SECRETS_FILE, ruleset, validate=False)  # shipped and tested: no re-validation
    return Redactor(ruleset.secrets)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def _split_ending(line: str) -> tuple[str, str]:
    stripped = line.rstrip("\r\n")
    return stripped, line[len(stripped) :]


def _blank(match: str, start: int, end: int) -> str:
    if start < 0:  # the group did not take part in the match: the whole match is the secret
        return MARK
    if end <= start:  # it took part and is empty: nothing to hide
        return match
    return match[:start] + MARK + match[end:]


def redact_url(value: str | None) -> str | None:
    """Scheme, host and path only: user info and query strings can carry credentials."""
    if not value or "://" not in value:
        return None
    parts = urlsplit(value)
    try:
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname or ""
    return f"{parts.scheme}://{host}{f':{port}' if port else ''}{parts.path}"
