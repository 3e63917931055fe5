"""Duty rotas: generating a period from rotation rules on China's official calendar, editing one shift by hand,
submitting a holiday plan to the city office, each person's check-in at the post (with its proof, `checkin`), and
the alert when the leader on duty has not checked in.

Rules (DOMAIN.md, local practice): the leader on duty rotates daily; duty officers rotate daily Monday to
Thursday and one team covers Friday to Sunday; on official holidays officers rotate daily too. People on leave
are skipped. The rotation carries on from the post's last shift, across month ends. Existing shifts (edited by
hand) are never overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from audit.models import record
from notifications.outbox import holders, notify
from organizations.choices import PositionKind
from organizations.models import Position, User
from organizations.roles import is_city_office
from safety_platform.lib import bounds
from safety_platform.lib.errors import Conflict
from workdays.calendar import SHANGHAI, SpecialDays

from .checkin import key_hash, new_screen_key, point_of, prove
from .models import CheckInPoint, DutyCheckIn, DutyLogEntry, DutyPlan, DutyShift, ShiftChange, new_secret
from .plans import minimum_officers, staffing_gaps


@dataclass
class Generated:
    created: list[DutyShift] = field(default_factory=list)
    kept: list[date] = field(default_factory=list)
    understaffed: list[date] = field(default_factory=list)


def may_plan(actor: User, post: Position) -> bool:
    if is_city_office(actor):
        return True
    same_unit = actor.unit_kind == post.unit_kind and (
        (post.region_id and actor.region_id == post.region_id)
        or (post.department_id and actor.department_id == post.department_id)
        or (post.enterprise_id and actor.enterprise_id == post.enterprise_id)
    )
    return bool(same_unit)


def _next(people: list[User], after: User | None, leave: dict, day: date, skip=()) -> User | None:
    """The next person after `after` in turn who is not on leave that day (nor in `skip`, the day's team so far)."""
    if not people:
        return None
    start = (people.index(after) + 1) % len(people) if after in people else 0
    for offset in range(len(people)):
        person = people[(start + offset) % len(people)]
        if day not in leave.get(person.pk, set()) and person not in skip:
            return person
    return None


def generate(actor: User, post: Position, start: date, end: date, leaders: list[User], officers: list[User],
             on_leave: dict[int, set[date]] | None = None, per_day: int = 1) -> Generated:  # fmt: skip
    """1. Check who may plan and the input. 2. Carry the rotation on from the last shift before `start`.
    3. Walk the days: leader daily; officers daily Mon–Thu and on holidays, one team Fri–Sun. 4. Flag days
    below the minimum staffing of the unit kind. Days that already have a shift are kept as they are; a period with
    days already over is refused whole (409 naming them), as a hand edit of an ended shift is."""
    if not may_plan(actor, post):
        raise PermissionDenied(_("Only the unit itself or the city office plans its duty."))
    if post.kind != PositionKind.DUTY_OFFICER:
        raise ValidationError({"post": _("Choose a unit's duty post.")})
    if errors := bounds.day_errors(start=(start, _("The first day")), end=(end, _("The last day"))):
        raise ValidationError(errors)
    if end < start or (end - start).days > 92:
        raise ValidationError({"end": _("Plan between one day and three months at a time.")})
    if not leaders or not officers:
        raise ValidationError({"officers": _("Name at least one leader and one duty officer.")})
    if set(leaders) & set(officers):
        raise ValidationError({"officers": _("The same person cannot be leader and officer in one rota.")})
    if over := days_over(start, end):
        days = f"{over[0]:%Y-%m-%d}" + (f"–{over[-1]:%Y-%m-%d}" if len(over) > 1 else "")
        raise Conflict(_("Days already over cannot be planned: %(days)s; start the rota today or later.")
                       % {"days": days})  # fmt: skip
    leave = {pk: set(days) for pk, days in (on_leave or {}).items()}
    for pk, day in _busy_elsewhere(post, start, end, [*leaders, *officers]):
        leave.setdefault(pk, set()).add(day)  # on duty at another post that day: skipped like a day of leave
    minimum = minimum_officers(post)
    calendar = SpecialDays(start, end)
    last = DutyShift.objects.filter(post=post, date__lt=start).order_by("-date").prefetch_related("officers").first()
    leader = last.leader if last else None
    officer = (list(last.officers.all()) or [None])[-1] if last else None
    existing = set(DutyShift.objects.filter(post=post, date__range=(start, end)).values_list("date", flat=True))
    result, team = Generated(), []
    with transaction.atomic():
        day = start
        while day <= end:
            leader = _next(leaders, leader, leave, day) or leader
            holiday = calendar.working.get(day) is False  # an official holiday (a special non-working day)
            if holiday or day.weekday() < 4 or not team or day.weekday() == 4:
                team = []
                for _i in range(per_day):
                    # in turn through the whole list: a list without the team would restart at its head each time
                    officer = _next(officers, officer, leave, day, skip=team) or officer
                    if officer and officer not in team:
                        team.append(officer)
            if day in existing:
                result.kept.append(day)
            else:
                result.created.append(_shift(post, day, leader, team))
            if len(team) < minimum:
                result.understaffed.append(day)
            day += timedelta(days=1)
        record(actor, "rota.generate", post, {"from": str(start), "to": str(end), "shifts": len(result.created)})
    return result


def days_over(start: date, end: date) -> list[date]:
    """The days of the period whose shift would have ended by now (like a shift edited by hand)."""
    now, days, day = timezone.now(), [], start
    while day <= end and _start_of(day) + timedelta(days=1) <= now:
        days.append(day)
        day += timedelta(days=1)
    return days


def _busy_elsewhere(post: Position, start: date, end: date, people: list[User]):
    """(person id, day) for each day in the range on which one of these people stands another post's shift."""
    ids = {p.pk for p in people}
    shifts = DutyShift.objects.filter(date__range=(start, end)).exclude(post=post).filter(
        Q(leader__in=ids) | Q(officers__in=ids)).prefetch_related("officers").distinct()  # fmt: skip
    for shift in shifts:
        for pk in ({shift.leader_id} | {o.pk for o in shift.officers.all()}) & ids:
            yield pk, shift.date


def _shift(post: Position, day: date, leader: User | None, team: list[User]) -> DutyShift:
    begin = _start_of(day)
    shift = DutyShift.objects.create(post=post, date=day, starts_at=begin, ends_at=begin + timedelta(days=1),
                                     leader=leader)  # fmt: skip
    shift.officers.set(team)
    return shift


def unit_people(post: Position) -> QuerySet[User]:
    """Who may stand the post's shifts: the active people of its unit."""
    return User.objects.filter(is_active=True, unit_kind=post.unit_kind, region_id=post.region_id,
                               department_id=post.department_id, enterprise_id=post.enterprise_id)  # fmt: skip


def in_unit(post: Position, person: User) -> bool:
    return person.is_active and (person.unit_kind, person.region_id, person.department_id, person.enterprise_id) == (
        post.unit_kind, post.region_id, post.department_id, post.enterprise_id)  # fmt: skip


def _names(people) -> str:
    return "、".join(str(p) for p in people)


def _people_errors(post: Position, day: date, leader: User | None, officers: list[User], reason: str,
                   shift_pk: int | None = None) -> dict[str, list[str]]:  # fmt: skip
    """Everything wrong with a hand-made shift, by field: no leader, someone listed twice, too few officers, someone
    from another unit, someone already on duty at another post that day, no reason."""
    errors: dict[str, list[str]] = {}
    if leader is None:
        errors.setdefault("leader", []).append(_("Choose the leader on duty."))
    twice = [o for i, o in enumerate(officers) if o in officers[:i] or o == leader]
    if twice:
        errors.setdefault("officers", []).append(
            _("%(names)s is listed twice.") % {"names": _names(dict.fromkeys(twice))}
        )
    if len(set(officers)) < minimum_officers(post):
        errors.setdefault("officers", []).append(
            _("At least %(minimum)d duty officers are needed at this post; %(count)d chosen.")
            % {"minimum": minimum_officers(post), "count": len(set(officers))}
        )
    for key, people in (("leader", [leader] if leader else []), ("officers", list(dict.fromkeys(officers)))):
        outside = [p for p in people if not in_unit(post, p)]
        if outside:
            errors.setdefault(key, []).append(_("%(names)s is not in this unit.") % {"names": _names(outside)})
    for key, person, elsewhere in _double_booked(post, day, leader, officers, shift_pk):
        errors.setdefault(key, []).append(
            _("%(name)s is already on duty at %(post)s that day.") % {"name": person, "post": elsewhere}
        )
    if not (reason or "").strip():
        errors["reason"] = [_("Give a reason.")]
    return errors


def _double_booked(post: Position, day: date, leader: User | None, officers: list[User], shift_pk: int | None):
    """(field, person, other post) for everyone of the shift who already stands another post's shift that day."""
    people = {p.pk: p for p in [leader, *officers] if p is not None}
    others = (
        DutyShift.objects.filter(date=day).exclude(post=post).exclude(pk=shift_pk)
        .filter(Q(leader__in=list(people)) | Q(officers__in=list(people)))
        .select_related("post").prefetch_related("officers").distinct()
    )  # fmt: skip
    for other in others:
        standing = {other.leader_id} | {o.pk for o in other.officers.all()}
        for pk in standing & set(people):
            yield ("leader" if leader is not None and pk == leader.pk else "officers"), people[pk], other.post


def _lock_post(post: Position) -> None:
    """Changes to a post's rota and its plan submissions queue on the post's row, so that a submission's check of
    the shifts still holds when its row is written, and two planners do not add the same day twice."""
    Position.objects.select_for_update().filter(pk=post.pk).first()


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.fromisoformat(settings.DUTY_SHIFT_START), tzinfo=SHANGHAI)


