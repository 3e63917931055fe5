"""The clocks of listed supervision, swept: what was not done in time is told, once, and put on the timeline.

One sweeper, `sweep`, joins the periodic sweep (`notifications.sweeps`, registered by `connect()` from
`HazardsConfig.ready`, after the escalation steps). For each of four clocks it finds what is due with one query per
batch (the clock's cut-off computed once per sweep by `listing_clock.started_before`), locks the rows it takes
(`FOR UPDATE SKIP LOCKED`: two schedulers split the work), tells the people through the outbox (keys unique, so a
repeat writes nothing) and leaves its mark in the same transaction, so it never tells twice:

- a major hazard not listed `LISTING_FILE_WORKING_DAYS` (3) after its confirmation (or reopening): the supervising
  department's head, the territorial leader and the city office must answer; marked by the timeline event
  `not_listed_in_time`;
- a listing whose rectification order is not published `LISTING_ORDER_WORKING_DAYS` (5) after the same moment: the
  listing authority and the city office must answer; marked by the event `order_not_published`;
- an extension not decided `EXTENSION_DECIDE_WORKING_DAYS` (10) after it was asked: the listing authority and the
  city office must answer; marked by `extension_escalated_at` (and the event `extension_undecided`);
- a supervising leader with no recorded action `LEADER_IDLE_DAYS` (30) calendar days after the listing, the last
  action or the last reminder: the leader is reminded (not must-answer); marked by `leader_reminded_at` (and the
  event `leader_idle`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from notifications import kinds, sweeps
from notifications.outbox import SweepResult, holders, notify
from organizations.choices import PositionKind
from organizations.models import Position
from organizations.responsibility import city_office_position
from workdays.calendar import SHANGHAI, SpecialDays

from . import escalation, events, listing_clock
from .choices import OPEN_STATUSES, Action, Level, Status
from .models import Hazard, HazardEvent, ListedSupervision
from .workflow.notices import listing_authority_positions

UNDER_WAY = (Status.CONFIRMED, Status.RECTIFYING, Status.AWAITING_ACCEPTANCE)


def _day(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d")


def _started_at() -> Subquery:
    """When the hazard's listing clocks started: its latest confirmation (or reopening) as a major hazard."""
    return Subquery(
        HazardEvent.objects.filter(hazard=OuterRef("pk"), action__in=[Action.CONFIRM, Action.REOPEN])
        .order_by("-at")
        .values("at")[:1]
    )


def _marked(action: str) -> Exists:
    """The lapse is already on the timeline since the clock started."""
    return Exists(HazardEvent.objects.filter(hazard=OuterRef("pk"), action=action, at__gte=OuterRef("started_at")))


def _locked_batch(queryset: QuerySet, order: str, batch_size: int) -> list:
    return list(queryset.select_for_update(skip_locked=True, of=("self",)).order_by(order, "pk")[:batch_size])


def sweep(now: datetime, batch_size: int, dry_run: bool, result: SweepResult) -> None:
    """Every clock's due rows, a batch of each per transaction, until every clock's batch is short. The clocks share
    one read of the calendar, and a sweep with nothing due costs one statement per clock."""
    cache = SpecialDays()
    clocks = [
        (not_listed_due(now, cache), "started_at", _not_listed),
        (order_due(now, cache), "started_at", _order_late),
        (undecided_due(now, cache), "extension_asked_at", _undecided),
        (idle_due(now), "idle_since", _idle),
    ]
    while clocks:
        with transaction.atomic():
            full = []
            for due, order, handle in clocks:
                rows = _locked_batch(due, order, batch_size)
                for row in rows:
                    handle(row, now, dry_run, result)
                result.batches += bool(rows)
                if len(rows) == batch_size:
                    full.append((due, order, handle))
            if dry_run:
                transaction.set_rollback(True)
        clocks = [] if dry_run else full


