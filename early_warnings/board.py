"""The live board of one warning version (叫应看板): who answered and when, who is silent, the measures reported, by
region. The city office's main screen while a warning runs; its page polls the JSON every few seconds.

It reads four queries whatever the number of recipient posts (docs/warnings-board.md):

1. the version asked for and the other versions of its series, in one query (the text columns left out);
2. one grouped SQL over the posts in the user's scope, per region path: the five states counted with `FILTER`, the
   pass-ups, and the measures reported (`jsonb_agg`); Python adds the paths up per region under the areas (the
   counties for the city, the next level down for a district) and sums the measures by code;
3. the first `ROWS_SHOWN` posts, the silent ones first: ordered and cut on the recipients alone, then only those
   rows read their post, unit and who answered;
4. the names of the regions the grouping found.

Queries 2 and 3 are SQL written here over the user's recipient rows as the ORM compiles them (`visible_to`, once):
the ORM's compiling of the same queries with their CASE and FILTER expressions cost more than PostgreSQL's running
them (bench/warning_board.py).

A post is in one of five states at `now`: answered in time (`answered_at <= answer_due_at`: an answer at the very
limit is in time), answered late, silent (not answered and the limit passed), nobody holds the post (not answered,
the notice reached no one), still within the limit. The counts' `FILTER`s and the rows' `CASE` (`STATE_SQL`) say the
same five conditions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import Q, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.models import Department, Enterprise, Position, Region, User
from organizations.scope import Scope, ScopeKind

from .choices import AnswerMeasure, RecipientRole
from .models import EarlyWarning, WarningRecipient

ROWS_SHOWN = 100  # posts listed on the board (the silent first); the figures above count them all

IN_TIME, LATE, SILENT, NOBODY, PENDING = "in_time", "late", "silent", "nobody", "pending"
STATES = (SILENT, NOBODY, PENDING, LATE, IN_TIME)  # the board's order: who needs a call first
STATE_LABELS = {
    IN_TIME: _("Answered in time"),
    LATE: _("Answered late"),
    SILENT: _("Silent, limit passed"),
    NOBODY: _("Nobody holds the post"),
    PENDING: _("Within the limit"),
}
# The measures an answer can report (叫应反馈), by code: the answer form's choices; a code the board does not know (an
# older answer's) is shown as it is.
MEASURE_LABELS = dict(AnswerMeasure.choices)
ROLE_LABELS = dict(RecipientRole.choices)


def measure_label(code: str) -> str:
    return str(MEASURE_LABELS.get(code, code))


def group_depth(user: User) -> int:
    """Counties for the city office and departments; the next level down for a regional government."""
    scope = Scope.for_user(user)
    if scope.kind == ScopeKind.REGION:
        return scope.region_path.count("/")  # "/990100/990102/" is at depth 2: its children are at 3
    return 2


@dataclass
class Board:
    """What the board shows: the version, its series, the figures, the regions, the measures, the posts listed."""

    warning: EarlyWarning
    versions: list[EarlyWarning]
    now: datetime
    totals: dict
    regions: list[dict]
    rows: list[dict]
    measures: list[dict]
    more: int = 0  # posts not listed

    @property
    def current(self) -> EarlyWarning:
        return self.versions[-1]

    @property
    def is_current(self) -> bool:
        return self.current.pk == self.warning.pk


def build(user: User, pk: int, now: datetime | None = None) -> Board:
    """The board of warning version `pk` as `user` sees it (out of scope: Http404)."""
    now = now or timezone.now()
    warning, versions = version_and_series(user, pk)
    base = scoped_posts(user, warning)
    regions, measures = fold(path_counts(base, now), group_depth(user))
    totals = {state: sum(r[state] for r in regions) for state in STATES}
    totals["posts"] = sum(totals[state] for state in STATES)
    totals["passed_up"] = sum(r["passed_up"] for r in regions)
    totals["answered"] = totals[IN_TIME] + totals[LATE]
    totals["in_time_pct"] = round(100 * totals[IN_TIME] / totals["posts"]) if totals["posts"] else None
    rows = post_rows(base, now)
    name_regions(regions)
    return Board(warning, versions, now, totals, regions, rows, measures, more=max(totals["posts"] - len(rows), 0))


def version_and_series(user: User, pk: int) -> tuple[EarlyWarning, list[EarlyWarning]]:
    """The version `pk` and every version of its series (oldest first), in one query. The first version's `series` may
    be its own id or empty: both ways find the whole series from any version."""
    series_of_pk = Subquery(EarlyWarning.objects.filter(pk=pk).values("series")[:1])
    versions = list(
        EarlyWarning.objects.visible_to(user)
        .filter(Q(pk=pk) | Q(series=pk) | Q(series=series_of_pk) | Q(pk=series_of_pk))
        .defer("text", "measures", "tips")
        .order_by("version", "id")
    )
    warning = next((v for v in versions if v.pk == pk), None)
    if warning is None:
        raise Http404
    return warning, versions


BASE_COLUMNS = ("id", "post_id", "role", "region_id", "region_path", "sent_at", "answer_due_at", "answered_at",
                "answered_by_id", "measures", "note", "passed_up_at", "nobody", "department_id",
                "enterprise_id")  # fmt: skip


def scoped_posts(user: User, warning: EarlyWarning) -> tuple[str, tuple]:
    """The SQL of the warning's recipient rows the user may see (`visible_to`), compiled once by the ORM; the two
    queries below read it as a derived table, which PostgreSQL flattens into their own plan."""
    posts = WarningRecipient.objects.visible_to(user).filter(warning=warning).values(*BASE_COLUMNS).order_by()
    return posts.query.sql_with_params()


# A post's state at a moment (the parameter), by its position in STATES: the rows' order.
STATE_SQL = (
    f"CASE WHEN {{t}}.answered_at IS NULL AND {{t}}.nobody THEN {STATES.index(NOBODY)} "
    f"WHEN {{t}}.answered_at IS NULL AND {{t}}.answer_due_at < %s THEN {STATES.index(SILENT)} "
    f"WHEN {{t}}.answered_at IS NULL THEN {STATES.index(PENDING)} "
    f"WHEN {{t}}.answered_at <= {{t}}.answer_due_at THEN {STATES.index(IN_TIME)} ELSE {STATES.index(LATE)} END"
)
PATH_COUNTS_SQL = """
SELECT r.region_path,
       COUNT(*) FILTER (WHERE r.answered_at <= r.answer_due_at),
       COUNT(*) FILTER (WHERE r.answered_at > r.answer_due_at),
       COUNT(*) FILTER (WHERE r.answered_at IS NULL AND NOT r.nobody AND r.answer_due_at < %s),
       COUNT(*) FILTER (WHERE r.answered_at IS NULL AND r.nobody),
       COUNT(*) FILTER (WHERE r.answered_at IS NULL AND NOT r.nobody AND r.answer_due_at >= %s),
       COUNT(*) FILTER (WHERE r.passed_up_at IS NOT NULL),
       jsonb_agg(r.measures) FILTER (WHERE r.answered_at IS NOT NULL AND r.measures <> '[]'::jsonb)
