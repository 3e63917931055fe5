"""The hazard's way through its states: confirm, plan, rectify, accept or reject, dismiss, extend, reopen, and
the change of supervising department. Each checks its action's rule in `permissions.RULES`."""

from __future__ import annotations

from datetime import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hazards import escalation
from organizations.models import Department, User
from safety_platform.lib.images import clean_images

from ..choices import Action, Level, PhotoKind, Status
from ..models import Hazard, HazardPhoto, ListedSupervision, LookBack, RectificationPlan
from . import notices
from ._common import _discard_files, _event, _future_deadline, _locked, _require_reason, _store_photos
from .permissions import check, check_when, check_who


def confirm(actor: User, hazard: Hazard | int, deadline: datetime | None = None) -> Hazard:
    with transaction.atomic():
        hazard = _locked(actor, hazard)
        check(actor, hazard, "confirm")
        hazard.deadline = _future_deadline(deadline or hazard.deadline)
        before, hazard.status = hazard.status, Status.CONFIRMED
        hazard.save(update_fields=["deadline", "status", "updated_at"])
        confirmed = _event(hazard, actor, Action.CONFIRM, before, deadline=hazard.deadline)
        escalation.start(hazard)
        notices.hand_off(hazard, actor, confirmed)  # the enterprise principal
        return hazard


PLAN_FIELDS = ("responsible_person", "measures", "funds", "deadline", "contingency_plan")
MAJOR_PLAN_FIELDS = (
    "goal",
    "methods",
    "materials",
    "responsible_body",
    "safety_measures",
    "state_and_cause",
    "harm_and_difficulty",
)
INTERIM_FIELDS = ("workers_withdrawn", "warnings_posted", "production_stopped", "interim_measures")


def submit_plan(actor: User, hazard: Hazard | int, plan: dict) -> Hazard:
    """The enterprise's plan (五落实); a major hazard also needs the governance plan, the report and interim
    measures. Submitting again while rectifying replaces the plan, and the timeline says so."""
    with transaction.atomic():
        hazard = _locked(actor, hazard)
        check(actor, hazard, "submit_plan")
        _validate_plan(hazard, plan)
        values = {k: plan.get(k) for k in PLAN_FIELDS + MAJOR_PLAN_FIELDS + INTERIM_FIELDS if k in plan}
        RectificationPlan.objects.update_or_create(
            hazard=hazard, defaults={**values, "submitted_by": actor, "submitted_at": timezone.now()}
        )
        before, hazard.status = hazard.status, Status.RECTIFYING
        hazard.save(update_fields=["status", "updated_at"])
        planned = _event(hazard, actor, Action.SUBMIT_PLAN, before, deadline=plan["deadline"], funds=str(plan["funds"]))
        notices.hand_off(hazard, actor, planned)  # the supervising department
        return hazard


def _validate_plan(hazard: Hazard, plan: dict) -> None:
    errors = {f: _("This field is required.") for f in PLAN_FIELDS if plan.get(f) in (None, "")}
    if plan.get("funds") is not None and plan["funds"] < 0:
        errors["funds"] = _("Funds cannot be negative.")
    deadline = plan.get("deadline")
    if deadline is not None:
        try:
            _future_deadline(deadline)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if "deadline" not in errors and hazard.deadline and deadline > hazard.deadline:
            errors["deadline"] = _("The plan cannot end after the rectification deadline; ask for an extension.")
    if hazard.level == Level.MAJOR:
        for field in MAJOR_PLAN_FIELDS:
            if not (plan.get(field) or "").strip():
                errors[field] = _("A major hazard's governance plan and report need this.")
        if not any(plan.get(f) for f in INTERIM_FIELDS):
            errors["interim_measures"] = _("State the interim safety measures while the major hazard is open.")
    if errors:
        raise ValidationError(errors)


def submit_rectification(actor: User, hazard: Hazard | int, description: str, photos=()) -> Hazard:
    images = clean_images(photos)
    if not (description or "").strip():
        raise ValidationError({"description": _("Describe what was done.")})
    stored: list[HazardPhoto] = []
    try:
        with transaction.atomic():
            hazard = _locked(actor, hazard)
            check(actor, hazard, "submit_rectification")
            stored = _store_photos(hazard, actor, images, PhotoKind.EVIDENCE)
            before, hazard.status, hazard.rectified_by = hazard.status, Status.AWAITING_ACCEPTANCE, actor
            hazard.save(update_fields=["status", "rectified_by", "updated_at"])
            escalation.stop(hazard)  # the enterprise has done its part; a rejection resumes it
            done = _event(
                hazard, actor, Action.SUBMIT_RECTIFICATION, before, description=description, photos=len(stored)
            )
            notices.hand_off(hazard, actor, done)  # whoever may accept
            return hazard
    except Exception:
        _discard_files(stored)
        raise