def _tell(hazard: Hazard, positions: Iterable[Position | None], key: str, label, note: str, *, must_answer: bool,
          action: str, dry_run: bool, result: SweepResult) -> None:  # fmt: skip
    """Tell the positions' holders once under `key`, and put it on the hazard's timeline."""
    pairs, seen = [], set()
    for position in positions:
        for user, held in holders(position):
            if user.pk not in seen:
                seen.add(user.pk)
                pairs.append((user, held))
    with override(settings.LANGUAGE_CODE):
        step = {"label": str(label), "must_answer": must_answer}
        title, body = escalation.notice_title(hazard, step), escalation.notice_body(hazard, step, note)
    names = [str(user) for user, _position in pairs]
    result.steps += 1
    result.planned.append(f"{hazard.code} · {step['label']} → {', '.join(names) or '—'}")
    if dry_run:
        return
    limit = escalation.answer_limit(hazard) if must_answer else None
    written = notify(pairs, key, title, body, link=f"/hazards/{hazard.pk}/", answer_within=limit, hazard=hazard)
    result.notifications += len(written)
    events.event(hazard, None, action, hazard.status, note, recipients=names)


# --- a major hazard not listed in time ------------------------------------------------------------------------


NOT_LISTED = gettext_lazy("Major hazard not listed in time")


def not_listed_due(now: datetime, cache: SpecialDays) -> QuerySet:
    boundary = listing_clock.started_before(now, settings.LISTING_FILE_WORKING_DAYS, cache)
    return (
        Hazard.objects.filter(level=Level.MAJOR, status__in=UNDER_WAY)
        .filter(Q(listing__isnull=True) | Q(listing__delisted_at__isnull=False))
        .annotate(started_at=_started_at())
        .filter(started_at__lt=boundary)
        .exclude(_marked(Action.NOT_LISTED_IN_TIME))
        .select_related("enterprise", "territorial_position")
    )


def _not_listed(hazard: Hazard, now: datetime, dry_run: bool, result: SweepResult) -> None:
    with override(settings.LANGUAGE_CODE):
        note = _(
            "Confirmed as a major hazard on %(day)s; it was to be listed for supervision by %(due)s "
            "(%(days)d working days) and is not."
        ) % {  # fmt: skip
            "day": _day(hazard.started_at),
            "due": _day(listing_clock.listing_due(hazard.started_at)),
            "days": settings.LISTING_FILE_WORKING_DAYS,
        }
    heads = Position.objects.filter(department_id=hazard.department_id, kind=PositionKind.DEPARTMENT_HEAD)
    positions = [*heads, hazard.territorial_position, city_office_position()]
    key = f"hz_unlisted:{hazard.pk}:{hazard.started_at:%Y%m%d%H%M%S}"
    _tell(hazard, positions, key, NOT_LISTED, note, must_answer=True, action=Action.NOT_LISTED_IN_TIME,
          dry_run=dry_run, result=result)  # fmt: skip


# --- the rectification order not published in time -------------------------------------------------------------


ORDER_LATE = gettext_lazy("Rectification order not published in time")


def order_due(now: datetime, cache: SpecialDays) -> QuerySet:
    boundary = listing_clock.started_before(now, settings.LISTING_ORDER_WORKING_DAYS, cache)
    return (
        Hazard.objects.filter(status__in=OPEN_STATUSES, listing__isnull=False, listing__delisted_at__isnull=True)
        .filter(listing__order_published_at__isnull=True)
        .annotate(started_at=_started_at())
        .filter(started_at__lt=boundary)
        .exclude(_marked(Action.ORDER_NOT_PUBLISHED))
        .select_related("enterprise", "listing")
    )


def _order_late(hazard: Hazard, now: datetime, dry_run: bool, result: SweepResult) -> None:
    with override(settings.LANGUAGE_CODE):
        note = _(
            "Listed as %(order)s; its rectification order was to be published by %(due)s (%(days)d working "
            "days from the confirmation) and is not."
        ) % {  # fmt: skip
            "order": hazard.listing.order_number,
            "due": _day(listing_clock.order_due(hazard.started_at)),
            "days": settings.LISTING_ORDER_WORKING_DAYS,
        }
    positions = [*listing_authority_positions(hazard.listing), city_office_position()]
    key = f"hz_order_late:{hazard.pk}:{hazard.started_at:%Y%m%d%H%M%S}"
    _tell(hazard, positions, key, ORDER_LATE, note, must_answer=True, action=Action.ORDER_NOT_PUBLISHED,
          dry_run=dry_run, result=result)  # fmt: skip


