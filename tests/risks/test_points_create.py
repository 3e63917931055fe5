"""Registering a risk point through the one writer: its controls, its first evaluation kept, the audit record; who
may; and bad input refused by field with nothing written."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from risks import points
from risks.models import RiskControl, RiskEvaluation, RiskPoint

from ..factories import PositionFactory, UserFactory, assign
from .factories import make_point

pytestmark = pytest.mark.django_db


def data(**evaluation) -> points.PointData:
    return points.PointData(
        fields={"name": "液氨储罐", "place": "罐区", "responsible_name": "李工", "hazard_factors": ["22", "21"],
                "accident_types": ["17", "19"], "control_level": "workshop"},
        evaluation={"method": "lec", "lec_l": Decimal(6), "lec_e": Decimal(6), "lec_c": Decimal(15), **evaluation},
        controls=[{"kind": "engineering", "measure": "氨气泄漏报警"}, {"kind": "protective", "measure": "防毒面具"}],
    )  # fmt: skip


def test_the_enterprise_registers_a_point_and_its_grade_is_computed(world):
    """GIVEN the enterprise's safety manager WHEN they register a point (L 6, E 6, C 15) THEN D is 540, red; the
    controls, the first evaluation and the audit record are written."""
    actor = world.users["enterprise"]
    point = points.create_point(actor, world.e1, data())
    assert (point.score, point.computed_colour, point.colour) == (Decimal(540), "red", "red")
    assert (point.region_path, point.industry_id) == (world.e1.region.path, world.e1.industry_id)
    assert point.department == world.d1_yjj  # as a hazard of e1 (海滨区, chemicals) would be assigned
    assert list(RiskControl.objects.filter(point=point).values_list("measure", flat=True)) == [
        "氨气泄漏报警",
        "防毒面具",
    ]
    assert RiskEvaluation.objects.get(point=point).reason == "first"
    assert AuditEvent.objects.filter(action="risk.create", object_id=str(point.pk)).exists()


def test_another_enterprise_or_the_government_may_not(world):
    """GIVEN an inspector and the staff of another enterprise THEN both are refused and nothing is written."""
    other = UserFactory(unit_kind="enterprise", enterprise=world.e2)
    assign(other, PositionFactory(kind="enterprise_safety_manager", unit_kind="enterprise", enterprise=world.e2))
    for actor in (world.users["inspector"], other):
        with pytest.raises(PermissionDenied):
            points.create_point(actor, world.e1, data())
    assert not RiskPoint.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [({"evaluation": {"lec_l": Decimal(7)}}, "lec_l"), ({"fields": {"hazard_factors": ["99"]}}, "hazard_factors"),
     ({"fields": {"accident_types": ["21"]}}, "accident_types"), ({"controls": []}, "controls"),
     ({"controls": [{"kind": "magic", "measure": "x"}]}, "controls"), ({"fields": {"name": ""}}, "name"),
     ({"evaluation": {"override_colour": "blue", "override_reason": "已整改"}}, "override_colour")],
)  # fmt: skip
def test_bad_input_is_refused_by_field_and_nothing_is_written(world, change, field):
    """GIVEN a value outside the tables, an unknown code, no controls, no name or a lowering override THEN a
    ValidationError names the field and no row is written."""
    given = data()
    for part, values in change.items():
        if part == "controls":
            given.controls = values
        else:
            getattr(given, part).update(values)
    with pytest.raises(ValidationError) as caught:
        points.create_point(world.users["enterprise"], world.e1, given)
    assert field in caught.value.message_dict
    assert not RiskPoint.objects.exists() and not RiskControl.objects.exists()


@pytest.mark.parametrize("colour", ["red", "orange", "yellow", "blue"])
def test_the_factory_makes_each_colour(world, colour):
    assert make_point(world.e1, colour).colour == colour
