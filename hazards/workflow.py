"""Every change of a hazard's state, each in one function.

Each function (1) finds the hazard within the actor's visible scope (else 404), locking its row,
(2) checks the actor's role (else 403), (3) checks the state (else 409), (4) validates the input
(else field errors), then (5) changes the rows and writes the timeline event in the same transaction.
Pages, the API, the admin and tasks call these; none of them changes a hazard by itself.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.choices import PositionKind, UnitKind
from organizations.models import Department, Enterprise, Position, Region, User
from organizations.responsibility import SupervisionMap, principal_position, territorial_leader_position
from organizations.roles import DEPARTMENT_STAFF, ENTERPRISE_STAFF, GOVERNMENT_STAFF
from organizations.scope import Scope
from safety_platform.lib import bounds, pdfs
from safety_platform.lib.errors import Conflict
from safety_platform.lib.images import CleanImage, ImageRejected, clean_image

from . import escalation
from .choices import OPEN_STATUSES, Action, Authority, Level, PhotoKind, Source, Status
from .models import (
    EvaluationDocument,
    Hazard,
    HazardCategory,
    HazardEvent,
    HazardPhoto,
    ListedSupervision,
    RectificationPlan,
)

# --- helpers -----------------------------------------------------------------------------------------


def _deny(message: str) -> None:
    raise PermissionDenied(message)


def _require(actor: User, *kinds: str) -> None:
    if not (actor.is_superuser or actor.holds(*kinds)):
        _deny(_("Your position does not allow this."))


def _require_status(hazard: Hazard, *statuses: str) -> None:
    if hazard.status not in statuses:
        raise Conflict(
            _("This cannot be done while the hazard is %(status)s.") % {"status": hazard.get_status_display()}
        )


def _locked(actor: User, hazard: Hazard | int) -> Hazard:
    """The hazard, re-read and row-locked inside the caller's transaction; out of scope is a 404."""
    pk = hazard.pk if isinstance(hazard, Hazard) else hazard
    try:
        return Hazard.objects.visible_to(actor).select_for_update().get(pk=pk)
    except Hazard.DoesNotExist:
        raise Http404 from None


def _event(hazard: Hazard, actor: User | None, action: str, before: str, reason: str = "", **data) -> HazardEvent:
    return HazardEvent.objects.create(
        hazard=hazard,
        actor=actor,
        action=action,
        from_status=before,
        to_status=hazard.status,
        reason=reason,
        data={k: _plain(v) for k, v in data.items()},
    )


def _plain(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, (str, int, float, bool, type(None), list, dict)):
        return value
    return str(value)


def _future_deadline(deadline: datetime | None, field: str = "deadline") -> datetime:
    """Every deadline set on a hazard, its plan or its listing: in the future, within the horizon."""
    return bounds.check_deadline(deadline, field)


def _clean_photos(files, field: str = "photos") -> list[CleanImage]:
    """Check every upload before anything is written, so a bad file stores nothing at all."""
    cleaned = []
    for upload in files or ():
        try:
            cleaned.append(clean_image(upload))
        except ImageRejected as exc:
            raise ValidationError({field: f"{getattr(upload, 'name', '')}: {exc.message}"}) from exc
    return cleaned


def _store_photos(hazard: Hazard, actor: User, images: list[CleanImage], kind: str) -> list[HazardPhoto]:
    photos = []
    for image in images:
        photo = HazardPhoto(hazard=hazard, kind=kind, uploaded_by=actor)
        photo.store(image)
        photos.append(photo)
    return photos


def _discard_files(hazard_photos: list[HazardPhoto]) -> None:
    for photo in hazard_photos:
        photo.discard()


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


@dataclass(frozen=True)
class Responsibility:
    region: Region
    territorial_position: Position | None
    department: Department | None
    principal_position: Position | None
    supervision_gap: bool


def derive_responsibility(enterprise: Enterprise) -> Responsibility:
    """The three responsible parties (三个责任) from the enterprise's region and industry."""
    supervision = SupervisionMap().resolve(enterprise)
    return Responsibility(
        region=enterprise.region,
        territorial_position=territorial_leader_position(enterprise.region),
        department=supervision.department,
        principal_position=principal_position(enterprise),
        supervision_gap=supervision.is_gap,
    )


