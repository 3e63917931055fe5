"""The demo city 滨海市 and the loaders that put it into the database.

- `load_reference()` loads regions, industries and departments (the 三管三必须 map);
- `load_demo()` adds 200 enterprises, positions and the six demo users of the public contract;
- the generators of names, places and credit codes here also serve the bulk enterprises of the benchmarks
  (`ops/seeding/enterprises.py`).

Everything is deterministic: fixed data, and `random.Random` with a fixed seed for the generated parts,
so that two runs give the same rows and a bug seen once can be seen again.
"""

from __future__ import annotations

import random
import zlib
from collections import Counter
from datetime import timedelta
from typing import NamedTuple

from django.db import models, transaction
from django.utils import timezone

from .choices import LicenceState, OperatingState, PositionKind, RegionLevel, UnitKind
from .creditcode import ALPHABET, make_credit_code
from .models import Department, Enterprise, Industry, Position, PositionAssignment, Region, User

DEMO_PASSWORD = "demo12345"
DEMO_SEED = 20240601
DEMO_ENTERPRISES = 200
DEMO_PREFIX = "91"  # 工商 registered enterprise
PRINCIPAL_POSITIONS = 10  # enterprises that get principal and safety-manager positions

# --- Regions --------------------------------------------------------------------------------------------------

CITY = ("990100", "滨海市")
# (code, name, level, [(township code, township name), ...]); the township level follows the county's kind.
COUNTIES = [
    ("990102", "海滨区", RegionLevel.DISTRICT, [("990102001", "海滨街道"), ("990102002", "望海街道"),
                                               ("990102003", "金沙街道")]),
    ("990103", "新城区", RegionLevel.DISTRICT, [("990103001", "新城街道"), ("990103002", "文昌街道"),
                                               ("990103003", "锦绣街道")]),
    ("990104", "港口区", RegionLevel.DISTRICT, [("990104001", "港湾街道"), ("990104002", "临港街道")]),
    ("990121", "青山县", RegionLevel.COUNTY, [("990121101", "青山镇"), ("990121102", "石门镇"),
                                             ("990121201", "松林乡")]),
    ("990122", "河谷县", RegionLevel.COUNTY, [("990122101", "河谷镇"), ("990122102", "柳湾镇"),
                                             ("990122201", "白沙乡")]),
    ("990171", "滨海经济技术开发区", RegionLevel.ZONE, [("990171001", "海韵街道"), ("990171002", "科创街道")]),
]  # fmt: skip
LEADER_TITLES = {
    RegionLevel.CITY: "分管安全生产副市长",
    RegionLevel.DISTRICT: "分管安全生产副区长",
    RegionLevel.COUNTY: "分管安全生产副县长",
    RegionLevel.ZONE: "管委会分管安全生产副主任",
}


class Place(NamedTuple):
    """A township with what an enterprise name and address need from it and its county."""

    code: str
    name: str
    county_code: str
    county_name: str


def township_level(name: str) -> str:
    """Streets (街道) in districts and zones, towns (镇) and townships (乡) in counties."""
    return RegionLevel.STREET if name.endswith("街道") else RegionLevel.TOWNSHIP


