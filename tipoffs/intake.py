"""A tip-off comes in (举报受理前): `submit` from the public form (no account) or registered by staff from a phone
call, a letter or a visit; `lookup` lets the informant follow it with the receipt code and secret. See
docs/tipoffs.md, "Intake".

`submit` validates everything before it writes (400 naming each bad field), cleans the photos as a hazard's are,
matches the enterprise named against the registry, routes the report to the department that supervises the
enterprise's industry there (else the city office triages it), groups it with an earlier report of the same
enterprise at the same place within TIPOFF_REPEAT_DAYS, and tells the handling unit (without a word about the
informant). A retry with the same idempotency key returns the first report under a fresh secret (the first
response never reached the informant, or the retry's is the one they read), so nothing is filed twice.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from audit.models import record as audit
from notifications.outbox import holders, notify
from organizations.models import Enterprise, Region
from organizations.responsibility import SupervisionMap
from safety_platform.lib.images import clean_images
from safety_platform.lib.text import one_line, place_key

from . import access
from .choices import CODE_PREFIX, STAFF_CHANNELS, Action, Channel, Kind, State
from .models import Informant, Report, ReportEvent, ReportPhoto

KIND = "tipoffs.new"  # a new report for the handling unit; keys tipoffs.new:<report>:<user>
ADDRESS_LENGTH = 300
NAME_LENGTH = 50
ENTERPRISE_LENGTH = 200
PHONE = re.compile(r"^\+?[0-9][0-9 -]{5,18}[0-9]$")


@dataclass
class Submission:
    kind: str
    description: str
    region: Region | int | None
    address: str
    enterprise_name: str = ""
    latitude: object = None
    longitude: object = None
    is_anonymous: bool = False
    is_employee: bool = False
    name: str = ""
    phone: str = ""
    contact_address: str = ""
    photos: tuple = ()
    channel: str = Channel.WEB
    idempotency_key: uuid.UUID | None = None


@dataclass
class Receipt:
    report: Report
    secret: str
    created: bool
    notified: list = field(default_factory=list)


def normal_phone(phone: str) -> str:
    """A phone number as compared and limited: its digits (and a leading +)."""
    phone = (phone or "").strip()
    return ("+" if phone.startswith("+") else "") + re.sub(r"\D", "", phone)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    """128 random bits written as 4 groups of 6 readable characters (no 0/O, 1/l/I)."""
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    raw = "".join(secrets.choice(alphabet) for _ in range(24))
    return "-".join(raw[i : i + 6] for i in range(0, 24, 6))


def next_code(year: int) -> str:
    """`JB-<year>-<seq>`: bumped in the caller's transaction, so concurrent submissions queue on the row."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO tipoffs_reportcodecounter (year, last) VALUES (%s, 1) "
            "ON CONFLICT (year) DO UPDATE SET last = tipoffs_reportcodecounter.last + 1 RETURNING last",
            [year],
        )
        (number,) = cursor.fetchone()
    return f"{CODE_PREFIX}-{year}-{number:06d}"


def _coordinate(value, low: int, high: int, name: str, errors: dict):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        errors[name] = _("Not a coordinate.")
        return None
    if not low <= number <= high:
        errors[name] = _("Not a coordinate.")
        return None
    return number


