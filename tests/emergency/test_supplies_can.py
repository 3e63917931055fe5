"""`can()` and the functions read one rules table: for every role and every warehouse and request it sees, an action
is offered exactly when its function accepts it (the function run in a savepoint that is rolled back)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from emergency import supplies
from emergency.models import AllocationRequest, Warehouse
from safety_platform.lib.errors import Conflict
from tests.organizations.test_scope import ROLES

from .supplies_world import make_allocations

pytestmark = pytest.mark.django_db


class Undo(Exception):
    pass


def accepted(call) -> bool:
    try:
        with transaction.atomic():
            call()
            raise Undo
    except Undo:
        return True
    except (PermissionDenied, Conflict):
        return False


def warehouse_calls(user, house, sup):
    return {
        "receive": lambda: supplies.receive(user, house.pk, sup.sandbag, 1, "入库"),
        "issue": lambda: supplies.issue(user, house.pk, sup.sandbag, 1, "出库"),
        "scrap": lambda: supplies.scrap(user, house.pk, sup.sandbag, 1, "报废"),
        "set_minimum": lambda: supplies.set_minimum(user, house.pk, sup.sandbag, 7),
        "edit_warehouse": lambda: supplies.edit_warehouse(user, house.pk, {"address": "新地址"}),
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("active", [True, False])
def test_can_matches_the_functions(sup, role, active):
    make_allocations(sup)
    Warehouse.objects.update(active=active)
    user = sup.world.users[role]
    seen = 0
    for house in Warehouse.objects.visible_to(user):
        offered = supplies.can(user, house)
        for action, call in warehouse_calls(user, house, sup).items():
            assert (action in offered) == accepted(call), (role, house.name, action)
        seen += 1
    for req in AllocationRequest.objects.visible_to(user).select_related("warehouse"):
        offered = supplies.can(user, req)
        assert ("reject" in offered) == accepted(lambda r=req: supplies.reject(user, r.pk, "不同意"))
        # Approving the seeded 5 沙袋 succeeds wherever the rule allows (100 are held), unless out of use (409).
        assert ("approve" in offered) == accepted(lambda r=req: supplies.approve(user, r.pk))
        seen += 1
    assert seen or role in ("dept_head", "enterprise", "outsider")