def short_name(name: str) -> str:
    """海滨街道 -> 海滨, 青山镇 -> 青山: the part that goes into an enterprise's name."""
    for suffix in ("街道", "镇", "乡", "区", "县"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def demo_places() -> list[Place]:
    return [Place(code, name, county[0], county[1]) for county in COUNTIES for code, name in county[3]]


# --- Industries and departments (三管三必须) -------------------------------------------------------------------

# (code, name, sector code or None). Sectors are never claimed by a department: claiming one would claim its
# children too, and the 新兴业态 sector must stay a supervision gap.
INDUSTRIES = [
    ("10", "工矿商贸", None),
    ("1001", "危险化学品", "10"),
    ("1002", "烟花爆竹", "10"),
    ("1003", "非煤矿山", "10"),
    ("1004", "冶金", "10"),
    ("1005", "建材", "10"),
    ("1006", "机械制造", "10"),
    ("1007", "轻工", "10"),
    ("1008", "商贸", "10"),
    ("20", "建设与交通", None),
    ("2001", "建筑施工", "20"),
    ("2002", "燃气", "20"),
    ("2003", "道路运输", "20"),
    ("30", "城市运行与公共服务", None),
    ("3001", "特种设备", "30"),
    ("3002", "人员密集场所", "30"),
    ("3003", "成品油流通", "30"),
    ("3004", "旅游景区", "30"),
    ("3005", "文化娱乐场所", "30"),
    ("3006", "学校及校外培训机构", "30"),
    ("40", "新兴业态", None),
    ("4001", "新型储能电站", "40"),  # no department supervises it: the deliberate supervision gap
]
GAP_INDUSTRY = "4001"
MINE_INDUSTRY = "1003"
OIL_GAS_INDUSTRIES = {"1001", "2002", "3003"}
HIGH_RISK_INDUSTRIES = {"1001", "1002", "1003", "1004", "2002", "3002", "4001"}
# What goes before 有限公司 in a generated name; also the weight of each industry in the demo registry.
INDUSTRY_SUFFIX = {
    "1001": ("化工", 3), "1002": ("烟花爆竹", 1), "1003": ("矿业", 2), "1004": ("钢铁", 1), "1005": ("建材", 1),
    "1006": ("机械", 2), "1007": ("轻工制品", 2), "1008": ("商贸", 2), "2001": ("建筑工程", 2),
    "2002": ("燃气", 1), "2003": ("运输", 1), "3001": ("电梯工程", 1), "3002": ("商业管理", 2),
    "3003": ("石油销售", 1), "3004": ("旅游开发", 1), "3005": ("文化娱乐", 1), "3006": ("教育培训", 1),
    "4001": ("储能科技", 1),
}  # fmt: skip


class DepartmentSpec(NamedTuple):
    code: str
    name: str
    industries: tuple[str, ...]
    duty_phone: str
    head_title: str
    is_default_supervisor: bool = False


CITY_DEPARTMENTS = [
    DepartmentSpec("city-yjj", "市应急管理局", ("1001", "1002", "1003", "1004", "1005", "1006", "1007", "1008"),
                   "0532-81000110", "局长", True),
    DepartmentSpec("city-zjj", "市住房和城乡建设局", ("2001", "2002"), "0532-81000120", "局长"),
    DepartmentSpec("city-jtj", "市交通运输局", ("2003",), "0532-81000130", "局长"),
    DepartmentSpec("city-scjgj", "市市场监督管理局", ("3001",), "0532-81000140", "局长"),
    DepartmentSpec("city-xfzd", "市消防救援支队", ("3002",), "0532-81000119", "支队长"),
    DepartmentSpec("city-swj", "市商务局", ("3003",), "0532-81000150", "局长"),
    DepartmentSpec("city-wlj", "市文化和旅游局", ("3004", "3005"), "0532-81000160", "局长"),
    DepartmentSpec("city-jyj", "市教育局", ("3006",), "0532-81000170", "局长"),
]  # fmt: skip
# Counties that mirror city departments; the others are supervised straight from the city, which keeps both
# cases ("nearest department is the county's" and "only the city's") in the demo.
MIRRORED_COUNTIES = ("990102", "990121")
MIRRORED_DEPARTMENTS = ("city-yjj", "city-zjj")

# --- Generated names, people and places ----------------------------------------------------------------------

TRADE_FIRST = "恒宏金华永鑫瑞联正远海天嘉同安新"
TRADE_SECOND = "泰达盛源丰创航润成禾德信利昌"
# Every two-character trade name whose characters differ, so the demo's 200 names are all different.
TRADE_NAMES = [a + b for a in TRADE_FIRST for b in TRADE_SECOND if a != b]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
GIVEN_NAMES = ["伟", "芳", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超",
               "秀英", "建华", "国强", "海燕", "志刚", "丽娟", "晓东", "文博", "子涵", "雨欣", "建军", "春梅",
               "立新", "宏伟"]  # fmt: skip
ROADS = ["海昌路", "兴业路", "工业大道", "港城路", "滨河路", "科技路", "青年路", "建设路", "长江路", "黄河路",
         "临港大道", "创业路", "民生路", "石化路", "环湾路"]  # fmt: skip
OPERATING_WEIGHTS = {
    OperatingState.OPERATING: 70,
    OperatingState.SUSPENDED: 10,
    OperatingState.DEREGISTERED: 8,
    OperatingState.UNDER_CONSTRUCTION: 8,
}

# The 9-character organisation part of a credit code is an index scrambled by a fixed bijection of 0..31**9-1,
# so codes look varied yet stay unique, and an index can be read back from a code (see `index_of_body`).
BODY_MODULUS = len(ALPHABET) ** 9
BODY_STRIDE = 7_654_321_013  # coprime with 31, hence invertible modulo 31**9
BODY_OFFSET = 1_234_567_890_123


def body_of_index(index: int) -> str:
    value = (index * BODY_STRIDE + BODY_OFFSET) % BODY_MODULUS
    chars = []
    for _ in range(9):
        value, digit = divmod(value, len(ALPHABET))
        chars.append(ALPHABET[digit])
    return "".join(reversed(chars))


def index_of_body(body: str) -> int:
    value = 0
    for char in body:
        value = value * len(ALPHABET) + ALPHABET.index(char)
    return (value - BODY_OFFSET) * pow(BODY_STRIDE, -1, BODY_MODULUS) % BODY_MODULUS


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)


