"""SVG charts for the digest, drawn by pygal, made fit for an e-mail: no script, stable ids."""
from __future__ import annotations

import re

import pygal
from pygal.style import Style

STYLE = Style(
    background="white", plot_background="white", foreground="#1d1c1a", foreground_strong="#1d1c1a",
    foreground_subtle="#5b5850", opacity=".9", opacity_hover="1", colors=("#c2410c", "#0b6b5d"),
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", title_font_size=15,
    label_font_size=11, major_label_font_size=11, legend_font_size=12,
)
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
_UUID = re.compile(r"chart-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _config(**extra) -> dict:
    return dict(style=STYLE, js=[], disable_xml_declaration=True, width=720, height=300, explicit_size=True,
                legend_at_bottom=True, print_values=False, show_y_guides=True, **extra)


def _finish(chart, name: str) -> str:
    # pygal adds a tooltip script and a random id; an e-mail needs neither, and digests must be reproducible.
    svg = chart.render(is_unicode=True)
    return _UUID.sub(f"chart-{name}", _SCRIPT.sub("", svg))


def weekly(title: str, weeks: list[str], series: dict[str, list[int]]) -> str:
    chart = pygal.Line(**_config(x_label_rotation=0, dots_size=3, min_scale=1))
    chart.title = title
    chart.x_labels = [w.split("-")[1] for w in weeks]
    for name, values in series.items():
        chart.add(name, values)
    return _finish(chart, "weekly")


def bars(title: str, labels: list[str], series: dict[str, list[int]], name: str) -> str:
    height = max(200, 60 + 34 * len(labels))
    chart = pygal.HorizontalBar(**{**_config(), "height": height})
    chart.title = title
    chart.x_labels = labels
    for serie, values in series.items():
        chart.add(serie, values)
    return _finish(chart, name)
