"""The oversight app's supervision signals, registered with `organizations.flags` (which holds the registry's own:
no supervising department, unlicensed, subcontracting, hosted operation, borrowed qualification).

Each is a `Q` over `Enterprise` that the database evaluates with an `EXISTS` on an indexed table; thresholds are
settings (docs/oversight.md):

- `not_inspected`: an enterprise that produces (operating, under construction, oil and gas storage), registered
  longer ago than its interval, with no government inspection (any kind but the enterprise's own self-checks)
  submitted on a day within the interval: `OVERSIGHT_INSPECTION_DAYS_HIGH` (90) for a key unit or one with a red
  risk point in use, `OVERSIGHT_INSPECTION_DAYS` (365) for the others. Inspected exactly N days ago is in time.
- `principal_unverified`: a producing enterprise whose latest principal verification is not "in post", or older
  than `OVERSIGHT_VERIFICATION_DAYS` (365), or missing.
- `no_certificate`: a producing enterprise whose principal or safety manager has no certificate valid today (valid
  through its expiry day).
- `watch_overdue`: an enterprise in a watched state with no open watch whose next visit is still ahead.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inspections.choices import DONE, ENTERPRISE_KINDS
from inspections.models import Inspection
from organizations import flags
from organizations.choices import OperatingState
from risks.choices import Colour
from risks.models import RiskPoint

from .choices import WATCHED_STATES, Holder
from .models import Certificate, Verification, Watch

NOT_INSPECTED = "not_inspected"
PRINCIPAL_UNVERIFIED = "principal_unverified"
NO_CERTIFICATE = "no_certificate"
WATCH_OVERDUE = "watch_overdue"

# Enterprises that produce: the inspection, verification and certificate signals concern only them.
PRODUCING = (OperatingState.OPERATING, OperatingState.UNDER_CONSTRUCTION, OperatingState.OIL_GAS_STORAGE)


def high_risk() -> Q:
    """A key unit, or one with a red risk point in use."""
    red = RiskPoint.objects.filter(enterprise=OuterRef("pk"), colour=Colour.RED, is_active=True)
    return Q(is_key_unit=True) | Q(Exists(red))


def inspected_since(day) -> Exists:
    return Exists(
        Inspection.objects.filter(enterprise=OuterRef("pk"), status__in=DONE, date__gte=day).exclude(
            kind__in=ENTERPRISE_KINDS
        )
    )


def not_inspected(reference, now) -> Q:
    today = timezone.localdate(now)
    high_days, days = settings.OVERSIGHT_INSPECTION_DAYS_HIGH, settings.OVERSIGHT_INSPECTION_DAYS
    high = high_risk()
    overdue_high = (
        high & Q(created_at__lt=now - timedelta(days=high_days)) & ~inspected_since(today - timedelta(days=high_days))
    )
    overdue_other = (
        ~high & Q(created_at__lt=now - timedelta(days=days)) & ~inspected_since(today - timedelta(days=days))
    )
    return Q(operating_state__in=PRODUCING) & (overdue_high | overdue_other)


def principal_unverified(reference, now) -> Q:
    cutoff = now - timedelta(days=settings.OVERSIGHT_VERIFICATION_DAYS)
    later_not_in_post = Verification.objects.filter(
        enterprise=OuterRef("enterprise"), in_post=False, checked_at__gt=OuterRef("checked_at")
    )
    good = Verification.objects.filter(enterprise=OuterRef("pk"), in_post=True, checked_at__gte=cutoff).exclude(
        Exists(later_not_in_post)
    )
    return Q(operating_state__in=PRODUCING) & ~Exists(good)


def no_certificate(reference, now) -> Q:
    today = timezone.localdate(now)

    def valid(holder: str) -> Exists:
        return Exists(Certificate.objects.filter(enterprise=OuterRef("pk"), holder=holder, expires_on__gte=today))

    return Q(operating_state__in=PRODUCING) & (~valid(Holder.PRINCIPAL) | ~valid(Holder.SAFETY_MANAGER))


def watch_overdue(reference, now) -> Q:
    kept = Watch.objects.filter(enterprise=OuterRef("pk"), ended_at__isnull=True, due_at__gte=now)
    return Q(operating_state__in=WATCHED_STATES) & ~Exists(kept)


def register_all() -> None:
    flags.register(NOT_INSPECTED, _("Not inspected lately"), not_inspected, order=20)
    flags.register(PRINCIPAL_UNVERIFIED, _("Principal person not verified in post"), principal_unverified, order=30)
    flags.register(NO_CERTIFICATE, _("No valid safety certificate"), no_certificate, order=40)
    flags.register(WATCH_OVERDUE, _("Watched state without its visit"), watch_overdue, order=50)
