"""Supplies rows on the World (tests/conftest.py): a warehouse of each kind of owner, an item, stock and a move in
each, plans and requests; shared by the supplies tests and the scope matrix."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from emergency.models import (
    AllocationPlan,
    AllocationRequest,
    AllocationRequestLine,
    Stock,
    StockMove,
    SupplyItem,
    Warehouse,
)
from organizations.choices import UnitKind

# warehouse name -> (owner kind, department attribute, region attribute)
WAREHOUSES = {
    "w_city": (UnitKind.CITY_OFFICE, None, "city"),  # 市级应急物资储备库
    "w_d1": (UnitKind.GOVERNMENT, None, "d1"),  # 海滨区政府的
    "w_d2": (UnitKind.GOVERNMENT, None, "d2"),  # 新城区政府的
    "w_yjj": (UnitKind.DEPARTMENT, "yjj", "city"),  # 市应急管理局的
    "w_d1_yjj": (UnitKind.DEPARTMENT, "d1_yjj", "d1"),  # 海滨区应急管理局的
}


@dataclass
class Supplies:
    world: object
    houses: dict  # name -> Warehouse
    sandbag: SupplyItem
    jacket: SupplyItem


def make_supplies(world, quantity: Decimal = Decimal(100)) -> Supplies:
    houses = {}
    for name, (owner, department, region) in WAREHOUSES.items():
        houses[name] = Warehouse.objects.create(
            name=name, owner_kind=owner, department=getattr(world, department) if department else None,
            region=getattr(world, region), address="仓库路1号", keeper_name="王保管", keeper_phone="0591-12345678",
        )  # fmt: skip
    sandbag = SupplyItem.objects.create(name="沙袋", category="flood", unit="条", specification="50kg")
    jacket = SupplyItem.objects.create(name="救生衣", category="flood", unit="件")
    for house in houses.values():
        stock = Stock.objects.create(warehouse=house, item=sandbag, quantity=quantity, minimum=Decimal(10))
        StockMove.objects.create(stock=stock, kind="in", quantity=quantity, balance=quantity, reason="入库",
                                 by=world.users["city"])  # fmt: skip
    return Supplies(world, houses, sandbag, jacket)


def make_allocations(s: Supplies) -> None:
    """Plans p_city (city office, the city), p_d1 (海滨区应急管理局, 海滨区), p_d2 (city office, 新城区); requests
    r1 (海滨区 asks the city's warehouse), r2 (新城区 asks 海滨区应急管理局's), r3 (新城区 asks 市应急管理局's)."""
    w, city = s.world, s.world.users["city"]
    AllocationPlan.objects.create(name="p_city", region=w.city, prepared_by=city)
    AllocationPlan.objects.create(name="p_d1", region=w.d1, department=w.d1_yjj, prepared_by=w.users["county_dept"])
    AllocationPlan.objects.create(name="p_d2", region=w.d2, prepared_by=city)
    for name, region, house in (("r1", w.d1, "w_city"), ("r2", w.d2, "w_d1_yjj"), ("r3", w.d2, "w_yjj")):
        req = AllocationRequest.objects.create(warehouse=s.houses[house], region=region, destination=name,
                                               reason="防汛", requested_by=city)  # fmt: skip
        AllocationRequestLine.objects.create(request=req, item=s.sandbag, quantity=Decimal(5))


HOUSES_SEEN = {
    "city": set(WAREHOUSES),
    "district": {"w_d1", "w_d1_yjj"},
    "dept_head": set(),
    "county_dept": {"w_d1_yjj"},
    "inspector": {"w_yjj"},
    "enterprise": set(),
    "outsider": set(),
}
PLANS_SEEN = {
    "city": {"p_city", "p_d1", "p_d2"},
    "district": {"p_d1"},
    "dept_head": set(),
    "county_dept": {"p_d1"},
    "inspector": set(),
    "enterprise": set(),
    "outsider": set(),
}
REQUESTS_SEEN = {
    "city": {"r1", "r2", "r3"},
    "district": {"r1", "r2"},  # its own request and the one to its district's warehouse
    "dept_head": set(),
    "county_dept": {"r2"},
    "inspector": {"r3"},
    "enterprise": set(),
    "outsider": set(),
}


def supply_name(row) -> str:
    """The matrix's name of a supplies row."""
    label = row._meta.label
    if label == "emergency.Warehouse":
        return row.name
    if label == "emergency.Stock":
        return row.warehouse.name
    if label == "emergency.StockMove":
        return row.stock.warehouse.name
    if label == "emergency.AllocationPlan":
        return row.name
    if label == "emergency.AllocationRequest":
        return row.destination
    return "item"
