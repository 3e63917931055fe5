"""Reporting incidents: the first report and its supplements (续报), graded by Decree 493, timed against the
reporting limit of their grade, and sent as a must-answer notice to the duty of the city office and of the units
concerned (the territory's county government and the supervising department).

Then the handling: response steps (on scene, rescue under way, under control, closed) timed against
INCIDENT_RESPONSE_MINUTES; the reporting chain (county receives within 1 hour of the time known, each level forwards
within 2 hours of its receipt); omitted / false / concealed reports flagged by the city office; and, while the
incident is open, the follow-ups due at INCIDENT_FOLLOWUP_TIMES, whose absence the sweep (`sweep`) tells the
reporting unit. Every change goes through one function here: permission, state, the row and its audit record in one
transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from audit.models import record
from notifications.outbox import Outbox, SweepResult, holders, notify
from organizations.choices import PositionKind, RegionLevel, UnitKind
from organizations.models import Enterprise, Position, Region, User
from organizations.responsibility import SupervisionMap, city_office_position
from organizations.roles import is_city_office, is_government
from organizations.scope import Scope, ScopeKind
from safety_platform.lib import bounds
from safety_platform.lib.errors import Conflict
from workdays.calendar import SHANGHAI

from .choices import DEFAULT_SUPPLEMENT_DAYS, SUPPLEMENT_DAYS, Grade
from .grading import grade, higher
from .models import IncidentFlag, IncidentRelay, IncidentReport, IncidentStep


@dataclass
class Facts:
    kind: str
    place: str
    occurred_at: datetime
    known_at: datetime
    course: str
    region: Region | None = None
    enterprise: Enterprise | None = None
    deaths: int = 0
    serious_injuries: int = 0
    missing: int = 0
    direct_loss: Decimal = Decimal(0)
    measures: str = ""


def check_times(occurred: datetime, known: datetime, reported: datetime) -> None:
    """Both times within bounds (not before EARLIEST_DATE, not in the future), and in order."""
    errors = {}
    for field, value, label in (
        ("occurred_at", occurred, _("The time of occurrence")),
        ("known_at", known, _("The time known")),
    ):
        try:
            bounds.check_past(value, field, label)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    if known < occurred:
        errors["known_at"] = _("It cannot have been known before it happened.")
    if reported < occurred:
        errors["occurred_at"] = _("The time reported cannot be before the time of occurrence.")
    elif reported < known:
        errors["known_at"] = _("The time reported cannot be before the time it was known.")
    if errors:
        raise ValidationError(errors)


def deadline_for(grade_name: str, known_at: datetime) -> datetime:
    return known_at + timedelta(minutes=settings.INCIDENT_REPORT_MINUTES[grade_name])


def delay(reported_at: datetime, deadline: datetime) -> int:
    return max(int((reported_at - deadline).total_seconds() // 60), 0)


def _where(actor: User, facts: Facts) -> tuple[Region, Enterprise | None]:
    if actor.unit_kind == UnitKind.ENTERPRISE:
        return actor.enterprise.region, actor.enterprise  # an enterprise reports its own
    if facts.enterprise is not None:
        if not Enterprise.objects.visible_to(actor).filter(pk=facts.enterprise.pk).exists():
            raise ValidationError({"enterprise": _("Choose an enterprise within your scope.")})
        return facts.enterprise.region, facts.enterprise
    if facts.region is None or not Region.objects.visible_to(actor).filter(pk=facts.region.pk).exists():
        raise ValidationError({"region": _("Choose the region where it happened.")})
    return facts.region, None


def report(actor: User, facts: Facts) -> IncidentReport:
    """The first report. Anyone with a unit reports; the clock starts when the incident was known."""
    if Scope.for_user(actor).kind == ScopeKind.NONE:
        raise PermissionDenied(_("Your account has no unit to report for."))
    now = timezone.now()
    check_times(facts.occurred_at, facts.known_at, now)
    region, enterprise = _where(actor, facts)
    graded = grade(facts.deaths, facts.serious_injuries, facts.direct_loss)
    deadline = deadline_for(graded, facts.known_at)
    territory = territory_post(region)
    department = department_post(enterprise) if enterprise is not None else None
    with transaction.atomic():
        incident = IncidentReport.objects.create(
            kind=facts.kind, region=region, region_path=region.path, enterprise=enterprise, place=facts.place,
            occurred_at=facts.occurred_at, known_at=facts.known_at, reported_at=now, deaths=facts.deaths,
            serious_injuries=facts.serious_injuries, missing=facts.missing, direct_loss=facts.direct_loss,
            course=facts.course, measures=facts.measures, grade=graded, report_deadline=deadline,
            delay_minutes=delay(now, deadline), reported_by=actor, territory_post=territory,
            department_post=department,
        )  # fmt: skip
        _open_chain(incident)
        record(actor, "incident.report", incident, {
            "kind": incident.kind, "grade": graded, "deaths": incident.deaths,
            "serious_injuries": incident.serious_injuries, "missing": incident.missing,
            "direct_loss": str(incident.direct_loss), "delay_minutes": incident.delay_minutes,
        })  # fmt: skip
        _tell_duty(incident, f"incident:{incident.pk}")
        return incident


def supplement(actor: User, first: IncidentReport | int, changes: dict) -> IncidentReport:
    """A supplement within 30 days (7 for road traffic and fire) updates casualties and loss; a higher grade is
    recorded on it and told to the city office again."""
    pk = first.pk if isinstance(first, IncidentReport) else first
    with transaction.atomic():
        first = (
            IncidentReport.objects.visible_to(actor)
            .select_for_update(of=("self",))
            .filter(pk=pk, first_report=None)
            .first()
        )
        if first is None:
            raise Http404
        now = timezone.now()
        window = SUPPLEMENT_DAYS.get(first.kind, DEFAULT_SUPPLEMENT_DAYS)
        if now > first.occurred_at + timedelta(days=window):
            raise ValidationError(
                {"first_report": _("Supplements are accepted within %(days)d days of the incident.") % {"days": window}}
            )
        latest = first.supplements.order_by("-reported_at").first() or first
        values = {
            k: changes.get(k, getattr(latest, k)) for k in ("deaths", "serious_injuries", "missing", "direct_loss")
        }
        graded = grade(values["deaths"], values["serious_injuries"], Decimal(values["direct_loss"]))
        raised = higher(graded, latest.grade)
        incident = IncidentReport.objects.create(
            first_report=first, kind=first.kind, region=first.region, region_path=first.region_path,
            enterprise=first.enterprise, place=first.place, occurred_at=first.occurred_at, known_at=first.known_at,
            reported_at=now, course=changes.get("course") or first.course, measures=changes.get("measures", ""),
            grade=graded, report_deadline=first.report_deadline, delay_minutes=0,
            grade_raised_from=latest.grade if raised else "", reported_by=actor, **values,
        )  # fmt: skip
        changes = {k: [str(getattr(latest, k)), str(getattr(incident, k))] for k in (*values, "grade")
                   if getattr(latest, k) != getattr(incident, k)}  # fmt: skip
        record(actor, "incident.supplement", first, {"supplement": incident.pk, **changes})
        if raised:
            _tell_duty(incident, f"incident:{first.pk}:grade:{graded}")
        return incident


def _tell_duty(incident: IncidentReport, key: str) -> None:
    """To the city office's duty (its duty officer, else its staff) and the duty posts of the units concerned (the
    territory's county government, the supervising department), each must answer within INCIDENT_ANSWER_MINUTES.
    The notices of a unit's duty post carry the post, so the four failures count them for it."""
    with override(settings.LANGUAGE_CODE):
        title = _("Incident: %(grade)s at %(place)s") % {"grade": Grade(incident.grade).label, "place": incident.place}
        body = _(
            "Occurred %(occurred)s; deaths %(deaths)d, serious injuries %(injuries)d, missing %(missing)d; "
            "direct loss %(loss)s CNY. %(course)s"
        ) % {
            "occurred": timezone.localtime(incident.occurred_at).strftime("%Y-%m-%d %H:%M"),
            "deaths": incident.deaths, "injuries": incident.serious_injuries, "missing": incident.missing,
            "loss": incident.direct_loss, "course": incident.course[:500],
        }  # fmt: skip
        if incident.grade_raised_from:
            body += " " + _("Grade raised from %(old)s.") % {"old": Grade(incident.grade_raised_from).label}
        if incident.is_late:
            body += " " + _("Reported %(minutes)d minutes late.") % {"minutes": incident.delay_minutes}
    link = f"/duty/incidents/{incident.first_report_id or incident.pk}/"
    limit = timedelta(minutes=settings.INCIDENT_ANSWER_MINUTES)
    notify(holders(city_office_position()), key, title, body, link, limit)
    first = incident.first_report or incident
    for post in {p for p in (first.territory_post, first.department_post) if p is not None}:
        notify(holders(post), f"{key}:post:{post.pk}", title, body, link, limit)


