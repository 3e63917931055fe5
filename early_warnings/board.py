"""The live board of one warning version (叫应看板): who answered and when, who is silent, the measures reported, by
region. The city office's main screen while a warning runs; its page polls the JSON every few seconds.

It reads five queries whatever the number of recipient posts (docs/warnings-board.md):

1. the version asked for and the other versions of its series, in one query (the text columns left out);
2. one grouped SQL over the posts in the user's scope: per region under the areas (the counties for the city, the
   next level down for a district), the five states counted with `FILTER`; the totals are its sums;
3. the first `ROWS_SHOWN` posts, the silent ones first, with their post, unit and who answered;
4. the measures reported, summed by code in the database (`jsonb_array_elements_text`);
5. the names of the regions the grouping found.

A post is in one of five states at `now`: answered in time (`answered_at <= answer_due_at`: an answer at the very
limit is in time), answered late, silent (not answered and the limit passed), nobody holds the post (not answered,
the notice reached no one), still within the limit. The states are one SQL `CASE` (`state_of`), so the counts, the
rows and their order agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection
from django.db.models import Case, CharField, Count, F, Func, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.models import Region, User
from organizations.scope import Scope, ScopeKind

from .choices import RecipientRole, WarningLevel, WarningStatus
from .models import EarlyWarning, WarningRecipient

ROWS_SHOWN = 200  # posts listed on the board; the figures above count them all

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


class SplitPart(Func):
    function = "split_part"
    output_field = CharField()


def group_code(depth: int) -> Coalesce:
    """The code of the row's region at `depth` of the tree (2 = the counties), or of the nearest one above it when
    the row sits higher up: `/990100/990102/990102001/` at depth 2 is `990102`, `/990100/` is `990100`."""
    parts = [
        NullIf(SplitPart(F("region_path"), Value("/"), Value(level + 1)), Value("")) for level in range(depth, 0, -1)
    ]
    return Coalesce(*parts, output_field=CharField())


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
    regions = region_counts(recipients, group_depth(user), now)
    totals = {state: sum(r[state] for r in regions) for state in STATES}
    totals["posts"] = sum(totals[state] for state in STATES)
    totals["passed_up"] = sum(r["passed_up"] for r in regions)
    answered = totals[IN_TIME] + totals[LATE]
    totals["answered"] = answered
    totals["in_time_pct"] = round(100 * totals[IN_TIME] / totals["posts"]) if totals["posts"] else None
    rows = post_rows(recipients, now)
    measures = measure_sums(recipients)
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


def region_counts(recipients, depth: int, now: datetime) -> list[dict]:
    """One grouped SQL: per region at `depth` (or the row's own, when higher), the five states and the pass-ups."""
    rows = (
        recipients.annotate(group=group_code(depth))
        .values("group")
        .annotate(**state_counts(now), n_passed_up=Count("id", filter=Q(passed_up_at__isnull=False)))
        .order_by("group")
    )
    return [{key.removeprefix("n_"): value for key, value in row.items()} for row in rows]


def name_regions(regions: list[dict]) -> None:
    names = dict(Region.objects.filter(code__in=[r["group"] for r in regions]).values_list("code", "name"))
    for r in regions:
        r["code"] = r.pop("group")
        r["name"] = names.get(r["code"], r["code"])
        r["posts"] = sum(r[state] for state in STATES)


def post_rows(recipients, now: datetime) -> list[dict]:
    """The first `ROWS_SHOWN` posts: silent first (longest silent on top), then nobody, pending, late, in time
    (latest answer on top)."""
    rows = (
        recipients.annotate(state=state_of(now))
        .select_related("post", "region", "department", "enterprise", "answered_by")
        .order_by("state", "answer_due_at", F("answered_at").desc(nulls_last=True), "region_path", "id")
    )[:ROWS_SHOWN]
    return [post_row(r) for r in rows]


def post_row(r: WarningRecipient) -> dict:
    state = STATES[r.state]
    unit = r.enterprise or r.department or r.region
    minutes = None
    if r.answered_at:
        minutes = round((r.answered_at - r.sent_at).total_seconds() / 60, 1)
    return {
        "id": r.pk,
        "post": r.post_id,
        "title": r.post.title,
        "unit": str(unit) if unit else "",
        "region": r.region.name,
        "role": r.role,
        "role_label": str(RecipientRole(r.role).label) if r.role in RecipientRole.values else r.role,
        "state": state,
        "state_label": str(STATE_LABELS[state]),
        "sent_at": r.sent_at,
        "answer_due_at": r.answer_due_at,
        "answered_at": r.answered_at,
        "answered_by": (r.answered_by.full_name or r.answered_by.username) if r.answered_by else "",
        "minutes": minutes,
        "measures": [{"code": code, "label": measure_label(code)} for code in (r.measures or [])],
        "note": r.note,
        "silent_since": r.answer_due_at if state == SILENT else None,
        "passed_up_at": r.passed_up_at,
    }


def measure_sums(recipients) -> list[dict]:
    """How many posts reported each measure, most reported first: summed by the database on PostgreSQL."""
    answered = recipients.filter(answered_at__isnull=False).exclude(measures=[]).values("measures").order_by()
    if connection.vendor == "postgresql":
        sql, params = answered.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT m, COUNT(*) FROM ({sql}) r, jsonb_array_elements_text(r.measures::jsonb) m "
                "GROUP BY m ORDER BY COUNT(*) DESC, m",
                params,
            )
            counts = cursor.fetchall()
    else:  # pragma: no cover - the platform and its tests run on PostgreSQL
        tally: dict[str, int] = {}
        for codes in answered.values_list("measures", flat=True):
            for code in codes:
                tally[code] = tally.get(code, 0) + 1
        counts = sorted(tally.items(), key=lambda item: (-item[1], item[0]))
    return [{"code": code, "label": measure_label(code), "count": n} for code, n in counts]


def level_label(warning: EarlyWarning) -> str:
    return str(WarningLevel(warning.level).label)


def in_force(warning: EarlyWarning) -> bool:
    return warning.status == WarningStatus.IN_FORCE