def find_recurrence(enterprise: Enterprise, category: HazardCategory, place: str) -> Hazard | None:
    """A hazard of the same kind at the same place of the same enterprise, closed within the look-back window."""
    since = timezone.now() - timedelta(days=settings.HAZARD_RECURRENCE_DAYS)
    return (
        Hazard.objects.filter(
            enterprise=enterprise, category=category, place=place, status=Status.CLOSED, closed_at__gte=since
        )
        .order_by("-closed_at")
        .first()
    )


# --- filing ------------------------------------------------------------------------------------------


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
    deadline: datetime | None = None
    found_at: datetime | None = None
    photos: tuple = ()
    idempotency_key: uuid.UUID | None = None


def require_filer(actor: User) -> bool:
    """Government staff file hazards; an enterprise's principal or safety manager files its self-checks.
    Returns whether the actor files for an enterprise."""
    is_enterprise = actor.unit_kind == UnitKind.ENTERPRISE and not actor.is_superuser
    _require(actor, *(ENTERPRISE_STAFF if is_enterprise else GOVERNMENT_STAFF))
    return is_enterprise


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
    images = _clean_photos(filing.photos)
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
                source=Source.SELF_CHECK if is_enterprise else filing.source,
                legal_basis=filing.legal_basis,
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
            _event(
                hazard,
                actor,
                Action.FILE,
                "",
                photos=len(stored),
                recurrence_of=recurrence.code if recurrence else None,
                department=str(responsibility.department) if responsibility.department else None,
            )
            return hazard
    except Exception:
        _discard_files(stored)
        raise


# --- transitions -------------------------------------------------------------------------------------


def confirm(actor: User, hazard: Hazard | int, deadline: datetime | None = None) -> Hazard:
    with transaction.atomic():
        hazard = _locked(actor, hazard)
        _require(actor, *GOVERNMENT_STAFF)
        _require_status(hazard, Status.REPORTED)
        hazard.deadline = _future_deadline(deadline or hazard.deadline)
        before, hazard.status = hazard.status, Status.CONFIRMED
        hazard.save(update_fields=["deadline", "status", "updated_at"])
        _event(hazard, actor, Action.CONFIRM, before, deadline=hazard.deadline)
        escalation.start(hazard)
        return hazard


PLAN_FIELDS = ("responsible_person", "measures", "funds", "deadline", "contingency_plan")
MAJOR_PLAN_FIELDS = (
    "goal",
    "methods",
    "materials",
    "responsible_body",
    "safety_measures",
    "state_and_cause",
    "harm_and_difficulty",
)
INTERIM_FIELDS = ("workers_withdrawn", "warnings_posted", "production_stopped", "interim_measures")


def submit_plan(actor: User, hazard: Hazard | int, plan: dict) -> Hazard:
    """The enterprise's plan (五落实); a major hazard also needs the governance plan, the report and interim
    measures. Submitting again while rectifying replaces the plan, and the timeline says so."""
    with transaction.atomic():
        hazard = _locked(actor, hazard)
        _require_enterprise(actor, hazard)
        _require_status(hazard, Status.CONFIRMED, Status.RECTIFYING)
        _validate_plan(hazard, plan)
        values = {k: plan.get(k) for k in PLAN_FIELDS + MAJOR_PLAN_FIELDS + INTERIM_FIELDS if k in plan}
        RectificationPlan.objects.update_or_create(
            hazard=hazard, defaults={**values, "submitted_by": actor, "submitted_at": timezone.now()}
        )
        before, hazard.status = hazard.status, Status.RECTIFYING
        hazard.save(update_fields=["status", "updated_at"])
        _event(hazard, actor, Action.SUBMIT_PLAN, before, deadline=plan["deadline"], funds=str(plan["funds"]))
        return hazard


def _require_enterprise(actor: User, hazard: Hazard) -> None:
    if actor.is_superuser:
        return
    if actor.enterprise_id != hazard.enterprise_id or not actor.holds(*ENTERPRISE_STAFF):
        _deny(_("Only the enterprise's principal person or safety manager can do this."))


