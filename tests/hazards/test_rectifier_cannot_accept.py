"""Acceptance is never by whoever rectified (`permissions._require_acceptor`). An enterprise's person is refused
by that check (it comes first), but a government user who may accept has to reach it too: the superuser, who may
rectify on the enterprise's behalf and passes every role check, and the enterprise's safety manager who rectified
and has since joined the supervising department (same account), whose role now allows accepting."""

from __future__ import annotations

from django.utils.translation import gettext, override
from rest_framework.test import APIClient

from hazards import workflow
from hazards.models import Hazard
from hazards.workflow.permissions import can
from organizations.choices import PositionKind, UnitKind
from organizations.models import PositionAssignment

from ..factories import PositionFactory, UserFactory, assign
from .conftest import advance

RECTIFIER = "Whoever rectified a hazard cannot accept it."


def refused(user, hazard: Hazard) -> dict:
    client = APIClient()
    client.force_authenticate(user)
    response = client.post(f"/api/v1/hazards/{hazard.pk}/accept/", {"comment": "合格"}, format="json")
    assert response.status_code == 403, response.json()
    return response.json()


def rectifier_message() -> str:
    with override("zh-hans"):
        return gettext(RECTIFIER)


def test_the_enterprise_rectifier_is_refused_by_the_rectifier_check(hz):
    hazard = advance(hz, "rectifying")
    workflow.submit_rectification(hz.users["manager"], hazard, "已整改")
    assert refused(hz.users["manager"], hazard)["detail"] == rectifier_message()


def test_a_superuser_who_rectified_on_the_enterprises_behalf_cannot_accept(hz):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    hazard = advance(hz, "rectifying")
    workflow.submit_rectification(root, hazard, "代企业整改")
    hazard.refresh_from_db()
    assert hazard.rectified_by == root
    assert "accept" not in can(root, hazard) and "reject" not in can(root, hazard)
    assert refused(root, hazard)["detail"] == rectifier_message()
    # Another government user of the supervising department accepts it.
    assert workflow.accept(hz.users["county_dept"], hazard).status == "closed"


def test_a_rectifier_who_joined_the_supervising_department_cannot_accept(hz):
    manager = hz.users["manager"]
    hazard = advance(hz, "rectifying")
    workflow.submit_rectification(manager, hazard, "已整改")
    # The safety manager leaves the enterprise for the district bureau that supervises it, as its staff.
    PositionAssignment.objects.filter(user=manager).delete()
    manager.unit_kind, manager.enterprise, manager.department = UnitKind.DEPARTMENT, None, hz.d1_yjj
    manager.save()
    assign(
        manager,
        PositionFactory(kind=PositionKind.DEPARTMENT_STAFF, unit_kind=UnitKind.DEPARTMENT, department=hz.d1_yjj),
    )
    manager = type(manager).objects.get(pk=manager.pk)
    # Their role allows accepting hazards of this department: a colleague's rectification is theirs to accept.
    other = Hazard.objects.get(pk=advance(hz, "awaiting_acceptance").pk)
    hazard.refresh_from_db()
    assert hazard.status == "awaiting_acceptance" and hazard.rectified_by == manager
    assert {"accept", "reject"} <= can(manager, other)
    # Not their own.
    assert "accept" not in can(manager, hazard)
    assert refused(manager, hazard)["detail"] == rectifier_message()
    assert workflow.accept(manager, other).status == "closed"