FROM ({base}) r
GROUP BY r.region_path
"""
COUNTED = (IN_TIME, LATE, SILENT, NOBODY, PENDING, "passed_up")  # the order of PATH_COUNTS_SQL's counts


def path_counts(base: tuple[str, tuple], now: datetime) -> list[dict]:
    """One grouped SQL: per region path, the five states, the pass-ups and the measures reported (their lists)."""
    sql, params = base
    with connection.cursor() as cursor:
        cursor.execute(PATH_COUNTS_SQL.format(base=sql), (now, now, *params))
        return [
            {"region_path": row[0], **dict(zip(COUNTED, row[1:7], strict=True)), "reported": json_value(row[7])}
            for row in cursor.fetchall()
        ]


def json_value(value):
    """Django has psycopg hand jsonb over as text (the field decodes it); a raw cursor gets that text."""
    return json.loads(value) if isinstance(value, str) else value


def group_of(path: str, depth: int) -> str:
    """The code of the region at `depth` of the tree (2 = the counties) on `path`, or of the lowest one above it
    when the path is shorter: `/990100/990102/990102001/` at depth 2 is `990102`, `/990100/` is `990100`."""
    codes = [code for code in path.split("/") if code]
    return codes[min(depth, len(codes)) - 1]


def fold(by_path: list[dict], depth: int) -> tuple[list[dict], list[dict]]:
    """The per-path counts added up per region at `depth`, and the measures reported summed by code (most
    reported first)."""
    regions: dict[str, dict] = {}
    tally: dict[str, int] = {}
    for row in by_path:
        group = regions.setdefault(group_of(row["region_path"], depth), dict.fromkeys(COUNTED, 0))
        for key in COUNTED:
            group[key] += row[key]
        for codes in row["reported"] or ():
            for code in codes:
                tally[code] = tally.get(code, 0) + 1
    measures = [{"code": code, "label": measure_label(code), "count": n}
                for code, n in sorted(tally.items(), key=lambda item: (-item[1], item[0]))]  # fmt: skip
    return [{"code": code, **counts} for code, counts in sorted(regions.items())], measures


def name_regions(regions: list[dict]) -> None:
    names = dict(Region.objects.filter(code__in=[r["code"] for r in regions]).values_list("code", "name"))
    for r in regions:
        r["name"] = names.get(r["code"], r["code"])
        r["posts"] = sum(r[state] for state in STATES)


ROWS_SQL = """
SELECT r.id, r.post_id, (SELECT p.title FROM {position} p WHERE p.id = r.post_id), r.role,
       (SELECT g.name FROM {region} g WHERE g.id = r.region_id),
       COALESCE((SELECT e.name FROM {enterprise} e WHERE e.id = r.enterprise_id),
                (SELECT d.name FROM {department} d WHERE d.id = r.department_id),
                (SELECT g.name FROM {region} g WHERE g.id = r.region_id)),
       r.sent_at, r.answer_due_at, r.answered_at,
       (SELECT COALESCE(NULLIF(u.full_name, ''), u.username) FROM {user} u WHERE u.id = r.answered_by_id),
       r.measures, r.note, r.passed_up_at, r.state
