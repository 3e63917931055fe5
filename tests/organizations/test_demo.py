"""`manage.py seed_demo` loads a usable demo city, and loading it again changes nothing."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from hazards.models import Hazard, HazardEvent
from organizations.creditcode import validate_credit_code
from organizations.models import Enterprise, User

from ..conftest import reseed


def test_seed_demo_twice(db):
    reseed()
    call_command("seed_demo", stdout=StringIO())
    counts = (Enterprise.objects.count(), User.objects.count(), Hazard.objects.count(), HazardEvent.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (
        Enterprise.objects.count(),
        User.objects.count(),
        Hazard.objects.count(),
        HazardEvent.objects.count(),
    ) == counts
    assert counts[0] == 200 and counts[2] == 20
    for code in Enterprise.objects.values_list("credit_code", flat=True):
        validate_credit_code(code)
    assert {e.licence_state for e in Enterprise.objects.all()} == {"licensed", "unlicensed"}
    assert len({e.operating_state for e in Enterprise.objects.all()}) == 6
    for name in ("demo-city", "demo-district", "demo-department", "demo-inspector", "demo-enterprise", "demo-duty"):
        user = User.objects.get(username=name)
        assert user.check_password("demo12345") and user.position_kinds()
    assert set(Hazard.objects.values_list("status", flat=True)) == {
        "reported", "confirmed", "rectifying", "awaiting_acceptance", "closed"
    }  # fmt: skip
    assert Hazard.objects.overdue().exists()
    from duty_roster.models import DutyShift

    assert DutyShift.objects.count() == 30 and DutyShift.objects.filter(officers__username="demo-duty").count() == 30
