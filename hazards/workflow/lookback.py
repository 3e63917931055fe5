"""Recording a look-back (回头看): the supervising department checks a closed major hazard months later.

Closing a major hazard schedules one (`transitions.schedule_look_back`, in the closing transaction). Recording it:
(1) the look-back, row-locked, within the actor's visible scope (else 404); (2) the actor is staff of its department
or of the city department it mirrors (else 403); (3) it is not done yet (else 409); (4) the result is given, and a
failed one gives the reason and the new deadline (else 400); (5) the look-back is marked done and the hazard's
timeline records it; a failed look-back then reopens the hazard through `transitions.reopen`, in the same
transaction, so either both happen or neither.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.models import Department, User
from organizations.roles import DEPARTMENT_STAFF
from safety_platform.lib.errors import Conflict

from ..choices import Action, LookBackResult
from ..models import LookBack
from ._common import _event, _future_deadline, _locked
from .transitions import reopen


def may_record(actor: User, look_back: LookBack) -> bool:
    """Staff of the look-back's department (or of the city department it mirrors); a superuser."""
    if actor.is_superuser:
        return True
    if not (actor.department_id and actor.holds(*DEPARTMENT_STAFF)):
        return False
    if actor.department_id == look_back.department_id:
        return True
    mirrors = Department.objects.filter(pk=look_back.department_id).values_list("mirrors_id", flat=True).first()
    return mirrors is not None and mirrors == actor.department_id


def record_look_back(
    actor: User, look_back: LookBack | int, result: str, note: str = "", deadline: datetime | None = None
) -> LookBack:
    with transaction.atomic():
        look_back = _locked_look_back(actor, look_back)
        if not may_record(actor, look_back):
            raise PermissionDenied(_("Only the hazard's supervising department records its look-back."))
        if look_back.done_at is not None:
            raise Conflict(_("This look-back has already been recorded."))
        _validate(result, note, deadline)
        hazard = _locked(actor, look_back.hazard_id)
        look_back.done_at, look_back.done_by, look_back.result, look_back.note = timezone.now(), actor, result, note
        look_back.save(update_fields=["done_at", "done_by", "result", "note"])
        _event(hazard, actor, Action.LOOK_BACK, hazard.status, note, result=result, due_on=look_back.due_on.isoformat())
        if result == LookBackResult.FAILED:
            reopen(actor, hazard, reason=note, deadline=deadline)
        return look_back


def _locked_look_back(actor: User, look_back: LookBack | int) -> LookBack:
    pk = look_back.pk if isinstance(look_back, LookBack) else look_back
    found = LookBack.objects.visible_to(actor).select_for_update(of=("self",)).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _validate(result: str, note: str, deadline: datetime | None) -> None:
    if result not in LookBackResult.values:
        raise ValidationError({"result": _("Choose whether the look-back passed or failed.")})
    if result != LookBackResult.FAILED:
        return
    errors = {}
    if not (note or "").strip():
        errors["note"] = _("Say what was found: the hazard is reopened with this reason.")
    try:
        _future_deadline(deadline)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
