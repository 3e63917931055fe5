"""The enterprise's own checks of its risk points (排查清单, docs/risks.md "The enterprise's checks").

Generation: `generate_tasks(day)` makes the day's check tasks in a few INSERT … SELECT statements (a million
points in seconds on PostgreSQL, bench/scenarios.py `check_generation`; the same rows through the ORM on the
embedded mode's SQLite); `mark_missed(day)` closes what was not done in time in one UPDATE; `run_once_a_day`
(beat's `risk-checks`) runs both once a day.

Recording: `record_check(actor, task, answers, started_at)` is the one writer of a check: it locks the task in the
actor's scope, checks RULES (403/409), validates by field (400), and writes the results, the photos of controls not
in place, a hazard for each of those (through `hazards.workflow.file_hazard`, linked to the point) and the audit
record in one transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.models import record
from hazards import workflow as hazard_workflow
from organizations.models import User
from organizations.roles import is_enterprise_staff_of
from safety_platform.lib import rules
from safety_platform.lib.errors import Conflict
from safety_platform.lib.images import clean_images
from workdays.calendar import SpecialDays

from .choices import CheckStatus, Colour
from .hazard_links import link_hazard
from .models import CheckPhoto, CheckResult, CheckTask, RiskControl, RiskPoint
from .themes import Cover, holiday_theme_on

ONE_DAY = timedelta(days=1)
# Periods from shortest to longest; a holiday period replaces a point's own only where it is shorter.
PERIODS = ("day", "week", "month", "quarter")
# Enterprises that no longer work get no new checks.
NOT_WORKING = ("deregistered", "closed_mine")
GENERATION_WORK_MEM = "128MB"


# --- periods on the working-day calendar ---------------------------------------------------------------------


def calendar_period(kind: str, day: date) -> tuple[date, date]:
    """The calendar period of `kind` (day, week, month, quarter) that contains `day`: its first and last day."""
    if kind == "day":
        return day, day
    if kind == "week":
        first = day - timedelta(days=day.weekday())
        return first, first + timedelta(days=6)
    months = 1 if kind == "month" else 3
    start_month = (day.month - 1) // months * months + 1
    first = day.replace(month=start_month, day=1)
    after = date(first.year + (start_month + months - 1) // 12, (start_month + months - 1) % 12 + 1, 1)
    return first, after - ONE_DAY


def working_period(kind: str, day: date, cal: SpecialDays) -> tuple[date, date] | None:
    """The first and last working day of the period of `kind` containing `day`, or None when it has none."""
    first, last = calendar_period(kind, day)
    cal.load(first, last)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    working = [d for d in days if cal.is_working_day(d)]
    return (working[0], working[-1]) if working else None


def starting_periods(day: date, cal: SpecialDays | None = None) -> list[tuple[str, date]]:
    """The control levels whose period starts on `day` (its first working day) and the period's last working day."""
    cal = cal or SpecialDays(day - timedelta(days=100), day + timedelta(days=100))
    if not cal.is_working_day(day):
        return []
    starts = []
    for level, kind in settings.RISK_CHECK_PERIODS.items():
        bounds = working_period(kind, day, cal)
        if bounds and bounds[0] == day:
            starts.append((level, bounds[1]))
    return starts


# --- generation -------------------------------------------------------------------------------------------------

_INSERT = """
INSERT INTO risks_checktask (point_id, enterprise_id, region_path, industry_id, control_level, period_start,
                             due_on, theme_id, status, is_hollow, created_at)
SELECT p.id, p.enterprise_id, p.region_path, p.industry_id, p.control_level, %(start)s, {due}, {theme}, 'open',
       false, %(now)s
FROM risks_riskpoint p
JOIN organizations_enterprise e ON e.id = p.enterprise_id
{join}
WHERE p.is_active AND NOT (e.operating_state = ANY(%(not_working)s)) {where}
  AND EXISTS (SELECT 1 FROM risks_riskcontrol c WHERE c.point_id = p.id AND c.is_active)
ON CONFLICT (point_id, period_start) DO NOTHING
"""


