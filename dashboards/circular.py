"""The warning circular (警示通报) draft: overdue and recurring hazards in the user's scope, by responsible unit.

Each hazard is told under its territory (the county or district under the city, the township under a county)
with its supervising department named in the row, and the departments are summed up after, so both
responsibilities (属地 and 行业监管) can be read off the same draft.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hazards.choices import OPEN_STATUSES, Level, Status
from hazards.models import Hazard
from organizations.choices import UnitKind
from organizations.models import User
from organizations.roles import TERRITORIAL_UNITS, member_of

from .units import Territories, scope_name, unit_name


def may_issue(user: User) -> bool:
    """The city office and the regional governments circulate warnings; departments and enterprises do not."""
    return member_of(user, TERRITORIAL_UNITS, lambda person: person.region_id is not None)


@dataclass
class Entry:
    hazard: Hazard
    overdue: bool
    days_overdue: int
    recent_recurrence: bool = False


@dataclass
class Group:
    name: str
    entries: list[Entry] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return sum(1 for e in self.entries if e.overdue)

    @property
    def major_overdue(self) -> int:
        return sum(1 for e in self.entries if e.overdue and e.hazard.level == Level.MAJOR)

    @property
    def recurring(self) -> int:
        """Recurrences found within the window; an older one listed because it is overdue counts as overdue only."""
        return sum(1 for e in self.entries if e.recent_recurrence)


@dataclass
class Circular:
    issuer: str
    scope: str
    addressees: str
    today: date
    recurrence_days: int
    territories: list[Group]
    departments: list[Group]

    @property
    def entries(self) -> list[Entry]:
        return [e for g in self.territories for e in g.entries]

    @property
    def overdue(self) -> int:
        return sum(g.overdue for g in self.territories)

    @property
    def major_overdue(self) -> int:
        return sum(g.major_overdue for g in self.territories)

    @property
    def recurring(self) -> int:
        return sum(g.recurring for g in self.territories)


def circular(user: User, now=None) -> Circular:
    """1. Take the hazards in scope that are open past their deadline, or recurrences found lately (not dismissed).
    2. Group them by territory in the territories' order, the root's own-level records last.
    3. Sum them by supervising department, the hazards without one under a heading of their own."""
    now = now or timezone.now()
    days = getattr(settings, "CIRCULAR_RECURRENCE_DAYS", 90)
    hazards = (
        Hazard.objects.visible_to(user)
        .filter(
            Q(status__in=OPEN_STATUSES, deadline__lt=now)
            | Q(recurrence_of__isnull=False, found_at__gte=now - timedelta(days=days))
        )
        .exclude(status=Status.DISMISSED)
        .select_related("enterprise", "department", "recurrence_of")
        .order_by("region_path", F("deadline").asc(nulls_last=True), "id")
    )
    territories = Territories.under(user)
    names = territories.names()
    by_territory = {code: Group(name) for code, name in names.items()}
    by_department: dict[str, Group] = {}
    for hazard in hazards:
        overdue = hazard.status in OPEN_STATUSES and hazard.deadline is not None and hazard.deadline < now
        days_late = (timezone.localdate(now) - timezone.localtime(hazard.deadline).date()).days if overdue else 0
        recent = hazard.recurrence_of_id is not None and hazard.found_at >= now - timedelta(days=days)
        entry = Entry(hazard, overdue, days_late, recent)
        key = territories.key(hazard.region_path)
        if key not in by_territory:  # only a record from outside the subtree; named with one query
            by_territory[key] = Group(territories.label(key))
        by_territory[key].entries.append(entry)
        department = hazard.department.name if hazard.department_id else _("No supervising department")
        by_department.setdefault(department, Group(department)).entries.append(entry)
    ordered = [g for g in by_territory.values() if g.entries]  # `names` puts the root's own level last
    return Circular(
        issuer=unit_name(user),
        scope=scope_name(user),
        addressees=addressees(user),
        today=timezone.localdate(now),
        recurrence_days=days,
        territories=ordered,
        departments=sorted(by_department.values(), key=lambda g: (-g.overdue, g.name)),
    )


def addressees(user: User) -> str:
    if user.unit_kind == UnitKind.GOVERNMENT:
        return _("To the streets and townships, and the departments concerned:")
    return _("To the people's governments of the counties and districts, and the city's departments concerned:")
