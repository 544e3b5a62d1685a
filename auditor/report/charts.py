"""Small line charts as inline SVG, drawn by lockaudit (no script, no network): a trend over
the points of a history. Every label is escaped here, since it is text from a repository."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from auditor.report.escape import visible

PALETTE = 6  # series colours, as CSS classes s0…s5 (the page's stylesheet gives them)


def line_chart(
    title: str,
    labels: Sequence[str],
    lines: dict[str, Sequence[float | None]],
    width: int = 560,
    height: int = 160,
    floor: float = 0,
) -> Markup:
    """One chart: a line per entry of `lines` over `labels` (the x axis, oldest first), a gap
    where a value is None, the y axis from `floor` to the largest value; the last value of each
    line is written at its end, and the whole is described for screen readers."""
    left, right, top, bottom = 36, 110, 12, 22
    values = [v for series in lines.values() for v in series if v is not None]
    peak = max([floor + 1, *values])
    span_x = max(1, len(labels) - 1)

    def x(i: int) -> float:
        return round(left + (width - left - right) * i / span_x, 1)

    def y(v: float) -> float:
        return round(top + (height - top - bottom) * (1 - (v - floor) / (peak - floor)), 1)

    parts = [
        f'<figure class="chart"><figcaption>{escape(visible(title))}</figcaption>',
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-label="{escape(visible(title))}">',
        f"<title>{escape(visible(title))}</title>",
        f'<line class="axis" x1="{left}" y1="{y(floor)}" x2="{width - right}" y2="{y(floor)}"/>',
        f'<text x="{left - 4}" y="{y(peak) + 4}" text-anchor="end">{_number(peak)}</text>',
        f'<text x="{left - 4}" y="{y(floor) + 4}" text-anchor="end">{_number(floor)}</text>',
    ]
    if labels:
        parts.append(f'<text x="{left}" y="{height - 4}">{escape(visible(labels[0]))}</text>')
        parts.append(
            f'<text x="{width - right}" y="{height - 4}" text-anchor="end">{escape(visible(labels[-1]))}</text>'
        )
    ends: list[tuple[float, float, str, str]] = []  # (y, x, css, text) of each line's last value
    for index, (name, series) in enumerate(lines.items()):
        segments: list[list[str]] = [[]]
        for i, value in enumerate(series):
            if value is None:
                segments.append([])
            else:
                segments[-1].append(f"{x(i)},{y(value)}")
        css = f"s{index % PALETTE}"
        for points in segments:
            if len(points) > 1:
                parts.append(f'<polyline class="line {css}" points="{" ".join(points)}"/>')
            elif points:
                parts.append(
                    f'<circle class="dot {css}" cx="{points[0].split(",")[0]}" cy="{points[0].split(",")[1]}" r="2.5"/>'
                )
        last = next(((i, v) for i, v in reversed(list(enumerate(series))) if v is not None), None)
        if last is not None:  # the line's label, at its newest value
            newest, value = last
            ends.append((y(value) + 4, x(newest) + 6, css, f"{escape(visible(name))} {_number(value)}"))
    placed: list[float] = []
    for at, *_ in sorted(ends):  # labels that would overlap are pushed apart, then kept inside
        placed.append(max(at, placed[-1] + 12) if placed else at)
    lift = max(0.0, (placed[-1] if placed else 0) - (height - 2))
    for at, (_, left_at, css, text) in zip(placed, sorted(ends), strict=True):
        parts.append(f'<text class="{css}" x="{left_at}" y="{round(at - lift, 1)}">{text}</text>')
    parts.append("</svg></figure>")
    return Markup("".join(parts))


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def sparkline(
    label: str, values: Sequence[float], width: int = 96, height: int = 24, scale: tuple[float, float] | None = None
) -> Markup:
    """A line without axes for a table cell: its shape, first and last values in its description.
    `scale` fixes the range (a score's 0–100), so that 91 → 88 does not look like a fall to zero."""
    if not values:
        return Markup("")
    low, high = scale or (min(values), max(values))
    span, step = (high - low) or 1, (width - 4) / max(1, len(values) - 1)
    points = " ".join(
        f"{round(2 + i * step, 1)},{round(2 + (height - 4) * (1 - (v - low) / span), 1)}" for i, v in enumerate(values)
    )
    described = f"{visible(label)}: {_number(values[0])} to {_number(values[-1])} over {len(values)} commits"
    return Markup(
        f'<svg class="chart spark" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-label="{escape(described)}"><title>{escape(described)}</title>'
        f'<polyline class="line s0" points="{points}"/></svg>'
    )