def operating_state(rng: random.Random, industry_code: str) -> str:
    """Mostly operating; closed mines only among mines, oil and gas storage only where oil or gas is kept."""
    if industry_code == MINE_INDUSTRY and rng.random() < 0.3:
        return OperatingState.CLOSED_MINE
    if industry_code in OIL_GAS_INDUSTRIES and rng.random() < 0.2:
        return OperatingState.OIL_GAS_STORAGE
    return rng.choices(list(OPERATING_WEIGHTS), weights=list(OPERATING_WEIGHTS.values()))[0]


def fake_enterprise(rng: random.Random, place: Place, industry_code: str, trade: str) -> dict:
    """The fields of one generated enterprise, except region and industry, which the caller resolves."""
    suffix = INDUSTRY_SUFFIX.get(industry_code, ("实业", 1))[0]
    return {
        "name": f"{short_name(place.name)}{trade}{suffix}有限公司",
        "address": f"{place.county_name}{place.name}{rng.choice(ROADS)}{rng.randint(1, 999)}号",
        "licence_state": LicenceState.UNLICENSED if rng.random() < 0.15 else LicenceState.LICENSED,
        "operating_state": operating_state(rng, industry_code),
        "is_key_unit": rng.random() < (0.4 if industry_code in HIGH_RISK_INDUSTRIES else 0.1),
        "is_subcontracting": rng.random() < 0.12,
        "is_hosted_operation": rng.random() < 0.06,
        "principal_name": person_name(rng),
        "safety_manager_name": person_name(rng),
    }


# --- The demo registry ---------------------------------------------------------------------------------------

# The enterprise of the demo-enterprise user: in 海滨区, licensed, operating, a key unit under 应急局.
DEMO_ENTERPRISE = {
    "place": "990102001",
    "industry": "1001",
    "fields": {
        "licence_state": LicenceState.LICENSED,
        "operating_state": OperatingState.OPERATING,
        "is_key_unit": True,
        "is_subcontracting": False,
        "is_hosted_operation": False,
        "principal_name": "陈晓东",
    },
}