def generate_tasks(day: date, in_sql: bool | None = None) -> int:
    """Make the day's check tasks; returns how many were made. Idempotent (one task per point and period start).

    1. On a working day, every point whose control level's period (RISK_CHECK_PERIODS) starts today (its first
       working day) gets a task due on the period's last working day: one statement for all levels.
    2. On any day covered by a published holiday theme, the theme's red and orange points (its region's subtree,
       its industries or all) get a task for the holiday period (RISK_HOLIDAY_CHECK_PERIOD) with the theme set,
       where that is more often than their own period or today is not a working day: one statement per theme.
       Step 1 runs first, so a point whose own period starts today keeps that task.

    `in_sql`: INSERT … SELECT (PostgreSQL, the default there) or the ORM (the embedded mode's SQLite).
    """
    in_sql = connection.vendor == "postgresql" if in_sql is None else in_sql
    cal = SpecialDays(day - timedelta(days=100), day + timedelta(days=100))
    with transaction.atomic():
        if in_sql:
            # The semi-join over the controls hashes a row per control: kept in memory, not spilled to disk.
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL work_mem = '{GENERATION_WORK_MEM}'")
        made = _regular(day, starting_periods(day, cal), in_sql)
        for cover in holiday_theme_on(day).themes:
            made += _holiday(day, cover, cal, in_sql)
    return made


def _regular(day: date, starts: list[tuple[str, date]], in_sql: bool) -> int:
    if not starts:
        return 0
    if not in_sql:
        return sum(_insert_orm(day, due, None, control_level=level) for level, due in starts)
    values = ", ".join(f"(%(level{n})s, %(due{n})s::date)" for n in range(len(starts)))
    join = f"JOIN (VALUES {values}) AS k(level, due_on) ON k.level = p.control_level"
    params = {"start": day}
    for n, (level, due) in enumerate(starts):
        params |= {f"level{n}": level, f"due{n}": due}
    return _execute(_INSERT.format(due="k.due_on", theme="NULL", join=join, where=""), params)


def _holiday(day: date, theme: Cover, cal: SpecialDays, in_sql: bool) -> int:
    """A holiday theme's tasks: its red and orange points in its region subtree and industries (a sector's included;
    None: every industry), as `themes.holiday_theme_on` answers for the day."""
    industries = sorted(theme.industry_ids) if theme.industry_ids is not None else []
    kind = settings.RISK_HOLIDAY_CHECK_PERIOD
    first, last = calendar_period(kind, day)
    if day not in (first, theme.starts_on):
        return 0  # a holiday period starts on its first calendar day (or the theme's first day)
    shorter = PERIODS.index(kind)
    levels = [level for level, own in settings.RISK_CHECK_PERIODS.items()
              if not cal.is_working_day(day) or PERIODS.index(own) > shorter]  # fmt: skip
    if not levels:
        return 0
    colours = [Colour.RED.value, Colour.ORANGE.value]
    due = min(last, theme.ends_on)
    if not in_sql:
        cut = {"industry_id__in": industries} if industries else {}
        return _insert_orm(day, due, theme.theme_id, colour__in=colours, control_level__in=levels,
                           region_path__startswith=theme.region_path, **cut)  # fmt: skip
    where = "AND p.colour = ANY(%(colours)s) AND p.control_level = ANY(%(levels)s) AND p.region_path LIKE %(path)s"
    if industries:
        where += " AND p.industry_id = ANY(%(industries)s)"
    sql = _INSERT.format(due="%(due)s", theme="%(theme)s", join="", where=where)
    return _execute(sql, {
        "start": day, "due": due, "theme": theme.theme_id, "levels": levels, "colours": colours,
        "path": theme.region_path + "%",
        "industries": industries,
    })  # fmt: skip


def _insert_orm(day: date, due: date, theme_id: int | None, **cut) -> int:
    """The same rows as the INSERT … SELECT, through the ORM: the embedded mode's SQLite (a demo city's few thousand
    points) has neither `= ANY` nor arrays. Returns how many were made."""
    points = (
        RiskPoint.objects.filter(is_active=True, **cut)
        .exclude(enterprise__operating_state__in=NOT_WORKING)
        .filter(Exists(RiskControl.objects.filter(point=OuterRef("pk"), is_active=True)))
        .exclude(check_tasks__period_start=day)
        .values_list("id", "enterprise_id", "region_path", "industry_id", "control_level")
    )
    now = timezone.now()
    rows = [
        CheckTask(point_id=pk, enterprise_id=enterprise, region_path=path, industry_id=industry, control_level=level,
                  period_start=day, due_on=due, theme_id=theme_id, status=CheckStatus.OPEN, created_at=now)
        for pk, enterprise, path, industry, level in points
    ]  # fmt: skip
    CheckTask.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return len(rows)