def clean(sub: Submission, actor=None) -> dict:
    """Every field checked before anything is written; one ValidationError naming each bad field."""
    errors: dict[str, str] = {}
    values: dict = {}
    if sub.kind not in Kind.values:
        errors["kind"] = _("Choose what the report is about.")
    description = (sub.description or "").strip()
    if not description:
        errors["description"] = _("Say what happened.")
    elif len(description) > settings.TIPOFF_TEXT_LENGTH:
        errors["description"] = _("At most %(n)d characters.") % {"n": settings.TIPOFF_TEXT_LENGTH}
    region = sub.region
    if not isinstance(region, Region):
        region = Region.objects.filter(pk=region).first() if str(region or "").isdigit() else None
    if region is None:
        errors["region"] = _("Choose the district or street where it happened.")
    address = (sub.address or "").strip()
    if not address:
        errors["address"] = _("Say where it happened.")
    elif len(address) > ADDRESS_LENGTH:
        errors["address"] = _("At most %(n)d characters.") % {"n": ADDRESS_LENGTH}
    enterprise_name = (sub.enterprise_name or "").strip()
    if len(enterprise_name) > ENTERPRISE_LENGTH:
        errors["enterprise_name"] = _("At most %(n)d characters.") % {"n": ENTERPRISE_LENGTH}
    latitude = _coordinate(sub.latitude, -90, 90, "latitude", errors)
    longitude = _coordinate(sub.longitude, -180, 180, "longitude", errors)
    if (latitude is None) != (longitude is None) and "latitude" not in errors and "longitude" not in errors:
        errors["latitude"] = _("Give both coordinates or neither.")
    name = (sub.name or "").strip()
    phone = (sub.phone or "").strip()
    contact_address = (sub.contact_address or "").strip()
    if sub.is_anonymous:
        name = phone = contact_address = ""  # an anonymous report keeps nothing of who made it
    else:
        if not name:
            errors["name"] = _("Give your name, or report anonymously.")
        elif len(name) > NAME_LENGTH:
            errors["name"] = _("At most %(n)d characters.") % {"n": NAME_LENGTH}
        if not phone:
            errors["phone"] = _("Give a phone number to reach you, or report anonymously.")
        elif not PHONE.match(phone):
            errors["phone"] = _("Not a phone number.")
        if len(contact_address) > ADDRESS_LENGTH:
            errors["contact_address"] = _("At most %(n)d characters.") % {"n": ADDRESS_LENGTH}
    if actor is None and sub.channel != Channel.WEB:
        errors["channel"] = _("Reports from the public come through the online form.")
    if actor is not None and sub.channel not in STAFF_CHANNELS:
        errors["channel"] = _("Choose how the report was received.")
    photos = list(sub.photos or ())
    if len(photos) > settings.TIPOFF_MAX_PHOTOS:
        errors["photos"] = _("At most %(n)d photos.") % {"n": settings.TIPOFF_MAX_PHOTOS}
    if errors:
        raise ValidationError(errors)
    values.update(
        kind=sub.kind, description=description, region=region, address=address, enterprise_name=enterprise_name,
        latitude=latitude, longitude=longitude, is_anonymous=bool(sub.is_anonymous),
        is_employee=bool(sub.is_employee), channel=sub.channel,
    )  # fmt: skip
    values["identity"] = {
        "name": name,
        "phone": normal_phone(phone) if phone else "",
        "contact_address": contact_address,
    }
    values["images"] = clean_images(photos)  # a refused photo is a field error on "photos"; nothing is written
    return values


def match_enterprise(name: str) -> Enterprise | None:
    """The registry's enterprise of exactly this name (outer spaces aside; the first registered), if any."""
    if not name:
        return None
    return Enterprise.objects.select_related("region").filter(name=name.strip()).order_by("id").first()


def find_lead(enterprise: Enterprise | None, enterprise_name: str, key: str, now) -> Report | None:
    """The first report of a group of repeats: the same enterprise (or the same name outside the registry) at the
    same place within TIPOFF_REPEAT_DAYS; none for an empty place."""
    if not key:
        return None
    same = (
        Q(enterprise=enterprise) if enterprise else Q(enterprise__isnull=True, enterprise_name__iexact=enterprise_name)
    )
    return (
        Report.objects.filter(
            same,
            place_key=key,
            repeat_of__isnull=True,
            received_at__gte=now - timedelta(days=settings.TIPOFF_REPEAT_DAYS),
        )  # fmt: skip
        .exclude(state=State.SPAM)
        .order_by("received_at", "id")
        .first()
    )


def submit(sub: Submission, actor=None) -> Receipt:
    """File a report; returns the receipt (the report, its secret shown once, whether it was created now)."""
    if actor is not None and not access.may_register(actor):
        raise PermissionDenied(_("Only the government's staff register reports received by phone, letter or visit."))
    if sub.idempotency_key:
        earlier = Report.objects.filter(idempotency_key=sub.idempotency_key).first()
        if earlier:
            return _again(earlier)
    values = clean(sub, actor)
    images = values.pop("images")
    identity = values.pop("identity")
    secret = new_secret()
    stored: list[ReportPhoto] = []
    try:
        with transaction.atomic():
            report, notified, stored = _create(values, identity, images, secret, actor, sub.idempotency_key)
    except IntegrityError:
        for photo in stored:
            photo.discard()
        earlier = Report.objects.filter(idempotency_key=sub.idempotency_key).first() if sub.idempotency_key else None
        if earlier:
            return _again(earlier)
        raise
    except Exception:
        for photo in stored:
            photo.discard()
        raise
    return Receipt(report, secret, True, notified)