def demo_enterprise_specs() -> list[dict]:
    """The 200 demo enterprises as field dicts with `place` and `industry` codes; index 0 is DEMO_ENTERPRISE."""
    rng = random.Random(DEMO_SEED)
    places = demo_places()
    by_code = {place.code: place for place in places}
    plan = [code for code, (_, weight) in INDUSTRY_SUFFIX.items() for _ in range(weight)]
    rng.shuffle(plan)
    specs = []
    for index in range(DEMO_ENTERPRISES):
        place = by_code[DEMO_ENTERPRISE["place"]] if index == 0 else rng.choice(places)
        industry = DEMO_ENTERPRISE["industry"] if index == 0 else plan[index % len(plan)]
        # 37 is coprime with the number of trade names, so every index gets a different one.
        spec = fake_enterprise(rng, place, industry, TRADE_NAMES[index * 37 % len(TRADE_NAMES)])
        if index == 0:
            spec.update(DEMO_ENTERPRISE["fields"])
        spec.update(
            place=place.code,
            industry=industry,
            credit_code=make_credit_code(DEMO_PREFIX, place.county_code, body_of_index(index)),
            principal_phone=str(13800000000 + index),
            safety_manager_phone=str(13900000000 + index),
        )
        specs.append(spec)
    return specs


# --- Loaders -------------------------------------------------------------------------------------------------


class RowCounts:
    """Counts rows touched and rows created per kind, for the summary and the return value."""

    def __init__(self) -> None:
        self.total: Counter[str] = Counter()
        self.created: Counter[str] = Counter()

    def add(self, kind: str, created: bool) -> None:
        self.total[kind] += 1
        self.created[kind] += created

    def as_dict(self) -> dict[str, int]:
        """{"regions": 24, "regions_created": 0, ...}: flat, so `counts["enterprises"] == 200` reads well."""
        counts: dict[str, int] = {}
        for kind, total in self.total.items():
            counts[kind] = total
            counts[f"{kind}_created"] = self.created[kind]
        return counts


def upsert(counts: RowCounts, kind: str, model: type[models.Model], defaults: dict, **lookup) -> models.Model:
    obj, created = model.objects.update_or_create(defaults=defaults, **lookup)
    counts.add(kind, created)
    return obj


def load_regions(counts: RowCounts) -> dict[str, Region]:
    """Parents before children: a region's path is computed from its parent's in save()."""
    city = upsert(counts, "regions", Region, {"name": CITY[1], "level": RegionLevel.CITY, "parent": None}, code=CITY[0])
    regions = {city.code: city}
    for code, name, level, townships in COUNTIES:
        county = upsert(counts, "regions", Region, {"name": name, "level": level, "parent": city}, code=code)
        regions[code] = county
        for t_code, t_name in townships:
            defaults = {"name": t_name, "level": township_level(t_name), "parent": county}
            regions[t_code] = upsert(counts, "regions", Region, defaults, code=t_code)
    return regions


def load_industries(counts: RowCounts) -> dict[str, Industry]:
    industries: dict[str, Industry] = {}
    for code, name, parent in INDUSTRIES:  # sectors come before their children in the list
        defaults = {"name": name, "parent": industries.get(parent)}
        industries[code] = upsert(counts, "industries", Industry, defaults, code=code)
    return industries


def load_department(counts: RowCounts, spec: DepartmentSpec, region: Region, industries, mirrors=None) -> Department:
    defaults = {
        "name": spec.name,
        "region": region,
        "mirrors": mirrors,
        "is_default_supervisor": spec.is_default_supervisor,
        "duty_phone": spec.duty_phone,
    }
    department = upsert(counts, "departments", Department, defaults, code=spec.code)
    department.industries.set([industries[code] for code in spec.industries])
    return department


def mirror_spec(spec: DepartmentSpec, county: Region) -> DepartmentSpec:
    """海滨区应急管理局 mirrors 市应急管理局: same industries, default supervisor of its own region only."""
    return spec._replace(
        code=f"{county.code}-{spec.code.removeprefix('city-')}",
        name=county.name + spec.name.removeprefix("市"),
        duty_phone=f"0532-8{county.code[-3:]}{spec.duty_phone[-4:]}",
    )


def load_departments(counts: RowCounts, regions: dict[str, Region], industries) -> dict[str, Department]:
    city = regions[CITY[0]]
    departments = {spec.code: load_department(counts, spec, city, industries) for spec in CITY_DEPARTMENTS}
    for county_code in MIRRORED_COUNTIES:
        for spec in (s for s in CITY_DEPARTMENTS if s.code in MIRRORED_DEPARTMENTS):
            mirror = mirror_spec(spec, regions[county_code])
            departments[mirror.code] = load_department(
                counts, mirror, regions[county_code], industries, mirrors=departments[spec.code]
            )
    return departments


