"""Filing a hazard: the code, the three responsibilities, recurrence, and idempotency (a retried submit files it
once)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.models import Enterprise, User
from organizations.responsibility import derive_responsibility
from safety_platform.lib import bounds
from safety_platform.lib.images import clean_images
from safety_platform.lib.text import place_key

from .. import escalation
from ..choices import ENTERPRISE_SOURCES, OPEN_STATUSES, Action, Level, PhotoKind, Source, Status
from ..models import Hazard, HazardCategory, HazardPhoto
from . import notices
from ._common import _discard_files, _event, _future_deadline, _locked, _store_photos
from .permissions import check, require_filer


def next_code(region_code: str, year: int) -> str:
    """`YH-<county code>-<year>-<seq>`: the counter row is bumped in the caller's transaction, so a rolled-back
    filing gives its number back (no gaps) and concurrent filings queue on the row (no clashes)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO hazards_hazardcodecounter (region_code, year, last) VALUES (%s, %s, 1) "
            "ON CONFLICT (region_code, year) DO UPDATE SET last = hazards_hazardcodecounter.last + 1 "
            "RETURNING last",
            [region_code, year],
        )
        (number,) = cursor.fetchone()
    return f"YH-{region_code}-{year}-{number:05d}"


def find_recurrence(enterprise: Enterprise, category: HazardCategory, place: str) -> Hazard | None:
    """A hazard of the same kind at the same place of the same enterprise (places compared normalised, see
    `place_key`), closed within the last HAZARD_RECURRENCE_DAYS days (that day included)."""
    since = timezone.now() - timedelta(days=settings.HAZARD_RECURRENCE_DAYS)
    return (
        Hazard.objects.filter(
            enterprise=enterprise,
            category=category,
            place_key=place_key(place),
            status=Status.CLOSED,
            closed_at__gte=since,
        )  # fmt: skip
        .order_by("-closed_at")
        .first()
    )


def find_open_matches(actor: User, enterprise: Enterprise | int, category: HazardCategory | int, place: str):
    """The open hazards the actor can see at the same enterprise, of the same category, whose place is the same
    once normalised: shown to a filer, who may add the finding to one of them instead of filing a new one. One
    indexed query (`hazard_recurrence_key`); an empty place matches nothing."""
    key = place_key(place)
    if not key:
        return Hazard.objects.none()
    return (
        Hazard.objects.visible_to(actor)
        .filter(enterprise=enterprise, category=category, place_key=key, status__in=OPEN_STATUSES)
        .select_related("category")
        .order_by("-id")
    )


def other_category() -> HazardCategory:
    """The category of a finding whose checklist item names none."""
    return HazardCategory.objects.get(code="other")


@dataclass
class Filing:
    enterprise: Enterprise | int
    title: str
    place: str
    category: HazardCategory
    level: str = Level.GENERAL
    description: str = ""
    source: str = Source.INSPECTION
    legal_basis: str = ""
    checklist_item: str = ""  # the requirement of the failed checklist item a finding comes from
    deadline: datetime | None = None
    found_at: datetime | None = None
    photos: tuple = ()
    idempotency_key: uuid.UUID | None = None


def file_hazard(actor: User, filing: Filing) -> tuple[Hazard, bool]:
    """File a hazard; returns (hazard, created). The same idempotency key from the same person returns the
    hazard the first submit created, so a double tap or a retry on a bad network files it once."""
    is_enterprise = require_filer(actor)
    if filing.idempotency_key:
        earlier = Hazard.objects.filter(created_by=actor, idempotency_key=filing.idempotency_key).first()
        if earlier:
            return earlier, False
    enterprise_id = filing.enterprise.pk if isinstance(filing.enterprise, Enterprise) else filing.enterprise
    enterprise = Enterprise.objects.visible_to(actor).select_related("region").filter(pk=enterprise_id).first()
    if enterprise is None:
        raise ValidationError({"enterprise": _("Choose an enterprise within your scope.")})
    if filing.deadline is not None:
        _future_deadline(filing.deadline)
    if filing.found_at is not None:
        bounds.check_past(filing.found_at, "found_at", _("The time found"))
    images = clean_images(filing.photos)
    try:
        return _create(actor, filing, enterprise, images, is_enterprise), True
    except IntegrityError:
        earlier = Hazard.objects.filter(created_by=actor, idempotency_key=filing.idempotency_key).first()
        if filing.idempotency_key and earlier:
            return earlier, False
        raise


def _create(actor: User, filing: Filing, enterprise: Enterprise, images: list, is_enterprise: bool) -> Hazard:
    stored: list[HazardPhoto] = []
    try:
        with transaction.atomic():
            codes = enterprise.region.ancestor_codes()
            found_at = filing.found_at or timezone.now()
            place = filing.place.strip()
            responsibility = derive_responsibility(enterprise)
            recurrence = find_recurrence(enterprise, filing.category, place)
            hazard = Hazard.objects.create(
                code=next_code(codes[1] if len(codes) > 1 else codes[0], timezone.localtime(found_at).year),
                title=filing.title.strip(),
                description=filing.description,
                enterprise=enterprise,
                place=place,
                category=filing.category,
                level=filing.level,
                source=filing.source if not is_enterprise or filing.source in ENTERPRISE_SOURCES else Source.SELF_CHECK,
                legal_basis=filing.legal_basis,
                checklist_item=filing.checklist_item[:500],
                found_at=found_at,
                found_by=actor,
                deadline=filing.deadline,
                region=responsibility.region,
                region_path=enterprise.region.path,
                industry_id=enterprise.industry_id,
                territorial_position=responsibility.territorial_position,
                department=responsibility.department,
                principal_position=responsibility.principal_position,
                supervision_gap=responsibility.supervision_gap,
                recurrence_of=recurrence,
                created_by=actor,
                idempotency_key=filing.idempotency_key,
            )
            stored = _store_photos(hazard, actor, images, PhotoKind.FINDING)
            filed = _event(
                hazard,
                actor,
                Action.FILE,
                "",
                photos=len(stored),
                recurrence_of=recurrence.code if recurrence else None,
                department=str(responsibility.department) if responsibility.department else None,
            )
            escalation.follow(hazard)  # the wait for the supervising department's confirmation
            notices.hand_off(hazard, actor, filed)  # the supervising department, told once, with the filing
            return hazard
    except Exception:
        _discard_files(stored)
        raise


def add_finding(actor: User, hazard: Hazard | int, place: str = "", description: str = "", photos=()) -> Hazard:
    """A finding that repeats an open hazard is added to it instead of filed anew: a timeline event (the place as
    given, what was seen) and the photos as finding photos, by whoever may file and work on the hazard, while it is
    open (409 once it is not)."""
    images = clean_images(photos)
    stored: list[HazardPhoto] = []
    try:
        with transaction.atomic():
            hazard = _locked(actor, hazard)
            check(actor, hazard, "add_finding")
            stored = _store_photos(hazard, actor, images, PhotoKind.FINDING)
            _event(hazard, actor, Action.ADD_FINDING, hazard.status, (description or "").strip(),
                   place=(place or "").strip()[:200], photos=len(stored))  # fmt: skip
            return hazard
    except Exception:
        _discard_files(stored)
        raise