def _again(report: Report) -> Receipt:
    """A retried submission: the same report under a fresh secret (the earlier one stops working)."""
    secret = new_secret()
    Informant.objects.filter(report=report).update(secret_hash=secret_hash(secret))
    return Receipt(report, secret, False)


def _create(values: dict, identity: dict, images: list, secret: str, actor, key):
    now = timezone.now()
    region = values["region"]
    enterprise = match_enterprise(values["enterprise_name"])
    department = SupervisionMap().resolve(enterprise).department if enterprise else None
    address_key = place_key(values["address"])
    lead = find_lead(enterprise, values["enterprise_name"], address_key, now)
    report = Report.objects.create(
        code=next_code(timezone.localtime(now).year),
        region_path=region.path,
        place_key=address_key,
        enterprise=enterprise,
        industry_id=enterprise.industry_id if enterprise else None,
        department=department,
        repeat_of=lead,
        received_at=now,
        registered_by=actor,
        idempotency_key=key,
        **values,
    )
    Informant.objects.create(report=report, secret_hash=secret_hash(secret), **identity)
    stored = []
    for image in images:
        photo = ReportPhoto(report=report, uploaded_by=actor)
        photo.store(image)
        stored.append(photo)
    ReportEvent.objects.create(
        report=report, action=Action.REGISTER if actor else Action.SUBMIT, actor=actor, at=now,
        data={"channel": report.channel, "photos": len(stored), "repeat_of": lead.code if lead else None},
    )  # fmt: skip
    # The public's client address is never kept in the audit record: it could name the informant.
    audit(actor, "tipoff.submit", report, {
        "channel": report.channel, "kind": report.kind, "region": region.pk, "enterprise": report.enterprise_id,
        "department": report.department_id, "repeat_of": lead.code if lead else None, "photos": len(stored),
    }, keep_address=actor is not None)  # fmt: skip
    notified = tell_handlers(report)
    return report, notified, stored


def tell_handlers(report: Report, transferred: bool = False) -> list:
    """Tell the handling unit about the report: its kind, place and an excerpt; never who made it."""
    with override(settings.LANGUAGE_CODE):
        title = (
            _("Tip-off %(code)s transferred to you: %(kind)s") if transferred else _("New tip-off %(code)s: %(kind)s")
        ) % {"code": report.code, "kind": report.get_kind_display()}
        lines = [
            _("Where: %(region)s, %(address)s") % {"region": report.region, "address": report.address},
            one_line(report.description, 200),
        ]
        if report.enterprise_name:
            lines.insert(1, _("Enterprise named: %(name)s") % {"name": report.enterprise_name})
    recipients = [pair for position in access.handler_positions(report) for pair in holders(position)]
    suffix = f":t{report.events.count()}" if transferred else ""
    return notify(recipients, f"{KIND}:{report.pk}{suffix}", title, "\n".join(lines),
                  reverse("tipoffs:detail", args=[report.pk]))  # fmt: skip


def lookup(code: str, secret: str) -> Report | None:
    """The report of this receipt when the secret matches (compared in constant time); None otherwise."""
    code = (code or "").strip().upper()
    secret = (secret or "").strip().upper()
    if not code or not secret:
        return None
    informant = Informant.objects.select_related("report").filter(report__code=code).first()
    if informant is None or not hmac.compare_digest(informant.secret_hash, secret_hash(secret)):
        return None
    return informant.report


def public_history(report: Report) -> list[ReportEvent]:
    """What the informant reads: the events with words for them, their merged report's lead's too."""
    ids = [report.pk] + ([report.repeat_of_id] if report.state == State.MERGED and report.repeat_of_id else [])
    return list(ReportEvent.objects.filter(report_id__in=ids).exclude(public_text="").order_by("at", "id"))
