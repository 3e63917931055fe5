"""Shared fixtures: a small hand-made city with one user of every kind, and the service checks.

With REQUIRE_SERVICES=1 (CI) a missing PostgreSQL, Redis or Chromium fails the run at the start;
without it, the tests that need one are skipped, and every skip names what was missing.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass

import pytest
from django.conf import settings

from organizations.choices import PositionKind, UnitKind

from .factories import (
    DepartmentFactory,
    EnterpriseFactory,
    IndustryFactory,
    PositionFactory,
    RegionFactory,
    UserFactory,
    assign,
)

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def missing_services() -> dict[str, str]:
    """What each kind of test needs and is not there, as {service: reason}."""
    missing = {}
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        missing["postgresql"] = "PostgreSQL is not configured (set DATABASE_URL=postgres://...)"
    if not settings.REDIS_URL:
        missing["redis"] = "Redis is not configured (set REDIS_URL=redis://...)"
    else:
        import redis

        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
        except redis.RedisError as exc:
            missing["redis"] = f"Redis at {settings.REDIS_URL} does not answer: {exc}"
    if shutil.which("redis-server") is None:
        missing["redis-server"] = "redis-server is not installed (the Redis outage test runs its own)"
    if shutil.which("pdftotext") is None:
        missing["pdftotext"] = "pdftotext is not installed (apt-get install poppler-utils)"
    if not (os.path.exists(CHROMIUM) and shutil.which(CHROMIUM)):
        missing["chromium"] = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    return missing


MISSING = missing_services()


def pytest_configure(config) -> None:
    # Real hashing costs a second a user; the tests are about scope, not about PBKDF2.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_sessionstart(session) -> None:
    if REQUIRE_SERVICES and MISSING:
        pytest.exit("REQUIRE_SERVICES=1 but: " + "; ".join(MISSING.values()), returncode=3)


def need(*services: str) -> None:
    """Skip (or, under REQUIRE_SERVICES, fail) a test whose services are not there."""
    reasons = [MISSING[s] for s in services if s in MISSING]
    if reasons:
        if REQUIRE_SERVICES:
            pytest.fail("; ".join(reasons))
        pytest.skip("; ".join(reasons))


@pytest.fixture(autouse=True)
def _cache_of_its_own(settings):
    """Throttles and the per-address login count live in the cache (Redis), which outlives a test and a run: each
    test gets a key prefix of its own, so none starts with another's counts."""
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}


SEEDED_BY_MIGRATIONS = [
    ("hazards.migrations.0002_seed_categories", "hazards", "HazardCategory", {}),
    ("workdays.migrations.0002_seed_from_chinese_calendar", "workdays", "SpecialDay", {}),
    # Seeded by the notifications app before the chains moved to hazards (hazards 0006).
    ("notifications.migrations.0002_default_chains", "hazards", "EscalationChain", {"app_label": "hazards"}),
    ("inspections.migrations.0003_seed_templates", "inspections", "ChecklistTemplate", {}),
]


def reseed() -> None:
    """Data migrations seed the hazard categories and the official calendar; a transactional test (browser,
    integration, concurrency) ends with a flush that removes them, so put them back for the tests after it."""
    import importlib

    from django.apps import apps

    for module, app_label, model, options in SEEDED_BY_MIGRATIONS:
        if not apps.get_model(app_label, model).objects.exists():
            importlib.import_module(module).seed(apps, None, **options)


@pytest.fixture
def seeded(db) -> None:
    reseed()


@dataclass
class World:
    """A city with two districts, four enterprises and one user of every kind (and an outsider)."""

    city: object
    d1: object
    d2: object
    t1: object
    t2: object
    sector: object
    chem: object
    mine: object
    build: object
    gap: object
    yjj: object
    zjj: object
    d1_yjj: object
    d2_zjj: object
    e1: object
    e2: object
    e3: object
    e4: object
    users: dict


