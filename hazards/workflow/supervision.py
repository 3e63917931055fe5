"""A listing's life after it is made: the rectification order published, the supervising leader's own actions
(研究、协调、督办, with photos), and the extension of the listing's deadline, asked by the enterprise and decided by
the listing authority. The clocks these keep are in `hazards/listing_clock.py`; their sweeps in
`hazards/listing_sweeps.py`."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hazards import escalation
from organizations.models import User
from safety_platform.lib.images import clean_images
from workdays.calendar import END_OF_DAY, SHANGHAI, local_date

from .. import listing_clock
from ..choices import LEADER_EVENTS, Action, LeaderAction, PhotoKind
from ..models import Hazard, HazardPhoto, ListedSupervision
from . import notices
from ._common import _discard_files, _event, _future_deadline, _locked, _require_reason, _store_photos
from .permissions import _listed, check_when, check_who


def check_listing_deadline(deadline: datetime, listed_at: datetime, field: str = "deadline") -> None:
    """A listing's deadline lies at most `LISTING_MAX_DAYS` after the day it was listed (400 naming the last day)."""
    last = listing_clock.latest_deadline_day(listed_at)
    if local_date(deadline) > last:
        raise ValidationError(
            {field: _("A listing lasts at most one year: its deadline cannot be later than %(date)s.") % {"date": last}}
        )


def publish_order(actor: User, hazard: Hazard | int, public_notice: str) -> Hazard:
    """The rectification order (督办令) of a listing made without one, published by the listing authority."""
    with transaction.atomic():
        hazard = _locked(actor, hazard)
        _listed(hazard)
        check_who(actor, hazard, "publish_order")
        check_when(hazard, "publish_order")
        if not (public_notice or "").strip():
            raise ValidationError({"public_notice": _("This field is required.")})
        listing = hazard.listing
        listing.public_notice, listing.order_published_at = public_notice.strip(), timezone.now()
        listing.save(update_fields=["public_notice", "order_published_at"])
        published = _event(hazard, actor, Action.PUBLISH_ORDER, hazard.status, order=listing.order_number)
        notices.hand_off(hazard, actor, published)  # the enterprise principal
        return hazard


def record_leader_action(actor: User, hazard: Hazard | int, kind: str, day: date, note: str, photos=()) -> Hazard:
    """The supervising leader's own action on the listing, on its timeline with its day, note and photos. Only the
    leader's holders record it; a hazard not listed is refused (409) before anyone else is (403)."""
    images = clean_images(photos)  # every photo checked before anything is written
    stored: list[HazardPhoto] = []
    try:
        with transaction.atomic():
            hazard = _locked(actor, hazard)
            _listed(hazard)
            check_who(actor, hazard, "leader_action")
            _check_leader_input(kind, day, note)
            listing = hazard.listing
            if day < local_date(listing.listed_at):
                raise ValidationError({"date": _("The action cannot be before the listing (%(date)s).")
                                       % {"date": local_date(listing.listed_at)}})  # fmt: skip
            stored = _store_photos(hazard, actor, images, PhotoKind.SUPERVISION)
            acted = _acted_at(day)
            listing.leader_acted_at = max(filter(None, (listing.leader_acted_at, acted)))
            listing.save(update_fields=["leader_acted_at"])
            _event(hazard, actor, LEADER_EVENTS[kind], hazard.status, date=day.isoformat(), note=note.strip(),
                   photo_ids=[p.pk for p in stored])  # fmt: skip
            return hazard
    except Exception:
        _discard_files(stored)
        raise


def _check_leader_input(kind: str, day: date | None, note: str) -> None:
    errors = {}
    if kind not in LeaderAction.values:
        errors["kind"] = _("Choose studied, coordinated or supervised on site.")
    if day is None:
        errors["date"] = _("This field is required.")
    elif day > local_date(timezone.now()):
        errors["date"] = _("The action cannot be in the future.")
    if not (note or "").strip():
        errors["note"] = _("Say what was done.")
    if errors:
        raise ValidationError(errors)


def _acted_at(day: date) -> datetime:
    """Today's action counts from now; an earlier day's from the end of that day."""
    now = timezone.now()
    return now if day == local_date(now) else datetime.combine(day, END_OF_DAY, tzinfo=SHANGHAI)


def ask_extension(actor: User, hazard: Hazard | int, deadline: datetime | None, reason: str) -> Hazard:
    """The enterprise asks the listing authority to extend the listing's deadline: at least
    `EXTENSION_ASK_WORKING_DAYS` working days before it (later: 409 naming the last day), to a day no later than
    a year after the listing (400), one ask at a time (409)."""
    with transaction.atomic():
        hazard = _locked(actor, hazard)
        _listed(hazard)
        check_who(actor, hazard, "ask_extension")
        check_when(hazard, "ask_extension")
        _require_reason(reason)
        listing = hazard.listing
        deadline = _future_deadline(deadline)
        if deadline <= listing.deadline:
            raise ValidationError({"deadline": _("The new deadline must be later than the current one.")})
        check_listing_deadline(deadline, listing.listed_at)
        listing.extension_deadline, listing.extension_reason = deadline, reason.strip()
        listing.extension_asked_at, listing.extension_asked_by = timezone.now(), actor
        listing.extension_escalated_at = None
        listing.save(update_fields=_EXTENSION_FIELDS)
        asked = _event(hazard, actor, Action.ASK_EXTENSION, hazard.status, reason, old=listing.deadline, new=deadline,
                       decide_by=listing_clock.decision_due(listing.extension_asked_at))  # fmt: skip
        notices.hand_off(hazard, actor, asked, reason)  # the listing authority
        return hazard


_EXTENSION_FIELDS = [
    "extension_deadline",
    "extension_reason",
    "extension_asked_at",
    "extension_asked_by",
    "extension_escalated_at",
]


def decide_extension(actor: User, hazard: Hazard | int, approve: bool, reason: str = "") -> Hazard:
    """The listing authority approves the pending ask (the listing's and the hazard's deadline move to it, and the
    escalation starts again for it) or refuses it with a reason; either way the ask is done."""
    with transaction.atomic():
        hazard = _locked(actor, hazard)
        _listed(hazard)
        check_who(actor, hazard, "decide_extension")
        check_when(hazard, "decide_extension")
        if not approve:
            _require_reason(reason)
        listing = hazard.listing
        old, asked = listing.deadline, listing.extension_deadline
        if approve:
            listing.deadline = asked
            _extend_hazard(hazard, asked)
        _clear_ask(listing)
        action = Action.EXTENSION_APPROVED if approve else Action.EXTENSION_REFUSED
        decided = _event(hazard, actor, action, hazard.status, reason, old=old, new=asked if approve else old)
        notices.hand_off(hazard, actor, decided, reason)  # the enterprise principal
        return hazard


def _extend_hazard(hazard: Hazard, deadline: datetime) -> None:
    if hazard.deadline is None or hazard.deadline < deadline:
        hazard.deadline = deadline
        hazard.save(update_fields=["deadline", "updated_at"])
        escalation.start(hazard)  # a new deadline is a new escalation, as for any extension


def _clear_ask(listing: ListedSupervision) -> None:
    listing.extension_deadline, listing.extension_reason = None, ""
    listing.extension_asked_at = listing.extension_asked_by = listing.extension_escalated_at = None
    listing.save(update_fields=["deadline", *_EXTENSION_FIELDS])
