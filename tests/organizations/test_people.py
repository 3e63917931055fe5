"""People and positions: responsibility points at positions, which resolve to their current holders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from organizations.choices import PositionKind, UnitKind
from organizations.models import Position, PositionAssignment
from organizations.responsibility import territorial_leader_position

from ..factories import PositionFactory, UserFactory, assign


def test_a_change_of_holder_changes_who_is_told_and_keeps_history(world):
    position = Position.objects.get(kind=PositionKind.TERRITORIAL_LEADER, region=world.d1)
    old = world.users["district"]
    assert list(position.current_holders()) == [old]
    new = UserFactory(username="new-leader", unit_kind=UnitKind.GOVERNMENT, region=world.d1)
    PositionAssignment.objects.filter(position=position, user=old).update(ended_at=timezone.now())
    assign(new, position)
    assert list(position.current_holders()) == [new]
    assert PositionAssignment.objects.filter(position=position).count() == 2  # history kept


def test_future_and_inactive_holders_are_not_current(world):
    position = Position.objects.get(kind=PositionKind.TERRITORIAL_LEADER, region=world.d1)
    later = UserFactory(username="later", unit_kind=UnitKind.GOVERNMENT, region=world.d1)
    PositionAssignment.objects.create(position=position, user=later, started_at=timezone.now() + timedelta(days=3))
    world.users["district"].is_active = False
    world.users["district"].save()
    assert list(position.current_holders()) == []


def test_territorial_leader_is_the_nearest_region_upwards_with_one(world):
    assert territorial_leader_position(world.t1).region == world.d1
    city_leader = PositionFactory(
        kind=PositionKind.TERRITORIAL_LEADER, unit_kind=UnitKind.GOVERNMENT, region=world.city
    )
    assert territorial_leader_position(world.t2) == city_leader


def test_unit_consistency_is_enforced(world):
    user = UserFactory(username="confused", unit_kind=UnitKind.DEPARTMENT, region=world.d1)
    with pytest.raises(ValidationError) as exc:
        user.full_clean()
    assert set(exc.value.message_dict) == {"department", "region"}
    position = Position(kind=PositionKind.INSPECTOR, title="x", unit_kind=UnitKind.ENTERPRISE, enterprise=world.e1)
    with pytest.raises(ValidationError) as exc:
        position.full_clean()
    assert "kind" in exc.value.message_dict


@pytest.mark.parametrize("password", ["demo12345", "12345678901", "password123", "short"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_strong_password_passes():
    validate_password("Hai-bin-anjian-2026")
