"""`rescue.can()` offers exactly what the workflow functions accept: every action × every role of the World × an
active and an inactive team, each action tried (and rolled back) and compared with what `can()` said."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404

from emergency import rescue
from emergency.models import RescueTeam
from safety_platform.lib.errors import Conflict
from tests.organizations.test_scope import ROLES

from .rescue_fixtures import *  # noqa: F403  (the fixture)
from .rescue_fixtures import soon

pytestmark = pytest.mark.django_db


class Undo(Exception):
    """Raised to roll an accepted action back, so the next one meets the same state."""


def accepted(call) -> bool:
    try:
        with transaction.atomic():
            call()
            raise Undo
    except Undo:
        return True
    except (PermissionDenied, Http404, Conflict):
        return False


@pytest.mark.parametrize("active", [True, False])
@pytest.mark.parametrize("role", ROLES)
def test_can_matches_the_functions(rescue_world, role, active):
    w, city = rescue_world, rescue_world.users["city"]
    team = w.team_d1
    period = rescue.raise_readiness(city, team, "raised", None, soon(5), "国庆节")
    force = rescue.preposition(city, team, rescue.Deployment("会展中心", w.t1, 5, soon(2), "展会"))
    RescueTeam.objects.filter(pk=team.pk).update(active=active)
    team.refresh_from_db()
    actor = w.users[role]
    later = rescue.Deployment("火车站", w.t1, 5, soon(4), "春运", starts_at=soon(3))
    calls = {
        "edit": (team, lambda: rescue.edit_team(actor, team.pk, {"headcount": 21})),
        "raise": (team, lambda: rescue.raise_readiness(actor, team.pk, "highest", None, soon(2), "暴雨预警")),
        "preposition": (team, lambda: rescue.preposition(actor, team.pk, later)),
        "end_period": (period, lambda: rescue.end_period(actor, period.pk)),
        "withdraw": (force, lambda: rescue.withdraw(actor, force.pk)),
    }
    assert set(calls) == set(rescue.RULES), "every action of the rules table is tried"
    for action, (obj, call) in calls.items():
        assert (action in rescue.can(actor, obj)) == accepted(call), (role, action)
