"""The escalation engine. PostgreSQL decides what is due; the broker only carries deliveries.

- `start(hazard)` / `stop(hazard)` run inside the hazard workflow's transaction: an escalation is a row with
  its chain frozen (a snapshot) and the due time of its next step stored and indexed.
- `sweep()` takes due escalations in bounded batches (`FOR UPDATE SKIP LOCKED`, so two schedulers split the
  work), resolves each step's positions to their holders now (a vacant one passes to the next level, and
  the timeline says so), writes notifications and deliveries with unique keys (a repeat writes nothing),
  and enqueues the deliveries when the transaction commits. Unanswered must-answer notices go to the
  holder's superior position the same way.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from audit.models import record
from hazards.choices import OPEN_STATUSES, Action, Level
from hazards.models import Hazard, HazardEvent, ListedSupervision
from organizations.choices import PositionKind, UnitKind
from organizations.models import Position, PositionAssignment
from safety_platform.lib.text import one_line
from workdays.calendar import SHANGHAI, SpecialDays, add_working_days, local_date, subtract_working_days

from .choices import LADDER, Channel, DeliveryState, Target
from .models import TITLE_LENGTH, Delivery, Escalation, EscalationChain, Notification, NotificationPreference

REMINDER_TIME = time(9, 0)  # reminders before a deadline go out at the start of the working day


# --- starting and stopping (called by hazards.workflow, inside its transaction) ----------------------------


def start(hazard: Hazard) -> Escalation | None:
    """Begin (or resume) the escalation for the hazard's current deadline; an older deadline's one stops."""
    Escalation.objects.filter(hazard=hazard, active=True).exclude(deadline=hazard.deadline).update(active=False)
    if not hazard.deadline or hazard.status not in OPEN_STATUSES:
        return None
    chain = EscalationChain.objects.filter(level=hazard.level).prefetch_related("steps").first()
    if chain is None:
        return None
    escalation, created = Escalation.objects.get_or_create(
        hazard=hazard, deadline=hazard.deadline, defaults={"steps": chain.snapshot()}
    )
    escalation.active = True
    if created:
        # A reminder whose day has already passed when the deadline is set would only be noise: skip it.
        now = timezone.now()
        while escalation.next_step < len(escalation.steps) and escalation.steps[escalation.next_step]["offset"] < 0:
            if due_at(escalation, escalation.next_step) > now:
                break
            escalation.next_step += 1
    escalation.next_due_at = due_at(escalation, escalation.next_step)
    escalation.save(update_fields=["active", "next_step", "next_due_at"])
    return escalation


def stop(hazard: Hazard) -> None:
    Escalation.objects.filter(hazard=hazard, active=True).update(active=False)


def due_at(escalation: Escalation, index: int, cache: SpecialDays | None = None) -> datetime | None:
    """When step `index` is due: N working days from the deadline (reminders at 09:00 of their day)."""
    if index >= len(escalation.steps):
        return None
    offset = escalation.steps[index]["offset"]
    deadline = escalation.deadline
    if offset == 0:
        return deadline
    if offset < 0:
        day = subtract_working_days(deadline, -offset, cache)
        return datetime.combine(day, REMINDER_TIME, tzinfo=SHANGHAI)
    day = add_working_days(local_date(deadline), offset, cache)
    return datetime.combine(day, timezone.localtime(deadline, SHANGHAI).time(), tzinfo=SHANGHAI)


# --- resolving positions for a batch (a constant number of queries per batch) ------------------------------


@dataclass
class Resolver:
    """Positions and their current holders for a batch of hazards, loaded in a few queries."""

    hazards: list[Hazard]
    department_heads: dict[int, Position] = field(default_factory=dict)
    city_office: Position | None = None
    listings: dict[int, ListedSupervision] = field(default_factory=dict)
    holders: dict[int, list] = field(default_factory=lambda: defaultdict(list))
    superiors: dict[int, Position | None] = field(default_factory=dict)

    def load(self, extra_positions=()) -> Resolver:
        departments = {h.department_id for h in self.hazards if h.department_id}
        for position in Position.objects.filter(kind=PositionKind.DEPARTMENT_HEAD, department_id__in=departments):
            self.department_heads.setdefault(position.department_id, position)
        self.city_office = city_office_position()
        self.listings = {
            listing.hazard_id: listing
            for listing in ListedSupervision.objects.filter(
                hazard__in=[h.pk for h in self.hazards], delisted_at__isnull=True
            ).select_related("supervising_leader")
        }
        positions = {p.pk for p in self.candidates()} | {p.pk for p in extra_positions}
        for assignment in (
            PositionAssignment.objects.current()
            .filter(position_id__in=positions, user__is_active=True)
            .select_related("user")
        ):
            self.holders[assignment.position_id].append(assignment.user)
        return self

    def candidates(self):
        for hazard in self.hazards:
            for target in Target.values:
                position = self.position(hazard, target)
                if position:
                    yield position

    def position(self, hazard: Hazard, target: str) -> Position | None:
        match target:
            case Target.ENTERPRISE_PRINCIPAL:
                return hazard.principal_position
            case Target.DEPARTMENT_HEAD:
                return self.department_heads.get(hazard.department_id)
            case Target.TERRITORIAL_LEADER:
                return hazard.territorial_position
            case Target.CITY_OFFICE:
                return self.city_office
            case Target.LISTING_LEADER:
                listing = self.listings.get(hazard.pk)
                return listing.supervising_leader if listing else None
        return None

    def recipients(self, hazard: Hazard, target: str) -> tuple[Position | None, list, str]:
        """The position and its holders for a target; a vacant one passes up the ladder, noted."""
        position = self.position(hazard, target)
        if position and self.holders.get(position.pk):
            return position, self.holders[position.pk], ""
        if target not in LADDER:
            return None, [], ""
        vacant = str(position) if position else Target(target).label
        for higher in LADDER[LADDER.index(target) + 1 :]:
            up = self.position(hazard, higher)
            if up and self.holders.get(up.pk):
                return (
                    up,
                    self.holders[up.pk],
                    _("%(vacant)s is vacant; passed to %(up)s") % {"vacant": vacant, "up": up},
                )
        return None, [], _("%(vacant)s is vacant and nobody above holds a position") % {"vacant": vacant}


def city_office_position() -> Position | None:
    """The city office's duty officer position if there is one with a holder, else its staff position."""
    positions = list(
        Position.objects.filter(
            unit_kind=UnitKind.CITY_OFFICE, kind__in=[PositionKind.DUTY_OFFICER, PositionKind.CITY_OFFICE_STAFF]
        ).order_by("kind", "id")  # duty_officer sorts before city_office_staff
    )
    held = set(
        PositionAssignment.objects.current()
        .filter(position__in=positions, user__is_active=True)
        .values_list("position_id", flat=True)
    )
    return next((p for p in positions if p.pk in held), positions[0] if positions else None)