def _validate_plan(hazard: Hazard, plan: dict) -> None:
    errors = {f: _("This field is required.") for f in PLAN_FIELDS if plan.get(f) in (None, "")}
    if plan.get("funds") is not None and plan["funds"] < 0:
        errors["funds"] = _("Funds cannot be negative.")
    deadline = plan.get("deadline")
    if deadline is not None:
        try:
            _future_deadline(deadline)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if "deadline" not in errors and hazard.deadline and deadline > hazard.deadline:
            errors["deadline"] = _("The plan cannot end after the rectification deadline; ask for an extension.")
    if hazard.level == Level.MAJOR:
        for field in MAJOR_PLAN_FIELDS:
            if not (plan.get(field) or "").strip():
                errors[field] = _("A major hazard's governance plan and report need this.")
        if not any(plan.get(f) for f in INTERIM_FIELDS):
            errors["interim_measures"] = _("State the interim safety measures while the major hazard is open.")
    if errors:
        raise ValidationError(errors)


def submit_rectification(actor: User, hazard: Hazard | int, description: str, photos=()) -> Hazard:
    images = _clean_photos(photos)
    if not (description or "").strip():
        raise ValidationError({"description": _("Describe what was done.")})
    stored: list[HazardPhoto] = []
    try:
        with transaction.atomic():
            hazard = _locked(actor, hazard)
            _require_enterprise(actor, hazard)
            _require_status(hazard, Status.RECTIFYING)
            stored = _store_photos(hazard, actor, images, PhotoKind.EVIDENCE)
            before, hazard.status, hazard.rectified_by = hazard.status, Status.AWAITING_ACCEPTANCE, actor
            hazard.save(update_fields=["status", "rectified_by", "updated_at"])
            escalation.stop(hazard)  # the enterprise has done its part; a rejection resumes it
            _event(hazard, actor, Action.SUBMIT_RECTIFICATION, before, description=description, photos=len(stored))
            return hazard
    except Exception:
        _discard_files(stored)
        raise


def _require_acceptor(actor: User, hazard: Hazard) -> None:
    """Acceptance is by the supervising department (the listing one for a listed major hazard), never by
    whoever rectified."""
    if actor.pk == hazard.rectified_by_id:
        _deny(_("Whoever rectified a hazard cannot accept it."))
    if actor.is_superuser:
        return
    listing = getattr(hazard, "listing", None)
    if listing and listing.department_id:
        accepted = {listing.department_id}  # a listed major hazard: the department that listed it, no other
    elif hazard.department:
        accepted = {hazard.department_id, hazard.department.mirrors_id}  # or the city department it mirrors
    else:
        accepted = set()
    if not (actor.department_id in accepted and actor.holds(*DEPARTMENT_STAFF)):
        _deny(_("Only the supervising department can accept or reject this hazard."))


def accept(actor: User, hazard: Hazard | int, comment: str = "") -> Hazard:
    with transaction.atomic():
        hazard = _locked(actor, hazard)
        _require_acceptor(actor, hazard)
        _require_status(hazard, Status.AWAITING_ACCEPTANCE)
        if hazard.level == Level.MAJOR and not hazard.evaluations.exists():
            raise ValidationError({"evaluation": _("Attach the evaluation of the rectification before closing.")})
        before, hazard.status, hazard.closed_at = hazard.status, Status.CLOSED, timezone.now()
        hazard.save(update_fields=["status", "closed_at", "updated_at"])
        _event(hazard, actor, Action.ACCEPT, before, comment)
        escalation.stop(hazard)
        listing = ListedSupervision.objects.filter(hazard=hazard, delisted_at__isnull=True).first()
        if listing:
            listing.delisted_at = hazard.closed_at
            listing.save(update_fields=["delisted_at"])
            _event(hazard, actor, Action.DELIST, hazard.status, _("De-listed on closure"), order=listing.order_number)
        return hazard


def reject(actor: User, hazard: Hazard | int, reason: str) -> Hazard:
    _require_reason(reason)
    with transaction.atomic():
        hazard = _locked(actor, hazard)
        _require_acceptor(actor, hazard)
        _require_status(hazard, Status.AWAITING_ACCEPTANCE)
        before, hazard.status = hazard.status, Status.RECTIFYING
        hazard.save(update_fields=["status", "updated_at"])
        _event(hazard, actor, Action.REJECT, before, reason)
        escalation.start(hazard)
        return hazard


def _require_reason(reason: str) -> None:
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give a reason.")})


