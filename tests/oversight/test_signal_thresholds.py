"""The signals of inspection, verification and certificates at their thresholds, one day either side (run on
PostgreSQL and on SQLite): a key unit and an enterprise with a red risk point in use are inspected every 90 days, the
others every 365 (a red point no longer in use does not count); a principal verification counts 365 days and a
later check that found the principal not in post undoes it until one finds them in post again; a certificate is
valid through its expiry day, for the principal and the safety manager alike."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from inspections.models import ChecklistVersion, Inspection
from organizations import flags
from organizations.models import Enterprise
from organizations.scope import Reference
from risks.models import RiskPoint
from tests.oversight.factories import make_certificate, make_verification
from tests.risks.factories import make_point

pytestmark = pytest.mark.django_db


def shows(key: str, enterprise: Enterprise, now=None) -> bool:
    return Enterprise.objects.filter(flags.condition(key, Reference(), now), pk=enterprise.pk).exists()


@pytest.fixture
def old(world):
    """Registered two years ago: the inspection clock has run long enough for every interval."""
    Enterprise.objects.update(created_at=timezone.now() - timedelta(days=730))
    return world


def inspected(enterprise, by, days_ago: int) -> Inspection:
    return Inspection.objects.create(
        enterprise=enterprise, version=ChecklistVersion.objects.first(), lead=by, created_by=by, kind="ad_hoc",
        status="submitted", date=timezone.localdate() - timedelta(days=days_ago), region_path=enterprise.region.path,
        industry=enterprise.industry,
    )  # fmt: skip


def moved_to(inspection: Inspection, days_ago: int) -> None:
    Inspection.objects.filter(pk=inspection.pk).update(date=timezone.localdate() - timedelta(days=days_ago))


# --- not inspected -------------------------------------------------------------------------------------------


def test_a_key_unit_at_90_and_91_days(old):
    Enterprise.objects.filter(pk=old.e1.pk).update(is_key_unit=True)
    inspection = inspected(old.e1, old.users["inspector"], 90)
    assert not shows("not_inspected", old.e1)
    moved_to(inspection, 91)
    assert shows("not_inspected", old.e1)


def test_a_red_risk_point_in_use_at_90_and_91_days_and_one_retired_does_not_count(old):
    """e2 is not a key unit; a red point in use makes its interval 90 days; retired, 365 again."""
    point = make_point(old.e2, "red")
    assert point.colour == "red" and point.is_active
    make_point(old.e2, "yellow")  # another colour in use changes nothing
    inspection = inspected(old.e2, old.users["inspector"], 90)
    assert not shows("not_inspected", old.e2)
    moved_to(inspection, 91)
    assert shows("not_inspected", old.e2)
    RiskPoint.objects.filter(pk=point.pk).update(is_active=False)
    assert not shows("not_inspected", old.e2)
    moved_to(inspection, 366)
    assert shows("not_inspected", old.e2)


def test_an_orange_point_keeps_the_ordinary_interval(old):
    make_point(old.e3, "orange")
    inspected(old.e3, old.users["inspector"], 91)
    assert not shows("not_inspected", old.e3)


def test_the_others_at_365_and_366_days(old):
    inspection = inspected(old.e3, old.users["inspector"], 365)
    assert not shows("not_inspected", old.e3)
    moved_to(inspection, 366)
    assert shows("not_inspected", old.e3)


# --- principal verification ----------------------------------------------------------------------------------


def test_a_verification_counts_365_days_not_366(old):
    now = timezone.now()
    check = make_verification(old.e1, old.users["inspector"], checked_at=now - timedelta(days=365))
    assert not shows("principal_unverified", old.e1, now)
    assert shows("principal_unverified", old.e1, now + timedelta(days=1))
    check.checked_at = now - timedelta(days=366)
    check.save()
    assert shows("principal_unverified", old.e1, now)


def test_found_not_in_post_then_in_post_again(old):
    now, by = timezone.now(), old.users["inspector"]
    assert shows("principal_unverified", old.e1, now)  # never verified
    make_verification(old.e1, by, checked_at=now - timedelta(days=20))
    assert not shows("principal_unverified", old.e1, now)
    make_verification(old.e1, by, in_post=False, note="不在岗", checked_at=now - timedelta(days=10))
    assert shows("principal_unverified", old.e1, now)  # the later check found them away
    make_verification(old.e1, by, checked_at=now - timedelta(days=1))
    assert not shows("principal_unverified", old.e1, now)  # verified in post again


# --- certificates --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("holder", ["principal", "safety_manager"])
def test_a_certificate_expiring_today_is_valid_yesterday_not(old, holder):
    by, today = old.users["inspector"], timezone.localdate()
    other = "safety_manager" if holder == "principal" else "principal"
    make_certificate(old.e1, by, other, expires_on=today + timedelta(days=400))
    certificate = make_certificate(old.e1, by, holder, expires_on=today)
    assert not shows("no_certificate", old.e1)
    assert shows("no_certificate", old.e1, timezone.now() + timedelta(days=1))  # tomorrow it has expired
    certificate.expires_on = today - timedelta(days=1)
    certificate.save()
    assert shows("no_certificate", old.e1)
    make_certificate(old.e1, by, holder, number="NEW", expires_on=today + timedelta(days=1))  # renewed
    assert not shows("no_certificate", old.e1)
