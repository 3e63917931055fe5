"""The four-colour picture (四色分布) of risk points, the risk panel of the dashboard and the key units' red points.

Every figure counts the user's visible points (`RiskPoint.objects.visible_to(user)`) in one grouped query per
table, on the indexed columns: (region_path, colour) folded in Python onto the regions directly under the picture's
region (the distinct paths are a few hundred streets, so the fold costs nothing), (department, colour) and
(industry, colour). Each number carries the link of the points list (/risks/) that shows exactly the points it
counts, with the list's own filters: `region` (a region's subtree by region_path), `department` (the point's stored
department_id), `industry` (its industry_id), `enterprise`, `colour`; tests/risks/test_picture_counts.py holds the
counts to those semantics. A row that no filter of the list isolates (points filed at the picture's region itself,
points with no supervising department) has no link.

The lists live in `risks` (namespace `risks`, built beside this); their URLs are written as paths here
(`risks.watch.points_link`). The key units' red points are `risks.watch`'s, shared with the department's work queue.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urlencode

from django.contrib.staticfiles import finders
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from organizations.models import User
from organizations.scope import Scope, ScopeKind
from risks import points as risk_points
from risks.choices import CheckStatus, Colour
from risks.models import CheckTask, RiskPoint
from risks.watch import key_red_points, key_red_query, points_link

from .charts import LABEL, ROW, TOP, WIDTH, label
from .stats import _names

COLOURS = [str(c) for c in Colour.values]  # highest first: red, orange, yellow, blue
CHECKS_LIST = "/risks/checks/"
PICTURE = "/risks/picture/"


def points(user: User):
    """The points a picture counts: the user's visible points in use (the list's default; a retired point is kept
    for its history but no longer counted)."""
    return RiskPoint.objects.visible_to(user).filter(is_active=True)


@dataclass
class ColourRow:
    """One row of a four-colour table: its counts by colour and the list links that show them."""

    label: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COLOURS, 0))
    query: dict | None = None  # the list's filters for this row; None: no list isolates it
    drill: str = ""  # the picture one level down

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def cells(self) -> list[dict]:
        return [{"colour": c, "n": self.counts[c], "link": self.link(c)} for c in COLOURS]

    def link(self, colour: str | None = None) -> str | None:
        return None if self.query is None else points_link(**self.query, colour=colour)


@dataclass
class Picture:
    region: dict  # the region whose picture this is (its children are the region rows)
    trail: list[dict]  # the regions from the scope's root down to `region`, for the drill-up links
    regions: list[ColourRow]
    departments: list[ColourRow]
    industries: list[ColourRow]
    totals: ColourRow

    def with_totals(self) -> Picture:
        """The totals are the sum of the region rows, which hold every counted point once."""
        for row in self.regions:
            for colour, n in row.counts.items():
                self.totals.counts[colour] += n
        return self


def _root(scope: Scope, names: dict) -> dict:
    if scope.kind == ScopeKind.ALL:
        return min((r for r in names["r"].values() if r["parent"] is None), key=lambda r: r["path"])
    return names["path"][scope.region_path]


def _grouped(queryset, column: str) -> dict:
    """{value of `column`: {colour: n}} in one grouped query."""
    # COUNT(*), not COUNT(id): the (column, colour) index alone answers it (an index-only scan, docs/benchmarks.md).
    rows = queryset.values(column, "colour").annotate(n=Count("*")).order_by()
    found: dict = defaultdict(lambda: dict.fromkeys(COLOURS, 0))
    for row in rows:
        found[row[column]][row["colour"]] += row["n"]
    return found


TABLES = ("regions", "departments", "industries")


def build(user: User, region_id: str | int | None = None, tables: tuple[str, ...] = TABLES) -> Picture:
    """The picture of `region_id` (default: the user's root region: the city, a district, a department's region):
    four queries (the names, then one grouped query per table; `tables` may leave out the department's and the
    industry's, as the benchmark does). A region outside the user's root is a 404."""
    scope = Scope.for_user(user)
    if scope.kind == ScopeKind.NONE:
        raise Http404
    names = _names()
    root = _root(scope, names)
    region = root
    if region_id not in (None, ""):
        try:
            region = names["r"][int(region_id)]
        except (KeyError, TypeError, ValueError):
            raise Http404 from None
        if not region["path"].startswith(root["path"]):
            raise Http404
    queryset = points(user)
    # At the root nothing is cut, so that a point assigned to a department from outside its region still counts; a
    # drilled picture is the region's subtree, and every link says so.
    within = None if region is root else region["id"]
    if within is not None:
        queryset = queryset.filter(region_path__startswith=region["path"])
    trail = [names["path"][p] for p in _paths_between(root["path"], region["path"]) if p in names["path"]]
    return Picture(
        region=region,
        trail=trail,
        regions=_region_rows(_grouped(queryset, "region_path"), region, names),
        departments=_table(tables, "departments", queryset, names["d"], "department", within),
        industries=_table(tables, "industries", queryset, names["i"], "industry", within),
        totals=ColourRow(_("Total"), query={"region": within}),
    ).with_totals()


def _table(tables: tuple[str, ...], name: str, queryset, labels: dict, param: str, within: int | None) -> list:
    if name not in tables:
        return []
    none = _("No supervising department") if param == "department" else ""
    return _rows(_grouped(queryset, f"{param}_id"), labels, param, within, none)


def _paths_between(root: str, path: str) -> list[str]:
    """/c/ and /c/d/t/ -> ["/c/", "/c/d/", "/c/d/t/"]."""
    codes = path.strip("/").split("/")
    depth = len(root.strip("/").split("/"))
    return ["/" + "/".join(codes[:n]) + "/" for n in range(depth, len(codes) + 1)]


def _region_rows(by_path: dict, region: dict, names: dict) -> list[ColourRow]:
    """The region rows: one per child of `region` (every child, counted or not), then `region` itself (its own
    level), then any region outside it (a point assigned to a department from elsewhere), by its own name."""
    children = sorted((r for r in names["r"].values() if r["parent"] == region["id"]), key=lambda r: r["path"])
    parents = {r["parent"] for r in names["r"].values()}
    rows = {
        c["code"]: ColourRow(c["name"], query={"region": c["id"]},
                             drill=f"{PICTURE}?region={c['id']}" if c["id"] in parents else "")
        for c in children
    }  # fmt: skip
    own = ColourRow(_("%(region)s (own level)") % {"region": region["name"]})
    outside: dict[str, ColourRow] = {}
    for path, counts in by_path.items():
        if path.startswith(region["path"]):
            rest = path[len(region["path"]) :].strip("/")
            row = rows.get(rest.split("/")[0]) if rest else own
            row = row or own  # a path whose region row is missing (renumbered meanwhile) stays with the region
        else:
            code = path.strip("/").split("/")[-1]
            other = names["path"].get(path)
            row = outside.setdefault(code, ColourRow(other["name"] if other else code))
        for colour, n in counts.items():
            row.counts[colour] += n
    extra = [own] if own.total else []
    return list(rows.values()) + extra + sorted(outside.values(), key=lambda r: -r.total)


def _rows(by_key: dict, labels: dict, param: str, within: int | None, none_label: str) -> list[ColourRow]:
    """One row per department or industry that has points, the most red first, then the most points."""
    rows = []
    for key, counts in by_key.items():
        if key is None:
            row = ColourRow(none_label or _("None"))
        else:
            row = ColourRow(labels.get(key, {}).get("name", str(key)), query={"region": within, param: key})
        row.counts.update(counts)
        rows.append(row)
    return sorted(rows, key=lambda r: (-r.counts["red"], -r.total, r.label))


# --- the enterprise's picture --------------------------------------------------------------------------------------


@dataclass
class EnterprisePicture:
    totals: ColourRow
    places: list[ColourRow]


def enterprise_picture(user: User, enterprise_id: int) -> EnterprisePicture:
    """An enterprise's visible points by colour and by place (a place × colour table), in one grouped query."""
    rows = list(
        points(user).filter(enterprise_id=enterprise_id).values("place", "colour").annotate(n=Count("*")).order_by()
    )
    totals = ColourRow(_("Total"), query={"enterprise": enterprise_id})
    places: dict[str, ColourRow] = {}
    for row in rows:
        place = row["place"] or _("(no place given)")
        places.setdefault(place, ColourRow(place))
        places[place].counts[row["colour"]] += row["n"]
        totals.counts[row["colour"]] += row["n"]
    return EnterprisePicture(totals, sorted(places.values(), key=lambda r: (-r.counts["red"], -r.total, r.label)))


# --- the SVG --------------------------------------------------------------------------------------------------------

BAR_HEIGHT = 16


def colour_names(short: bool = False) -> dict[str, str]:
    """The colours' names (重大风险（红）), or their one word (红) where a narrow column has room for no more."""
    return {str(value): _short(str(name)) if short else str(name) for value, name in Colour.choices}


def stacked_chart(title: str, rows: list[ColourRow], chart_id: str) -> SafeString:
    """Stacked horizontal bars, one per row, in the four colours (the `.level-*` classes of site.css), each segment a
    link to the list of its points, the row's total written after its bar."""
    names = colour_names()
    peak = max([r.total for r in rows] + [1])
    span = WIDTH - LABEL - 40
    legend = format_html_join(
        "",
        '<rect x="{}" y="26" width="10" height="10" class="level-{}"/>'
        '<text x="{}" y="35" class="chart-legend">{}</text>',
        ((LABEL - 80 + 62 * i, c, LABEL - 66 + 62 * i, _short(names[c])) for i, c in enumerate(COLOURS)),
    )
    parts = [format_html('<text class="chart-title" x="0" y="16">{}</text>', title), legend]
    for index, row in enumerate(rows):
        y = TOP + ROW * index
        parts.append(label(row.label, LABEL - 6, y + BAR_HEIGHT / 2))
        x = float(LABEL)
        for cell in row.cells:
            if not cell["n"]:
                continue
            width = round(span * cell["n"] / peak, 1)
            tip = _("%(label)s · %(colour)s: %(value)s") % {"label": row.label, "colour": names[cell["colour"]],
                                                            "value": cell["n"]}  # fmt: skip
            bar = format_html('<rect x="{}" y="{}" width="{}" height="{}" class="level-{}"><title>{}</title></rect>',
                              round(x, 1), y, max(width, 1), BAR_HEIGHT, cell["colour"], tip)  # fmt: skip
            parts.append(format_html('<a href="{}">{}</a>', cell["link"], bar) if cell["link"] else bar)
            x += max(width, 1)
        parts.append(format_html('<text x="{}" y="{}" class="chart-value">{}</text>', round(x + 4, 1),
                                 y + BAR_HEIGHT - 4, row.total))  # fmt: skip
    height = TOP + ROW * len(rows) + 4
    body = mark_safe("".join(str(p) for p in parts))  # noqa: S308 - every part above is escaped by format_html
    return format_html(
        '<svg class="chart" id="{}" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title" '
        'xmlns="http://www.w3.org/2000/svg"><title id="{}-title">{}</title>{}</svg>',
        chart_id, WIDTH, height, chart_id, chart_id, title, body,
    )  # fmt: skip


def _short(name: str) -> str:
    """重大风险（红） -> 红: the legend's room is one word per colour."""
    found = re.search(r"[\uff08(]([^\uff09)]+)[\uff09)]", name)  # full- or half-width brackets
    return found.group(1) if found else name


# --- the colours, read from site.css -------------------------------------------------------------------------------


@cache
def level_colours() -> dict[str, str]:
    """The four colours as site.css defines them (`--level-red: #…`): the card's PDF cannot load the stylesheet, and
    the colours are written in one place only."""
    path = finders.find("css/site.css")
    with open(path, encoding="utf-8") as css:
        return dict(re.findall(r"--level-(\w+):\s*(#[0-9a-fA-F]{3,6})", css.read()))


# --- the dashboard's risk panel, with the key units' red points ----------------------------------------------------


@dataclass
class Panel:
    picture: Picture
    overdue_checks: int
    missed_checks: int
    overdue_reevaluations: int
    key_red: list[RiskPoint]
    key_red_count: int
    key_red_link: str


def panel(user: User) -> Panel:
    """The dashboard's risk panel: the picture at the user's root (four queries), the checks overdue and missed and
    the re-evaluations overdue (two aggregates), the key units' red points (one): seven queries whatever the data."""
    today = timezone.localdate()
    picture = build(user)
    checks = CheckTask.objects.visible_to(user).aggregate(
        overdue=Count("id", filter=Q(status=CheckStatus.OPEN, due_on__lt=today)),
        missed=Count("id", filter=Q(status=CheckStatus.MISSED)),
    )
    late = points(user).filter(risk_points.overdue(today)).count()  # as the list's reevaluation=overdue
    key_red, key_count = key_red_points(user)
    return Panel(picture, checks["overdue"], checks["missed"], late, key_red, key_count,
                 points_link(**key_red_query(user)))  # fmt: skip


def checks_link(status: str) -> str:
    return CHECKS_LIST + "?" + urlencode({"status": status})
