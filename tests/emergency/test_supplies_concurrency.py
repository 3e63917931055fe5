"""Two people take stock from one row at the same moment, on two real database connections: the row lock queues the
second behind the first, which then sees what is left; exactly one succeeds and the stock never goes negative."""

from __future__ import annotations

from decimal import Decimal

import pytest

from emergency import supplies
from emergency.models import AllocationRequest, Stock, StockMove
from safety_platform.lib.errors import Conflict
from tests.hazards.test_concurrency import race

from ..conftest import need
from .supplies_world import make_supplies

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_issues_of_60_from_100_one_wins(world):
    need("postgresql")
    sup = make_supplies(world)
    house, users = sup.houses["w_d1"], (world.users["district"], world.users["city"])
    results = race(*[lambda u=u: supplies.issue(u, house.pk, sup.sandbag.pk, "60", "抢险") for u in users])
    winners = [r for r in results if isinstance(r, StockMove)]
    losers = [r for r in results if isinstance(r, Conflict)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert "库存不足" in str(losers[0]) and "现有 40" in str(losers[0])
    row = Stock.objects.get(warehouse=house, item=sup.sandbag)
    assert row.quantity == Decimal(40)
    assert StockMove.objects.filter(stock=row, kind="out").count() == 1


def test_an_approval_and_an_issue_at_once_never_overdraw(world):
    need("postgresql")
    sup = make_supplies(world)
    house, city = sup.houses["w_city"], world.users["city"]
    req = supplies.request_allocation(world.users["district"], house, [supplies.Line(sup.sandbag, 70)], "海滨街道",
                                      "防汛")  # fmt: skip
    results = race(lambda: supplies.approve(city, req.pk), lambda: supplies.issue(city, house.pk, sup.sandbag, 70, "x"))
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    row = Stock.objects.get(warehouse=house, item=sup.sandbag)
    assert row.quantity == Decimal(30)
    req.refresh_from_db()
    approved = req.status == AllocationRequest.Status.APPROVED
    assert StockMove.objects.filter(stock=row, kind="allocation_out").count() == int(approved)
