"""Charts drawn on the server as SVG: nothing to download, printable, every number written on its bar, every bar
a link to the list it counts. Horizontal bars so that a phone's narrow screen keeps the labels readable."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH = 360
LABEL = 92
ROW = 30
BAR = 10
TOP = 46
COLORS = ("#2f6fb2", "#2e8b57", "#c0392b")


@dataclass
class Series:
    name: str
    key: str  # the row's value key
    link: str  # the row's link key


def bar_chart(title: str, rows: list[dict], series: list[Series], chart_id: str) -> SafeString:
    """One group of bars per row (`rows[i]["label"]`, one value per series), scaled to the largest value."""
    peak = max([row[s.key] for row in rows for s in series] + [1])
    span = WIDTH - LABEL - 40
    height = TOP + ROW * len(rows) + 8
    parts = [
        format_html('<text class="chart-title" x="0" y="16">{}</text>', title),
        format_html_join(
            "",
            '<rect x="{}" y="26" width="10" height="10" fill="{}"/><text x="{}" y="35" class="chart-legend">{}</text>',
            ((LABEL + i * 110, COLORS[i], LABEL + 14 + i * 110, s.name) for i, s in enumerate(series)),
        ),
    ]
    for index, row in enumerate(rows):
        y = TOP + ROW * index
        parts.append(format_html('<text x="{}" y="{}" class="chart-label" text-anchor="end">{}</text>',
                                 LABEL - 6, y + BAR + 3, row["label"]))  # fmt: skip
        for i, s in enumerate(series):
            value = row[s.key]
            width = round(span * value / peak, 1) if value else 0
            by = y + i * (BAR + 1)
            bar = format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{} · {}: {}</title></rect>'
                '<text x="{}" y="{}" class="chart-value">{}</text>',
                LABEL, by, max(width, 1), BAR, COLORS[i], row["label"], s.name, value,
                LABEL + width + 4, by + BAR - 1, value,
            )  # fmt: skip
            link = row.get(s.link)
            parts.append(format_html('<a href="{}">{}</a>', link, bar) if link else bar)
    body = mark_safe("".join(str(p) for p in parts))  # noqa: S308 - every part above is escaped by format_html
    return format_html(
        '<svg class="chart" id="{}" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title" '
        'xmlns="http://www.w3.org/2000/svg"><title id="{}-title">{}</title>{}</svg>',
        chart_id, WIDTH, height, chart_id, chart_id, title, body,
    )  # fmt: skip
