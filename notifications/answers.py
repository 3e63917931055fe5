"""The pass-up: a must-answer notice nobody answered in time goes to the holder's superior position, once.

The notice passed up is worded by the domain it is about, if that domain registered a wording (`register_wording`:
the hazards app words notices about a hazard, with its code, place and deadline, and its own answer limit);
otherwise it carries the unanswered notice's title and the default answer limit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import override

from organizations.models import PositionAssignment
from safety_platform.lib.text import one_line

from .models import TITLE_LENGTH, Notification
from .outbox import Outbox, SweepResult


@dataclass(frozen=True)
class Wording:
    """How a domain words the notice passing up one of its own: `compose(notice, label)` returns the keyword
    arguments of `Outbox.add` (title, body, link, hazard, answer_within), or None when the notice is not its own;
    `related` are the paths to select with the overdue notices so that composing costs no query."""

    compose: Callable[[Notification, str], dict | None]
    related: tuple[str, ...] = ()


_wordings: list[Wording] = []


def register_wording(compose: Callable[[Notification, str], dict | None], related: tuple[str, ...] = ()) -> None:
    """Called from a domain app's `AppConfig.ready()`; registering the same function twice changes nothing."""
    if all(w.compose is not compose for w in _wordings):
        _wordings.append(Wording(compose, tuple(related)))


def default_wording(notice: Notification, label: str) -> dict:
    with override(settings.LANGUAGE_CODE):
        title = one_line(label, TITLE_LENGTH)
    return {"title": title, "body": "", "answer_within": timedelta(minutes=settings.ANSWER_LIMIT_MINUTES)}


def word(notice: Notification, label: str) -> dict:
    for wording in _wordings:
        words = wording.compose(notice, label)
        if words is not None:
            return words
    return default_wording(notice, label)


class _DryRun(Exception):
    pass


def pass_up(now: datetime, batch_size: int, result: SweepResult, dry_run: bool) -> None:
    """Every unanswered must-answer notice past its answer time, in bounded batches."""
    while True:
        done = _answer_batch(now, batch_size, result, dry_run)
        if done < batch_size or dry_run:
            break


def _answer_batch(now: datetime, batch_size: int, result: SweepResult, dry_run: bool) -> int:
    """Must-answer notices past their answer time go to the holder's superior position, once."""
    related = [path for wording in _wordings for path in wording.related]
    try:
        with transaction.atomic():
            overdue = list(
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(
                    must_answer=True, acknowledged_at__isnull=True, escalated_at__isnull=True, answer_due_at__lte=now
                )
                .select_related("position__superior", *related)
                .order_by("answer_due_at")[:batch_size]
            )
            if not overdue:
                return 0
            superiors = {n.position.superior.pk for n in overdue if n.position and n.position.superior}
            holders = defaultdict(list)
            for assignment in (
                PositionAssignment.objects.current()
                .filter(position_id__in=superiors, user__is_active=True)
                .select_related("user")
            ):
                holders[assignment.position_id].append(assignment.user)
            outbox = Outbox(now)
            for notice in overdue:
                superior = notice.position.superior if notice.position else None
                users = holders.get(superior.pk, []) if superior else []
                if users:
                    words = word(notice, _("Unanswered: %(title)s") % {"title": notice.title})
                for user in users:
                    outbox.add(f"up:{notice.pk}:{user.pk}", user, superior, parent=notice, **words)
                notice.escalated_at = now
                if not users:
                    notice.vacancy_note = _("No superior position holder to pass this to.")
                result.passed_up += 1
            result.notifications += outbox.flush(dry_run)
            if dry_run:
                raise _DryRun
            Notification.objects.bulk_update(overdue, ["escalated_at", "vacancy_note"])
            return len(overdue)
    except _DryRun:
        return len(overdue)
