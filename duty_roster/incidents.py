"""Reporting incidents: the first report and its supplements (续报), graded by Decree 493, timed against the
reporting limit of their grade, and sent up to the city office's duty as a must-answer notice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from audit.models import record
from notifications.outbox import holders, notify
from organizations.choices import UnitKind
from organizations.models import Enterprise, Region, User
from organizations.responsibility import city_office_position
from organizations.scope import Scope, ScopeKind
from safety_platform.lib import bounds

from .choices import DEFAULT_SUPPLEMENT_DAYS, SUPPLEMENT_DAYS, Grade
from .grading import grade, higher
from .models import IncidentReport


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
    with transaction.atomic():
        incident = IncidentReport.objects.create(
            kind=facts.kind, region=region, region_path=region.path, enterprise=enterprise, place=facts.place,
            occurred_at=facts.occurred_at, known_at=facts.known_at, reported_at=now, deaths=facts.deaths,
            serious_injuries=facts.serious_injuries, missing=facts.missing, direct_loss=facts.direct_loss,
            course=facts.course, measures=facts.measures, grade=graded, report_deadline=deadline,
            delay_minutes=delay(now, deadline), reported_by=actor,
        )  # fmt: skip
        record(actor, "incident.report", incident, {
            "kind": incident.kind, "grade": graded, "deaths": incident.deaths,
            "serious_injuries": incident.serious_injuries, "missing": incident.missing,
            "direct_loss": str(incident.direct_loss), "delay_minutes": incident.delay_minutes,
        })  # fmt: skip
        _tell_city_office(incident, f"incident:{incident.pk}")
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
            _tell_city_office(incident, f"incident:{first.pk}:grade:{graded}")
        return incident


def _tell_city_office(incident: IncidentReport, key: str) -> None:
    """To the city office's duty (its duty officer, else its staff), must answer within INCIDENT_ANSWER_MINUTES."""
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
    notify(holders(city_office_position()), key, title, body, link, timedelta(minutes=settings.INCIDENT_ANSWER_MINUTES))