def _plannable(actor: User, post: Position) -> None:
    if not may_plan(actor, post):
        raise PermissionDenied(_("Only the unit itself or the city office plans its duty."))
    if post.kind != PositionKind.DUTY_OFFICER:
        raise ValidationError({"post": _("Choose a unit's duty post.")})


def edit_shift(actor: User, shift: DutyShift | int, leader: User | None, officers: list[User],
               reason: str) -> DutyShift:  # fmt: skip
    """Hand edit of one shift's people. 1. Lock the shift; check who may plan and that it has not ended. 2. Check
    the people (`_people_errors`); any error refuses the whole edit. 3. Change the people and record from what to
    what, with the reason, in the same transaction."""
    pk = shift.pk if isinstance(shift, DutyShift) else shift
    with transaction.atomic():
        shift = DutyShift.objects.select_for_update(of=("self",)).select_related("post").filter(pk=pk).first()
        if shift is None:
            raise Http404
        _plannable(actor, shift.post)
        _lock_post(shift.post)
        if shift.ends_at <= timezone.now():
            raise Conflict(_("A shift that has ended cannot be changed."))
        errors = _people_errors(shift.post, shift.date, leader, officers, reason, shift.pk)
        if errors:
            raise ValidationError(errors)
        before = {"leader": str(shift.leader or ""), "officers": [str(o) for o in shift.officers.all()]}
        shift.leader = leader
        shift.save(update_fields=["leader"])
        shift.officers.set(officers)
        after = {"leader": str(leader), "officers": [str(o) for o in officers]}
        record(actor, "duty.shift_edit", shift, {k: [before[k], after[k]] for k in before}, reason=reason[:500])
        return shift