# --- an extension not decided in time -------------------------------------------------------------------------


UNDECIDED = gettext_lazy("Extension of a listing not decided in time")


def undecided_due(now: datetime, cache: SpecialDays) -> QuerySet:
    boundary = listing_clock.started_before(now, settings.EXTENSION_DECIDE_WORKING_DAYS, cache)
    return ListedSupervision.objects.filter(
        delisted_at__isnull=True, extension_asked_at__lt=boundary, extension_escalated_at__isnull=True
    ).select_related("hazard", "hazard__enterprise")


def _undecided(listing: ListedSupervision, now: datetime, dry_run: bool, result: SweepResult) -> None:
    with override(settings.LANGUAGE_CODE):
        note = _(
            "An extension to %(asked)s was asked on %(day)s and was to be decided by %(due)s (%(days)d working "
            "days); it is not."
        ) % {  # fmt: skip
            "asked": _day(listing.extension_deadline),
            "day": _day(listing.extension_asked_at),
            "due": _day(listing_clock.decision_due(listing.extension_asked_at)),
            "days": settings.EXTENSION_DECIDE_WORKING_DAYS,
        }
    positions = [*listing_authority_positions(listing), city_office_position()]
    key = f"hz_ext_late:{listing.pk}:{listing.extension_asked_at:%Y%m%d%H%M%S}"
    _tell(listing.hazard, positions, key, UNDECIDED, note, must_answer=True, action=Action.EXTENSION_UNDECIDED,
          dry_run=dry_run, result=result)  # fmt: skip
    listing.extension_escalated_at = now
    listing.save(update_fields=["extension_escalated_at"])


# --- a supervising leader without a recorded action ---------------------------------------------------------------


IDLE = gettext_lazy("No action by the supervising leader")


def idle_due(now: datetime) -> QuerySet:
    return (
        ListedSupervision.objects.filter(delisted_at__isnull=True, hazard__status__in=OPEN_STATUSES)
        .annotate(
            idle_since=Greatest(
                "listed_at", Coalesce("leader_acted_at", "listed_at"), Coalesce("leader_reminded_at", "listed_at")
            )
        )  # fmt: skip
        .filter(idle_since__lte=now - timedelta(days=settings.LEADER_IDLE_DAYS))
        .select_related("hazard", "hazard__enterprise", "supervising_leader")
    )


def _idle(listing: ListedSupervision, now: datetime, dry_run: bool, result: SweepResult) -> None:
    with override(settings.LANGUAGE_CODE):
        note = _(
            "No action (studied, coordinated, supervised on site) recorded on listing %(order)s since %(day)s: "
            "please record what you have done on the hazard's page."
        ) % {  # fmt: skip
            "order": listing.order_number,
            "day": _day(listing.idle_since),
        }
    key = f"hz_leader_idle:{listing.pk}:{listing.idle_since:%Y%m%d%H%M%S}"
    _tell(listing.hazard, [listing.supervising_leader], key, IDLE, note, must_answer=False, action=Action.LEADER_IDLE,
          dry_run=dry_run, result=result)  # fmt: skip
    listing.leader_reminded_at = now
    listing.save(update_fields=["leader_reminded_at"])


def connect() -> None:
    kinds.register("hz_unlisted", gettext_lazy("A major hazard not listed in time"), mutable=False)
    kinds.register("hz_order_late", gettext_lazy("A listing's order not published in time"), mutable=False)
    kinds.register("hz_ext_late", gettext_lazy("An extension of a listing not decided in time"), mutable=False)
    kinds.register("hz_leader_idle", gettext_lazy("A listing of mine without a recorded action"))
    sweeps.register(sweep)
