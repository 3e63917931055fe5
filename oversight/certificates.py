"""The one writer of safety certificates (安全资格证书) of an enterprise's principal person and safety manager: who
may record one, its checks, the row and its audit record in one transaction. A certificate is valid through its
expiry day (signals.no_certificate). See docs/oversight.md."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import record as audit
from organizations.models import Enterprise, User
from organizations.roles import GOVERNMENT_UNITS, ISSUERS, holds_in, is_enterprise_staff_of
from safety_platform.lib import rules

from .choices import CertificateKind, Holder
from .models import Certificate

FIELDS = ("holder", "person_name", "kind", "number", "issued_on", "expires_on")
# The kinds a holder's certificate may be of.
KINDS = {
    Holder.PRINCIPAL: (
        CertificateKind.PRINCIPAL_ASSESSMENT,
        CertificateKind.REGISTERED_ENGINEER,
        CertificateKind.OTHER,
    ),
    Holder.SAFETY_MANAGER: (
        CertificateKind.MANAGER_ASSESSMENT,
        CertificateKind.REGISTERED_ENGINEER,
        CertificateKind.OTHER,
    ),
}


def is_government_staff(actor: User) -> bool:
    """The government side that checks enterprises: its staff and territorial leaders (the superuser too)."""
    return holds_in(actor, GOVERNMENT_UNITS, *ISSUERS)


def _records(actor: User, enterprise: Enterprise) -> None:
    if not (is_government_staff(actor) or is_enterprise_staff_of(actor, enterprise.pk)):
        raise PermissionDenied(
            _("Certificates are recorded by the government's staff or by the enterprise's principal or safety manager.")
        )


RULES: dict[str, rules.Rule] = {"record": rules.Rule(_records)}


def may_record(actor: User, enterprise: Enterprise) -> bool:
    return "record" in rules.allowed(RULES, actor, enterprise)


def valid(certificate: Certificate, today: date | None = None) -> bool:
    """Valid through its expiry day."""
    return certificate.expires_on >= (today or timezone.localdate())


def _clean(values: dict) -> dict:
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    cleaned = {name: values.get(name) for name in FIELDS}
    for name in ("person_name", "number", "holder", "kind"):
        cleaned[name] = (cleaned[name] or "").strip()
    errors: dict[str, list[str]] = {}
    if cleaned["holder"] not in Holder.values:
        errors["holder"] = [_("Choose whose certificate this is.")]
    if not cleaned["person_name"]:
        errors["person_name"] = [_("Give the holder's name.")]
    if not cleaned["number"]:
        errors["number"] = [_("Give the certificate's number.")]
    if cleaned["kind"] not in CertificateKind.values:
        errors["kind"] = [_("Choose the certificate's kind.")]
    elif cleaned["holder"] in KINDS and cleaned["kind"] not in KINDS[cleaned["holder"]]:
        errors["kind"] = [_("This kind of certificate is not one the holder's post requires.")]
    if not cleaned["expires_on"]:
        errors["expires_on"] = [_("Give the day the certificate expires.")]
    elif cleaned["issued_on"] and cleaned["expires_on"] <= cleaned["issued_on"]:
        errors["expires_on"] = [_("A certificate expires after the day it was issued.")]
    if cleaned["issued_on"] and cleaned["issued_on"] > timezone.localdate():
        errors["issued_on"] = [_("The day of issue cannot be in the future.")]
    if errors:
        raise ValidationError(errors)
    return cleaned


def record(actor: User, enterprise_id: int, **values) -> Certificate:
    """Record a certificate of the enterprise's principal person or safety manager (the government's staff in
    scope, or the enterprise itself for its own): 403 when the actor may not, 400 by field when a value is wrong;
    the enterprise is locked in the actor's scope (404 outside it)."""
    if not (is_government_staff(actor) or is_enterprise_staff_of(actor, enterprise_id)):  # before the values
        raise PermissionDenied(
            _("Certificates are recorded by the government's staff or by the enterprise's principal or safety manager.")
        )
    cleaned = _clean(values)
    with transaction.atomic():
        enterprise = (
            Enterprise.objects.visible_to(actor).select_for_update(of=("self",)).filter(pk=enterprise_id).first()
        )
        if enterprise is None:
            raise Http404
        rules.check(RULES, actor, enterprise, "record")
        certificate = Certificate(enterprise=enterprise, recorded_by=actor, recorded_at=timezone.now(), **cleaned)
        certificate.full_clean(exclude=["enterprise", "recorded_by"])
        certificate.save()
        audit(actor, "certificate.record", certificate, {
            "enterprise": enterprise.pk, "holder": certificate.holder, "kind": certificate.kind,
            "number": certificate.number, "expires_on": certificate.expires_on.isoformat(),
        })  # fmt: skip
        return certificate
