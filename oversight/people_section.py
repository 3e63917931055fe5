"""The people section of an enterprise's supervision page: its certificates with their validity, its latest
principal verifications, and links to record either (where the user may)."""

from __future__ import annotations

from django.utils import timezone

from . import certificates, verifications
from .models import Certificate, Verification

LATEST = 5


def context(user, enterprise) -> dict:
    today = timezone.localdate()
    rows = list(Certificate.objects.filter(enterprise=enterprise).order_by("holder", "-expires_on", "-id"))
    for row in rows:
        row.is_valid = certificates.valid(row, today)
    checks = list(Verification.objects.filter(enterprise=enterprise).select_related("checked_by", "campaign")[:LATEST])
    return {
        "enterprise": enterprise,
        "certificates": rows,
        "verifications": checks,
        "may_record": certificates.may_record(user, enterprise),
        "may_verify": verifications.may_verify(user, enterprise),
    }
