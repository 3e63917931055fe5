"""Roll calls (查岗): the city office calls units' duty posts; the person on duty answers with one tap; silence
past the limit passes to the post's superior (the escalation sweep); a report per unit says who answered when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import override

from audit.models import record
from notifications.models import Notification
from notifications.outbox import holders, notify
from organizations.choices import PositionKind
from organizations.models import Position, User
from organizations.roles import is_city_office_staff

from .models import RollCall


def duty_posts():
    """Every unit's duty-officer post."""
    return Position.objects.filter(kind=PositionKind.DUTY_OFFICER).order_by("unit_kind", "title")


def call(actor: User, positions, message: str, answer_minutes: int | None = None) -> RollCall:
    if not is_city_office_staff(actor):
        raise PermissionDenied(_("Only the city safety office calls the roll."))
    positions = list(positions)
    if not positions:
        raise ValidationError({"positions": _("Choose at least one duty post to call.")})
    minutes = answer_minutes or settings.ROLL_CALL_ANSWER_MINUTES
    with transaction.atomic():
        roll = RollCall.objects.create(message=message, answer_minutes=minutes, called_by=actor)
        roll.positions.set(positions)
        with override(settings.LANGUAGE_CODE):
            title = _("Roll call: answer within %(minutes)d minutes") % {"minutes": minutes}
        for position in positions:
            # No link: the notice itself is where the person on duty answers.
            notify(holders(position), f"rollcall:{roll.pk}:{position.pk}", title, message, "",
                   timedelta(minutes=minutes))  # fmt: skip
        record(actor, "rollcall.call", roll, {"posts": len(positions)})
        return roll


@dataclass
class Row:
    position: Position
    answered_at: datetime | None
    answered_by: str
    seconds: int | None
    late: bool
    passed_up: bool


def report(roll: RollCall) -> list[Row]:
    """Per post: the first answer among its holders, how long it took, whether it was late or passed up."""
    notices = Notification.objects.filter(key__startswith=f"rollcall:{roll.pk}:").select_related("recipient")
    by_post: dict[int, list[Notification]] = {}
    for notice in notices:
        by_post.setdefault(int(notice.key.split(":")[2]), []).append(notice)
    rows = []
    limit = timedelta(minutes=roll.answer_minutes)
    for position in roll.positions.all():
        answered = sorted(
            (n for n in by_post.get(position.pk, []) if n.acknowledged_at), key=lambda n: n.acknowledged_at
        )
        first = answered[0] if answered else None
        seconds = int((first.acknowledged_at - roll.called_at).total_seconds()) if first else None
        rows.append(Row(position, first.acknowledged_at if first else None, str(first.recipient) if first else "",
                        seconds, first is None or seconds > limit.total_seconds(),
                        any(n.escalated_at for n in by_post.get(position.pk, []))))  # fmt: skip
    return rows
