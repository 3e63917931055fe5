"""`seed_bulk --risk-points`: points spread over the bulk enterprises, of every colour, two controls each, and
removed again by --reset."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db.models import Count

from risks.models import RiskControl, RiskPoint

pytestmark = pytest.mark.django_db


def test_bulk_risk_points_spread_over_the_bulk_enterprises_and_reset_removes_them():
    """GIVEN 50 bulk enterprises WHEN 500 risk points are generated THEN each enterprise has 10, every colour
    appears, each point has two controls whose colours agree with their scores; --reset removes them all."""
    call_command("seed_bulk", enterprises=50, risk_points=500, seed=3, verbosity=0)
    assert RiskPoint.objects.count() == 500
    assert set(RiskPoint.objects.values("enterprise").annotate(n=Count("id")).values_list("n", flat=True)) == {10}
    assert set(RiskPoint.objects.values_list("colour", flat=True)) == {"red", "orange", "yellow", "blue"}
    assert RiskControl.objects.count() == 1000
    for point in RiskPoint.objects.all()[:50]:
        assert point.colour == point.computed_colour
    call_command("seed_bulk", enterprises=0, reset=True, verbosity=0)
    assert not RiskPoint.objects.exists() and not RiskControl.objects.exists()
