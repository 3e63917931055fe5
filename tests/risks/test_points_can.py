"""`points.can()` offers exactly what the workflow functions accept: every action of RULES × every role of the World
(and a superuser) × a point in use and one out of use, each action tried (and rolled back) and compared."""

from __future__ import annotations

import pytest

from organizations.models import User
from risks import points
from risks.models import RiskPoint
from tests.emergency.test_rescue_can import accepted
from tests.organizations.test_scope import ROLES

from .factories import make_point

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("active", [True, False])
@pytest.mark.parametrize("role", [*ROLES, "root"])
def test_can_matches_the_functions(world, role, active):
    point = make_point(world.e1, "orange")
    RiskPoint.objects.filter(pk=point.pk).update(is_active=active)
    point.refresh_from_db()
    actor = User.objects.create_superuser("root", password="x") if role == "root" else world.users[role]
    calls = {
        "edit": lambda: points.edit_point(actor, point.pk, points.PointData({"responsible_name": "赵工"}, {}, None)),
        "evaluate": lambda: points.evaluate(actor, point.pk, {"lec_l": 1, "lec_e": 6, "lec_c": 7}),
        "retire": lambda: points.retire(actor, point.pk, "装置拆除"),
    }
    assert set(calls) == set(points.RULES), "every action of the rules table is tried"
    offered = points.can(actor, point)
    for action, call in calls.items():
        assert (action in offered) == accepted(call), (role, action)
    # Only the enterprise's own keeper (and the superuser) is offered anything, and only while the point is in use.
    assert bool(offered) == (active and role in ("enterprise", "root"))