def accept(actor: User, hazard: Hazard | int, comment: str = "") -> Hazard:
    with transaction.atomic():
        hazard = _locked(actor, hazard)
        check(actor, hazard, "accept")
        if hazard.level == Level.MAJOR and not hazard.evaluations.exists():
            raise ValidationError({"evaluation": _("Attach the evaluation of the rectification before closing.")})
        before, hazard.status, hazard.closed_at = hazard.status, Status.CLOSED, timezone.now()
        hazard.save(update_fields=["status", "closed_at", "updated_at"])
        accepted = _event(hazard, actor, Action.ACCEPT, before, comment)
        if hazard.level == Level.MAJOR:
            schedule_look_back(hazard)
        escalation.stop(hazard)
        notices.hand_off(hazard, actor, accepted)  # the filer
        listing = ListedSupervision.objects.filter(hazard=hazard, delisted_at__isnull=True).first()
        if listing:
            listing.delisted_at = hazard.closed_at
            listing.save(update_fields=["delisted_at"])
            _event(hazard, actor, Action.DELIST, hazard.status, _("De-listed on closure"), order=listing.order_number)
        return hazard


def schedule_look_back(hazard: Hazard) -> LookBack:
    """The look-back (回头看) of a major hazard just closed: due LOOKBACK_MONTHS calendar months after the day it
    closed (31 May + 3 months is 31 August; 30 November + 3 months is 28 or 29 February), for its supervising
    department, written in the closing transaction."""
    closed_on = timezone.localdate(hazard.closed_at)
    due_on = closed_on + relativedelta(months=settings.LOOKBACK_MONTHS)
    return LookBack.objects.create(
        hazard=hazard, department_id=hazard.department_id, closed_at=hazard.closed_at, due_on=due_on
    )


def reject(actor: User, hazard: Hazard | int, reason: str) -> Hazard:
    _require_reason(reason)
    with transaction.atomic():
        hazard = _locked(actor, hazard)
        check(actor, hazard, "reject")
        before, hazard.status = hazard.status, Status.RECTIFYING
        hazard.save(update_fields=["status", "updated_at"])
        rejected = _event(hazard, actor, Action.REJECT, before, reason)
        escalation.start(hazard)
        notices.hand_off(hazard, actor, rejected, reason)  # the enterprise, with the reason
        return hazard


def dismiss(actor: User, hazard: Hazard | int, reason: str) -> Hazard:
    _require_reason(reason)
    with transaction.atomic():
        hazard = _locked(actor, hazard)
        check(actor, hazard, "dismiss")
        before, hazard.status = hazard.status, Status.DISMISSED
        hazard.save(update_fields=["status", "updated_at"])
        dismissed = _event(hazard, actor, Action.DISMISS, before, reason)
        escalation.stop(hazard)
        notices.hand_off(hazard, actor, dismissed, reason)  # the filer
        return hazard


def extend_deadline(actor: User, hazard: Hazard | int, deadline: datetime | None = None, reason: str = "") -> Hazard:
    """Approved by the head of the supervising department or the city office; old and new are recorded. Who may
    not see (404) or not approve (403) is told so before what is missing from the request (400)."""
    with transaction.atomic():
        hazard = _locked(actor, hazard)
        check_who(actor, hazard, "extend_deadline")
        _require_reason(reason)
        check_when(hazard, "extend_deadline")
        deadline = _future_deadline(deadline)
        if hazard.deadline and deadline <= hazard.deadline:
            raise ValidationError({"deadline": _("The new deadline must be later than the current one.")})
        old = hazard.deadline
        hazard.deadline = deadline
        hazard.save(update_fields=["deadline", "updated_at"])
        escalation.start(hazard)  # a new deadline is a new escalation, with today's chain
        extended = _event(
            hazard, actor, Action.EXTEND_DEADLINE, hazard.status, reason, old=old, new=deadline, approved_by=str(actor)
        )
        notices.hand_off(hazard, actor, extended, reason)  # the enterprise principal
        return hazard


def reopen(actor: User, hazard: Hazard | int, reason: str = "", deadline: datetime | None = None) -> Hazard:
    """A closed hazard found again in a look-back (回头看) goes back to rectification with a new deadline (404 and
    403 before a missing reason or deadline, as for extending)."""
    with transaction.atomic():
        hazard = _locked(actor, hazard)
        check_who(actor, hazard, "reopen")
        _require_reason(reason)
        check_when(hazard, "reopen")
        hazard.deadline = _future_deadline(deadline)
        before, hazard.status, hazard.closed_at = hazard.status, Status.RECTIFYING, None
        hazard.save(update_fields=["status", "deadline", "closed_at", "updated_at"])
        LookBack.objects.filter(hazard=hazard, done_at__isnull=True).delete()  # it checked a closure now undone
        reopened = _event(hazard, actor, Action.REOPEN, before, reason, deadline=deadline)
        escalation.start(hazard)
        notices.hand_off(hazard, actor, reopened, reason)  # the enterprise principal
        return hazard


def reassign(actor: User, hazard: Hazard | int, department: Department, reason: str) -> Hazard:
    """Change the supervising department of a hazard; only the city office, always with a reason."""
    _require_reason(reason)
    with transaction.atomic():
        hazard = _locked(actor, hazard)
        check(actor, hazard, "reassign")
        old = hazard.department
        hazard.department, hazard.supervision_gap = department, False
        hazard.save(update_fields=["department", "supervision_gap", "updated_at"])
        moved = _event(hazard, actor, Action.REASSIGN, hazard.status, reason, old=str(old), new=str(department))
        notices.hand_off(hazard, actor, moved, reason)  # the new supervising department
        return hazard
