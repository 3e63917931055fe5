"""The pass-up: a must-answer notice nobody answered in time goes to the holder's superior position, once.

The notice passed up is worded by the domain it is about, if that domain registered a wording (`register_wording`:
the hazards app words notices about a hazard, with its code, place and deadline, and its own answer limit);
otherwise it carries the unanswered notice's title, its link and its answer limit (a roll call answered within
5 minutes passes up to be answered within 5 minutes, pointing where the original pointed).

Where the superior position is vacant, or the post has none, the notice goes to the city office's staff instead,
worded the same and naming the vacancy (a notice of a city office position itself has nobody above it).

A wording may name a `group` (a risk theme's, a lesson's): the notices of one group passing to the same person are
then summed into one notice a day (key `up:<group>:<person>:<YYYYMMDD>`), which says how many it stands for and
links to the list of them all, instead of one notice per enterprise (a lesson to 50,000 enterprises left unanswered
would otherwise put 50,000 notices before each of the city office's staff). Later ones of the same group that day
are marked passed up under the same notice, whose link lists them.
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

from organizations.choices import UnitKind
from organizations.models import PositionAssignment
from organizations.responsibility import city_office_staff_positions
from safety_platform.lib.text import one_line

from .models import TITLE_LENGTH, Notification
from .outbox import Outbox, SweepResult, notices_passed_up


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


def original_limit(notice: Notification) -> timedelta:
    """The answer limit the notice was sent with (the default one for a notice that had none)."""
    if notice.answer_due_at and notice.created_at and notice.answer_due_at > notice.created_at:
        return notice.answer_due_at - notice.created_at
    return timedelta(minutes=settings.ANSWER_LIMIT_MINUTES)


def default_wording(notice: Notification, label: str) -> dict:
    with override(settings.LANGUAGE_CODE):
        title = one_line(label, TITLE_LENGTH)
    return {"title": title, "body": notice.body, "link": notice.link, "answer_within": original_limit(notice)}


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
            recipients = Recipients(overdue)
            outbox = Outbox(now)
            summed: dict[str, int] = defaultdict(int)  # a summed notice's key -> how many it stands for
            group_bodies: dict[str, str] = {}  # its text when it stands for several ("" : the first one's)
            for notice in overdue:
                pairs, note = recipients.of(notice)
                group = ""
                if pairs:
                    words = word(notice, _("Unanswered: %(title)s") % {"title": notice.title})
                    group, group_body = words.pop("group", ""), words.pop("group_body", "")
                    words["body"] = "\n".join(filter(None, [words.get("body", ""), note]))
                for user, position in pairs:
                    key = f"up:{group}:{user.pk}:{now:%Y%m%d}" if group else f"up:{notice.pk}:{user.pk}"
                    outbox.add(key, user, position, parent=notice, vacancy_note=note, **words)
                    if group:
                        summed[key] += 1
                        group_bodies[key] = group_body
                notice.escalated_at = now
                if not pairs:
                    note = _("No superior position holder to pass this to.")
                notice.vacancy_note = note[:200]
                result.passed_up += 1
            _sum_up(outbox, summed, group_bodies)
            result.notifications += outbox.flush(dry_run)
            if dry_run:
                raise _DryRun
            Notification.objects.bulk_update(overdue, ["escalated_at", "vacancy_note"])
            notices_passed_up.send(sender=Notification, notices=overdue, at=now)
            return len(overdue)
    except _DryRun:
        return len(overdue)


def _sum_up(outbox: Outbox, summed: dict[str, int], bodies: dict[str, str]) -> None:
    """A summed notice standing for several says how many (in the group's own text when its wording gave one as
    `group_body`, the first one's otherwise), and answers to none of them alone (no parent: one enterprise's late
    answer must not settle the others')."""
    for key, count in summed.items():
        if count > 1:
            row = outbox.rows[key]
            row.parent = None
            with override(settings.LANGUAGE_CODE):
                more = _("%(count)d unanswered notices of this kind passed up together; the link lists them all.")
            text = [bodies[key], row.vacancy_note] if bodies.get(key) else [row.body]
            row.body = "\n".join(filter(None, [*text, more % {"count": count}]))


class Recipients:
    """Who each overdue notice of a batch passes to: the holders of its position's superior, or, where that is
    vacant or missing, the city office's staff with the vacancy named; two queries for the batch."""

    def __init__(self, overdue: list[Notification]) -> None:
        superiors = {n.position.superior_id for n in overdue if n.position and n.position.superior_id}
        staff = list(city_office_staff_positions())
        holders: dict[int, list] = defaultdict(list)
        for assignment in (
            PositionAssignment.objects.current()
            .filter(position_id__in=superiors | {p.pk for p in staff}, user__is_active=True)
            .select_related("user")
            .order_by("position_id", "user_id")
        ):
            holders[assignment.position_id].append(assignment.user)
        self.holders = holders
        # Each member of the staff once, as the holder of their first staff position.
        self.staff: dict[int, tuple] = {}
        for position in staff:
            for user in holders.get(position.pk, []):
                self.staff.setdefault(user.pk, (user, position))

    def of(self, notice: Notification) -> tuple[list[tuple], str]:
        """The (person, position) pairs the notice passes to, and the vacancy note ("" when there is none)."""
        position = notice.position
        if position is None:
            return [], ""
        superior = position.superior
        if superior and self.holders.get(superior.pk):
            return [(user, superior) for user in self.holders[superior.pk]], ""
        staff = [pair for pk, pair in self.staff.items() if pk != notice.recipient_id]
        if position.unit_kind == UnitKind.CITY_OFFICE or not staff:
            return [], ""  # nobody above the city office; or nobody at the city office either
        with override(settings.LANGUAGE_CODE):
            if superior:
                vacancy = _("%(superior)s (above %(position)s) is vacant") % {
                    "superior": superior,
                    "position": position,
                }
            else:
                vacancy = _("%(position)s has no superior position") % {"position": position}
            return staff, _("%(vacancy)s; passed to the city office's staff.") % {"vacancy": vacancy}