# --- the sweep ---------------------------------------------------------------------------------------------


@dataclass
class SweepResult:
    steps: int = 0
    notifications: int = 0
    passed_up: int = 0
    batches: int = 0
    planned: list[str] = field(default_factory=list)


def sweep(now: datetime | None = None, batch_size: int | None = None, dry_run: bool = False) -> SweepResult:
    """Send every due step and pass up every unanswered must-answer notice, in bounded batches."""
    now = now or timezone.now()
    batch_size = batch_size or settings.ESCALATION_BATCH_SIZE
    result = SweepResult()
    after: tuple[datetime, int] | None = None
    while True:
        done, after = _sweep_batch(now, batch_size, result, dry_run, after)
        if done < batch_size or dry_run:
            break
    while True:
        done = _answer_batch(now, batch_size, result, dry_run)
        if done < batch_size or dry_run:
            break
    return result


class _DryRun(Exception):
    pass


def _sweep_batch(
    now: datetime, batch_size: int, result: SweepResult, dry_run: bool, after: tuple[datetime, int] | None
) -> tuple[int, tuple[datetime, int] | None]:
    """One batch, continuing after the last row of the previous one (a keyset: the rows a sweep has just moved
    leave dead index entries behind, and starting from the top each time would wade through them)."""
    due = Escalation.objects.select_for_update(skip_locked=True, of=("self",)).filter(active=True, next_due_at__lte=now)
    if after:
        due = due.filter(Q(next_due_at__gt=after[0]) | Q(next_due_at=after[0], pk__gt=after[1]))
    try:
        with transaction.atomic():
            escalations = list(
                due.select_related(
                    "hazard", "hazard__enterprise", "hazard__principal_position", "hazard__territorial_position"
                ).order_by("next_due_at", "pk")[:batch_size]
            )
            if not escalations:
                return 0, after
            last = (escalations[-1].next_due_at, escalations[-1].pk)
            result.batches += 1
            resolver = Resolver([e.hazard for e in escalations]).load()
            outbox = Outbox(now)
            cache = SpecialDays()
            for escalation in escalations:
                while escalation.next_due_at and escalation.next_due_at <= now:
                    _send_step(escalation, resolver, outbox, result)
                    escalation.next_step += 1
                    escalation.next_due_at = due_at(escalation, escalation.next_step, cache)
                escalation.active = escalation.next_due_at is not None
            result.notifications += outbox.flush(dry_run, result)
            if dry_run:
                raise _DryRun
            Escalation.objects.bulk_update(escalations, ["next_step", "next_due_at", "active"])
            return len(escalations), last
    except _DryRun:
        return len(escalations), last


