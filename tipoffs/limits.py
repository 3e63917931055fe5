"""The time limits of a tip-off: reminders before them, must-answer notices once they pass, and the settling of those
notices when the report moves on. See docs/tipoffs.md, "Time limits".

Two limits run on a report: its handling limit (`due_at`, while accepted: acceptance + TIPOFF_HANDLING_DAYS, + the
extension once) and its answer's (`feedback_due_at`, while verified: verification + TIPOFF_FEEDBACK_DAYS).

1. `sweep` (registered with `notifications.sweeps` from `TipoffsConfig.ready`) runs every minute. For each limit,
   a report within TIPOFF_REMIND_DAYS of it and not yet past it gets one reminder (`tipoffs.remind`) to its
   handling unit (`access.handler_positions`); a report past it gets one must-answer notice (`tipoffs.overdue`) to
   the unit's head (`access.head_positions`; the city office's staff where nobody holds it), to be answered within
   TIPOFF_OVERDUE_ANSWER_HOURS, which the notifications' pass-up climbs to the head's superior when unanswered.
2. Each is sent once per report, limit and unit: its key is
   `<kind>:<report>:<limit>:<limit's minute, UTC>:<unit>:<person>`,
   and the report's history gets an event (`remind`, for the staff only) saying what was sent for which limit; the
   sweep leaves out the reports that have it, so once all are told a sweep costs one indexed query per step. An
   extension moves `due_at`: the new limit is a new one, reminded and overdue in its turn.
3. The sweep takes the reports in bounded batches (TIPOFF sweeps share ESCALATION_BATCH_SIZE), each batch in a
   constant number of queries: the reports, their unit's positions (one query of the units' positions, built from
   access.py's own), the holders, then the notices, their deliveries and the events in a few statements.
4. `settle(actor, report)` is called by the handling writers that move a report past a limit (extend, transfer,
   verify, answer): its outstanding overdue notices, and those passed up from them, are answered — the actor's
   own through `notifications.outbox.acknowledge`, the others' no longer wait for an answer — so nothing passes
   up for a limit that no longer runs.

The notices say the receipt code, the kind, the place's region, the unit and the limit: never who made the report,
nor the report's own words.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import reduce
from operator import or_

from django.conf import settings
from django.db import transaction
from django.db.models import Case, CharField, Count, Exists, Func, OuterRef, Q, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import override

from notifications.models import Notification
from notifications.outbox import Outbox, SweepResult, acknowledge
from organizations.choices import UnitKind
from organizations.models import Position, PositionAssignment
from organizations.roles import DEPARTMENT_STAFF, GOVERNMENT_PUBLISHERS, is_city_office_staff

from . import access
from .choices import Action, State
from .models import Report, ReportEvent, overdue_q

REMIND_KIND = "tipoffs.remind"  # keys tipoffs.remind:<report>:<limit>:<stamp>:<unit>:<user>
OVERDUE_KIND = "tipoffs.overdue"  # keys tipoffs.overdue:<report>:<limit>:<stamp>:<unit>:<user>, must-answer
REMIND, OVERDUE = "remind", "overdue"
STAMP = "%Y%m%d%H%M"  # a limit's minute in UTC, in the keys and the events (the SQL side: `_stamp`)
SETTLE_DEPTH = 5  # how many times a passed-up notice is followed up the chain when settling


@dataclass(frozen=True)
class Limit:
    name: str  # "due" (the handling limit) or "feedback" (the answer's)
    state: str  # the state the limit runs in
    field: str  # the report's field holding it


LIMITS = (Limit("due", State.ACCEPTED, "due_at"), Limit("feedback", State.VERIFIED, "feedback_due_at"))


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(STAMP)


class _Stamp(Func):
    """The SQL twin of `stamp`: to_char(field AT TIME ZONE 'UTC', 'YYYYMMDDHH24MI')."""

    template = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYYMMDDHH24MI')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        # SQLite (the embedded mode) keeps datetimes as UTC text "YYYY-MM-DD HH:MM:SS…": its first 16 characters
        # without "-", " " and ":" (no strftime: its "%" would be read as a placeholder inside a subquery).
        template = "replace(replace(replace(substr(%(expressions)s, 1, 16), '-', ''), ' ', ''), ':', '')"
        return self.as_sql(compiler, connection, template=template, **extra)


# --- the sweep ------------------------------------------------------------------------------------------------------


def sweep(now: datetime, batch_size: int, dry_run: bool, result: SweepResult) -> None:
    """Registered with `notifications.sweeps`: every due reminder and overdue notice, in bounded batches. One query
    first finds which of the four (limit, step) pairs have anything due, so a minute with nothing due costs one."""
    pairs = [(limit, step) for limit in LIMITS for step in (REMIND, OVERDUE)]
    due = due_reports(*pairs[0], now).annotate(pair=Value(0)).values_list("pair", flat=True).order_by()
    due = due.union(*(
        due_reports(*pair, now).annotate(pair=Value(n)).values_list("pair", flat=True).order_by()
        for n, pair in enumerate(pairs[1:], 1)
    ))  # fmt: skip
    for n in sorted(set(due)):
        limit, step = pairs[n]
        while True:
            done = _batch(limit, step, now, batch_size, dry_run, result)
            if done < batch_size or dry_run:
                break


def due_reports(limit: Limit, step: str, now: datetime):
    """The reports whose `step` for `limit` is due now and not yet sent (the sweep's one query per step)."""
    field = limit.field
    reports = Report.objects.filter(state=limit.state)
    if step == REMIND:  # not yet past the limit (a report past it is told it is overdue instead)
        window = now + timedelta(days=settings.TIPOFF_REMIND_DAYS)
        reports = reports.filter(**{f"{field}__gte": now, f"{field}__lte": window})
    else:  # past it: at the limit's very minute a report is not overdue yet (models.overdue_q)
        reports = reports.filter(**{f"{field}__lt": now})
    sent = (
        ReportEvent.objects.filter(report=OuterRef("pk"), action=Action.REMIND, data__step=step, data__limit=limit.name)
        # Cast: compared as text on every database (SQLite would read the unit's value as JSON otherwise).
        .annotate(limit_at=Cast(KT("data__at"), CharField()), unit=Cast(KT("data__unit"), CharField()))
        .filter(limit_at=OuterRef("limit_stamp"), unit=OuterRef("unit_key"))
    )
    return reports.annotate(limit_stamp=_Stamp(field), unit_key=_unit_sql()).exclude(Exists(sent))


def _batch(limit: Limit, step: str, now: datetime, batch_size: int, dry_run: bool, result: SweepResult) -> int:
    with transaction.atomic():
        reports = list(
            due_reports(limit, step, now)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("region", "department", "handler_region")
            .order_by(limit.field, "pk")[:batch_size]
        )
        if not reports:
            return 0
        people = _people(reports, head=step == OVERDUE)
        outbox, events = Outbox(now), []
        with override(settings.LANGUAGE_CODE):
            for report in reports:
                told = people[report.pk]
                _tell(outbox, report, limit, step, told)
                events.append(_event(report, limit, step, len(told), now))
        result.steps += len(reports)
        result.notifications += outbox.flush(dry_run)
        if not dry_run:
            ReportEvent.objects.bulk_create(events)
        return len(reports)


def unit_key(report: Report) -> str:
    """The handling unit in a word ("d<department>", "r<region>", "c"): a transferred report's new unit is told
    of a limit the old one was told of."""
    if report.department_id is not None:
        return f"d{report.department_id}"
    if report.handler_region_id is not None:
        return f"r{report.handler_region_id}"
    return "c"


def _unit_sql() -> Case:
    """The SQL twin of `unit_key`."""
    return Case(
        When(department__isnull=False, then=Concat(Value("d"), Cast("department_id", CharField()))),
        When(handler_region__isnull=False, then=Concat(Value("r"), Cast("handler_region_id", CharField()))),
        default=Value("c"),
        output_field=CharField(),
    )


def _unit(report: Report) -> tuple:
    if report.department_id is not None:
        return ("department", report.department_id)
    if report.handler_region_id is not None:
        return ("region", report.handler_region_id)
    return ("city",)


def _position_unit(position: Position) -> tuple:
    if position.department_id is not None:
        return ("department", position.department_id)
    if position.unit_kind == UnitKind.GOVERNMENT:
        return ("region", position.region_id)
    return ("city",)


def _people(reports: list[Report], head: bool) -> dict[int, list[tuple]]:
    """The (person, position) pairs told of each report, in two queries for the batch: the positions of the
    batch's units (access.py's own querysets, one per unit, OR-ed into one), and their current holders. An overdue
    notice whose unit's head is vacant goes to the city office's staff (who handle every report)."""
    chooser = access.head_positions if head else access.handler_positions
    firsts = {_unit(r): r for r in reports}
    if head:
        firsts.setdefault(("city",), Report(department=None, handler_region=None))
    positions = reduce(or_, (chooser(r) for r in firsts.values()))
    by_position: dict[int, list] = defaultdict(list)
    unit_of: dict[int, tuple] = {}
    for assignment in (
        PositionAssignment.objects.current()
        .filter(position__in=positions, user__is_active=True)
        .select_related("user", "position")
        .order_by("position_id", "user_id")
    ):
        by_position[assignment.position_id].append((assignment.user, assignment.position))
        unit_of[assignment.position_id] = _position_unit(assignment.position)
    by_unit: dict[tuple, list] = defaultdict(list)
    for pk, pairs in by_position.items():
        by_unit[unit_of[pk]].extend(pairs)
    told = {}
    for report in reports:
        pairs = by_unit.get(_unit(report), [])
        told[report.pk] = pairs if pairs or not head else by_unit.get(("city",), [])
    return told


def _day(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "DATE_FORMAT")


def _tell(outbox: Outbox, report: Report, limit: Limit, step: str, people: list[tuple]) -> None:
    """The notice of one report to each person: the code, kind, region, unit and the limit; nothing of the
    informant, nor the report's text."""
    moment = getattr(report, limit.field)
    words = {"code": report.code, "kind": report.get_kind_display(), "region": report.region,
             "unit": access.unit_label(report), "day": _day(moment),
             "hours": settings.TIPOFF_OVERDUE_ANSWER_HOURS}  # fmt: skip
    if limit.name == "due":
        title = (_("Tip-off %(code)s to be closed by %(day)s") if step == REMIND
                 else _("Tip-off %(code)s overdue: it was to be closed by %(day)s")) % words  # fmt: skip
    else:
        title = (_("Tip-off %(code)s: the answer to the informant is due by %(day)s") if step == REMIND
                 else _("Tip-off %(code)s: the answer to the informant was due by %(day)s")) % words  # fmt: skip
    lines = [_("%(kind)s in %(region)s, handled by %(unit)s.") % words]
    if step == OVERDUE:
        lines.append(_(
            "The time limit has passed. Answer this notice within %(hours)d hours to say it is being dealt with; "
            "unanswered, it passes to your superior."
        ) % words)  # fmt: skip
    body = "\n".join(lines)
    kind = REMIND_KIND if step == REMIND else OVERDUE_KIND
    key = f"{kind}:{report.pk}:{limit.name}:{stamp(moment)}:{unit_key(report)}"
    within = timedelta(hours=settings.TIPOFF_OVERDUE_ANSWER_HOURS) if step == OVERDUE else None
    link = reverse("tipoffs:detail", args=[report.pk])
    for user, position in people:
        outbox.add(f"{key}:{user.pk}", user, position, title=title, body=body, link=link, answer_within=within)


def _event(report: Report, limit: Limit, step: str, told: int, now: datetime) -> ReportEvent:
    """The history's line (for the staff): what was sent for which limit; also the sweep's mark of it."""
    moment = getattr(report, limit.field)
    words = {"day": _day(moment), "n": told}
    if step == REMIND:
        note = _("Reminder sent to the handling unit (%(n)d people): the time limit is %(day)s.") % words
    else:
        note = _("Time limit %(day)s passed: the unit's head was told and must answer (%(n)d people).") % words
    data = {"step": step, "limit": limit.name, "at": stamp(moment), "unit": unit_key(report)}
    return ReportEvent(report=report, action=Action.REMIND, at=now, note=note, data=data)


# --- settling -------------------------------------------------------------------------------------------------------


def settle(actor, report: Report) -> int:
    """The report moved past a limit (extended, transferred, verified, answered): its overdue notices still waiting
    for an answer, and those passed up from them, are answered. The actor's own are acknowledged (timed and
    audited, as a tap would); the others stop being must-answer, so the sweep passes none of them up. Call inside
    the writer's transaction. Returns how many were settled."""
    waiting = {"must_answer": True, "acknowledged_at__isnull": True}
    ids = list(
        Notification.objects.filter(kind=OVERDUE_KIND, key__startswith=f"{OVERDUE_KIND}:{report.pk}:").values_list(
            "pk", flat=True
        )
    )
    chain, level = list(ids), ids
    for _step in range(SETTLE_DEPTH):  # the pass-ups of the pass-ups, a level at a time
        if not level:
            break
        level = list(Notification.objects.filter(parent__in=level).values_list("pk", flat=True))
        chain.extend(level)
    if not chain:
        return 0
    open_ones = Notification.objects.filter(pk__in=chain, **waiting)
    mine = list(open_ones.filter(recipient=actor))
    for notice in mine:
        acknowledge(actor, notice)
    return len(mine) + open_ones.exclude(recipient=actor).update(must_answer=False)


# --- the handler's queue and the dashboard --------------------------------------------------------------------------


def handled_by(user) -> Q:
    """The reports the person's unit handles now: the list's `handler=mine` (access.is_handler's units): the city
    office's staff those of the city office (no department, no territory), a department's staff its department's,
    a territory's leader and duty officers their territory's (handed to it, no department)."""
    parts = []
    if is_city_office_staff(user):
        parts.append(Q(department__isnull=True, handler_region__isnull=True))
    if user.unit_kind == UnitKind.DEPARTMENT and user.department_id and user.holds(*DEPARTMENT_STAFF):
        parts.append(Q(department_id=user.department_id))
    if user.unit_kind == UnitKind.GOVERNMENT and user.region_id and user.holds(*GOVERNMENT_PUBLISHERS):
        parts.append(Q(department__isnull=True, handler_region_id=user.region_id))
    return reduce(or_, parts) if parts else Q(pk__in=[])


def handler_counts(user, now: datetime | None = None) -> dict[str, int]:
    """What waits for the person's unit, in one query: awaiting triage, past a limit (`overdue_q`), awaiting the
    answer to the informant."""
    now = now or timezone.now()
    return Report.objects.filter(handled_by(user)).aggregate(
        received=Count("id", filter=Q(state=State.RECEIVED)),
        overdue=Count("id", filter=overdue_q(now)),
        feedback=Count("id", filter=Q(state=State.VERIFIED)),
    )
