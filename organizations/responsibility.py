"""The three responsible parties of an enterprise (三个责任), derived from its region and industry.

- territory: the enterprise's region, answered for by the nearest region upwards with a territorial leader;
- supervising department (三管三必须): among the departments in charge of the industry (or its sector),
  the one sitting nearest the enterprise (its county before the city); if none is in charge, the nearest
  default supervisor, and the enterprise is a supervision gap;
- enterprise: its principal person.
"""

from __future__ import annotations

from dataclasses import dataclass

from .choices import PositionKind, UnitKind
from .models import Department, Enterprise, Position, PositionAssignment, Region
from .scope import Reference, shared_reference_data


@dataclass(frozen=True)
class Supervision:
    department: Department | None
    is_gap: bool


class SupervisionMap:
    """Loads departments once (one query) and resolves any number of enterprises without more queries.
    `SupervisionMap.shared()` keeps one across requests until a reference table changes (organizations.scope)."""

    @classmethod
    def shared(cls) -> SupervisionMap:
        return shared_reference_data("supervision", lambda: cls(Reference.shared()))

    def __init__(self, reference: Reference | None = None) -> None:
        self.reference = reference or Reference()
        self.departments = {d.id: d for d in Department.objects.select_related("region")}
        self.by_industry: dict[int, list[Department]] = {}
        for dept_id, industry_id in self.reference.links:
            self.by_industry.setdefault(industry_id, []).append(self.departments[dept_id])
        self.defaults = {d.region.path: d for d in self.departments.values() if d.is_default_supervisor}

    def resolve(self, enterprise: Enterprise) -> Supervision:
        return self.resolve_at(enterprise.region.path, enterprise.industry_id)

    def resolve_at(self, path: str, industry_id: int) -> Supervision:
        """The same from an enterprise's region path and industry (a list's row, without model instances)."""
        candidates = [
            dept
            for industry_id in self.reference.with_ancestors([industry_id])
            for dept in self.by_industry.get(industry_id, [])
            if path.startswith(dept.region.path)
        ]
        if candidates:
            return Supervision(max(candidates, key=lambda d: (len(d.region.path), -d.id)), False)
        defaults = [d for p, d in self.defaults.items() if path.startswith(p)]
        return Supervision(max(defaults, key=lambda d: len(d.region.path)) if defaults else None, True)


def territorial_leader_position(region: Region) -> Position | None:
    """The leader position of the nearest region, from the enterprise's own upwards, that has one."""
    positions = Position.objects.filter(
        kind=PositionKind.TERRITORIAL_LEADER, region__code__in=region.ancestor_codes()
    ).select_related("region")
    return max(positions, key=lambda p: len(p.region.path), default=None)


def principal_position(enterprise: Enterprise) -> Position | None:
    return Position.objects.filter(kind=PositionKind.ENTERPRISE_PRINCIPAL, enterprise=enterprise).first()


@dataclass(frozen=True)
class Responsibility:
    region: Region
    territorial_position: Position | None
    department: Department | None
    principal_position: Position | None
    supervision_gap: bool


def derive_responsibility(enterprise: Enterprise) -> Responsibility:
    """The three responsible parties (三个责任) from the enterprise's region and industry."""
    supervision = SupervisionMap().resolve(enterprise)
    return Responsibility(
        region=enterprise.region,
        territorial_position=territorial_leader_position(enterprise.region),
        department=supervision.department,
        principal_position=principal_position(enterprise),
        supervision_gap=supervision.is_gap,
    )


def city_office_position() -> Position | None:
    """The city office's duty officer position if there is one with a holder, else its staff position."""
    positions = list(
        Position.objects.filter(
            unit_kind=UnitKind.CITY_OFFICE, kind__in=[PositionKind.DUTY_OFFICER, PositionKind.CITY_OFFICE_STAFF]
        ).order_by("kind", "id")  # duty_officer sorts before city_office_staff
    )
    held = set(
        PositionAssignment.objects.current()
        .filter(position__in=positions, user__is_active=True)
        .values_list("position_id", flat=True)
    )
    return next((p for p in positions if p.pk in held), positions[0] if positions else None)


def city_office_staff_positions():
    """The city office's staff positions (who call the roll, and who are told when a notice finds its superior
    position vacant: `notifications.answers`)."""
    return Position.objects.filter(unit_kind=UnitKind.CITY_OFFICE, kind=PositionKind.CITY_OFFICE_STAFF).order_by("id")