def add_shift(actor: User, post: Position, day: date, leader: User | None, officers: list[User],
              reason: str) -> DutyShift:  # fmt: skip
    """A shift by hand on a day the rota left empty; the same checks as `edit_shift`."""
    _plannable(actor, post)
    bounds.check_day(day, "date", _("The day"))
    with transaction.atomic():
        _lock_post(post)
        if DutyShift.objects.filter(post=post, date=day).exists():
            raise Conflict(_("That day already has a shift: edit it."))
        if _start_of(day) + timedelta(days=1) <= timezone.now():
            raise Conflict(_("A shift that has ended cannot be changed."))
        errors = _people_errors(post, day, leader, officers, reason)
        if errors:
            raise ValidationError(errors)
        shift = _shift(post, day, leader, officers)
        record(actor, "duty.shift_add", shift, {"leader": str(leader), "officers": [str(o) for o in officers]},
               reason=reason[:500])  # fmt: skip
        return shift


def submit_plan(actor: User, post: Position, name: str, start: date, end: date) -> DutyPlan:
    """A unit's holiday duty plan, submitted to the city office. 1. Check who may plan and the period. 2. Refuse it
    while any day has no shift, no leader on duty or fewer officers than the unit kind's minimum. 3. Record the
    submission (again: a newer time and submitter), audited."""
    _plannable(actor, post)
    errors = {}
    if not (name or "").strip():
        errors["name"] = _("Name the holiday period.")
    errors.update(bounds.day_errors(start=(start, _("The first day")), end=(end, _("The last day"))))
    if errors:
        raise ValidationError(errors)
    if end < start or (end - start).days > 31:
        errors["end"] = _("A holiday period runs from its first to its last day, a month at most.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _lock_post(post)
        gaps = staffing_gaps([post], start, end)[post.pk]
        if gaps:
            raise ValidationError(
                {"shifts": [_("The plan is not complete: every day needs a full shift first."), *gaps.messages()]}
            )
        plan, created = DutyPlan.objects.update_or_create(
            post=post, start=start, end=end,
            defaults={"name": name.strip()[:64], "submitted_at": timezone.now(), "submitted_by": actor},
        )  # fmt: skip
        record(actor, "duty.plan_submit", plan, {"name": plan.name, "from": str(start), "to": str(end),
                                                 "again": not created})  # fmt: skip
        return plan


def check_in(actor: User, shift: DutyShift | int, location: str = "", code: str = "", via_qr: bool = False,
             latitude=None, longitude=None) -> DutyCheckIn:  # fmt: skip
    """The actor checks in for themselves (leader on duty or officer of the shift), from 30 minutes before it starts
    until it ends. 1. The proof (`checkin.prove`): the duty screen's code, its QR code or the phone's location; none
    is taken, unverified. 2. Once per person: checking in again changes nothing, unless an unverified check-in is
    now proven (it becomes verified, at the new time). 3. Audited."""
    pk = shift.pk if isinstance(shift, DutyShift) else shift
    with transaction.atomic():
        shift = _standing(actor, pk)
        now = timezone.now()
        if not shift.starts_at - timedelta(minutes=30) <= now <= shift.ends_at:
            raise ValidationError({"shift": _("Check in during your shift (from 30 minutes before it starts).")})
        proof = prove(shift.post, code, via_qr, latitude, longitude)
        mine = DutyCheckIn.objects.filter(shift=shift, person=actor).first()
        if mine is not None and (mine.verified or not proof.verified):
            return mine
        place = (location or "").strip()[:100] or (mine.location if mine else "")  # a place said before is kept
        values = {"at": now, "proof": proof.kind, "verified": proof.verified, "distance_m": proof.distance,
                  "location": place}  # fmt: skip
        mine, created = DutyCheckIn.objects.update_or_create(shift=shift, person=actor, defaults=values)
        record(actor, "duty.check_in", shift, {**values, "at": now.isoformat(), "again": not created})
        return mine


def set_check_in_point(actor: User, post: Position, latitude: Decimal | None, longitude: Decimal | None,
                       radius_m: int | None, renew: bool = False) -> CheckInPoint:  # fmt: skip
    """A planner of the post sets its coordinates and radius (both coordinates or neither), or renews its secret
    (every code shown so far stops working)."""
    if not may_plan(actor, post):
        raise PermissionDenied(_("Only the unit itself or the city office plans its duty."))
    if (latitude is None) != (longitude is None):
        raise ValidationError({"longitude": _("Give both the latitude and the longitude, or neither.")})
    with transaction.atomic():
        point = CheckInPoint.objects.select_for_update().get(pk=point_of(post).pk)
        point.latitude, point.longitude, point.radius_m = latitude, longitude, radius_m
        if renew:
            point.secret = new_secret()
        point.full_clean()
        point.save()
        record(actor, "duty.check_in_point", post, {"latitude": str(latitude or ""), "longitude": str(longitude or ""),
                                                    "radius_m": radius_m, "new_secret": renew})  # fmt: skip
        return point


def enrol_screen(actor: User, post: Position) -> str:
    """A planner of the post enrols the device in hand as its duty screen: a new key, of which only the hash is kept;
    the device enrolled before stops working. Returns the key, for the device's cookie alone. Audited."""
    if not may_plan(actor, post):
        raise PermissionDenied(_("Only the unit itself or the city office plans its duty."))
    key = new_screen_key()
    with transaction.atomic():
        point = CheckInPoint.objects.select_for_update().get(pk=point_of(post).pk)
        replaced = bool(point.screen_key_hash)
        point.screen_key_hash, point.screen_enrolled_at = key_hash(key), timezone.now()
        point.save(update_fields=["screen_key_hash", "screen_enrolled_at"])
        record(actor, "duty.screen_enrol", post, {"replaced": replaced})
    return key


def revoke_screen(actor: User, post: Position) -> None:
    """A planner of the post revokes its duty screen: no device shows the code until one is enrolled again.
    Audited; revoking when nothing is enrolled is a wrong state (409)."""
    if not may_plan(actor, post):
        raise PermissionDenied(_("Only the unit itself or the city office plans its duty."))
    with transaction.atomic():
        point = CheckInPoint.objects.select_for_update().get(pk=point_of(post).pk)
        if not point.screen_key_hash:
            raise Conflict(_("No device is enrolled as this post's duty screen."))
        point.screen_key_hash, point.screen_enrolled_at = "", None
        point.save(update_fields=["screen_key_hash", "screen_enrolled_at"])
        record(actor, "duty.screen_revoke", post, {})


def leader_absent() -> Exists:
    """For a shift query: whether its leader on duty has no check-in (a shift without a leader has none)."""
    return ~Exists(DutyCheckIn.objects.filter(shift=OuterRef("pk"), person=OuterRef("leader")))


def alert_missed_check_ins(now: datetime | None = None) -> int:
    """Shifts started DUTY_CHECKIN_MINUTES ago whose leader on duty has not checked in (whoever else has): a
    must-answer notice to the leader on duty and to the holders of the post's superior position, once per shift."""
    now = now or timezone.now()
    late = now - timedelta(minutes=settings.DUTY_CHECKIN_MINUTES)
    with transaction.atomic():
        shifts = list(
            DutyShift.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(leader_absent(), missed_alert_at__isnull=True, starts_at__lte=late, ends_at__gt=now)
            .select_related("post__superior", "leader")[:500]
        )
        for shift in shifts:
            recipients = ([(shift.leader, shift.post)] if shift.leader else []) + holders(shift.post.superior)
            with override(settings.LANGUAGE_CODE):
                title = _("The leader on duty is not at %(post)s") % {"post": shift.post}
                body = _("The shift of %(date)s started at %(time)s and the leader on duty %(leader)s has not checked "
                         "in at the post.") % {"date": shift.date, "time": timezone.localtime(shift.starts_at).strftime(
                             "%H:%M"), "leader": shift.leader or _("(none)")}  # fmt: skip
            notify(recipients, f"checkin:{shift.pk}", title, body, "/duty/", timedelta(minutes=30))
            shift.missed_alert_at = now
        DutyShift.objects.bulk_update(shifts, ["missed_alert_at"])
        return len(shifts)


def ics(user: User, shifts) -> str:
    """The person's duties as an iCalendar file (RFC 5545), for a phone's calendar."""
    stamp = timezone.now().astimezone(SHANGHAI).strftime("%Y%m%dT%H%M%S")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//work-safety platform//duty//ZH", "CALSCALE:GREGORIAN"]
    for shift in shifts:
        role = _("Leader on duty") if shift.leader_id == user.pk else _("Duty officer")
        lines += [
            "BEGIN:VEVENT",
            f"UID:shift-{shift.pk}@safety-platform",
            f"DTSTAMP;TZID=Asia/Shanghai:{stamp}",
            f"DTSTART;TZID=Asia/Shanghai:{shift.starts_at.astimezone(SHANGHAI):%Y%m%dT%H%M%S}",
            f"DTEND;TZID=Asia/Shanghai:{shift.ends_at.astimezone(SHANGHAI):%Y%m%dT%H%M%S}",
            f"SUMMARY:{role} · {shift.post}".replace(",", "\\,"),
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def same_unit(a: User, b: User) -> bool:
    return a.unit_kind == b.unit_kind and (a.region_id, a.department_id, a.enterprise_id) == (
        b.region_id, b.department_id, b.enterprise_id)  # fmt: skip


def ask_change(actor: User, kind: str, shift: DutyShift, other: User, reason: str,
               other_shift: DutyShift | None = None) -> ShiftChange:  # fmt: skip
    """Ask for a swap (with `other_shift`, where `other` stands) or a substitution (`other` covers `shift`)."""
    errors = {}
    if not (shift.leader_id == actor.pk or shift.officers.filter(pk=actor.pk).exists()):
        errors["shift"] = _("You can only change a shift you stand.")
    if not same_unit(actor, other) or other.pk == actor.pk:
        errors["other"] = _("Choose someone else from your own unit.")
    if kind == ShiftChange.Kind.SWAP:
        if other_shift is None or other_shift.post_id != shift.post_id or other_shift.pk == shift.pk:
            errors["other_shift"] = _("Choose the other person's shift at the same post.")
        elif not (other_shift.leader_id == other.pk or other_shift.officers.filter(pk=other.pk).exists()):
            errors["other_shift"] = _("That person does not stand that shift.")
    elif kind == ShiftChange.Kind.SUBSTITUTE:
        if shift.leader_id == other.pk or shift.officers.filter(pk=other.pk).exists():
            errors["other"] = _("That person already stands this shift.")
    else:
        errors["kind"] = _("Choose swap or substitution.")
    if not (reason or "").strip():
        errors["reason"] = _("Give a reason.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        change = ShiftChange.objects.create(kind=kind, shift=shift, other_shift=other_shift if kind == "swap" else None,
                                            person=actor, other=other, reason=reason[:200])  # fmt: skip
        record(actor, "duty.change_asked", change, {"kind": kind, "with": str(other)})
        return change


def decide(actor: User, change: ShiftChange | int, approve: bool) -> ShiftChange:
    """The leader on duty of the shift (or the city office) decides, never someone the change moves (a leader asking
    to swap their own shift waits for the city office); an approved change moves the people."""
    pk = change.pk if isinstance(change, ShiftChange) else change
    with transaction.atomic():
        change = ShiftChange.objects.select_for_update(of=("self",)).select_related("shift", "other_shift").get(pk=pk)
        if not (is_city_office(actor) or change.shift.leader_id == actor.pk):
            raise PermissionDenied(_("The leader on duty or the city office decides."))
        if actor.pk in (change.person_id, change.other_id):
            raise PermissionDenied(
                _("Nobody decides a change they take part in: the city office decides this request.")
            )
        if change.state != ShiftChange.State.PENDING:
            raise Conflict(_("This request has already been decided."))
        change.state = ShiftChange.State.APPROVED if approve else ShiftChange.State.REJECTED
        change.decided_by, change.decided_at = actor, timezone.now()
        change.save(update_fields=["state", "decided_by", "decided_at"])
        if approve:
            _move(change)
            _refuse_double_booking(change)
        record(actor, "duty.change_decided", change, {"state": change.state})
        return change


def _move(change: ShiftChange) -> None:
    def replace(shift: DutyShift, out: User, into: User) -> None:
        if shift.leader_id == out.pk:
            shift.leader = into
            shift.save(update_fields=["leader"])
        else:
            shift.officers.remove(out)
            shift.officers.add(into)

    replace(change.shift, change.person, change.other)
    if change.kind == ShiftChange.Kind.SWAP:
        replace(change.other_shift, change.other, change.person)


def _refuse_double_booking(change: ShiftChange) -> None:
    """After the move: whoever now stands a shift must not stand another post's shift that day. Raising rolls the
    whole decision back."""
    moved = [(change.shift, change.other)]
    if change.kind == ShiftChange.Kind.SWAP:
        moved.append((change.other_shift, change.person))
    for shift, person in moved:
        for _key, who, elsewhere in _double_booked(shift.post, shift.date, None, [person], shift.pk):
            raise Conflict(_("%(name)s is already on duty at %(post)s that day.") % {"name": who, "post": elsewhere})


def _on(shift: DutyShift, user: User) -> bool:
    return shift.leader_id == user.pk or shift.officers.filter(pk=user.pk).exists()


def _standing(actor: User, pk: int, lock: bool = True) -> DutyShift:
    """The shift, if the actor stands it (as leader on duty or officer); anyone else gets a 404."""
    shifts = DutyShift.objects.select_for_update() if lock else DutyShift.objects.all()
    shift = shifts.filter(pk=pk).first()
    if shift is None or not _on(shift, actor):
        raise Http404
    return shift


def write_log(actor: User, shift: DutyShift | int, text: str, open_item: bool = False) -> DutyLogEntry:
    pk = shift.pk if isinstance(shift, DutyShift) else shift
    shift = _standing(actor, pk, lock=False)
    if not (text or "").strip():
        raise ValidationError({"text": _("Write what happened.")})
    with transaction.atomic():
        entry = DutyLogEntry.objects.create(shift=shift, author=actor, text=text[:2000], open_item=open_item)
        record(actor, "duty.log", shift, {"entry": entry.pk, "text": entry.text[:100], "open_item": open_item})
        return entry


def close_item(actor: User, entry: DutyLogEntry | int) -> DutyLogEntry:
    """Someone on the shift closes an open item of its log (dealt with); the entry says who and when."""
    pk = entry.pk if isinstance(entry, DutyLogEntry) else entry
    with transaction.atomic():
        entry = DutyLogEntry.objects.select_for_update(of=("self",)).select_related("shift").filter(pk=pk).first()
        if entry is None or not _on(entry.shift, actor):
            raise Http404
        if not entry.open_item:
            raise ValidationError({"entry": _("Only an open item can be closed.")})
        if entry.closed_at is None:
            entry.closed_at = timezone.now()
            entry.save(update_fields=["closed_at"])
            record(actor, "duty.close_item", entry.shift, {"entry": entry.pk, "text": entry.text[:100]})
        return entry


def hand_over(actor: User, shift: DutyShift | int) -> DutyShift:
    """1. The outgoing shift hands over. 2. Its open items are carried to the post's next shift as entries of
    their own (pointing back), for the incoming shift to take."""
    pk = shift.pk if isinstance(shift, DutyShift) else shift
    with transaction.atomic():
        shift = _standing(actor, pk)
        following = DutyShift.objects.filter(post=shift.post, date__gt=shift.date).order_by("date").first()
        if following is None:
            raise ValidationError({"shift": _("There is no next shift to hand over to yet.")})
        if shift.handed_over_at is None:
            items = shift.log.filter(open_item=True, closed_at__isnull=True)
            DutyLogEntry.objects.bulk_create(
                [
                    DutyLogEntry(shift=following, author=actor, text=i.text, open_item=True, carried_from=i)
                    for i in items
                ]
            )
            shift.handed_over_at = timezone.now()
            shift.save(update_fields=["handed_over_at"])
            record(actor, "duty.hand_over", shift, {"open_items": len(items), "to": str(following.date)})
        return shift


def take_over(actor: User, shift: DutyShift | int) -> DutyShift:
    """The incoming shift acknowledges the handover; after `handover_due_at` (DUTY_HANDOVER_EARLY_MINUTES, 10,
    before its start) the handover counts as late."""
    pk = shift.pk if isinstance(shift, DutyShift) else shift
    with transaction.atomic():
        shift = _standing(actor, pk)
        if shift.handover_acknowledged_at is None:
            shift.handover_acknowledged_at, shift.handover_acknowledged_by = timezone.now(), actor
            shift.save(update_fields=["handover_acknowledged_at", "handover_acknowledged_by"])
            record(actor, "duty.take_over", shift, {"late": shift.handover_late})
        return shift
