"""Hazard escalation: the chain of each hazard level, run for each hazard's deadline. PostgreSQL decides what is due.

- `start(hazard)` / `stop(hazard)` run inside the hazard workflow's transaction: an escalation is a row with
  its chain frozen (a snapshot) and the due time of its next step stored and indexed.
- `follow(hazard)` (called by `start`, `stop` and the filing) keeps the government-side waits in step with the
  hazard's status: a hazard in `reported` waits for the supervising department's confirmation, one in
  `awaiting_acceptance` for its acceptance; each wait is an escalation of its own kind, due
  `REPORTED_CONFIRM_WORKING_DAYS` working days or `ACCEPTANCE_DAYS` days after the hazard entered the state,
  stopped (`stopped_at`) when it leaves it. Same rows, same sweep.
- `sweep()` takes due escalations in bounded batches (`FOR UPDATE SKIP LOCKED`, so two schedulers split the
  work), resolves each step's positions to their holders now (a vacant one passes to the next level, and
  the timeline says so), writes notifications and deliveries with unique keys (a repeat writes nothing)
  through the outbox, and the outbox enqueues the deliveries when the transaction commits.
- `connect()` (from `HazardsConfig.ready`) hooks this into the notifications app, which imports nothing from here:
  `sweep` runs first in the periodic sweep (`notifications.sweeps`, task `notifications.tasks.sweep`), before
  unanswered must-answer notices are passed up (`notifications.answers`, worded by `pass_up_wording` when the
  notice is about a hazard), and answering a must-answer notice about a hazard puts it on the timeline.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from notifications import answers, kinds, sweeps
from notifications.choices import LADDER, Target
from notifications.models import TITLE_LENGTH, Notification
from notifications.outbox import Outbox, SweepResult, notice_answered
from organizations.choices import PositionKind
from organizations.models import Position, PositionAssignment
from organizations.responsibility import city_office_position
from safety_platform.lib.text import one_line
from workdays.calendar import SHANGHAI, SpecialDays, add_working_days, local_date, subtract_working_days

from . import events
from .choices import OPEN_STATUSES, Action, Level
from .models import WAIT_STATUS, Escalation, EscalationChain, EscalationKind, Hazard, HazardEvent, ListedSupervision

REMINDER_TIME = time(9, 0)  # reminders before a deadline go out at the start of the working day


# --- starting and stopping (called by hazards.workflow, inside its transaction) ----------------------------


def start(hazard: Hazard) -> Escalation | None:
    """Begin (or resume) the escalation for the hazard's current deadline; an older deadline's one stops."""
    follow(hazard)
    Escalation.objects.filter(hazard=hazard, kind=EscalationKind.DEADLINE, active=True).exclude(
        deadline=hazard.deadline
    ).update(active=False, stopped_at=timezone.now())
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
    """The deadline's escalation stops (the enterprise has done its part, or the hazard is closed)."""
    follow(hazard)
    Escalation.objects.filter(hazard=hazard, kind=EscalationKind.DEADLINE, active=True).update(
        active=False, stopped_at=timezone.now()
    )


# --- government-side waits: confirmation of a reported hazard, acceptance of a rectification ----------------

# The state a hazard waits in for the government, and the wait's kind.
WAITS = {status: kind for kind, status in WAIT_STATUS.items()}
WAIT_KINDS = tuple(WAIT_STATUS)
STEP_LABELS = {
    EscalationKind.CONFIRMATION: (
        gettext_lazy("Not confirmed in time: to the department head"),
        gettext_lazy("Not confirmed in time: to the territorial leader"),
    ),
    EscalationKind.ACCEPTANCE: (
        gettext_lazy("Not accepted in time: to the department head"),
        gettext_lazy("Not accepted in time: to the territorial leader"),
    ),
}


def wait_due(kind: str, since: datetime, cache: SpecialDays | None = None) -> datetime:
    """When the government's step falls due for a hazard that entered its state at `since`.

    Confirmation: `REPORTED_CONFIRM_WORKING_DAYS` working days later (China's official calendar, make-up days
    included), at the same time of day. Acceptance: `ACCEPTANCE_DAYS` calendar days later, at the same time; a day
    that is not a working day moves it to the next working day, so nothing falls due during a holiday.
    """
    local = timezone.localtime(since, SHANGHAI)
    if kind == EscalationKind.CONFIRMATION:
        day = add_working_days(local.date(), settings.REPORTED_CONFIRM_WORKING_DAYS, cache)
    else:
        day = add_working_days(local.date() + timedelta(days=settings.ACCEPTANCE_DAYS), 0, cache)
    return datetime.combine(day, local.time(), tzinfo=SHANGHAI)


