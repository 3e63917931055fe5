"""Charts drawn on the server as SVG: nothing to download, printable, every number written on its bar, every bar
a link to the list it counts. Horizontal bars so that a phone's narrow screen keeps the labels readable.

A label wider than its column (滨海经济技术开发区) is never cut: it wraps onto a second line, at a word-like suffix
(开发区, 街道, 管理局, ...) where one fits, and only a name too long for two lines ends in "…". The full name is the
label's <title> (shown on hover, read by screen readers) and is in each bar's <title>; the bar's link opens the
list of that name."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH = 360
LABEL = 92
ROW = 30
BAR = 10
TOP = 46
COLORS = ("#2f6fb2", "#2e8b57", "#c0392b")
LABEL_FONT = 11  # .chart-label's font-size in site.css, in the viewBox's units
LABEL_ROOM = LABEL - 8  # from the left edge to the label's end (text-anchor end at LABEL - 6), with a margin
LINE = 12  # the distance between a wrapped label's two lines
# Where a name breaks best: before the kind of unit it names (longest first).
SUFFIXES = ("经济技术开发区", "高新技术开发区", "委员会办公室", "开发区", "管委会", "管理局", "委员会", "街道", "支队",
            "新区", "园区", "区", "县", "镇", "乡", "局")  # fmt: skip


def text_width(text: str) -> float:
    """The label's width at LABEL_FONT: a CJK (full-width) character is one em, anything else about half."""
    return sum(LABEL_FONT if ord(c) > 0x2E7F else LABEL_FONT * 0.56 for c in text)


def fit(text: str, room: float) -> str:
    """`text` if it fits in `room`, else as much of it as fits followed by "…"."""
    if text_width(text) <= room:
        return text
    while text and text_width(text + "…") > room:
        text = text[:-1]
    return text + "…"


def label_lines(name: str, room: float = LABEL_ROOM) -> list[str]:
    """One line if the name fits; else two, broken before a suffix when both parts fit, else where the first line
    is full; a second line that still does not fit is shortened with "…"."""
    if text_width(name) <= room:
        return [name]
    for suffix in SUFFIXES:
        head = name[: -len(suffix)]
        if name.endswith(suffix) and head and text_width(head) <= room and text_width(suffix) <= room:
            return [head, suffix]
    cut = len(name)
    while cut > 1 and text_width(name[:cut]) > room:
        cut -= 1
    return [name[:cut], fit(name[cut:], room)]


def label(name: str, x: float, y: float) -> SafeString:
    """The row's label, right-aligned at x, centred on y, wrapped as `label_lines` says, with its full name."""
    lines = label_lines(name)
    first = y + 4 - (len(lines) - 1) * LINE / 2
    spans = format_html_join(
        "", '<tspan x="{}" y="{}">{}</tspan>', ((x, round(first + i * LINE, 1), line) for i, line in enumerate(lines))
    )
    return format_html(
        '<g class="chart-row-label"><title>{}</title><text class="chart-label" text-anchor="end">{}</text></g>',
        name, spans,
    )  # fmt: skip


@dataclass
class Series:
    name: str
    key: str  # the row's value key
    link: str  # the row's link key


def legend_positions(series: list[Series]) -> list[float]:
    """Each legend entry after the one before it (its square, its name, a gap), so long names never overlap."""
    positions, x = [], float(LABEL)
    for s in series:
        positions.append(round(x, 1))
        x += 14 + text_width(str(s.name)) + 12
    return positions


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
            (
                (x, COLORS[i], x + 14, s.name)
                for i, (x, s) in enumerate(zip(legend_positions(series), series, strict=True))
            ),
        ),
    ]
    for index, row in enumerate(rows):
        y = TOP + ROW * index
        group = BAR * len(series) + len(series) - 1  # the height of the row's bars
        parts.append(label(row["label"], LABEL - 6, y + group / 2))
        for i, s in enumerate(series):
            value = row[s.key]
            width = round(span * value / peak, 1) if value else 0
            by = y + i * (BAR + 1)
            bar = format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>'
                '<text x="{}" y="{}" class="chart-value">{}</text>',
                LABEL, by, max(width, 1), BAR, COLORS[i],
                _("%(label)s · %(series)s: %(value)s") % {"label": row["label"], "series": s.name, "value": value},
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
