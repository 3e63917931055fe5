"""The live board of one warning version (叫应看板): who answered and when, who is silent, the measures reported, by
region. The city office's main screen while a warning runs; its page polls the JSON every few seconds.

It reads four queries whatever the number of recipient posts (docs/warnings-board.md):

1. the version asked for and the other versions of its series, in one query (the text columns left out);
2. one grouped SQL over the posts in the user's scope, per region path: the five states counted with `FILTER`, the
   pass-ups, and the measures reported (`jsonb_agg`); Python adds the paths up per region under the areas (the
   counties for the city, the next level down for a district) and sums the measures by code;
3. the first `ROWS_SHOWN` posts, the silent ones first: ordered and cut on the recipients alone, then only those
   rows joined to their post, unit and who answered;
4. the names of the regions the grouping found.

A post is in one of five states at `now`: answered in time (`answered_at <= answer_due_at`: an answer at the very
limit is in time), answered late, silent (not answered and the limit passed), nobody holds the post (not answered,
the notice reached no one), still within the limit. The states are one SQL `CASE` (`state_of`), so the counts, the
rows and their order agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.postgres.aggregates import JSONBAgg
from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.models import Department, Enterprise, Region, User
from organizations.scope import Scope, ScopeKind

from .choices import RecipientRole, WarningLevel, WarningStatus
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
# The measures an answer can report (叫应反馈), by code; a code the board does not know is shown as it is.
MEASURE_LABELS = {
    "workers_withdrawn": _("Workers withdrawn"),
    "sites_closed": _("Sites closed"),
    "patrols_out": _("Patrols out"),
    "people_relocated": _("People relocated"),
    "duty_raised": _("Duty strengthened"),
    "forces_prepositioned": _("Forces pre-positioned"),
}


ROLE_LABELS = dict(RecipientRole.choices)


def measure_label(code: str) -> str:
    return str(MEASURE_LABELS.get(code, code))


def state_of(now: datetime) -> Case:
    """The post's state at `now`, as SQL; its position in `STATES` orders the rows."""
    unanswered = Q(answered_at__isnull=True)
    return Case(
        When(unanswered & Q(nobody=True), then=Value(STATES.index(NOBODY))),
        When(unanswered & Q(answer_due_at__lt=now), then=Value(STATES.index(SILENT))),
        When(unanswered, then=Value(STATES.index(PENDING))),
        When(answered_at__lte=F("answer_due_at"), then=Value(STATES.index(IN_TIME))),
        default=Value(STATES.index(LATE)),
        output_field=IntegerField(),
    )


def state_counts(now: datetime) -> dict[str, Count]:
    """The five states counted over a grouped queryset (each with `FILTER (WHERE …)`), named `n_<state>` (an
    annotation may not shadow the field `nobody`)."""
    unanswered = Q(answered_at__isnull=True)
    counts = {
        IN_TIME: Count("id", filter=Q(answered_at__lte=F("answer_due_at"))),
        LATE: Count("id", filter=Q(answered_at__gt=F("answer_due_at"))),
        NOBODY: Count("id", filter=unanswered & Q(nobody=True)),
        SILENT: Count("id", filter=unanswered & Q(nobody=False, answer_due_at__lt=now)),
        PENDING: Count("id", filter=unanswered & Q(nobody=False, answer_due_at__gte=now)),
    }
    return {f"n_{state}": count for state, count in counts.items()}


def group_depth(user: User) -> int:
    """Counties for the city office and departments; the next level down for a regional government."""
    scope = Scope.for_user(user)
    if scope.kind == ScopeKind.REGION:
        return scope.region_path.count("/")  # "/990100/990102/" is at depth 2: its children are at 3
    return 2


@dataclass
class Board:
    warning: EarlyWarning
    versions: list[EarlyWarning]
    now: datetime
    totals: dict
    regions: list[dict]
    rows: list[dict]
    measures: list[dict]
    more: int = 0
    extra: dict = field(default_factory=dict)

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
    recipients = WarningRecipient.objects.visible_to(user).filter(warning=warning)
    by_path = list(path_counts(recipients, now))
    regions, measures = fold(by_path, group_depth(user))
    totals = {state: sum(r[state] for r in regions) for state in STATES}
    totals["posts"] = sum(totals[state] for state in STATES)
    totals["passed_up"] = sum(r["passed_up"] for r in regions)
    totals["answered"] = totals[IN_TIME] + totals[LATE]
    totals["in_time_pct"] = round(100 * totals[IN_TIME] / totals["posts"]) if totals["posts"] else None
    rows = post_rows(recipients, now)
    name_regions(regions)
    return Board(warning, versions, now, totals, regions, rows, measures, more=max(totals["posts"] - len(rows), 0))