def _send_step(escalation: Escalation, resolver: Resolver, outbox: Outbox, result: SweepResult) -> None:
    hazard = escalation.hazard
    step = escalation.steps[escalation.next_step]
    sent, notes = [], []
    for target in step["targets"]:
        position, users, note = resolver.recipients(hazard, target)
        if note:
            notes.append(note)
        for user in users:
            key = f"esc:{escalation.pk}:{escalation.next_step}:{user.pk}"
            if outbox.add(key, user, position, hazard, step, note):
                sent.append(str(user))
    result.steps += 1
    result.planned.append(f"{hazard.code} · {step['label']} → {', '.join(sent) or '—'}")
    outbox.events.append(
        HazardEvent(
            hazard=hazard,
            actor=None,
            action=Action.ESCALATION_STEP,
            from_status=hazard.status,
            to_status=hazard.status,
            reason="；".join(notes),
            data={"step": step["label"], "recipients": sent, "offset": step["offset"]},
        )
    )


def _answer_batch(now: datetime, batch_size: int, result: SweepResult, dry_run: bool) -> int:
    """Must-answer notices past their answer time go to the holder's superior position, once."""
    try:
        with transaction.atomic():
            overdue = list(
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(
                    must_answer=True, acknowledged_at__isnull=True, escalated_at__isnull=True, answer_due_at__lte=now
                )
                .select_related("position__superior", "hazard", "hazard__enterprise")
                .order_by("answer_due_at")[:batch_size]
            )
            if not overdue:
                return 0
            superiors = [n.position.superior for n in overdue if n.position and n.position.superior]
            resolver = Resolver([]).load(extra_positions=superiors)
            outbox = Outbox(now)
            for notice in overdue:
                superior = notice.position.superior if notice.position else None
                holders = resolver.holders.get(superior.pk, []) if superior else []
                for user in holders:
                    step = {"label": _("Unanswered: %(title)s") % {"title": notice.title}, "must_answer": True}
                    outbox.add(f"up:{notice.pk}:{user.pk}", user, superior, notice.hazard, step, "", parent=notice)
                notice.escalated_at = now
                if not holders:
                    notice.vacancy_note = _("No superior position holder to pass this to.")
                result.passed_up += 1
            result.notifications += outbox.flush(dry_run, result)
            if dry_run:
                raise _DryRun
            Notification.objects.bulk_update(overdue, ["escalated_at", "vacancy_note"])
            return len(overdue)
    except _DryRun:
        return len(overdue)


