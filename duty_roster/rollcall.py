"""Roll calls (查岗): the city office calls units' duty posts; the people standing each post's shift now answer with
one tap; silence past the limit passes to the post's superior (the escalation sweep); a report per post says who
was called, who answered when, and which posts nobody could be reached at.

Who is called at each post, decided at the moment of the call and stored (`RollCallTarget`):

1. the post's shift on the rota covering this moment (starts at or before it, ends after it): its leader on duty
   and its duty officers, or only the leader on a call of the leaders on duty (带班领导查岗);
2. where no shift covers the moment, the post's current holders (never on a call of the leaders alone: the
   holders of a duty post are not its leaders on duty);
3. of these, the active users; a post left with nobody is flagged at once, with the reason, and gets no notice.
"""

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
from notifications.outbox import notify
from organizations.choices import PositionKind
from organizations.models import Position, PositionAssignment, User
from organizations.roles import is_city_office_staff

from .models import DutyShift, RollCall, RollCallTarget


def duty_posts():
    """Every unit's duty-officer post."""
    return Position.objects.filter(kind=PositionKind.DUTY_OFFICER).order_by("unit_kind", "title")


@dataclass
class Called:
    """Who a post's roll call goes to, and why nobody when nobody."""

    post: Position
    source: str
    shift: DutyShift | None
    people: list[User]
    reason: str = ""

    @property
    def flagged(self) -> bool:
        return not self.people


def current_shifts(posts: list[Position], at: datetime) -> dict[int, DutyShift]:
    """Each post's shift covering the moment (the latest started, should two overlap), with its people."""
    shifts = (
        DutyShift.objects.filter(post__in=posts, starts_at__lte=at, ends_at__gt=at)
        .select_related("leader")
        .prefetch_related("officers")
        .order_by("starts_at")
    )
    return {shift.post_id: shift for shift in shifts}


def current_holders(posts: list[Position], at: datetime) -> dict[int, list[User]]:
    holders: dict[int, list[User]] = {}
    for assignment in PositionAssignment.objects.current(at).filter(position__in=posts).select_related("user"):
        holders.setdefault(assignment.position_id, []).append(assignment.user)
    return holders


def resolve(posts: list[Position], at: datetime, leaders_only: bool) -> list[Called]:
    """Who is called at each post at this moment (see the module's docstring); three queries for any number."""
    shifts, holders = current_shifts(posts, at), current_holders(posts, at)
    return [_called(post, shifts.get(post.pk), holders.get(post.pk, []), leaders_only) for post in posts]


def _called(post: Position, shift: DutyShift | None, holders: list[User], leaders_only: bool) -> Called:
    Flag, Source = RollCallTarget.Flag, RollCallTarget.Source
    if shift is not None:
        people = [shift.leader] if shift.leader else []
        if not leaders_only:
            people += [o for o in shift.officers.all() if o not in people]
        people = [p for p in people if p.is_active]
        reason = Flag.NO_LEADER if leaders_only else Flag.SHIFT_INACTIVE
        return Called(post, Source.ROTA, shift, people, "" if people else reason)
    if leaders_only:
        return Called(post, Source.ROTA, None, [], Flag.NO_SHIFT)
    people = [h for h in holders if h.is_active]
    return Called(post, Source.HOLDERS, None, people, "" if people else Flag.NOBODY_HOLDS)


def call(actor: User, positions, message: str, answer_minutes: int | None = None,
         leaders_only: bool = False) -> RollCall:  # fmt: skip
    """Call the posts now: a must-answer notice to each person called, keyed by roll call, post and person; the
    posts nobody could be reached at are stored flagged (`RollCall.targets`) and named in the audit record."""
    if not is_city_office_staff(actor):
        raise PermissionDenied(_("Only the city safety office calls the roll."))
    positions = list(dict.fromkeys(positions))  # a post named twice is called once
    if not positions:
        raise ValidationError({"positions": _("Choose at least one duty post to call.")})
    minutes = answer_minutes or settings.ROLL_CALL_ANSWER_MINUTES
    with transaction.atomic():
        roll = RollCall.objects.create(
            message=message, answer_minutes=minutes, called_by=actor, leaders_only=leaders_only
        )
        roll.positions.set(positions)
        called = resolve(positions, roll.called_at, leaders_only)
        _store(roll, called)
        title = _title(minutes, leaders_only)
        for each in called:
            # The link is the roll call's page, which each post's people (and those above them) may open; a notice
            # passed up keeps it.
            notify([(person, each.post) for person in each.people], f"rollcall:{roll.pk}:{each.post.pk}", title,
                   message, f"/duty/roll-calls/{roll.pk}/", timedelta(minutes=minutes))  # fmt: skip
        flagged = [str(c.post) for c in called if c.flagged]
        record(actor, "rollcall.call", roll, {"posts": len(called), "leaders_only": leaders_only, "flagged": flagged})
        return roll


def _store(roll: RollCall, called: list[Called]) -> None:
    targets = RollCallTarget.objects.bulk_create(
        RollCallTarget(roll_call=roll, post=c.post, shift=c.shift, source=c.source, flagged=c.flagged,
                       flag_reason=c.reason)
        for c in called
    )  # fmt: skip
    through = RollCallTarget.called.through
    through.objects.bulk_create(
        through(rollcalltarget_id=target.pk, user_id=person.pk) for target, c in zip(targets, called, strict=True)
        for person in c.people
    )  # fmt: skip


def _title(minutes: int, leaders_only: bool) -> str:
    with override(settings.LANGUAGE_CODE):
        if leaders_only:
            return _("Roll call of the leader on duty: answer within %(minutes)d minutes") % {"minutes": minutes}
        return _("Roll call: answer within %(minutes)d minutes") % {"minutes": minutes}


@dataclass
class Row:
    position: Position
    answered_at: datetime | None
    answered_by: str
    seconds: int | None
    late: bool
    passed_up: bool
    source: str = RollCallTarget.Source.HOLDERS
    called: list[str] | None = None
    flagged: bool = False
    flag_reason: str = ""


def report(roll: RollCall, posts=None) -> list[Row]:
    """Per post (those of `posts` only, when given): who was called and from where, the first answer among them,
    how long it took, whether it was late or passed up, and whether nobody could be reached at all."""
    notices = Notification.objects.filter(key__startswith=f"rollcall:{roll.pk}:").select_related("recipient")
    by_post: dict[int, list[Notification]] = {}
    for notice in notices:
        by_post.setdefault(int(notice.key.split(":")[2]), []).append(notice)
    targets = roll.targets.select_related("post").prefetch_related("called").order_by("post__unit_kind", "post__title")
    if posts is not None:
        targets = targets.filter(post__in=posts)
    return [_row(roll, target, by_post.get(target.post_id, [])) for target in targets]


def _row(roll: RollCall, target: RollCallTarget, notices: list[Notification]) -> Row:
    answered = sorted((n for n in notices if n.acknowledged_at), key=lambda n: n.acknowledged_at)
    first = answered[0] if answered else None
    seconds = int((first.acknowledged_at - roll.called_at).total_seconds()) if first else None
    late = first is None or seconds > roll.answer_minutes * 60
    return Row(target.post, first.acknowledged_at if first else None, str(first.recipient) if first else "",
               seconds, late, any(n.escalated_at for n in notices), target.source,
               [str(p) for p in target.called.all()], target.flagged, target.get_flag_reason_display())  # fmt: skip


def flagged_posts(roll: RollCall) -> list[RollCallTarget]:
    return list(roll.targets.filter(flagged=True).select_related("post").order_by("post__title"))