def version_and_series(user: User, pk: int) -> tuple[EarlyWarning, list[EarlyWarning]]:
    """The version `pk` and every version of its series (oldest first), in one query."""
    series_of_pk = EarlyWarning.objects.filter(pk=pk).values("series")
    versions = list(
        EarlyWarning.objects.visible_to(user)
        .filter(Q(pk=pk) | Q(series=pk) | Q(series__in=series_of_pk) | Q(pk__in=series_of_pk))
        .defer("text", "measures", "tips")
        .order_by("version", "id")
    )
    warning = next((v for v in versions if v.pk == pk), None)
    if warning is None:
        raise Http404
    return warning, versions


def path_counts(recipients, now: datetime):
    """One grouped SQL: per region path, the five states, the pass-ups and the measures reported (their lists)."""
    return (
        recipients.values("region_path")
        .annotate(
            **state_counts(now),
            n_passed_up=Count("id", filter=Q(passed_up_at__isnull=False)),
            reported=JSONBAgg("measures", filter=Q(answered_at__isnull=False) & ~Q(measures=[])),
        )
        .order_by()
    )


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
        group = regions.setdefault(group_of(row["region_path"], depth), dict.fromkeys((*STATES, "passed_up"), 0))
        for key in (*STATES, "passed_up"):
            group[key] += row[f"n_{key}"]
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


ROW_FIELDS = ("id", "post_id", "post__title", "role", "region__name", "unit", "sent_at", "answer_due_at",
              "answered_at", "answered_by__full_name", "answered_by__username", "measures", "note", "passed_up_at",
              "state")  # fmt: skip


def unit_name() -> Coalesce:
    """The post's unit: its enterprise, its department or its region. Scalar subqueries, not joins: planning a
    join to the wide enterprise table cost more than running the whole query."""
    return Coalesce(
        Subquery(Enterprise.objects.filter(pk=OuterRef("enterprise_id")).values("name")[:1]),
        Subquery(Department.objects.filter(pk=OuterRef("department_id")).values("name")[:1]),
        F("region__name"),
    )


def post_rows(recipients, now: datetime) -> list[dict]:
    """The first `ROWS_SHOWN` posts: silent first (longest silent on top), then nobody, pending, late, in time
    (latest answer on top). The order and the cut are taken on the recipients alone; only those rows are joined to
    their post, unit and who answered."""
    order = ("state", "answer_due_at", F("answered_at").desc(nulls_last=True), "region_path", "id")
    first = recipients.annotate(state=state_of(now)).order_by(*order).values("id")[:ROWS_SHOWN]
    rows = (
        WarningRecipient.objects.filter(id__in=first).annotate(state=state_of(now), unit=unit_name()).order_by(*order)
    )
    return [post_row(r) for r in rows.values(*ROW_FIELDS)]


def post_row(r: dict) -> dict:
    state = STATES[r["state"]]
    minutes = None
    if r["answered_at"]:
        minutes = round((r["answered_at"] - r["sent_at"]).total_seconds() / 60, 1)
    return {
        "id": r["id"],
        "post": r["post_id"],
        "title": r["post__title"],
        "unit": r["unit"],
        "region": r["region__name"],
        "role": r["role"],
        "role_label": str(ROLE_LABELS.get(r["role"], r["role"])),
        "state": state,
        "state_label": str(STATE_LABELS[state]),
        "sent_at": r["sent_at"],
        "answer_due_at": r["answer_due_at"],
        "answered_at": r["answered_at"],
        "answered_by": r["answered_by__full_name"] or r["answered_by__username"] or "",
        "minutes": minutes,
        "measures": [{"code": code, "label": measure_label(code)} for code in (r["measures"] or [])],
        "note": r["note"],
        "silent_since": r["answer_due_at"] if state == SILENT else None,
        "passed_up_at": r["passed_up_at"],
    }


def level_label(warning: EarlyWarning) -> str:
    return str(WarningLevel(warning.level).label)


def in_force(warning: EarlyWarning) -> bool:
    return warning.status == WarningStatus.IN_FORCE