# --- the duty posts concerned --------------------------------------------------------------------------------

COUNTY_LEVELS = (RegionLevel.COUNTY, RegionLevel.DISTRICT, RegionLevel.ZONE)


def county_of(region: Region) -> Region | None:
    """The county-level region (county, district, development zone) the region lies in, itself included."""
    regions = Region.objects.filter(code__in=region.ancestor_codes(), level__in=COUNTY_LEVELS)
    return max(regions, key=lambda r: len(r.path), default=None)


def territory_post(region: Region) -> Position | None:
    """The duty post of the territory's government: the county-level government's duty officer post."""
    county = county_of(region)
    if county is None:
        return None
    return (
        Position.objects.filter(kind=PositionKind.DUTY_OFFICER, unit_kind=UnitKind.GOVERNMENT, region=county)
        .order_by("id")
        .first()
    )


def department_post(enterprise: Enterprise) -> Position | None:
    """The duty post of the enterprise's supervising department (organizations.responsibility resolves it)."""
    department = SupervisionMap().resolve(enterprise).department
    if department is None:
        return None
    return Position.objects.filter(kind=PositionKind.DUTY_OFFICER, department=department).order_by("id").first()


def unit_post(user: User) -> Position | None:
    """The duty post of the user's own unit, if it has one."""
    posts = Position.objects.filter(kind=PositionKind.DUTY_OFFICER, unit_kind=user.unit_kind)
    if user.unit_kind == UnitKind.ENTERPRISE:
        posts = posts.filter(enterprise_id=user.enterprise_id)
    elif user.unit_kind == UnitKind.DEPARTMENT:
        posts = posts.filter(department_id=user.department_id)
    elif user.region_id:
        posts = posts.filter(region_id=user.region_id)
    else:
        return None
    return posts.order_by("id").first()