@transaction.atomic
def load_reference(counts: RowCounts | None = None) -> dict[str, int]:
    """Regions, industries and departments only: what generated enterprises need to hang from."""
    counts = counts or RowCounts()
    regions = load_regions(counts)
    industries = load_industries(counts)
    load_departments(counts, regions, industries)
    return counts.as_dict()


def load_enterprises(counts: RowCounts) -> dict[str, Enterprise]:
    regions = {r.code: r for r in Region.objects.all()}
    industries = {i.code: i for i in Industry.objects.all()}
    enterprises = {}
    now = timezone.now()
    for spec in demo_enterprise_specs():
        code = spec.pop("credit_code")
        spec["region"] = regions[spec.pop("place")]
        spec["industry"] = industries[spec["industry"]]
        # Registered one to six years ago (stable by credit code), so that "not inspected lately" (#19) means what it
        # says in the demo city; set when the row is created only.
        registered = now - timedelta(days=365 + zlib.crc32(code.encode()) % (5 * 365))
        obj, created = Enterprise.objects.update_or_create(
            defaults=spec, create_defaults={**spec, "created_at": registered}, credit_code=code
        )
        counts.add("enterprises", created)
        enterprises[code] = obj
    return enterprises  # in spec order: the first one is DEMO_ENTERPRISE


def position(counts: RowCounts, kind: str, title: str, unit_kind: str, unit: models.Model, superior=None) -> Position:
    """Natural key: kind, unit and title. Validated so that a demo position is one the UI could have made."""
    unit_field = {Region: "region", Department: "department", Enterprise: "enterprise"}[type(unit)]
    obj, created = Position.objects.get_or_create(
        kind=kind, unit_kind=unit_kind, title=title, **{unit_field: unit}, defaults={"superior": superior}
    )
    if obj.superior_id != (superior.pk if superior else None):
        obj.superior = superior
        obj.save(update_fields=["superior"])
    obj.full_clean()
    counts.add("positions", created)
    return obj


def load_region_positions(counts: RowCounts, regions: dict[str, Region]) -> dict[tuple, Position]:
    city = regions[CITY[0]]
    leader = position(
        counts, PositionKind.TERRITORIAL_LEADER, city.name + LEADER_TITLES[city.level], UnitKind.GOVERNMENT, city
    )
    positions = {("leader", city.code): leader}
    for code, *_ in COUNTIES:
        county = regions[code]
        title = county.name + LEADER_TITLES[county.level]
        positions["leader", code] = position(
            counts, PositionKind.TERRITORIAL_LEADER, title, UnitKind.GOVERNMENT, county, leader
        )
    positions["office_staff", city.code] = position(
        counts, PositionKind.CITY_OFFICE_STAFF, "市安委办综合协调科工作人员", UnitKind.CITY_OFFICE, city, leader
    )
    positions["duty", city.code] = position(
        counts, PositionKind.DUTY_OFFICER, "市安委办应急值班员", UnitKind.CITY_OFFICE, city, leader
    )
    haibin = regions["990102"]
    positions["duty", haibin.code] = position(
        counts,
        PositionKind.DUTY_OFFICER,
        "海滨区应急值班员",
        UnitKind.GOVERNMENT,
        haibin,
        positions["leader", "990102"],
    )
    return positions


def load_department_positions(counts: RowCounts, departments: dict[str, Department], leaders) -> dict[tuple, Position]:
    """A head for every department (under its region's leader), staff for city departments, 应急局's inspector."""
    heads = {spec.code: spec.head_title for spec in CITY_DEPARTMENTS}
    positions = {}
    for code, dept in departments.items():
        title = dept.name + heads[dept.mirrors.code if dept.mirrors else code]
        head = position(
            counts, PositionKind.DEPARTMENT_HEAD, title, UnitKind.DEPARTMENT, dept, leaders[dept.region.code]
        )
        positions["head", code] = head
        if dept.mirrors is None:
            staff = position(
                counts, PositionKind.DEPARTMENT_STAFF, dept.name + "工作人员", UnitKind.DEPARTMENT, dept, head
            )
            positions["staff", code] = staff
    yjj = departments["city-yjj"]
    positions["inspector", yjj.code] = position(
        counts,
        PositionKind.INSPECTOR,
        "市应急管理局安全生产执法监察员",
        UnitKind.DEPARTMENT,
        yjj,
        positions["head", yjj.code],
    )
    return positions


