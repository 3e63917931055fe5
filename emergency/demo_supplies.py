"""The demo city's emergency supplies: five warehouses (the city office's, 市应急管理局's, 海滨区's and its
应急管理局's, 新城区's), fifteen catalogue items, stock with a few items below their minimum and one expiring
soon, the plan for a flood in 海滨区, one approved allocation request and one awaiting approval. Idempotent: a
second run resets the stock rows and adds nothing else."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from organizations.choices import UnitKind
from organizations.models import Department, Region, User

from . import supplies
from .models import AllocationPlan, AllocationPlanLine, AllocationRequest, Stock, StockMove, SupplyItem, Warehouse

F = SupplyItem.Category
ITEMS = [
    ("沙袋", F.FLOOD, "条", "编织袋 50kg"),
    ("救生衣", F.FLOOD, "件", "成人 船用"),
    ("冲锋舟", F.FLOOD, "艘", "6人 玻璃钢"),
    ("抽水泵", F.FLOOD, "台", "潜水泵 100m³/h"),
    ("发电机", F.RESCUE, "台", "柴油 30kW"),
    ("照明灯塔", F.RESCUE, "台", "移动式 4×500W"),
    ("帐篷", F.LIVING, "顶", "救灾 12m²"),
    ("折叠床", F.LIVING, "张", ""),
    ("棉被", F.LIVING, "床", ""),
    ("灭火器", F.FIRE, "具", "干粉 4kg"),
    ("消防水带", F.FIRE, "盘", "DN65 20m"),
    ("防化服", F.CHEMICAL, "套", "重型 A级"),
    ("空气呼吸器", F.CHEMICAL, "具", "正压式 6.8L"),
    ("急救包", F.MEDICAL, "个", "家庭型"),
    ("警戒带", F.OTHER, "卷", "100m"),
]

# warehouse name -> (owner, department code or region code, address, keeper, phone)
WAREHOUSES = {
    "市级应急物资储备库": (UnitKind.CITY_OFFICE, "990100", "滨海市经济开发区储备路1号", "孙国栋", "0532-81000301"),
    "市应急管理局危化品应急物资库": (
        UnitKind.DEPARTMENT,
        "city-yjj",
        "滨海市化工园区应急路8号",
        "周强",
        "0532-81000302",
    ),
    "海滨区防汛物资仓库": (UnitKind.GOVERNMENT, "990102", "海滨区滨海大道66号", "吴海", "0532-82000303"),
    "海滨区应急管理局物资库": (UnitKind.DEPARTMENT, "990102-yjj", "海滨区望海路12号", "郑磊", "0532-82000304"),
    "新城区应急物资仓库": (UnitKind.GOVERNMENT, "990103", "新城区文昌路88号", "冯建", "0532-83000305"),
}

# (warehouse, item) -> (quantity, minimum, days to expiry or None)
STOCK = {
    ("市级应急物资储备库", "沙袋"): (20000, 10000, None),
    ("市级应急物资储备库", "救生衣"): (1500, 1000, 900),
    ("市级应急物资储备库", "冲锋舟"): (12, 10, None),
    ("市级应急物资储备库", "抽水泵"): (40, 30, None),
    ("市级应急物资储备库", "发电机"): (15, 10, None),
    ("市级应急物资储备库", "帐篷"): (800, 500, None),
    ("市级应急物资储备库", "折叠床"): (600, 500, None),
    ("市级应急物资储备库", "棉被"): (1200, 1000, 700),
    ("市应急管理局危化品应急物资库", "防化服"): (8, 20, 400),  # below minimum
    ("市应急管理局危化品应急物资库", "空气呼吸器"): (30, 20, None),
    ("市应急管理局危化品应急物资库", "警戒带"): (200, 100, None),
    ("海滨区防汛物资仓库", "沙袋"): (3000, 5000, None),  # below minimum
    ("海滨区防汛物资仓库", "救生衣"): (300, 200, 600),
    ("海滨区防汛物资仓库", "抽水泵"): (10, 8, None),
    ("海滨区防汛物资仓库", "急救包"): (120, 50, 12),  # expiring soon
    ("海滨区应急管理局物资库", "灭火器"): (300, 200, 500),
    ("海滨区应急管理局物资库", "消防水带"): (40, 30, None),
    ("海滨区应急管理局物资库", "照明灯塔"): (4, 4, None),
    ("新城区应急物资仓库", "抽水泵"): (2, 5, None),  # below minimum
    ("新城区应急物资仓库", "帐篷"): (150, 100, None),
    ("新城区应急物资仓库", "发电机"): (6, 4, None),
}

PLAN = "海滨区洪涝"
APPROVED_REASON = "台风“海燕”过境，海滨街道沿海堤段加固"
PENDING_REASON = "新城区低洼片区排涝"


def load_supplies() -> dict[str, int]:
    """Load (or reset) the demo supplies; returns counts (`kind`, `kind_created`) for seed_demo's summary."""
    models = {"warehouses": Warehouse, "supply_items": SupplyItem, "stock_rows": Stock,
              "allocations": AllocationRequest}  # fmt: skip
    before = {kind: model.objects.count() for kind, model in models.items()}
    with transaction.atomic():
        items = {name: _item(name, category, unit, spec) for name, category, unit, spec in ITEMS}
        houses = {name: _warehouse(name, *spec) for name, spec in WAREHOUSES.items()}
        office = User.objects.get(username="demo-city")
        for (house, item), (quantity, minimum, days) in STOCK.items():
            _stock(houses[house], items[item], quantity, minimum, days, office)
        _plan(houses, items, office)
        _requests(houses, items, office)
    counts = {}
    for kind, model in models.items():
        counts[kind] = model.objects.count()
        counts[f"{kind}_created"] = counts[kind] - before[kind]
    return counts


