"""The outbox: notices to position holders, written in the causing transaction, delivered after it commits.

Any domain tells people through here (docs/architecture-notifications.md):

- `notify(holders(position), key, title, body, link, answer_within=None, hazard=None)`: once per key and person;
  with `answer_within` the notice must be answered, and the sweep passes it to the position's superior if nobody
  answers in time (`notifications.answers`). The key's first part is the notice's kind (`notifications.kinds`):
  a person who muted a kind gets it in the inbox only, unless it must be answered.
- `Outbox(now)`: many notices of one batch, written with a few statements (`add`, then `flush`).
- `acknowledge(actor, notice)` / `mark_read(actor, ids)`: the recipient's answer and reading; an answer to a
  must-answer notice sends `notice_answered` inside its transaction, for the domain the notice is about.

Nothing here knows a domain: a notice may name its hazard (`Notification.hazard`), and the hazards app words
and records what concerns hazards through the hooks in `notifications.answers` and `notifications.sweeps`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from audit.models import record
from organizations.models import Position, PositionAssignment
from safety_platform.lib.text import one_line
from workdays.calendar import SHANGHAI

from .choices import Channel, DeliveryState
from .delivery import deliver
from .kinds import kind_of
from .models import TITLE_LENGTH, Delivery, Notification, NotificationPreference

# Sent inside `acknowledge`'s transaction each time the recipient answers a must-answer notice (kwargs: notice,
# actor); a receiver that writes rows writes them in that transaction.
notice_answered = Signal()
# Sent inside the pass-up's transaction for each batch of must-answer notices it has just passed up (kwargs: notices,
# at); a domain marks its own rows there (early warnings: the post passed up), without a statement of its own per sweep.
notices_passed_up = Signal()


@dataclass
class SweepResult:
    """What one sweep did: steps sent (by the domains' sweepers), notices written, notices passed up."""

    steps: int = 0
    notifications: int = 0
    passed_up: int = 0
    batches: int = 0
    planned: list[str] = field(default_factory=list)


class Outbox:
    """Notifications and deliveries of one batch, written with three statements and enqueued on commit.

    A domain that writes rows of its own with the notices (the hazards' timeline) subclasses it and writes them
    in `write_more`, after the notices and before their deliveries.
    """

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.rows: dict[str, Notification] = {}

    def add(self, key, user, position, *, title, body, link="", hazard=None, parent=None, vacancy_note="",
            answer_within: timedelta | None = None) -> bool:  # fmt: skip
        """One notice, unless this batch already has one under the key; `answer_within` makes it must-answer."""
        if key in self.rows:
            return False
        self.rows[key] = Notification(
            key=key,
            kind=kind_of(key),
            recipient=user,
            position=position,
            hazard=hazard,
            parent=parent,
            title=title,
            body=body,
            link=link,
            vacancy_note=vacancy_note[:200],
            must_answer=answer_within is not None,
            answer_due_at=self.now + answer_within if answer_within is not None else None,
            created_at=self.now,
        )
        return True

    def add_ids(self, key: str, user_id: int, position_id: int | None, *, title: str, body: str, link: str = "",
                answer_within: timedelta | None = None) -> bool:  # fmt: skip
        """`add` by ids, for a batch of tens of thousands (a lesson to every enterprise of a kind): no person or
        position is made a model instance; the notice is the same."""
        if key in self.rows:
            return False
        self.rows[key] = Notification(
            key=key, kind=kind_of(key), recipient_id=user_id, position_id=position_id, title=title, body=body,
            link=link, must_answer=answer_within is not None,
            answer_due_at=self.now + answer_within if answer_within is not None else None, created_at=self.now,
        )  # fmt: skip
        return True

    def write_more(self) -> None:
        """Rows a subclass writes with the notices (in the same transaction); none here."""

    def flush(self, dry_run: bool) -> int:
        if dry_run or not self.rows:
            return len(self.rows)
        Notification.objects.bulk_create(self.rows.values(), ignore_conflicts=True)
        self.write_more()
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


def notify(
    recipients, key: str, title: str, body: str, link: str = "", answer_within: timedelta | None = None, hazard=None
) -> list[Notification]:
    """Tell these (user, position) pairs once per key; with `answer_within` it is a must-answer notice, passed to
    the position's superior by the sweep when nobody answers in time. Call inside the causing transaction.

    Returns the notices written now (a repeat of the key writes and returns none); their deliveries are enqueued
    when the transaction commits, so a rolled-back cause tells nobody."""
    now = timezone.now()
    rows = [
        Notification(
            key=f"{key}:{user.pk}",
            kind=kind_of(key),
            recipient=user,
            position=position,
            hazard=hazard,
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


def plan_deliveries(notifications: list[Notification], now: datetime) -> list[Delivery]:
    """E-mail and the gateway webhook as each person chose; quiet hours defer all but must-answer notices, and a
    muted kind is not sent at all (it stays in the inbox)."""
    preferences = {
        p.user_id: p for p in NotificationPreference.objects.filter(user__in=[n.recipient_id for n in notifications])
    }
    deliveries = []
    for notice in notifications:
        preference = preferences.get(notice.recipient_id) or NotificationPreference(user=notice.recipient)
        if preference.mutes(notice):
            continue
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
        if notice.must_answer:  # the hazards app puts it on the hazard's timeline (each answer, as it always has)
            notice_answered.send(sender=Notification, notice=notice, actor=actor)
        return notice


def mark_read(actor, ids=None) -> int:
    queryset = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    return queryset.update(read_at=timezone.now())
