"""Listed supervision (挂牌督办) of a major hazard: listing under a leader, de-listing (摘牌) by hand, and the
leaders a listing may name."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.choices import PositionKind
from organizations.models import Position, User

from ..choices import Action
from ..models import Hazard, ListedSupervision
from . import notices
from ._common import _event, _future_deadline, _locked, _require_reason
from .permissions import _listed, _listing_authority, active_listing, check_when, check_who
from .supervision import check_listing_deadline


@dataclass
class Listing:
    authority: str
    supervising_leader: Position
    order_number: str
    deadline: datetime
    public_notice: str = ""


def list_supervision(actor: User, hazard: Hazard | int, listing: Listing) -> Hazard:
    """挂牌督办: a department head lists for the department, a territorial leader or the city office for the
    government; the supervising leader is a position, told as its holders change. The role is checked at the
    authority level asked for (the rule's own check asks at the actor's own level, as pages and the API offer)."""
    with transaction.atomic():
        hazard = _locked(actor, hazard)
        department, region = _listing_authority(actor, listing.authority)
        check_when(hazard, "list_supervision")
        if not (listing.order_number or "").strip():
            raise ValidationError({"order_number": _("This field is required.")})
        if not leader_positions(hazard).filter(pk=listing.supervising_leader.pk).exists():
            raise ValidationError(
                {"supervising_leader": _("Choose a department head or territorial leader over this hazard's region.")}
            )
        now = timezone.now()
        deadline = _future_deadline(listing.deadline)
        check_listing_deadline(deadline, now)
        ListedSupervision.objects.update_or_create(
            hazard=hazard,
            defaults={
                "authority": listing.authority,
                "department": department,
                "region": region,
                "supervising_leader": listing.supervising_leader,
                "order_number": listing.order_number.strip(),
                "deadline": deadline,
                "public_notice": listing.public_notice,
                "listed_by": actor,
                "listed_at": now,
                "delisted_at": None,
                # A public notice given with the listing publishes the rectification order with it.
                "order_published_at": now if (listing.public_notice or "").strip() else None,
                **_FRESH,
            },
        )
        listed = _event(
            hazard,
            actor,
            Action.LIST_SUPERVISION,
            hazard.status,
            order=listing.order_number,
            leader=str(listing.supervising_leader),
            authority=str(department or region),
        )
        notices.hand_off(hazard, actor, listed)  # the supervising leader
        return hazard


# What a listing made again (a reopened hazard listed anew) starts without.
_FRESH = {
    "leader_acted_at": None,
    "leader_reminded_at": None,
    "extension_deadline": None,
    "extension_reason": "",
    "extension_asked_at": None,
    "extension_asked_by": None,
    "extension_escalated_at": None,
}


def leader_positions(hazard: Hazard):
    """Leaders who can supervise a listing: department heads and territorial leaders over the hazard's region."""
    codes = hazard.region.ancestor_codes()
    return (
        Position.objects.filter(kind__in=[PositionKind.TERRITORIAL_LEADER, PositionKind.DEPARTMENT_HEAD])
        .filter(Q(region__code__in=codes) | Q(department__region__code__in=codes))
        .order_by("unit_kind", "title")
    )


def delist(actor: User, hazard: Hazard | int, reason: str) -> Hazard:
    """摘牌 by hand, for a listing closure did not end (acceptance de-lists by itself). Not listed (409) is told
    before who may not de-list it (403), whose authority is the listing's."""
    _require_reason(reason)
    with transaction.atomic():
        hazard = _locked(actor, hazard)
        _listed(hazard)
        check_who(actor, hazard, "delist")
        check_when(hazard, "delist")
        listing = active_listing(hazard)
        listing.delisted_at = timezone.now()
        listing.save(update_fields=["delisted_at"])
        _event(hazard, actor, Action.DELIST, hazard.status, reason, order=listing.order_number)
        return hazard
