"""The server-drawn bar charts: a long name is wrapped or shortened inside the label column, never cut at the
SVG's left edge, and its full name stays on hover and for screen readers (the label's and the bar's <title>)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from django.utils.translation import override

from dashboards.charts import LABEL, LABEL_ROOM, Series, bar_chart, label_lines, text_width

SVG = "{http://www.w3.org/2000/svg}"
NAMES = ["海滨区", "滨海经济技术开发区", "海滨区应急管理局", "滨海市某某某某某某某某某某某某某某某某某某街道"]


def chart(names=NAMES, series=1) -> ET.Element:
    rows = [
        {"label": name, "a": n + 1, "b": n, "c": 0, "a_url": f"/hazards/?region={n}"} for n, name in enumerate(names)
    ]
    kinds = [Series("甲", "a", "a_url"), Series("乙", "b", "b_url"), Series("丙", "c", "c_url")][:series]
    return ET.fromstring(str(bar_chart("按属地", rows, kinds, "chart-test")))


def labels(svg: ET.Element) -> dict[str, list[str]]:
    """Each row label's full name (its <title>) and the lines drawn for it."""
    found = {}
    for group in svg.iter(f"{SVG}g"):
        if group.get("class") == "chart-row-label":
            text = group.find(f"{SVG}text")
            found[group.find(f"{SVG}title").text] = [span.text for span in text.findall(f"{SVG}tspan")]
    return found


def test_a_long_region_name_wraps_whole_instead_of_losing_its_first_character():
    drawn = labels(chart())
    assert set(drawn) == set(NAMES)  # every full name is a <title>
    assert drawn["海滨区"] == ["海滨区"]
    assert "".join(drawn["滨海经济技术开发区"]) == "滨海经济技术开发区"  # wrapped, every character kept
    assert len(drawn["滨海经济技术开发区"]) == 2 and drawn["滨海经济技术开发区"][1] == "经济技术开发区"
    assert drawn["海滨区应急管理局"] == ["海滨区应急", "管理局"]
    too_long = drawn[NAMES[3]]
    assert len(too_long) == 2 and too_long[1].endswith("…") and too_long[0] == NAMES[3][: len(too_long[0])]
    for lines in drawn.values():  # right-aligned at LABEL - 6: a line no wider than the room starts inside the SVG
        assert all(text_width(line) <= LABEL_ROOM for line in lines), lines
    assert text_width("滨海经济技术开发区") > LABEL_ROOM  # the name that used to be cut does not fit on one line


def test_labels_end_at_the_bars_and_the_bars_keep_the_full_name():
    svg = chart(series=3)
    for text in svg.iter(f"{SVG}text"):
        if text.get("class") == "chart-label":
            assert text.get("text-anchor") == "end"
            assert {float(span.get("x")) for span in text.findall(f"{SVG}tspan")} == {LABEL - 6}
    bar_titles = [t.text for rect in svg.iter(f"{SVG}rect") for t in rect.findall(f"{SVG}title")]
    assert "滨海经济技术开发区 · 甲：2" in bar_titles  # the full name, a full-width colon in Chinese
    with override("en"):
        english = chart(series=1)
    assert "滨海经济技术开发区 · 甲: 2" in [
        t.text for r in english.iter(f"{SVG}rect") for t in r.findall(f"{SVG}title")
    ]
    # two lines of a wrapped label do not run into the next row's label
    rows = [group.find(f"{SVG}text").findall(f"{SVG}tspan") for group in svg.iter(f"{SVG}g")]
    ys = [[float(span.get("y")) for span in spans] for spans in rows]
    for upper, lower in zip(ys, ys[1:], strict=False):
        assert lower[0] - upper[-1] >= 12


def test_label_lines_prefer_a_suffix_and_keep_short_names_whole():
    assert label_lines("新城区") == ["新城区"]
    assert label_lines("2026-W23") == ["2026-W23"]
    assert label_lines("滨海市安全生产委员会办公室") == ["滨海市安全生产", "委员会办公室"]


def test_legend_entries_never_overlap():
    rows = [{"label": "海滨区", "a": 1, "b": 2}]
    svg = ET.fromstring(
        str(bar_chart("t", rows, [Series("Found in the period", "a", "x"), Series("Overdue now", "b", "y")], "c"))
    )
    legend = [t for t in svg.iter(f"{SVG}text") if t.get("class") == "chart-legend"]
    first, second = legend
    assert float(second.get("x")) - float(first.get("x")) > text_width(first.text)