def load_enterprise_positions(counts: RowCounts, enterprises: dict[str, Enterprise]) -> dict[tuple, Position]:
    positions = {}
    for enterprise in list(enterprises.values())[:PRINCIPAL_POSITIONS]:
        principal = position(
            counts, PositionKind.ENTERPRISE_PRINCIPAL, enterprise.name + "主要负责人", UnitKind.ENTERPRISE, enterprise
        )
        positions["principal", enterprise.credit_code] = principal
        position(
            counts,
            PositionKind.ENTERPRISE_SAFETY_MANAGER,
            enterprise.name + "安全管理负责人",
            UnitKind.ENTERPRISE,
            enterprise,
            principal,
        )
    return positions


def demo_users(regions, departments, enterprises) -> list[dict]:
    """The six users of the public contract (API.md), each with their unit and the position they hold."""
    city, haibin, yjj = regions[CITY[0]], regions["990102"], departments["city-yjj"]
    demo_enterprise = next(iter(enterprises.values()))  # DEMO_ENTERPRISE comes first
    return [
        {"username": "demo-city", "full_name": "张明", "unit_kind": UnitKind.CITY_OFFICE, "region": city,
         "is_staff": True, "position": ("office_staff", city.code)},
        {"username": "demo-district", "full_name": "李海涛", "unit_kind": UnitKind.GOVERNMENT, "region": haibin,
         "position": ("leader", haibin.code)},
        {"username": "demo-department", "full_name": "王建国", "unit_kind": UnitKind.DEPARTMENT, "department": yjj,
         "position": ("head", yjj.code)},
        {"username": "demo-inspector", "full_name": "赵立新", "unit_kind": UnitKind.DEPARTMENT, "department": yjj,
         "position": ("inspector", yjj.code)},
        {"username": "demo-enterprise", "full_name": demo_enterprise.principal_name,
         "unit_kind": UnitKind.ENTERPRISE, "enterprise": demo_enterprise,
         "position": ("principal", demo_enterprise.credit_code)},
        {"username": "demo-duty", "full_name": "刘芳", "unit_kind": UnitKind.GOVERNMENT, "region": haibin,
         "position": ("duty", haibin.code)},
    ]  # fmt: skip


def load_users(counts: RowCounts, specs: list[dict], positions: dict[tuple, Position]) -> None:
    """Every run resets the password and the unit, so the demo logins always work as documented."""
    for number, spec in enumerate(specs, start=1):
        spec = dict(spec)
        held = positions[spec.pop("position")]
        username = spec.pop("username")
        defaults = {"region": None, "department": None, "enterprise": None, "is_staff": False, "is_active": True}
        defaults.update(spec, phone=str(13700000000 + number))
        user = upsert(counts, "users", User, defaults, username=username)
        user.set_password(DEMO_PASSWORD)
        user.full_clean()
        user.save()
        _, created = PositionAssignment.objects.get_or_create(position=held, user=user, ended_at=None)
        counts.add("assignments", created)


@transaction.atomic
def load_demo() -> dict[str, int]:
    """The whole demo city; idempotent (every row is keyed by its natural key). Returns `RowCounts.as_dict()`."""
    counts = RowCounts()
    regions = load_regions(counts)
    industries = load_industries(counts)
    departments = load_departments(counts, regions, industries)
    enterprises = load_enterprises(counts)
    positions = load_region_positions(counts, regions)
    leaders = {key[1]: pos for key, pos in positions.items() if key[0] == "leader"}
    positions |= load_department_positions(counts, departments, leaders)
    positions |= load_enterprise_positions(counts, enterprises)
    load_users(counts, demo_users(regions, departments, enterprises), positions)
    return counts.as_dict()