def dismiss(actor: User, hazard: Hazard | int, reason: str) -> Hazard:
    _require_reason(reason)
    with transaction.atomic():
        hazard = _locked(actor, hazard)
        _require(actor, *GOVERNMENT_STAFF)
        _require_status(hazard, Status.REPORTED, Status.CONFIRMED)
        before, hazard.status = hazard.status, Status.DISMISSED
        hazard.save(update_fields=["status", "updated_at"])
        _event(hazard, actor, Action.DISMISS, before, reason)
        escalation.stop(hazard)
        return hazard


def extend_deadline(actor: User, hazard: Hazard | int, deadline: datetime | None = None, reason: str = "") -> Hazard:
    """Approved by the head of the supervising department or the city office; old and new are recorded. Who may
    not see (404) or not approve (403) is told so before what is missing from the request (400)."""
    with transaction.atomic():
        hazard = _locked(actor, hazard)
        _require(actor, PositionKind.DEPARTMENT_HEAD, PositionKind.CITY_OFFICE_STAFF)
        if actor.unit_kind == UnitKind.DEPARTMENT and hazard.department_id not in (
            actor.department_id,
            *Department.objects.filter(pk=actor.department_id).values_list("mirrored_by", flat=True),
        ):
            _deny(_("Only the head of the supervising department or the city office can extend the deadline."))
        _require_reason(reason)
        _require_status(hazard, Status.CONFIRMED, Status.RECTIFYING, Status.AWAITING_ACCEPTANCE)
        deadline = _future_deadline(deadline)
        if hazard.deadline and deadline <= hazard.deadline:
            raise ValidationError({"deadline": _("The new deadline must be later than the current one.")})
        old = hazard.deadline
        hazard.deadline = deadline
        hazard.save(update_fields=["deadline", "updated_at"])
        escalation.start(hazard)  # a new deadline is a new escalation, with today's chain
        _event(
            hazard, actor, Action.EXTEND_DEADLINE, hazard.status, reason, old=old, new=deadline, approved_by=str(actor)
        )
        return hazard


def reopen(actor: User, hazard: Hazard | int, reason: str = "", deadline: datetime | None = None) -> Hazard:
    """A closed hazard found again in a look-back (回头看) goes back to rectification with a new deadline (404 and
    403 before a missing reason or deadline, as for extending)."""
    with transaction.atomic():
        hazard = _locked(actor, hazard)
        _require(actor, *GOVERNMENT_STAFF)
        _require_reason(reason)
        _require_status(hazard, Status.CLOSED)
        hazard.deadline = _future_deadline(deadline)
        before, hazard.status, hazard.closed_at = hazard.status, Status.RECTIFYING, None
        hazard.save(update_fields=["status", "deadline", "closed_at", "updated_at"])
        _event(hazard, actor, Action.REOPEN, before, reason, deadline=deadline)
        escalation.start(hazard)
        return hazard


@dataclass
class Listing:
    authority: str
    supervising_leader: Position
    order_number: str
    deadline: datetime
    public_notice: str = ""


def list_supervision(actor: User, hazard: Hazard | int, listing: Listing) -> Hazard:
    """挂牌督办: a department head lists for the department, a territorial leader or the city office for the
    government; the supervising leader is a position, told as its holders change."""
    with transaction.atomic():
        hazard = _locked(actor, hazard)
        department, region = _listing_authority(actor, listing.authority)
        if hazard.level != Level.MAJOR:
            raise Conflict(_("Only a major hazard is put under listed supervision."))
        _require_status(hazard, Status.CONFIRMED, Status.RECTIFYING, Status.AWAITING_ACCEPTANCE)
        if ListedSupervision.objects.filter(hazard=hazard, delisted_at__isnull=True).exists():
            raise Conflict(_("This hazard is already under listed supervision."))
        if not (listing.order_number or "").strip():
            raise ValidationError({"order_number": _("This field is required.")})
        if not leader_positions(hazard).filter(pk=listing.supervising_leader.pk).exists():
            raise ValidationError(
                {"supervising_leader": _("Choose a department head or territorial leader over this hazard's region.")}
            )
        ListedSupervision.objects.update_or_create(
            hazard=hazard,
            defaults={
                "authority": listing.authority,
                "department": department,
                "region": region,
                "supervising_leader": listing.supervising_leader,
                "order_number": listing.order_number.strip(),
                "deadline": _future_deadline(listing.deadline),
                "public_notice": listing.public_notice,
                "listed_by": actor,
                "listed_at": timezone.now(),
                "delisted_at": None,
            },
        )
        _event(
            hazard,
            actor,
            Action.LIST_SUPERVISION,
            hazard.status,
            order=listing.order_number,
            leader=str(listing.supervising_leader),
            authority=str(department or region),
        )
        return hazard