def _item(name: str, category: str, unit: str, spec: str) -> SupplyItem:
    item, _ = SupplyItem.objects.update_or_create(name=name, specification=spec,
                                                  defaults={"category": category, "unit": unit})  # fmt: skip
    return item


def _warehouse(name: str, owner: str, unit: str, address: str, keeper: str, phone: str) -> Warehouse:
    department = Department.objects.get(code=unit) if owner == UnitKind.DEPARTMENT else None
    region = department.region if department else Region.objects.get(code=unit)
    house, _ = Warehouse.objects.update_or_create(
        name=name, region=region,
        defaults={"owner_kind": owner, "department": department, "address": address, "keeper_name": keeper,
                  "keeper_phone": phone, "active": True},
    )  # fmt: skip
    return house


def _stock(house: Warehouse, item: SupplyItem, quantity: int, minimum: int, days: int | None, by: User) -> None:
    today = timezone.localdate()
    expires = today + timedelta(days=days) if days is not None else None
    produced = today - timedelta(days=365) if expires else None
    stock, _ = Stock.objects.update_or_create(
        warehouse=house, item=item,
        defaults={"quantity": Decimal(quantity), "minimum": Decimal(minimum), "produced_on": produced,
                  "expires_on": expires},
    )  # fmt: skip
    if not stock.moves.exists():
        StockMove.objects.create(stock=stock, kind=StockMove.Kind.IN, quantity=Decimal(quantity),
                                 balance=Decimal(quantity), reason="期初库存", by=by)  # fmt: skip


def _plan(houses: dict, items: dict, office: User) -> None:
    if AllocationPlan.objects.filter(name=PLAN).exists():
        return
    haibin = Region.objects.get(code="990102")
    note = "海滨区遭遇强降雨、城区内涝时，市级储备库向各街道安置点调拨。"
    plan = AllocationPlan.objects.create(name=PLAN, region=haibin, prepared_by=office, note=note)
    city_store = houses["市级应急物资储备库"]
    lines = [("沙袋", 5000, "海滨街道沿海堤段", "990102001"), ("冲锋舟", 4, "望海街道低洼片区", "990102002"),
             ("帐篷", 200, "金沙街道安置点", "990102003"), ("抽水泵", 10, "海滨街道地下通道", "990102001")]  # fmt: skip
    AllocationPlanLine.objects.bulk_create([
        AllocationPlanLine(plan=plan, warehouse=city_store, item=items[item], quantity=Decimal(quantity),
                           destination=place, destination_region=Region.objects.get(code=code))
        for item, quantity, place, code in lines
    ])  # fmt: skip


def _requests(houses: dict, items: dict, office: User) -> None:
    """One approved request (海滨区 from the city's store into its own warehouse, through the workflow) and one awaiting
    the city office (新城区)."""
    Line = supplies.Line
    if not AllocationRequest.objects.filter(reason=APPROVED_REASON).exists():
        district = User.objects.get(username="demo-district")
        req = supplies.request_allocation(
            district, houses["市级应急物资储备库"], [Line(items["沙袋"], 2000), Line(items["救生衣"], 100)],
            "海滨街道沿海堤段", APPROVED_REASON, Region.objects.get(code="990102001"), houses["海滨区防汛物资仓库"],
            AllocationPlan.objects.filter(name=PLAN).first(),
        )  # fmt: skip
        supplies.approve(office, req)
    if not AllocationRequest.objects.filter(reason=PENDING_REASON).exists():
        xincheng = User.objects.filter(unit_kind=UnitKind.GOVERNMENT, region__code="990103", is_active=True).first()
        if xincheng is not None:
            supplies.request_allocation(xincheng, houses["市级应急物资储备库"], [Line(items["抽水泵"], 6)],
                                        "文昌街道低洼片区", PENDING_REASON)  # fmt: skip
