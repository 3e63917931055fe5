"""The demo's rescue teams: ten teams across the districts, raised for the next holiday, one force standing now;
a second run changes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from emergency import rescue
from emergency.models import Prepositioning, ReadinessPeriod, RescueTeam
from organizations.models import User
from tests.conftest import reseed


@pytest.mark.django_db
def test_the_demo_city_has_teams_a_holiday_raise_and_forces_standing():
    reseed()
    call_command("seed_demo", stdout=StringIO())
    counts = (RescueTeam.objects.count(), ReadinessPeriod.objects.count(), Prepositioning.objects.count())
    assert counts[0] == 10
    assert set(RescueTeam.objects.values_list("kind", flat=True)) == {
        "fire_rescue", "mine", "hazchem", "flood", "forest_fire"
    }  # fmt: skip
    holiday = rescue.next_holiday()
    assert counts[1] == 10 and set(ReadinessPeriod.objects.values_list("reason", flat=True)) == {holiday.name}
    board = rescue.readiness_board(User.objects.get(username="demo-city"))
    assert len(board.rows) == 7 and board.teams == 10
    assert sum(len(row.forces) for row in board.rows) == 1
    assert Prepositioning.objects.get().covers(timezone.now())
    call_command("seed_demo", stdout=StringIO())
    assert (RescueTeam.objects.count(), ReadinessPeriod.objects.count(), Prepositioning.objects.count()) == counts
