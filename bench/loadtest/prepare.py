"""The load test's people and open inspections on the benchmark database (`bench/loadtest/run.py` calls
`prepare()` after django.setup()). Idempotent: a second run reuses the accounts and the inspections still open.

Bulk data has no people. The load test adds, in the department that supervises the most bulk hazards:
a department head, inspectors (each the lead of an ad hoc inspection under way at one bulk enterprise the
department supervises, with the next inspector as member), the principal person of each of those enterprises,
and a city-office account. What they file and move through the workflow stays in the database (findings are
ordinary hazards, not bulk-coded: `seed_bulk` and `bench/run.py` ignore them); the bulk data is never touched.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from django.db import connection
from django.db.models import Count
from django.utils import timezone

from bench.scenarios import bench_user
from hazards.models import Hazard
from inspections import workflow as inspections
from inspections.choices import DONE, InspectionKind
from inspections.models import ChecklistTemplate, Inspection
from ops.seeding.enterprises import BULK_PREFIX
from organizations.choices import PositionKind, UnitKind
from organizations.models import Department, Enterprise, Position, PositionAssignment, Region, User

PREFIX = "bench-load-"


@dataclass
class Accounts:
    """What the locustfile needs: usernames per role (tokens are fetched by the driver) and ids to work with."""

    head: str = ""
    city: str = ""
    inspectors: list[dict] = field(default_factory=list)  # {"username", "inspection"}
    enterprises: list[dict] = field(default_factory=list)  # {"username", "enterprise"}
    regions: list[int] = field(default_factory=list)  # districts and counties, for the hazard list's filter
    categories: list[str] = field(default_factory=list)
    department: int = 0

    def usernames(self) -> list[str]:
        return [
            self.head,
            self.city,
            *(i["username"] for i in self.inspectors),
            *(e["username"] for e in self.enterprises),
        ]

    def as_dict(self) -> dict:
        return asdict(self)


def prepare(password: str, inspectors: int = 2) -> Accounts:
    department = Department.objects.get(pk=busiest_department())
    root = Region.objects.get(parent=None)
    accounts = Accounts(department=department.pk)
    head = person("head", PositionKind.DEPARTMENT_HEAD, password, department=department)
    accounts.head = head.username
    accounts.city = person("city", PositionKind.CITY_OFFICE_STAFF, password, region=root).username
    people = [person(f"inspector-{n}", PositionKind.INSPECTOR, password, department=department)
              for n in range(1, inspectors + 1)]  # fmt: skip
    for n, (inspector, enterprise) in enumerate(
        zip(people, supervised_enterprises(people[0], inspectors), strict=True)
    ):
        inspection = open_inspection(inspector, people[(n + 1) % len(people)], enterprise)
        principal = person(f"enterprise-{n + 1}", PositionKind.ENTERPRISE_PRINCIPAL, password, enterprise=enterprise)
        accounts.inspectors.append({"username": inspector.username, "inspection": inspection.pk})
        accounts.enterprises.append({"username": principal.username, "enterprise": enterprise.pk})
    accounts.regions = list(Region.objects.filter(parent__isnull=False, parent__parent__isnull=True)
                            .order_by("code").values_list("id", flat=True))  # fmt: skip
    from hazards.models import HazardCategory

    accounts.categories = list(
        HazardCategory.objects.filter(is_active=True).order_by("code").values_list("code", flat=True)
    )
    return accounts


def busiest_department() -> int:
    """The department supervising the most bulk hazards (bench/scenarios.py's dashboards take the same one)."""
    top = Hazard.objects.values("department_id").annotate(n=Count("id")).order_by("-n").first()
    if not top or not top["department_id"]:
        raise SystemExit("No hazards on this database: run `make bench` (seed_bulk) first.")
    return top["department_id"]


def person(name: str, kind: str, password: str, *, department=None, region=None, enterprise=None) -> User:
    """A bench account holding one position of its own in its unit (created once, its password set each run)."""
    unit_kind = {PositionKind.DEPARTMENT_HEAD: UnitKind.DEPARTMENT, PositionKind.INSPECTOR: UnitKind.DEPARTMENT,
                 PositionKind.CITY_OFFICE_STAFF: UnitKind.CITY_OFFICE,
                 PositionKind.ENTERPRISE_PRINCIPAL: UnitKind.ENTERPRISE}[kind]  # fmt: skip
    unit = {"department": department, "region": region, "enterprise": enterprise}
    unit = {key: value for key, value in unit.items() if value is not None}
    user = bench_user(PREFIX + name, unit_kind=unit_kind, **unit)
    if not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    position, _ = Position.objects.get_or_create(kind=kind, unit_kind=unit_kind, title=f"{PREFIX}{name}", **unit)
    PositionAssignment.objects.get_or_create(position=position, user=user)
    return user


def supervised_enterprises(inspector: User, count: int) -> list[Enterprise]:
    """`count` bulk enterprises in the inspector's scope whose hazards the department supervises."""
    department = inspector.department_id
    ids = (
        Hazard.objects.filter(department_id=department, enterprise__credit_code__startswith=BULK_PREFIX)
        .order_by("-id")
        .values_list("enterprise_id", flat=True)[: count * 50]
    )
    visible = Enterprise.objects.visible_to(inspector).filter(pk__in=list(ids)).order_by("pk")
    chosen = list(visible[:count])
    if len(chosen) < count:
        raise SystemExit(f"Only {len(chosen)} bulk enterprises in the scope of department {department}.")
    return chosen


def open_inspection(lead: User, member: User, enterprise: Enterprise) -> Inspection:
    """The lead's ad hoc inspection of the enterprise still under way, or a new one (inspections.workflow)."""
    existing = (
        Inspection.objects.filter(lead=lead, enterprise=enterprise, kind=InspectionKind.AD_HOC)
        .exclude(status__in=DONE)
        .order_by("-id")
        .first()
    )
    if existing is not None:
        return existing
    template = ChecklistTemplate.objects.order_by("id").first()
    return inspections.create(
        lead,
        inspections.NewInspection(
            enterprise=enterprise, version=template.current(), members=(member,), date=timezone.localdate()
        ),
    )


def analyze() -> None:
    """Fresh planner statistics after the seeding (as production's autovacuum would have them)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE hazards_hazard")