# --- the reporting chain (逐级上报) ----------------------------------------------------------------------------


def _open_chain(incident: IncidentReport) -> None:
    """The county's receipt is due within INCIDENT_CHAIN_FIRST_MINUTES of the time known; where the incident lies
    outside any county, the city's. The city's own receipt is due when the county's forwarding is."""
    first = timedelta(minutes=settings.INCIDENT_CHAIN_FIRST_MINUTES)
    if county_of(incident.region) is not None:
        IncidentRelay.objects.create(
            incident=incident, level=IncidentRelay.Level.COUNTY, post=incident.territory_post,
            receive_due_at=incident.known_at + first,
        )  # fmt: skip
        receive_city = incident.known_at + first + timedelta(minutes=settings.INCIDENT_CHAIN_FORWARD_MINUTES)
    else:
        receive_city = incident.known_at + first
    IncidentRelay.objects.create(incident=incident, level=IncidentRelay.Level.CITY, post=city_office_position(),
                                 receive_due_at=receive_city)  # fmt: skip


def may_relay(user: User, relay: IncidentRelay) -> bool:
    """The city's level: the city office. The county's: the city office, the county's government staff or the
    holders of its duty post."""
    if is_city_office(user):
        return True
    if relay.level != IncidentRelay.Level.COUNTY:
        return False
    if relay.post_id and user.assignments.current().filter(position_id=relay.post_id).exists():
        return True
    county = county_of(relay.incident.region)
    return bool(user.unit_kind == UnitKind.GOVERNMENT and county and user.region_id == county.pk)