FROM (SELECT b.*, {state} AS state FROM ({base}) b
      ORDER BY state, b.answer_due_at, b.answered_at DESC NULLS LAST, b.id LIMIT %s) r
ORDER BY r.state, r.answer_due_at, r.answered_at DESC NULLS LAST, r.id
"""
ROW_FIELDS = ("id", "post_id", "title", "role", "region", "unit", "sent_at", "answer_due_at", "answered_at",
              "answered_by", "measures", "note", "passed_up_at", "state")  # fmt: skip


def post_rows(base: tuple[str, tuple], now: datetime) -> list[dict]:
    """The first `ROWS_SHOWN` posts: silent first (longest silent on top), then nobody, pending, late, in time
    (latest answer on top). The order and the cut are taken on the recipients alone; only those rows then read
    their post, region, unit and who answered, by scalar subqueries on primary keys (planning the joins, the wide
    enterprise table's above all, cost more than running the query; so did sorting by the region path's collation).
    """
    sql, params = base
    tables = {"enterprise": Enterprise, "department": Department, "position": Position, "region": Region, "user": User}
    names = {key: connection.ops.quote_name(model._meta.db_table) for key, model in tables.items()}
    query = ROWS_SQL.format(state=STATE_SQL.format(t="b"), base=sql, **names)
    with connection.cursor() as cursor:
        cursor.execute(query, (now, *params, ROWS_SHOWN))
        return [post_row(dict(zip(ROW_FIELDS, row, strict=True))) for row in cursor.fetchall()]


def post_row(r: dict) -> dict:
    state = STATES[r["state"]]
    minutes = None
    if r["answered_at"]:
        minutes = round((r["answered_at"] - r["sent_at"]).total_seconds() / 60, 1)
    return {
        "id": r["id"],
        "post": r["post_id"],
        "title": r["title"],
        "unit": r["unit"],
        "region": r["region"],
        "role": r["role"],
        "role_label": str(ROLE_LABELS.get(r["role"], r["role"])),
        "state": state,
        "state_label": str(STATE_LABELS[state]),
        "sent_at": r["sent_at"],
        "answer_due_at": r["answer_due_at"],
        "answered_at": r["answered_at"],
        "answered_by": r["answered_by"] or "",
        "minutes": minutes,
        "measures": [{"code": code, "label": measure_label(code)} for code in (json_value(r["measures"]) or [])],
        "note": r["note"],
        "silent_since": r["answer_due_at"] if state == SILENT else None,
        "passed_up_at": r["passed_up_at"],
    }
