"""How lockaudit words a number for a person, in every report and message alike."""

from __future__ import annotations


def count(number: int, noun: str, plural: str | None = None) -> str:
    """`1 file`, `2 files`: every count a person reads agrees with its noun."""
    return f"{number} {noun}" if number == 1 else f"{number} {plural or noun + 's'}"


def ordinal(number: int) -> str:
    """`2nd`, `11th`, `23rd`."""
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"
