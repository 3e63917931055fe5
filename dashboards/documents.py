"""Per-hazard documents: the rectification notice (整改通知书) and the acceptance record (验收单).

`issue` is the one place a document gets its number. It
(1) finds the hazard within the actor's scope and locks its row (else 404),
(2) checks that the actor is government staff (else 403),
(3) checks the hazard's state: a notice once confirmed and not dismissed, an acceptance record once closed (else 409),
(4) returns the document already issued for this hazard and kind, if any: printing again keeps the number,
(5) otherwise bumps the (kind, year) counter, creates the document and writes the audit event, all in one
    transaction, so a rolled-back issue gives its number back and two issuers never share one.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import record
from hazards.choices import Action, PhotoKind, Status
from hazards.models import Hazard, HazardEvent
from organizations.models import User
from organizations.roles import GOVERNMENT_UNITS, ISSUERS, holds_in
from safety_platform.lib.errors import Conflict

from .models import DocumentCounter, IssuedDocument
from .units import unit_name

Kind = IssuedDocument.Kind

NOTICE_STATUSES = (Status.CONFIRMED, Status.RECTIFYING, Status.AWAITING_ACCEPTANCE, Status.CLOSED)
STATUSES = {Kind.NOTICE: NOTICE_STATUSES, Kind.ACCEPTANCE: (Status.CLOSED,)}


def is_issuer(user: User) -> bool:
    return holds_in(user, GOVERNMENT_UNITS, *ISSUERS)


def can_issue(user: User, hazard: Hazard, kind: str) -> bool:
    """Whether the print button is shown: the same checks as `issue`, for a hazard already in scope."""
    return is_issuer(user) and hazard.status in STATUSES[kind]


def issue(actor: User, hazard: Hazard | int, kind: str) -> IssuedDocument:
    """The document of this kind for the hazard, numbered on first issue (see the module docstring)."""
    if kind not in STATUSES:
        raise Http404
    pk = hazard.pk if isinstance(hazard, Hazard) else hazard
    with transaction.atomic():
        hazard = Hazard.objects.visible_to(actor).select_for_update(of=("self",)).filter(pk=pk).first()
        if hazard is None:
            raise Http404
        if not is_issuer(actor):
            raise PermissionDenied(_("Only government staff issue rectification notices and acceptance records."))
        if hazard.status not in STATUSES[kind]:
            raise Conflict(_("This document cannot be issued while the hazard is %(status)s.")
                           % {"status": hazard.get_status_display()})  # fmt: skip
        existing = IssuedDocument.objects.filter(hazard=hazard, kind=kind).first()
        if existing:
            return existing
        now = timezone.now()
        year = timezone.localtime(now).year
        document = IssuedDocument.objects.create(
            hazard=hazard, kind=kind, year=year, serial=next_serial(kind, year), issued_at=now, issued_by=actor,
            issuing_unit=issuing_unit(actor, hazard),
        )  # fmt: skip
        record(actor, "document.issue", document, {"kind": kind, "number": document.number, "hazard": hazard.code})
        return document


def next_serial(kind: str, year: int) -> int:
    """Bump the counter row in the caller's transaction: concurrent issuers queue on the row (no clashes) and
    a rolled-back issue never commits its bump (no gaps). The same upsert numbers hazard codes."""
    table = DocumentCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (kind, year, last) VALUES (%s, %s, 1) "
            f"ON CONFLICT (kind, year) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [kind, year],
        )
        (serial,) = cursor.fetchone()
    return serial


def issuing_unit(actor: User, hazard: Hazard) -> str:
    """The unit named at the head of the document (docs/reports.md): the hazard's supervising department, whose
    order the notice is and which accepts the rectification, whoever in scope prints it; for a hazard no
    department supervises (a supervision gap), the issuer's own unit."""
    if hazard.department_id:
        return hazard.department.name
    return unit_name(actor)


# --- what the documents show -------------------------------------------------------------------------


@dataclass
class Acceptance:
    """The facts of the closure, read back from the hazard's timeline."""

    rectification: HazardEvent | None
    accepted: HazardEvent | None
    photos: list[str]


def acceptance_facts(hazard: Hazard) -> Acceptance:
    """The last acceptance and the rectification it accepted (a hazard reopened and closed again has several);
    evidence photos as data URIs, so the PDF needs no URL to fetch them."""
    events = list(hazard.events.filter(action__in=[Action.SUBMIT_RECTIFICATION, Action.ACCEPT])
                  .select_related("actor").order_by("at", "id"))  # fmt: skip
    accepted = next((e for e in reversed(events) if e.action == Action.ACCEPT), None)
    submitted = [e for e in events if e.action == Action.SUBMIT_RECTIFICATION and (not accepted or e.at <= accepted.at)]
    photos = hazard.photos.filter(kind=PhotoKind.EVIDENCE).order_by("uploaded_at", "id")[:6]
    return Acceptance(submitted[-1] if submitted else None, accepted, [_data_uri(p.thumbnail) for p in photos])


def _data_uri(field) -> str:
    try:
        with field.open("rb") as stored:
            return "data:image/jpeg;base64," + base64.b64encode(stored.read()).decode()
    except (OSError, ValueError):
        return ""  # a lost file leaves a gap in the record, not a failed print