def wait_steps(kind: str) -> list[dict]:
    """The steps of a wait, frozen into it when it starts (from the settings of that moment): the supervising
    department's head when it falls due, the territorial leader `GOVERNMENT_DELAY_LEADER_WORKING_DAYS` working days
    later. Both must be answered: the government's own delay is answered for as a missed deadline is."""
    head, leader = STEP_LABELS[kind]
    with override(settings.LANGUAGE_CODE):
        return [
            {"offset": 0, "targets": ["department_head"], "must_answer": True, "label": str(head), "wait": kind},
            {
                "offset": max(settings.GOVERNMENT_DELAY_LEADER_WORKING_DAYS, 1),
                "targets": ["territorial_leader"],
                "must_answer": True,
                "label": str(leader),
                "wait": kind,
            },
        ]


def follow(hazard: Hazard) -> Escalation | None:
    """Stop the wait for a state the hazard has left; start one for the state it is in (if none runs)."""
    kind = WAITS.get(hazard.status)
    now = timezone.now()
    running = Escalation.objects.filter(hazard=hazard, kind__in=WAIT_KINDS, stopped_at__isnull=True)
    running.exclude(kind=kind).update(active=False, stopped_at=now)
    if kind is None or running.filter(kind=kind).exists():
        return None
    escalation = _wait(hazard, kind, now)
    escalation.save()
    return escalation


def _wait(hazard: Hazard, kind: str, since: datetime, cache: SpecialDays | None = None) -> Escalation:
    escalation = Escalation(hazard=hazard, kind=kind, deadline=wait_due(kind, since, cache), steps=wait_steps(kind))
    escalation.next_due_at = due_at(escalation, 0, cache)
    return escalation


def start_missing_waits(batch_size: int = 1000) -> int:
    """Start the wait of every hazard that is in a waiting status without one (hazards that were waiting before
    this was deployed), from when it entered the status: its filing, or its last rectification submitted. Steps
    already due then go out with the next sweep. Running it again starts nothing (`manage.py start_waits`)."""
    started, cache = 0, SpecialDays()
    for kind, status in WAIT_STATUS.items():
        running = Escalation.objects.filter(hazard=OuterRef("pk"), kind=kind, stopped_at__isnull=True)
        hazards = Hazard.objects.filter(status=status).exclude(Exists(running)).order_by("pk")
        if kind == EscalationKind.ACCEPTANCE:
            submitted = HazardEvent.objects.filter(hazard=OuterRef("pk"), action=Action.SUBMIT_RECTIFICATION)
            hazards = hazards.annotate(since=Subquery(submitted.order_by("-at").values("at")[:1]))
        rows = []
        for hazard in hazards.only("pk", "created_at").iterator(chunk_size=batch_size):
            since = getattr(hazard, "since", None) or hazard.created_at
            rows.append(_wait(hazard, kind, since, cache))
            if len(rows) >= batch_size:
                started += len(Escalation.objects.bulk_create(rows, ignore_conflicts=True))
                rows = []
        started += len(Escalation.objects.bulk_create(rows, ignore_conflicts=True))
    return started


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
        """The position and its holders for a target; a vacant one passes up the ladder (a vacant listing leader to
        the city office), noted."""
        position = self.position(hazard, target)
        if position and self.holders.get(position.pk):
            return position, self.holders[position.pk], ""
        if target in LADDER:
            above = LADDER[LADDER.index(target) + 1 :]
        elif position is not None:
            above = [Target.CITY_OFFICE]  # a vacant listing leader: the city office is told instead of nobody
        else:
            return None, [], ""  # nothing to tell (a hazard not under listed supervision has no listing leader)
        vacant = str(position) if position else Target(target).label
        for higher in above:
            up = self.position(hazard, higher)
            if up and self.holders.get(up.pk):
                return (
                    up,
                    self.holders[up.pk],
                    _("%(vacant)s is vacant; passed to %(up)s") % {"vacant": vacant, "up": up},
                )
        return None, [], _("%(vacant)s is vacant and nobody above holds a position") % {"vacant": vacant}


# --- the sweep ---------------------------------------------------------------------------------------------


def sweep(now: datetime, batch_size: int, dry_run: bool, result: SweepResult) -> None:
    """Send every due step, in bounded batches (registered with `notifications.sweeps`, which runs it first)."""
    after: tuple[datetime, int] | None = None
    while True:
        done, after = _sweep_batch(now, batch_size, result, dry_run, after)
        if done < batch_size or dry_run:
            break


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
            outbox = HazardOutbox(now)
            cache = SpecialDays()
            for escalation in escalations:
                while escalation.next_due_at and escalation.next_due_at <= now:
                    _send_step(escalation, resolver, outbox, result)
                    escalation.next_step += 1
                    escalation.next_due_at = due_at(escalation, escalation.next_step, cache)
                escalation.active = escalation.next_due_at is not None
            result.notifications += outbox.flush(dry_run)
            if dry_run:
                raise _DryRun
            Escalation.objects.bulk_update(escalations, ["next_step", "next_due_at", "active"])
            return len(escalations), last
    except _DryRun:
        return len(escalations), last


