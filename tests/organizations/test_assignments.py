"""Assigning people to positions and ending that: the city office only, validated, audited; the admin goes through
the same functions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from audit.models import AuditEvent
from organizations.assignments import assign, end_assignment
from organizations.choices import PositionKind, UnitKind
from organizations.models import Position, PositionAssignment

from ..factories import UserFactory


@pytest.fixture
def leader(world) -> Position:
    return Position.objects.get(kind=PositionKind.TERRITORIAL_LEADER, region=world.d1)


@pytest.fixture
def newcomer(world):
    return UserFactory(username="newcomer", unit_kind=UnitKind.GOVERNMENT, region=world.d1)


def test_assigning_and_ending_are_audited(world, leader, newcomer):
    city = world.users["city"]
    made = assign(city, leader, newcomer, note="换届")
    assert newcomer.holds(PositionKind.TERRITORIAL_LEADER)
    event = AuditEvent.objects.get(action="position.assign")
    assert (event.actor, event.object_id, event.reason) == (city, str(made.pk), "换届")
    assert event.changes["position"] == leader.pk and event.changes["user"] == newcomer.pk

    end = timezone.now() + timedelta(minutes=1)
    end_assignment(city, made, end=end)
    made.refresh_from_db()
    assert made.ended_at == end
    event = AuditEvent.objects.get(action="position.end")
    assert (event.actor, event.object_id, event.changes) == (city, str(made.pk), {"ended_at": [None, end.isoformat()]})


@pytest.mark.parametrize("role", ["district", "dept_head", "enterprise", "outsider"])
def test_only_the_city_office_assigns(world, leader, newcomer, role):
    actor = world.users[role]
    with pytest.raises(PermissionDenied):
        assign(actor, leader, newcomer)
    held = PositionAssignment.objects.get(position=leader, user=world.users["district"])
    with pytest.raises(PermissionDenied):
        end_assignment(actor, held)
    held.refresh_from_db()
    assert held.ended_at is None and not PositionAssignment.objects.filter(user=newcomer).exists()
    assert not AuditEvent.objects.filter(action__startswith="position.").exists()


@translation.override("en")
def test_assignments_are_validated(world, leader, newcomer):
    city = world.users["city"]
    with pytest.raises(ValidationError, match="unit"):  # a department's person cannot lead a district
        assign(city, leader, world.users["dept_head"])
    with pytest.raises(ValidationError, match="already"):
        assign(city, leader, world.users["district"])
    newcomer.is_active = False
    newcomer.save()
    with pytest.raises(ValidationError, match="disabled"):
        assign(city, leader, newcomer)
    held = PositionAssignment.objects.get(position=leader, user=world.users["district"])
    with pytest.raises(ValidationError, match="after it starts"):
        end_assignment(city, held, end=held.started_at - timedelta(days=1))
    end_assignment(city, held)
    with pytest.raises(ValidationError, match="already ended"):
        end_assignment(city, held)
    assert AuditEvent.objects.filter(action__startswith="position.").count() == 1  # the one end that happened


@pytest.fixture
def admin_client(client, world):
    city = world.users["city"]
    city.is_staff = city.is_superuser = True  # still of the city office, as the admin requires
    city.save()
    client.force_login(city)
    return client


def test_the_admin_assigns_and_ends_through_the_audited_functions(admin_client, world, leader, newcomer):
    now = timezone.localtime()
    response = admin_client.post(
        reverse("admin:organizations_positionassignment_add"),
        {
            "position": leader.pk,
            "user": newcomer.pk,
            "started_at_0": now.date().isoformat(),
            "started_at_1": now.strftime("%H:%M:%S"),
            "note": "任命",
        },
    )
    assert response.status_code == 302, response.content.decode()
    made = PositionAssignment.objects.get(user=newcomer)
    event = AuditEvent.objects.get(action="position.assign")
    assert (event.actor, event.object_id, event.reason) == (world.users["city"], str(made.pk), "任命")

    response = admin_client.post(
        reverse("admin:organizations_positionassignment_changelist"),
        {"action": "end_now", "_selected_action": [made.pk]},
    )
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.ended_at is not None
    assert AuditEvent.objects.get(action="position.end").actor == world.users["city"]


def test_the_admin_shows_a_refusal_on_the_form(admin_client, world, leader):
    now = timezone.localtime()
    response = admin_client.post(
        reverse("admin:organizations_positionassignment_add"),
        {
            "position": leader.pk,
            "user": world.users["dept_head"].pk,
            "started_at_0": now.date().isoformat(),
            "started_at_1": now.strftime("%H:%M:%S"),
        },
    )
    assert response.status_code == 200 and response.context["adminform"].form.errors["user"]
    assert not PositionAssignment.objects.filter(user=world.users["dept_head"], position=leader).exists()
    assert not AuditEvent.objects.filter(action__startswith="position.").exists()


def test_the_position_page_lists_holders_read_only(admin_client, leader):
    assert admin_client.get(reverse("admin:organizations_positionassignment_add")).status_code == 200
    assert admin_client.get(reverse("admin:organizations_positionassignment_changelist")).status_code == 200
    response = admin_client.get(reverse("admin:organizations_position_change", args=[leader.pk]))
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0]
    assert not formset.has_add_permission and not formset.has_change_permission and not formset.has_delete_permission
