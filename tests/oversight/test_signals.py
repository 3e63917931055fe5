"""The supervision signals (organizations.flags + oversight.signals): each selects, as the database evaluates it,
exactly the enterprises showing it, on its thresholds."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from inspections.models import ChecklistVersion, Inspection
from organizations import flags
from organizations.models import Enterprise
from organizations.scope import Reference
from tests.oversight.factories import make_certificate, make_verification, make_watch

pytestmark = pytest.mark.django_db


def flagged(key: str, now=None) -> set[str]:
    rows = Enterprise.objects.filter(flags.condition(key, Reference(), now)).values_list("name", flat=True)
    return set(rows)


@pytest.fixture
def old(world):
    """The world's enterprises registered two years ago (the inspection clock starts at registration)."""
    Enterprise.objects.update(created_at=timezone.now() - timedelta(days=730))
    return world


def inspect(enterprise, by, days_ago: int, kind: str = "ad_hoc") -> Inspection:
    return Inspection.objects.create(
        enterprise=enterprise, version=ChecklistVersion.objects.first(), lead=by, created_by=by, kind=kind,
        status="submitted", date=timezone.localdate() - timedelta(days=days_ago), region_path=enterprise.region.path,
        industry=enterprise.industry,
    )  # fmt: skip


def test_every_signal_is_registered():
    assert [key for key, _ in flags.choices()] == [
        "no_department", "unreachable", "not_inspected", "principal_unverified", "no_certificate", "watch_overdue",
        "unlicensed", "subcontracting", "hosted_operation", "borrowed_qualification",
    ]  # fmt: skip


def test_not_inspected_on_its_thresholds(old):
    """A key unit inspected 90 days ago is in time, 91 days ago is not; an ordinary one 365 and 366; a self-check
    does not count; a newly registered one is not flagged before its interval has passed."""
    by = old.users["inspector"]
    Enterprise.objects.filter(pk=old.e1.pk).update(is_key_unit=True)
    inspect(old.e1, by, 90)
    inspect(old.e2, by, 365)
    inspect(old.e3, by, 366)
    inspect(old.e4, by, 1, kind="self_check")
    assert flagged("not_inspected") == {old.e3.name, old.e4.name}
    Inspection.objects.filter(enterprise=old.e1).update(date=timezone.localdate() - timedelta(days=91))
    assert old.e1.name in flagged("not_inspected")
    Enterprise.objects.filter(pk=old.e4.pk).update(created_at=timezone.now() - timedelta(days=10))
    assert old.e4.name not in flagged("not_inspected")


def test_principal_unverified_and_certificates(old):
    by = old.users["inspector"]
    make_verification(old.e1, by)
    make_verification(old.e2, by, checked_at=timezone.now() - timedelta(days=366))
    make_verification(old.e3, by, checked_at=timezone.now() - timedelta(days=5))
    make_verification(old.e3, by, in_post=False)
    assert flagged("principal_unverified") == {old.e2.name, old.e3.name, old.e4.name}
    today = timezone.localdate()
    for enterprise in (old.e1, old.e2):
        make_certificate(enterprise, by, "principal", expires_on=today)
        make_certificate(enterprise, by, "safety_manager", expires_on=today + timedelta(days=1))
    make_certificate(old.e3, by, "principal", expires_on=today - timedelta(days=1))
    assert flagged("no_certificate") == {old.e3.name, old.e4.name}
    assert flagged("no_certificate", timezone.now() + timedelta(days=1)) == {
        e.name for e in (old.e1, old.e2, old.e3, old.e4)
    }


def test_watch_overdue(old):
    by = old.users["inspector"]
    Enterprise.objects.filter(pk__in=[old.e1.pk, old.e2.pk, old.e3.pk]).update(operating_state="suspended")
    make_watch(old.e1, old.yjj, by)
    make_watch(old.e2, old.yjj, by, due_at=timezone.now() - timedelta(minutes=1))
    assert flagged("watch_overdue") == {old.e2.name, old.e3.name}


def test_registry_flags(old):
    Enterprise.objects.filter(pk=old.e1.pk).update(is_borrowed_qualification=True, licence_state="unlicensed")
    assert flagged("borrowed_qualification") == flagged("unlicensed") == {old.e1.name}
    assert flagged("no_department") == {old.e4.name}  # 新型储能电站: no department has the industry


def test_unreachable(old):
    """Nobody holding the principal's or the safety manager's post (an active account, an assignment in force)."""
    from organizations.choices import PositionKind, UnitKind
    from organizations.models import PositionAssignment
    from tests.factories import PositionFactory, UserFactory, assign

    def post(kind, enterprise):
        return PositionFactory(kind=kind, unit_kind=UnitKind.ENTERPRISE, enterprise=enterprise)

    assert flagged("unreachable") == {old.e2.name, old.e3.name, old.e4.name}  # e1: the world's enterprise user
    gone = UserFactory(username="gone", unit_kind=UnitKind.ENTERPRISE, enterprise=old.e2, is_active=False)
    assign(gone, post(PositionKind.ENTERPRISE_SAFETY_MANAGER, old.e2))
    left = UserFactory(username="left", unit_kind=UnitKind.ENTERPRISE, enterprise=old.e3)
    now = timezone.now()
    PositionAssignment.objects.create(
        position=post(PositionKind.ENTERPRISE_PRINCIPAL, old.e3), user=left, started_at=now - timedelta(days=30),
        ended_at=now - timedelta(days=1),
    )  # fmt: skip
    here = UserFactory(username="here", unit_kind=UnitKind.ENTERPRISE, enterprise=old.e4)
    assign(here, post(PositionKind.ENTERPRISE_SAFETY_MANAGER, old.e4))
    assert flagged("unreachable") == {old.e2.name, old.e3.name}
