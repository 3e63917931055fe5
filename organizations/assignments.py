"""Who holds which position: the one place that assigns a person to a position or ends that, checks who may,
and writes the audit trail (as `registry.py` does for the enterprise registry).

Positions decide what people may do (`roles.py`), so only the city safety office changes who holds them, and
every change is an audit event written in the transaction that makes it. History is kept: an assignment is
ended, never deleted or rewritten.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import record

from .models import Position, PositionAssignment, User
from .roles import is_city_office


def unit_key(obj: User | Position) -> tuple:
    """The unit a person or a position belongs to, without loading it (`check_unit` keeps the other keys empty)."""
    return obj.unit_kind, obj.region_id, obj.department_id, obj.enterprise_id


def check_may_assign(actor: User) -> None:
    if not is_city_office(actor):
        raise PermissionDenied(_("Only the city safety office may change who holds a position."))


def check_assignment(actor: User, position: Position, user: User, start: datetime) -> None:
    """What `assign` checks, for forms that show the problems before saving.

    1. The actor is the city safety office (or the superuser).
    2. The person's account is active and belongs to the position's unit.
    3. The person does not already hold the position at or after `start`.
    """
    check_may_assign(actor)
    if not user.is_active:
        raise ValidationError({"user": _("This person's account is disabled.")})
    if unit_key(user) != unit_key(position):
        raise ValidationError({"user": _("This person does not belong to the position's unit.")})
    held = PositionAssignment.objects.filter(position=position, user=user)
    if held.filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start)).exists():
        raise ValidationError({"user": _("This person already holds this position.")})


def assign(
    actor: User, position: Position, user: User, start: datetime | None = None, note: str = ""
) -> PositionAssignment:
    """Make `user` hold `position` from `start` (now by default); `note` is the audit event's reason."""
    start = start or timezone.now()
    with transaction.atomic():
        Position.objects.select_for_update().get(pk=position.pk)  # two offices assigning the same person wait
        check_assignment(actor, position, user, start)
        assignment = PositionAssignment.objects.create(position=position, user=user, started_at=start)
        changes = {"position": position.pk, "user": user.pk, "started_at": start.isoformat()}
        record(actor, "position.assign", assignment, changes, note)
    return assignment


def end_assignment(
    actor: User, assignment: PositionAssignment, end: datetime | None = None, note: str = ""
) -> PositionAssignment:
    """End a current assignment at `end` (now by default): the person no longer holds the position from then."""
    check_may_assign(actor)
    end = end or timezone.now()
    with transaction.atomic():
        assignment = (
            PositionAssignment.objects.select_for_update().select_related("position", "user").get(pk=assignment.pk)
        )
        if assignment.ended_at is not None:
            raise ValidationError({"ended_at": _("This assignment has already ended.")})
        if end <= assignment.started_at:
            raise ValidationError({"ended_at": _("An assignment ends after it starts.")})
        assignment.ended_at = end
        assignment.save(update_fields=["ended_at"])
        record(actor, "position.end", assignment, {"ended_at": [None, end.isoformat()]}, note)
    return assignment