def _execute(sql: str, params: dict) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, {"now": timezone.now(), "not_working": list(NOT_WORKING), **params})
        return cursor.rowcount


def mark_missed(day: date) -> int:
    """Open tasks due before `day` become missed, in one UPDATE; returns how many."""
    return CheckTask.objects.filter(status=CheckStatus.OPEN, due_on__lt=day).update(status=CheckStatus.MISSED)


def previous_working_day(day: date, cal: SpecialDays | None = None) -> date:
    cal = cal or SpecialDays(day - timedelta(days=60), day)
    day -= ONE_DAY
    while not cal.is_working_day(day):
        day -= ONE_DAY
    return day


def run_day(day: date) -> dict[str, int]:
    """The daily run: today's tasks, and those not done by the end of the working day after their due day missed
    (until then they are overdue and may still be recorded)."""
    with transaction.atomic():
        made = generate_tasks(day)
        missed = mark_missed(previous_working_day(day))
    return {"made": made, "missed": missed}


HEARTBEAT = "risk-checks"


def run_once_a_day(now: datetime | None = None) -> dict[str, int] | None:
    """Beat's `risk-checks` task, every RISK_CHECK_RUN_INTERVAL seconds: once a day (the heartbeat's token is the
    day done), from the first run after midnight Beijing time, today's tasks and the missed ones; None when the day
    is done already (one indexed query). Its own task, not a sweeper: a million points' day must not hold up the
    escalation sweep."""
    from ops.heartbeat import beat
    from ops.models import Heartbeat

    day = timezone.localtime(now or timezone.now()).date()
    if Heartbeat.objects.filter(name=HEARTBEAT, token=day.isoformat()).exists():
        return None
    figures = run_day(day)
    beat(HEARTBEAT, day.isoformat(), figures)
    return figures


# --- who may record a check ------------------------------------------------------------------------------------


def _staff(actor: User, task: CheckTask) -> None:
    if not is_enterprise_staff_of(actor, task.enterprise_id):
        raise PermissionDenied(_("Only the enterprise's principal or safety manager records its checks."))


def _open(task: CheckTask) -> None:
    if task.status == CheckStatus.DONE:
        raise Conflict(_("This check is done already."))
    if task.status == CheckStatus.MISSED:
        raise Conflict(_("This check was missed: its time is over."))


def _begun(task: CheckTask) -> None:
    if task.period_start > timezone.localdate():
        raise Conflict(_("This check's period has not begun yet."))


RULES: dict[str, rules.Rule] = {"record": rules.Rule(_staff, (_open, _begun))}


def check(actor: User, task: CheckTask, action: str) -> None:
    rules.check(RULES, actor, task, action)


def can(actor: User, task: CheckTask) -> set[str]:
    return rules.allowed(RULES, actor, task)


# --- recording a check ---------------------------------------------------------------------------------------


@dataclass
class Answer:
    """One control's answer: in place or not, a note, and the photos (uploads; required where not in place)."""

    control: int
    in_place: bool
    note: str = ""
    photos: tuple = ()


def is_hollow(started_at: datetime, done_at: datetime, controls: int) -> bool:
    """Answered faster than RISK_HOLLOW_SECONDS_PER_CONTROL a control: 走过场 (as inspections flag self-checks that
    find nothing, a check that cannot have looked is shown to the supervisors, not refused)."""
    return (done_at - started_at).total_seconds() < settings.RISK_HOLLOW_SECONDS_PER_CONTROL * controls


def record_check(actor: User, task: CheckTask | int, answers: list[Answer], started_at: datetime | None) -> CheckTask:
    """Record a check: every control of the point answered once; each not in place with a photo files a hazard
    (self-check, at the point's place) linked to the point. A second submit of the same check by the same person
    (a double tap, a retry) returns the task as recorded. 404 out of scope, 403, 409, 400 by field."""
    stored: list[CheckPhoto] = []
    try:
        with transaction.atomic():
            task = _locked(actor, task)
            if task.status == CheckStatus.DONE and task.done_by_id == actor.pk:
                return task
            check(actor, task, "record")
            controls = list(
                RiskControl.objects.filter(point_id=task.point_id, is_active=True).order_by("position", "id")
            )
            images = _validate(controls, answers, started_at)
            now = timezone.now()
            task.status, task.done_at, task.done_by, task.started_at = CheckStatus.DONE, now, actor, started_at
            task.is_hollow = is_hollow(started_at, now, len(controls))
            task.save(update_fields=["status", "done_at", "done_by", "started_at", "is_hollow"])
            hazards = _write_results(actor, task, controls, answers, images, stored)
            record(actor, "risk.check", task, {"point": task.point_id, "not_in_place": len(hazards),
                                               "hollow": task.is_hollow})  # fmt: skip
            return task
    except Exception:
        for photo in stored:
            photo.discard()
        raise


