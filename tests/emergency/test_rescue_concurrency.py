"""Two owners pre-positioning the same team at the same moment for overlapping times, on two real database
connections: the team's row lock serialises them, so exactly one stands and the other is told (409)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from emergency import rescue
from emergency.models import Prepositioning
from safety_platform.lib.errors import Conflict
from tests.conftest import need
from tests.hazards.test_concurrency import race

from .rescue_fixtures import *  # noqa: F403  (the fixture)
from .rescue_fixtures import soon

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_overlapping_pre_positionings_at_once_one_stands(rescue_world):
    need("postgresql")
    w = rescue_world
    User = get_user_model()
    # Each thread reads its own copy of the actor (a user caches its scope and positions).
    city, staff = (User.objects.get(pk=w.users[r].pk) for r in ("city", "county_dept"))
    results = race(
        lambda: rescue.preposition(city, w.team_d1.pk, rescue.Deployment("海滨广场", w.t1, 8, soon(4), "跨年活动")),
        lambda: rescue.preposition(staff, w.team_d1.pk, rescue.Deployment("火车站", w.t1, 6, soon(5), "春运")),
    )
    assert sum(isinstance(r, Prepositioning) for r in results) == 1, results
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    assert Prepositioning.objects.filter(team=w.team_d1).count() == 1