class Outbox:
    """Notifications and deliveries of one batch, written with three statements and enqueued on commit."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.rows: dict[str, Notification] = {}
        self.events: list[HazardEvent] = []

    def add(self, key, user, position, hazard, step, note, parent=None) -> bool:
        if key in self.rows:
            return False
        must_answer = bool(step.get("must_answer"))
        self.rows[key] = Notification(
            key=key,
            recipient=user,
            position=position,
            hazard=hazard,
            parent=parent,
            title=notice_title(hazard, step),
            body=notice_body(hazard, step, note),
            link=f"/hazards/{hazard.pk}/" if hazard else "",
            vacancy_note=note[:200],
            must_answer=must_answer,
            answer_due_at=self.now + answer_limit(hazard) if must_answer else None,
            created_at=self.now,
        )
        return True

    def flush(self, dry_run: bool, result: SweepResult) -> int:
        if dry_run or not self.rows:
            return len(self.rows)
        Notification.objects.bulk_create(self.rows.values(), ignore_conflicts=True)
        HazardEvent.objects.bulk_create(self.events)
        return len(deliver_new(list(self.rows), self.now))


def deliver_new(keys: list[str], now: datetime) -> list[Notification]:
    """Plan the deliveries of the notifications just written under these keys, and enqueue them on commit."""
    notifications = list(Notification.objects.filter(key__in=keys, created_at=now).select_related("recipient"))
    Delivery.objects.bulk_create(plan_deliveries(notifications, now), ignore_conflicts=True)
    ids = list(
        Delivery.objects.filter(notification__in=notifications, state=DeliveryState.PENDING).values_list(
            "pk", flat=True
        )
    )
    transaction.on_commit(lambda: enqueue(ids))
    return notifications


def notify(recipients, key: str, title: str, body: str, link: str = "", answer_within: timedelta | None = None):
    """Tell these (user, position) pairs once per key; with `answer_within` it is a must-answer notice, passed to
    the position's superior by the sweep when nobody answers in time. Call inside the causing transaction."""
    now = timezone.now()
    rows = [
        Notification(
            key=f"{key}:{user.pk}",
            recipient=user,
            position=position,
            title=one_line(title, TITLE_LENGTH),
            body=body,
            link=link,
            must_answer=answer_within is not None,
            answer_due_at=now + answer_within if answer_within else None,
            created_at=now,
        )  # fmt: skip
        for user, position in recipients
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return deliver_new([r.key for r in rows], now)


def holders(position: Position | None) -> list[tuple]:
    if position is None:
        return []
    return [(a.user, position) for a in PositionAssignment.objects.current().filter(
        position=position, user__is_active=True).select_related("user")]  # fmt: skip


def answer_limit(hazard: Hazard | None) -> timedelta:
    if hazard is not None and hazard.level == Level.MAJOR:
        return timedelta(minutes=settings.ANSWER_LIMIT_MAJOR_MINUTES)
    return timedelta(minutes=settings.ANSWER_LIMIT_MINUTES)


def notice_title(hazard: Hazard | None, step: dict) -> str:
    """One line, capped: the title is also the e-mail subject (and a hazard's title may hold a line break)."""
    with override(settings.LANGUAGE_CODE):
        if hazard is None:
            return one_line(step["label"], TITLE_LENGTH)
        return one_line(f"【{step['label']}】{hazard.code} {hazard.title}", TITLE_LENGTH)


def notice_body(hazard: Hazard | None, step: dict, note: str) -> str:
    with override(settings.LANGUAGE_CODE):
        if hazard is None:
            return note
        lines = [
            _("Hazard %(code)s at %(enterprise)s, %(place)s: %(title)s.")
            % {"code": hazard.code, "enterprise": hazard.enterprise.name, "place": hazard.place, "title": hazard.title},
            _("Rectification deadline: %(deadline)s.")
            % {"deadline": timezone.localtime(hazard.deadline).strftime("%Y-%m-%d %H:%M") if hazard.deadline else "—"},
        ]
        if step.get("must_answer"):
            lines.append(_("This notice must be answered."))
        if note:
            lines.append(note)
        return "\n".join(lines)


def plan_deliveries(notifications: list[Notification], now: datetime) -> list[Delivery]:
    """E-mail and the gateway webhook as each person chose; quiet hours defer all but must-answer notices."""
    preferences = {
        p.user_id: p for p in NotificationPreference.objects.filter(user__in=[n.recipient_id for n in notifications])
    }
    deliveries = []
    for notice in notifications:
        preference = preferences.get(notice.recipient_id) or NotificationPreference(user=notice.recipient)
        later = None if notice.must_answer or not preference.is_quiet(now) else quiet_end(preference, now)
        if preference.email and notice.recipient.email:
            deliveries.append(Delivery(notification=notice, channel=Channel.EMAIL, not_before=later, created_at=now))
        if preference.webhook and settings.NOTIFY_WEBHOOK_URL:
            deliveries.append(Delivery(notification=notice, channel=Channel.WEBHOOK, not_before=later, created_at=now))
    return deliveries


def quiet_end(preference: NotificationPreference, now: datetime) -> datetime:
    local = timezone.localtime(now, SHANGHAI)
    end = datetime.combine(local.date(), preference.quiet_until, tzinfo=SHANGHAI)
    return end if end > local else end + timedelta(days=1)


def enqueue(ids: list[int]) -> None:
    from .tasks import deliver

    for pk in ids:
        deliver.delay(pk)


# --- answering -----------------------------------------------------------------------------------------------


def acknowledge(actor, notification: Notification | int) -> Notification:
    """One tap: the answer is timed and attributed; only the recipient answers their own notice."""
    pk = notification.pk if isinstance(notification, Notification) else notification
    with transaction.atomic():
        notice = Notification.objects.select_for_update().filter(recipient=actor, pk=pk).first()
        if notice is None:
            from django.http import Http404

            raise Http404
        now = timezone.now()
        answering = notice.acknowledged_at is None
        if answering:
            notice.acknowledged_at = now
        notice.read_at = notice.read_at or now
        notice.save(update_fields=["acknowledged_at", "read_at"])
        if answering and notice.must_answer:  # the first answer only: answering again changes nothing
            late = notice.answer_due_at is not None and now > notice.answer_due_at
            record(actor, "notification.acknowledge", notice, {"title": notice.title, "late": late})
        if notice.hazard_id and notice.must_answer:
            HazardEvent.objects.create(
                hazard_id=notice.hazard_id,
                actor=actor,
                action=Action.ACKNOWLEDGE,
                data={"notification": notice.pk, "title": notice.title},
            )
        return notice


def mark_read(actor, ids=None) -> int:
    queryset = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    return queryset.update(read_at=timezone.now())
