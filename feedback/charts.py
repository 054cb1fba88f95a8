"""Charts for the digest as HTML tables whose cells' widths are the bars: every e-mail client shows them.

Webmail clients drop inline SVG and block remote images; a table cell with a width and a background colour
is the one drawing they all keep. Widths are whole pixels, so the same numbers always give the same page.
"""
from __future__ import annotations

from dataclasses import dataclass

COLOURS = {"problems": "#c2410c", "suggestions": "#0b6b5d"}
WIDTH = 320  # pixels for the longest bar: fits a 600-pixel e-mail column beside its label and number


@dataclass(frozen=True)
class Segment:
    series: str
    value: int
    width: int
    colour: str


@dataclass(frozen=True)
class Row:
    label: str
    total: int
    segments: list[Segment]


def bars(labels: list[str], series: dict[str, list[int]], width: int = WIDTH) -> list[Row]:
    """One row per label, its series stacked left to right; the largest total gets `width` pixels."""
    totals = [sum(values[i] for values in series.values()) for i in range(len(labels))]
    top = max(totals, default=0) or 1
    rows = []
    for i, label in enumerate(labels):
        segments = [Segment(name, values[i], round(width * values[i] / top), COLOURS.get(name, "#5b5850"))
                    for name, values in series.items() if values[i]]
        # A non-zero value never vanishes: at least one pixel.
        segments = [s if s.width else Segment(s.series, s.value, 1, s.colour) for s in segments]
        rows.append(Row(label, totals[i], segments))
    return rows
