"""The demo city's risk points: every colour, both methods, an override, a major hazard source forced red, key
places, overdue re-evaluations for each reason; demo-enterprise sees its own; a second run adds none."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from organizations.models import User
from risks import points
from risks.models import RiskPoint
from tests.conftest import reseed


@pytest.mark.django_db
def test_the_demo_city_has_points_of_every_colour_and_some_overdue():
    reseed()
    call_command("seed_demo", stdout=StringIO())
    every = RiskPoint.objects.all()
    assert set(every.values_list("colour", flat=True)) == {"red", "orange", "yellow", "blue"}
    assert set(every.values_list("method", flat=True)) == {"lec", "ls"}
    assert every.exclude(override_colour="").exists() and every.filter(is_key_place=True).exists()
    assert every.filter(is_major_hazard_source=True, colour="red").exists()
    overdue = every.filter(points.overdue())
    assert set(overdue.values_list("reevaluation_reason", flat=True)) == {"yearly", "accident", "hazards"}
    assert not every.filter(controls__isnull=True).exists()
    firm = User.objects.get(username="demo-enterprise")
    own = RiskPoint.objects.visible_to(firm)
    assert own.count() == 8 and set(own.values_list("colour", flat=True)) == {"red", "orange", "yellow", "blue"}
    count = every.count()
    call_command("seed_demo", stdout=StringIO())
    assert RiskPoint.objects.count() == count
