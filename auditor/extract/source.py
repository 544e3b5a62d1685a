"""Python source as bytes on disk: how to decode it as the interpreter would. The Python
extractor decodes with it, and snippets quote the same text it analysed."""

from __future__ import annotations

import io
import tokenize


def source_encoding(data: bytes) -> str:
    """The encoding a Python file declares (PEP 263 cookie or BOM, else UTF-8); SyntaxError or
    LookupError when the declaration is malformed or names no codec."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return encoding