def _first_visible(actor: User, pk: int, lock: bool = True) -> IncidentReport:
    queryset = IncidentReport.objects.visible_to(actor).filter(pk=pk, first_report=None)
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    incident = queryset.select_related("region").first()
    if incident is None:
        raise Http404
    return incident


def relay(actor: User, incident: IncidentReport | int, level: str, action: str) -> IncidentRelay:
    """`receive` or `forward` at a level of the chain, now. Forwarding needs the receipt first; each is recorded
    once (409 after). The receipt sets the forwarding due time (+INCIDENT_CHAIN_FORWARD_MINUTES)."""
    pk = incident.pk if isinstance(incident, IncidentReport) else incident
    if action not in ("receive", "forward"):
        raise ValidationError({"action": _("Choose receive or forward.")})
    with transaction.atomic():
        first = _first_visible(actor, pk)
        row = IncidentRelay.objects.select_for_update().filter(incident=first, level=level).first()
        if row is None:
            raise Http404
        row.incident = first
        if not may_relay(actor, row):
            raise PermissionDenied(_("Only the duty of this level records its receipt and forwarding."))
        now = timezone.now()
        if action == "receive":
            if row.received_at is not None:
                raise Conflict(_("The receipt at this level is already recorded."))
            row.received_at, row.received_by = now, actor
            row.forward_due_at = now + timedelta(minutes=settings.INCIDENT_CHAIN_FORWARD_MINUTES)
            if level == IncidentRelay.Level.COUNTY:  # the city's receipt is due when the county's forwarding is
                first.relays.filter(level=IncidentRelay.Level.CITY, received_at=None).update(
                    receive_due_at=row.forward_due_at
                )
        else:
            if row.received_at is None:
                raise Conflict(_("Record the receipt at this level before forwarding."))
            if row.forwarded_at is not None:
                raise Conflict(_("The forwarding at this level is already recorded."))
            row.forwarded_at, row.forwarded_by = now, actor
        row.save()
        late = row.receipt_late if action == "receive" else row.forward_late
        record(actor, f"incident.{action}", first, {"level": level, "late": late})
        return row


# --- response steps (处置) -------------------------------------------------------------------------------------


def current_grade(first: IncidentReport) -> str:
    latest = first.supplements.order_by("-reported_at", "-id").first()
    return (latest or first).grade


def step_deadline(first: IncidentReport, kind: str, graded: str) -> datetime | None:
    limits = settings.INCIDENT_RESPONSE_MINUTES.get(kind)
    if not limits:
        return None
    return first.known_at + timedelta(minutes=limits[graded])