def leader_positions(hazard: Hazard):
    """Leaders who can supervise a listing: department heads and territorial leaders over the hazard's region."""
    codes = hazard.region.ancestor_codes()
    return (
        Position.objects.filter(kind__in=[PositionKind.TERRITORIAL_LEADER, PositionKind.DEPARTMENT_HEAD])
        .filter(Q(region__code__in=codes) | Q(department__region__code__in=codes))
        .order_by("unit_kind", "title")
    )


def _listing_authority(actor: User, authority: str) -> tuple[Department | None, Region | None]:
    if actor.is_superuser:
        return actor.department, actor.region
    if authority == Authority.DEPARTMENT and actor.unit_kind == UnitKind.DEPARTMENT:
        _require(actor, PositionKind.DEPARTMENT_HEAD)
        return actor.department, None
    if authority == Authority.GOVERNMENT and actor.unit_kind in (UnitKind.GOVERNMENT, UnitKind.CITY_OFFICE):
        _require(actor, PositionKind.TERRITORIAL_LEADER, PositionKind.CITY_OFFICE_STAFF)
        return None, actor.region
    _deny(_("Your unit cannot list hazards for supervision at this authority level."))
    return None, None


def delist(actor: User, hazard: Hazard | int, reason: str) -> Hazard:
    """摘牌 by hand, for a listing closure did not end (acceptance de-lists by itself)."""
    _require_reason(reason)
    with transaction.atomic():
        hazard = _locked(actor, hazard)
        listing = ListedSupervision.objects.filter(hazard=hazard, delisted_at__isnull=True).first()
        if listing is None:
            raise Conflict(_("This hazard is not under listed supervision."))
        _listing_authority(actor, listing.authority)
        _require_status(hazard, Status.CLOSED, Status.DISMISSED)
        listing.delisted_at = timezone.now()
        listing.save(update_fields=["delisted_at"])
        _event(hazard, actor, Action.DELIST, hazard.status, reason, order=listing.order_number)
        return hazard


def reassign(actor: User, hazard: Hazard | int, department: Department, reason: str) -> Hazard:
    """Change the supervising department of a hazard; only the city office, always with a reason."""
    _require_reason(reason)
    with transaction.atomic():
        hazard = _locked(actor, hazard)
        _require(actor, PositionKind.CITY_OFFICE_STAFF)
        if hazard.status not in OPEN_STATUSES:
            raise Conflict(_("Only an open hazard's responsibility can change."))
        old = hazard.department
        hazard.department, hazard.supervision_gap = department, False
        hazard.save(update_fields=["department", "supervision_gap", "updated_at"])
        _event(hazard, actor, Action.REASSIGN, hazard.status, reason, old=str(old), new=str(department))
        return hazard


def add_photos(actor: User, hazard: Hazard | int, files, kind: str = PhotoKind.FINDING) -> list[HazardPhoto]:
    """Photos can be added while a hazard is open, by whoever may see it and works on it."""
    images = _clean_photos(files, "file")
    stored: list[HazardPhoto] = []
    try:
        with transaction.atomic():
            hazard = _locked(actor, hazard)
            if actor.unit_kind == UnitKind.ENTERPRISE:
                _require_enterprise(actor, hazard)
                kind = PhotoKind.EVIDENCE
            else:
                _require(actor, *GOVERNMENT_STAFF)
            _require_status(hazard, *OPEN_STATUSES)
            stored = _store_photos(hazard, actor, images, kind)
            _event(hazard, actor, Action.ADD_PHOTO, hazard.status, photos=len(stored), kind=kind)
            return stored
    except Exception:
        _discard_files(stored)
        raise