def _locked(actor: User, task: CheckTask | int) -> CheckTask:
    pk = task.pk if isinstance(task, CheckTask) else task
    locked = CheckTask.objects.visible_to(actor).select_for_update(of=("self",)).select_related("point")
    try:
        return locked.get(pk=pk)
    except CheckTask.DoesNotExist:
        raise Http404 from None


def _validate(controls: list[RiskControl], answers: list[Answer], started_at: datetime | None) -> dict[int, list]:
    """ValidationError by field; the cleaned photos of each control not in place."""
    errors: dict[str, list[str]] = {}
    known = {c.pk: c for c in controls}
    given = [a.control for a in answers]
    if sorted(given) != sorted(known) or len(set(given)) != len(given):
        errors["answers"] = [_("Answer every control measure of the point once.")]
    missing_photo = [n for n, c in enumerate(controls, 1) for a in answers
                     if a.control == c.pk and not a.in_place and not a.photos]  # fmt: skip
    if missing_photo:
        errors["photos"] = [_("Control %(n)s is not in place: add a photo of it.") % {"n": n} for n in missing_photo]
    if started_at is None or started_at > timezone.now() + timedelta(minutes=5):
        errors["started_at"] = [_("The check's start time is missing or in the future: open the check again.")]
    if errors:
        raise ValidationError(errors)
    return {a.control: clean_images(a.photos) for a in answers if not a.in_place}


def _write_results(actor, task, controls, answers, images, stored: list) -> list:
    by_control = {a.control: a for a in answers}
    results = CheckResult.objects.bulk_create(
        [CheckResult(task=task, control=c, in_place=by_control[c.pk].in_place,
                     note=(by_control[c.pk].note or "").strip()[:2000]) for c in controls]
    )  # fmt: skip
    hazards = []
    for result in results:
        if result.in_place:
            continue
        for image in images.get(result.control_id, []):
            photo = CheckPhoto(result=result, uploaded_by=actor)
            photo.store(image)
            stored.append(photo)
        hazard = _file(actor, task, result)
        result.hazard = hazard
        result.save(update_fields=["hazard"])
        link_hazard(actor, task.point, hazard)
        hazards.append(hazard)
    return hazards


def _file(actor: User, task: CheckTask, result: CheckResult):
    """A control not in place as a hazard: "管控措施未落实：<measure>" at the point's place, the note as its
    description; its photos attached as the hazard's finding photos (the same stored files)."""
    point, control = task.point, result.control
    with translation.override(settings.LANGUAGE_CODE):  # a record's words, whoever's screen they came from
        title = _("Control not in place: %(measure)s") % {"measure": " ".join(control.measure.split())}
        description = _("Risk point %(point)s, check of %(day)s.") % {"point": point.name, "day": task.period_start}
    filing = hazard_workflow.Filing(
        enterprise=task.enterprise_id,
        title=title[:199] + ("…" if len(title) > 199 else ""),
        place=f"{point.place} {point.name}".strip()[:200],
        category=hazard_workflow.other_category(),
        description="\n".join(part for part in (result.note, description) if part),
        idempotency_key=uuid.uuid5(uuid.NAMESPACE_URL, f"risk-check:{task.pk}:{control.pk}"),
    )
    hazard, _created = hazard_workflow.file_hazard(actor, filing)
    hazard_workflow.attach_inspection_photos(actor, hazard, result.photos.all())
    return hazard


# --- what a page shows ------------------------------------------------------------------------------------------


def current_task(point_id: int, day: date | None = None, qs=None) -> CheckTask | None:
    """The point's open task of today: the latest begun; an overdue one stays on the lists."""
    day = day or timezone.localdate()
    qs = qs if qs is not None else CheckTask.objects.all()
    return (qs.filter(point_id=point_id, status=CheckStatus.OPEN, period_start__lte=day)
            .order_by("-period_start", "-id").first())  # fmt: skip