def record_step(actor: User, incident: IncidentReport | int, kind: str, at: datetime | None = None,
                note: str = "") -> IncidentStep:  # fmt: skip
    """A response step, at `at` (default now; not in the future nor before the incident was known). Anyone who sees
    the incident records on scene, rescue and under control; the government side closes it. Each step once; none
    after the incident is closed (409)."""
    pk = incident.pk if isinstance(incident, IncidentReport) else incident
    if kind not in IncidentStep.Kind.values:
        raise ValidationError({"kind": _("Choose a response step.")})
    now = timezone.now()
    at = at or now
    with transaction.atomic():
        first = _first_visible(actor, pk)
        if Scope.for_user(actor).kind == ScopeKind.NONE:
            raise PermissionDenied(_("Your account has no unit to report for."))
        if kind == IncidentStep.Kind.CLOSED and not is_government(actor):
            raise PermissionDenied(_("Only the government side closes an incident."))
        bounds.check_past(at, "at", _("The time of the step"))
        if at < first.known_at:
            raise ValidationError({"at": _("A step cannot come before the incident was known.")})
        steps = {s.kind: s for s in first.steps.all()}
        if IncidentStep.Kind.CLOSED in steps:
            raise Conflict(_("The incident is closed."))
        if kind in steps:
            raise Conflict(_("This step is already recorded."))
        deadline = step_deadline(first, kind, current_grade(first))
        step = IncidentStep.objects.create(
            incident=first, kind=kind, at=at, by=actor, note=note[:500], recorded_at=now, due_at=deadline,
            delay_minutes=delay(at, deadline) if deadline else 0,
        )  # fmt: skip
        record(actor, "incident.step", first, {"kind": kind, "at": at.isoformat(), "delay_minutes": step.delay_minutes})
        return step


# --- omitted, false and concealed reports (漏报, 谎报, 瞒报) ------------------------------------------------------


