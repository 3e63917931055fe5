"""The demo's enforcement documents: one of every kind, and Art. 113's proposal with its notice for the enterprise
with an open major hazard; a second run issues nothing."""

from __future__ import annotations

import pytest

from notifications.models import Notification
from organizations.choices import PositionKind, UnitKind
from oversight import enforcement
from oversight.demo_enforcement import load_demo_enforcement
from oversight.models import EnforcementAction
from tests.factories import PositionFactory, UserFactory, assign

from .enforcement_fixtures import *  # noqa: F403  (the fixtures)
from .enforcement_fixtures import hazard

pytestmark = pytest.mark.django_db


def test_every_kind_and_an_article_113_proposal(world, head):
    city = UserFactory(username="demo-city", unit_kind=UnitKind.CITY_OFFICE, region=world.city)
    assign(
        city, PositionFactory(kind=PositionKind.CITY_OFFICE_STAFF, unit_kind=UnitKind.CITY_OFFICE, region=world.city)
    )
    hazard(world, world.e1)
    counts = load_demo_enforcement()
    assert counts["enforcement_actions_created"] == 8 and counts["article_113_proposals"] == 1
    kinds = set(EnforcementAction.objects.values_list("kind", flat=True))
    assert kinds == {"rectify_order", "penalty", "suspension", "closure_proposal", "referral"}
    proposal = EnforcementAction.objects.get(by_article_113=True)
    assert proposal.enterprise == world.e1 and proposal.state == "proposed"
    assert Notification.objects.filter(kind=enforcement.KIND, must_answer=True).exists()
    again = load_demo_enforcement()
    assert again["enforcement_actions_created"] == 0 and again["enforcement_actions"] == counts["enforcement_actions"]