def _send_step(escalation: Escalation, resolver: Resolver, outbox: HazardOutbox, result: SweepResult) -> None:
    hazard = escalation.hazard
    step = escalation.steps[escalation.next_step]
    prefix = "esc" if escalation.kind == EscalationKind.DEADLINE else "late"
    worded = {**step, "due": escalation.deadline} if step.get("wait") else step
    sent, notes = [], []
    for target in step["targets"]:
        position, users, note = resolver.recipients(hazard, target)
        if note:
            notes.append(note)
        for user in users:
            key = f"{prefix}:{escalation.pk}:{escalation.next_step}:{user.pk}"
            if outbox.add_step(key, user, position, hazard, worded, note):
                sent.append(str(user))
    result.steps += 1
    result.planned.append(f"{hazard.code} · {step['label']} → {', '.join(sent) or '—'}")
    outbox.events.append(
        events.build(
            hazard,
            None,
            Action.ESCALATION_STEP,
            hazard.status,
            "；".join(notes),
            step=step["label"],
            recipients=sent,
            offset=step["offset"],
        )
    )


class HazardOutbox(Outbox):
    """The outbox of one batch of escalation steps: each notice worded for its hazard and step, and the steps'
    timeline events written with the notices (one statement), before their deliveries are planned."""

    def __init__(self, now: datetime) -> None:
        super().__init__(now)
        self.events: list = []

    def add_step(self, key, user, position, hazard: Hazard, step: dict, note: str) -> bool:
        if key in self.rows:
            return False
        must_answer = bool(step.get("must_answer"))
        return self.add(
            key,
            user,
            position,
            title=notice_title(hazard, step),
            body=notice_body(hazard, step, note),
            link=f"/hazards/{hazard.pk}/",
            hazard=hazard,
            vacancy_note=note,
            answer_within=answer_limit(hazard) if must_answer else None,
        )

    def write_more(self) -> None:
        events.events_bulk(self.events)


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
            _wait_line(step)
            if step.get("wait")
            else _("Rectification deadline: %(deadline)s.")
            % {"deadline": timezone.localtime(hazard.deadline).strftime("%Y-%m-%d %H:%M") if hazard.deadline else "—"},
        ]
        if step.get("must_answer"):
            lines.append(_("This notice must be answered."))
        if note:
            lines.append(note)
        return "\n".join(lines)


def _wait_line(step: dict) -> str:
    due = timezone.localtime(step["due"]).strftime("%Y-%m-%d %H:%M") if step.get("due") else "—"
    if step["wait"] == EscalationKind.CONFIRMATION:
        return _("The supervising department has not confirmed it; confirmation was due %(due)s.") % {"due": due}
    return _("The rectification has not been accepted; acceptance was due %(due)s.") % {"due": due}


# --- the hooks into the notifications app (called once, from HazardsConfig.ready) -----------------------------


def pass_up_wording(notice: Notification, label: str) -> dict | None:
    """A notice about a hazard passes up worded like an escalation step, with the hazard's link and the answer limit
    the notice was sent with (the hazard level's)."""
    if notice.hazard_id is None:
        return None
    hazard = notice.hazard
    step = {"label": label, "must_answer": True}
    return {
        "title": notice_title(hazard, step),
        # A government-side delay passes up with its own body (which says what was not done by when).
        "body": notice.body if notice.kind == "late" else notice_body(hazard, step, ""),
        "link": f"/hazards/{hazard.pk}/",
        "hazard": hazard,
        "answer_within": answers.original_limit(notice),
    }


def _answered(sender, notice: Notification, actor, **kwargs) -> None:
    """Answering a must-answer notice about a hazard goes on its timeline, in the answer's transaction."""
    if notice.hazard_id:
        events.answered(notice.hazard_id, actor, notice.pk, notice.title)


def connect() -> None:
    kinds.register("esc", gettext_lazy("Escalation of a hazard's deadline"), mutable=False)
    kinds.register("late", gettext_lazy("Escalation of a government-side delay"), mutable=False)
    sweeps.register(sweep)
    answers.register_wording(pass_up_wording, related=("hazard", "hazard__enterprise"))
    notice_answered.connect(_answered, sender=Notification, dispatch_uid="hazards.escalation.answered")