def flag(actor: User, incident: IncidentReport | int, kind: str, note: str) -> IncidentFlag:
    """The city office records, after the fact, that the incident was omitted, falsely or concealingly reported."""
    pk = incident.pk if isinstance(incident, IncidentReport) else incident
    if not is_city_office(actor):
        raise PermissionDenied(_("Only the city safety office records omitted, false or concealed reports."))
    errors = {}
    if kind not in IncidentFlag.Kind.values:
        errors["kind"] = _("Choose omitted, false or concealed.")
    if not note.strip():
        errors["note"] = _("Say what was found.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        first = _first_visible(actor, pk)
        if first.flags.filter(kind=kind).exists():
            raise Conflict(_("This is already recorded for the incident."))
        row = IncidentFlag.objects.create(incident=first, kind=kind, note=note.strip()[:500], recorded_by=actor)
        record(actor, "incident.flag", first, {"kind": kind, "note": row.note})
        return row


# --- follow-ups (续报) while open -------------------------------------------------------------------------------


def followup_times() -> list[time]:
    return sorted(time.fromisoformat(t) for t in settings.INCIDENT_FOLLOWUP_TIMES)


def followup_slots(after: datetime, until: datetime) -> list[datetime]:
    """The follow-up due times (local) in (after, until]."""
    slots, day = [], timezone.localtime(after, SHANGHAI).date()
    last = timezone.localtime(until, SHANGHAI).date()
    while day <= last:
        for t in followup_times():
            slot = datetime.combine(day, t, tzinfo=SHANGHAI)
            if after < slot <= until:
                slots.append(slot)
        day += timedelta(days=1)
    return slots


def followups_end(first: IncidentReport) -> datetime:
    """Follow-ups are supplements: none is due once supplements are no longer accepted (30 days, 7 for road traffic
    and fire)."""
    return first.occurred_at + timedelta(days=SUPPLEMENT_DAYS.get(first.kind, DEFAULT_SUPPLEMENT_DAYS))


def missed_followups(first: IncidentReport, until: datetime, since: datetime | None = None) -> list[datetime]:
    """The follow-up due times up to `until` (from `since`, else from the first report) with no supplement since
    the previous due time (or the first report), while the incident was open."""
    closed = next((s.at for s in first.steps.all() if s.kind == IncidentStep.Kind.CLOSED), None)
    end = min(until, closed or until, followups_end(first))
    reports = sorted(s.reported_at for s in first.supplements.all())
    missed, previous = [], first.reported_at
    for slot in followup_slots(first.reported_at, end):
        if not any(previous < r <= slot for r in reports) and (since is None or slot > since):
            missed.append(slot)
        previous = slot
    return missed


def next_followup(first: IncidentReport, now: datetime | None = None) -> datetime | None:
    now = now or timezone.now()
    if any(s.kind == IncidentStep.Kind.CLOSED for s in first.steps.all()):
        return None
    slots = followup_slots(now, min(now + timedelta(days=2), followups_end(first)))
    return slots[0] if slots else None


def sweep(now: datetime, batch_size: int, dry_run: bool, result: SweepResult) -> None:
    """Registered with `notifications.sweeps`: for every open incident, a notice to the reporter and the reporting
    unit's duty post for each follow-up due time of the last day that passed with no follow-up (key per incident and
    due time, so once each); and a notice to a chain level's duty post when its receipt or forwarding is overdue."""
    since = now - timedelta(days=1)
    outbox = Outbox(now)
    open_incidents = (
        IncidentReport.objects.filter(first_report=None, reported_at__lt=now)
        .exclude(steps__kind=IncidentStep.Kind.CLOSED)
        .filter(occurred_at__gte=now - timedelta(days=max(DEFAULT_SUPPLEMENT_DAYS, *SUPPLEMENT_DAYS.values()) + 1))
        .select_related("reported_by")
        .prefetch_related("steps", "supplements", Prefetch("relays", IncidentRelay.objects.select_related("post")))
        .order_by("pk")
    )  # nothing open: one query
    posts: dict[int, Position | None] = {}
    with override(settings.LANGUAGE_CODE):
        for first in open_incidents.iterator(chunk_size=batch_size):
            for slot in missed_followups(first, now, since):
                _followup_notice(outbox, first, slot, posts)
            for row in first.relays.all():
                _overdue_notice(outbox, first, row, now, since)
    if outbox.rows:
        with transaction.atomic():
            result.notifications += outbox.flush(dry_run)


def _followup_notice(outbox: Outbox, first: IncidentReport, slot: datetime, posts: dict) -> None:
    """To the reporter and the holders of the reporting unit's duty post: the follow-up due at `slot` is missing."""
    stamp = timezone.localtime(slot, SHANGHAI)
    title = _("Follow-up report due: %(place)s") % {"place": first.place}
    body = _(
        "No follow-up report on the incident at %(place)s since the last one; one was due at %(time)s. "
        "While it is open, report its progress at %(times)s."
    ) % {"place": first.place, "time": stamp.strftime("%Y-%m-%d %H:%M"),
         "times": "、".join(settings.INCIDENT_FOLLOWUP_TIMES)}  # fmt: skip
    reporter = first.reported_by
    if reporter.pk not in posts:
        posts[reporter.pk] = unit_post(reporter)
    people = ([(reporter, None)] if reporter.is_active else []) + holders(posts[reporter.pk])
    key = f"incidentfollowup:{first.pk}:{stamp:%Y%m%d%H%M}"
    for user, position in people:
        outbox.add(f"{key}:{user.pk}", user, position, title=title, body=body, link=f"/duty/incidents/{first.pk}/")


def _overdue_notice(outbox: Outbox, first: IncidentReport, row: IncidentRelay, now: datetime, since: datetime) -> None:
    """To the holders of a chain level's duty post: its receipt or forwarding passed its due time unrecorded."""
    if row.post is None:
        return
    if row.received_at is None:
        what, due = "receive", row.receive_due_at
    elif row.forwarded_at is None and row.forward_due_at is not None:
        what, due = "forward", row.forward_due_at
    else:
        return
    if not since <= due < now:
        return
    title = (_("Incident receipt overdue: %(place)s") if what == "receive"
             else _("Incident forwarding overdue: %(place)s")) % {"place": first.place}  # fmt: skip
    body = _("%(level)s level: due at %(time)s and not yet recorded.") % {
        "level": row.get_level_display(),
        "time": timezone.localtime(due, SHANGHAI).strftime("%Y-%m-%d %H:%M"),
    }
    for user, position in holders(row.post):
        outbox.add(f"incidentchain:{row.pk}:{what}:{user.pk}", user, position, title=title, body=body,
                   link=f"/duty/incidents/{first.pk}/")  # fmt: skip