@pytest.fixture
def world(db) -> World:
    reseed()
    city = RegionFactory(code="990100", name="滨海市", level="city", parent=None)
    d1 = RegionFactory(code="990102", name="海滨区", level="district", parent=city)
    d2 = RegionFactory(code="990103", name="新城区", level="district", parent=city)
    t1 = RegionFactory(code="990102001", name="海滨街道", level="street", parent=d1)
    t2 = RegionFactory(code="990103001", name="新城街道", level="street", parent=d2)
    sector = IndustryFactory(code="S", name="工矿商贸")
    chem = IndustryFactory(code="S01", name="危险化学品", parent=sector)
    mine = IndustryFactory(code="S02", name="非煤矿山", parent=sector)
    build = IndustryFactory(code="B01", name="建筑施工")
    gap = IndustryFactory(code="N01", name="新型储能电站")
    yjj = DepartmentFactory(
        code="yjj", name="市应急管理局", region=city, is_default_supervisor=True, industries=[sector]
    )
    zjj = DepartmentFactory(code="zjj", name="市住房和城乡建设局", region=city, industries=[build])
    d1_yjj = DepartmentFactory(
        code="d1-yjj", name="海滨区应急管理局", region=d1, mirrors=yjj, is_default_supervisor=True, industries=[chem]
    )
    d2_zjj = DepartmentFactory(code="d2-zjj", name="新城区住房和城乡建设局", region=d2, mirrors=zjj, industries=[build])
    e1 = EnterpriseFactory(name="海滨化工有限公司", region=t1, industry=chem)
    e2 = EnterpriseFactory(name="新城建设集团", region=t2, industry=build)
    e3 = EnterpriseFactory(name="新城矿业有限公司", region=t2, industry=mine)
    e4 = EnterpriseFactory(name="海滨储能科技", region=t1, industry=gap)
    users = {
        "city": UserFactory(username="city", unit_kind=UnitKind.CITY_OFFICE, region=city),
        "district": UserFactory(username="district", unit_kind=UnitKind.GOVERNMENT, region=d1),
        "dept_head": UserFactory(username="dept_head", unit_kind=UnitKind.DEPARTMENT, department=zjj),
        "county_dept": UserFactory(username="county_dept", unit_kind=UnitKind.DEPARTMENT, department=d1_yjj),
        "inspector": UserFactory(username="inspector", unit_kind=UnitKind.DEPARTMENT, department=yjj),
        "enterprise": UserFactory(username="enterprise", unit_kind=UnitKind.ENTERPRISE, enterprise=e1),
        "outsider": UserFactory(username="outsider", unit_kind=""),
    }
    assign(
        users["city"], PositionFactory(kind=PositionKind.CITY_OFFICE_STAFF, unit_kind=UnitKind.CITY_OFFICE, region=city)
    )
    assign(
        users["district"],
        PositionFactory(kind=PositionKind.TERRITORIAL_LEADER, unit_kind=UnitKind.GOVERNMENT, region=d1),
    )
    assign(
        users["dept_head"],
        PositionFactory(kind=PositionKind.DEPARTMENT_HEAD, unit_kind=UnitKind.DEPARTMENT, department=zjj),
    )
    assign(
        users["county_dept"],
        PositionFactory(kind=PositionKind.DEPARTMENT_STAFF, unit_kind=UnitKind.DEPARTMENT, department=d1_yjj),
    )
    assign(
        users["inspector"], PositionFactory(kind=PositionKind.INSPECTOR, unit_kind=UnitKind.DEPARTMENT, department=yjj)
    )
    assign(
        users["enterprise"],
        PositionFactory(kind=PositionKind.ENTERPRISE_PRINCIPAL, unit_kind=UnitKind.ENTERPRISE, enterprise=e1),
    )
    return World(city, d1, d2, t1, t2, sector, chem, mine, build, gap, yjj, zjj, d1_yjj, d2_zjj, e1, e2, e3, e4, users)