def attach_evaluation(actor: User, hazard: Hazard | int, upload, note: str = "") -> EvaluationDocument:
    """The evaluation of a major hazard's rectification: a PDF or a photo of the signed document."""
    content, content_type, extension = _evaluation_content(upload)
    with transaction.atomic():
        hazard = _locked(actor, hazard)
        if actor.unit_kind == UnitKind.ENTERPRISE:
            _require_enterprise(actor, hazard)
        else:
            _require(actor, *GOVERNMENT_STAFF)
        _require_status(hazard, Status.RECTIFYING, Status.AWAITING_ACCEPTANCE)
        document = EvaluationDocument(hazard=hazard, content_type=content_type, note=note, uploaded_by=actor)
        document.file.save(f"evaluation-{uuid.uuid4().hex}.{extension}", ContentFile(content), save=False)
        document.save()
        _event(hazard, actor, Action.ADD_EVALUATION, hazard.status, note=note)
        return document


def _evaluation_content(upload) -> tuple[bytes, str, str]:
    limit = getattr(settings, "UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
    head = upload.read(len(pdfs.PDF_MAGIC))
    upload.seek(0)
    if pdfs.looks_like_pdf(head):
        content = upload.read(limit + 1)
        if len(content) > limit:
            raise ValidationError({"file": _("The file is larger than %(limit)s MB.") % {"limit": limit // 2**20}})
        try:
            pdfs.check_pdf(content)
        except pdfs.PdfRejected as exc:
            raise ValidationError({"file": exc.message}) from exc
        return content, "application/pdf", "pdf"
    try:
        image = clean_image(upload)
    except ImageRejected as exc:
        raise ValidationError({"file": _("Attach a PDF or a photo of the evaluation.") + " " + exc.message}) from exc
    return image.content, image.content_type, image.extension


def can(actor: User, hazard: Hazard) -> set[str]:
    """The actions the actor may take on the hazard now: pages show only these."""
    scope = Scope.for_user(actor)
    if scope.kind == "none":
        return set()
    allowed = set()
    status = hazard.status
    government = actor.is_superuser or actor.holds(*GOVERNMENT_STAFF)
    own_enterprise = actor.is_superuser or (
        actor.enterprise_id == hazard.enterprise_id and actor.holds(*ENTERPRISE_STAFF)
    )
    if government and status == Status.REPORTED:
        allowed.add("confirm")
    if government and status in (Status.REPORTED, Status.CONFIRMED):
        allowed.add("dismiss")
    if own_enterprise and status in (Status.CONFIRMED, Status.RECTIFYING):
        allowed.add("submit_plan")
    if own_enterprise and status == Status.RECTIFYING:
        allowed.add("submit_rectification")
    if status == Status.AWAITING_ACCEPTANCE and _may(_require_acceptor, actor, hazard):
        allowed |= {"accept", "reject"}
    if status in (Status.CONFIRMED, Status.RECTIFYING, Status.AWAITING_ACCEPTANCE) and (
        actor.is_superuser or actor.holds(PositionKind.DEPARTMENT_HEAD, PositionKind.CITY_OFFICE_STAFF)
    ):
        allowed.add("extend_deadline")
    if government and status == Status.CLOSED:
        allowed.add("reopen")
    listing_leader = actor.is_superuser or actor.holds(
        PositionKind.DEPARTMENT_HEAD, PositionKind.TERRITORIAL_LEADER, PositionKind.CITY_OFFICE_STAFF
    )
    if (
        listing_leader
        and hazard.level == Level.MAJOR
        and status
        in (
            Status.CONFIRMED,
            Status.RECTIFYING,
            Status.AWAITING_ACCEPTANCE,
        )
    ):
        allowed.add("list_supervision")
    if (government or own_enterprise) and status in OPEN_STATUSES:
        allowed.add("add_photos")
    if status in OPEN_STATUSES and (actor.is_superuser or actor.holds(PositionKind.CITY_OFFICE_STAFF)):
        allowed.add("reassign")
    if (
        hazard.level == Level.MAJOR
        and status in (Status.RECTIFYING, Status.AWAITING_ACCEPTANCE)
        and (government or own_enterprise)
    ):
        allowed.add("attach_evaluation")
    return allowed


def _may(check, *args) -> bool:
    try:
        check(*args)
    except PermissionDenied:
        return False
    return True
