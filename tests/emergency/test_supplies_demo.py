"""The demo city's supplies: warehouses of each kind of owner, some stock below its minimum and some expiring, a plan,
one approved request that moved the stock and one waiting; a second run changes no count."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from emergency.models import AllocationPlan, AllocationRequest, Stock, StockMove, SupplyItem, Warehouse

from ..conftest import reseed

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in (Warehouse, SupplyItem, Stock, StockMove, AllocationPlan,
                                                    AllocationRequest)}  # fmt: skip


def test_seed_demo_loads_the_supplies_once(db):
    reseed()
    call_command("seed_demo", stdout=StringIO())
    before = counts()
    assert before["Warehouse"] == 5 and before["SupplyItem"] == 15
    assert {w.owner_kind for w in Warehouse.objects.all()} == {"city_office", "government", "department"}
    assert Stock.objects.below_minimum().count() >= 2 and Stock.objects.expiring().count() == 1
    approved = AllocationRequest.objects.get(status="approved")
    assert approved.moves.filter(kind="allocation_out").count() == 2
    assert AllocationRequest.objects.filter(status="pending").count() == 1
    assert AllocationPlan.objects.get().lines.count() == 4
    call_command("seed_demo", stdout=StringIO())
    assert counts() == before
