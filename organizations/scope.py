"""Who sees what: the one place that decides a user's visible scope.

Every list, detail, dropdown, search and export starts from `Model.objects.visible_to(user)`:

- the city safety office (and a superuser) sees everything;
- a regional government sees its region's subtree (and the regions above it, for context);
- a department sees the enterprises of the industries it supervises, within its region's subtree
  (a city department's region is the whole city); the default supervisor also sees industries that
  no department is in charge of;
- an enterprise sees itself;
- anyone else sees nothing.
Inspectors and duty officers belong to a unit and see that unit's scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from django.apps import apps
from django.db import models
from django.db.models import Q

from .choices import UnitKind

if TYPE_CHECKING:
    from .models import User


def model(name: str) -> type[models.Model]:
    """An organizations model by name: models.py imports this module (ScopedQuerySet), so this one does not import
    models.py back."""
    return apps.get_model("organizations", name)


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows how to cut itself down to what a user may see."""

    scope_method = ""

    def visible_to(self, user: User) -> models.QuerySet:
        return getattr(Scope.for_user(user), self.scope_method)(self)


@dataclass
class Scope:
    """A user's visible scope, computed once per request and cached on the user object."""

    kind: str  # "all", "region", "department", "enterprise" or "none"
    region_path: str = ""
    ancestor_codes: list[str] = field(default_factory=list)
    industry_ids: frozenset[int] = frozenset()
    enterprise_id: int | None = None
    department_id: int | None = None

    @classmethod
    def for_user(cls, user: User) -> Scope:
        cached = getattr(user, "_scope", None)
        if cached is None:
            cached = cls.compute(user)
            if user.is_authenticated:
                user._scope = cached
        return cached

    @classmethod
    def compute(cls, user: User) -> Scope:
        if not user.is_authenticated or not user.is_active:
            return cls("none")
        if user.is_superuser or user.unit_kind == UnitKind.CITY_OFFICE:
            return cls("all")
        if user.unit_kind == UnitKind.GOVERNMENT and user.region_id:
            return cls.around(user.region, "region")
        if user.unit_kind == UnitKind.DEPARTMENT and user.department_id:
            dept = user.department
            scope = cls.around(dept.region, "department")
            scope.industry_ids = frozenset(scope.reference.supervised_by(dept))
            scope.department_id = dept.id
            return scope
        if user.unit_kind == UnitKind.ENTERPRISE and user.enterprise_id:
            scope = cls.around(user.enterprise.region, "enterprise")
            scope.enterprise_id = user.enterprise_id
            scope.industry_ids = frozenset(scope.reference.with_ancestors([user.enterprise.industry_id]))
            return scope
        return cls("none")

    @classmethod
    def around(cls, region, kind: str) -> Scope:
        codes = region.ancestor_codes()
        return cls(kind, region_path=region.path, ancestor_codes=codes)

    @cached_property
    def reference(self) -> Reference:
        return Reference()

    @property
    def is_root(self) -> bool:
        return self.kind == "all" or self.region_path.count("/") == 2

    # One method per scoped model, named by the queryset's `scope_method`.

    def regions(self, qs: models.QuerySet) -> models.QuerySet:
        if self.kind == "all":
            return qs
        if self.kind == "none":
            return qs.none()
        return qs.filter(Q(path__startswith=self.region_path) | Q(code__in=self.ancestor_codes))

    def departments(self, qs: models.QuerySet) -> models.QuerySet:
        if self.kind == "all":
            return qs
        if self.kind == "none":
            return qs.none()
        return qs.filter(Q(region__path__startswith=self.region_path) | Q(region__code__in=self.ancestor_codes))

    def industries(self, qs: models.QuerySet) -> models.QuerySet:
        if self.kind in ("all", "region"):
            return qs
        if self.kind == "none":
            return qs.none()
        return qs.filter(id__in=sorted(self.reference.with_ancestors(self.industry_ids)))

    def _territorial(self, qs: models.QuerySet, industry: str, assigned: Q | None = None) -> models.QuerySet:
        """Records that carry their territory's path (hazards, inspections, incidents): a region sees its subtree,
        a department the records of its industries in its region (or those `assigned` to it), an enterprise its
        own."""
        if self.kind == "all":
            return qs
        if self.kind == "region":
            return qs.filter(region_path__startswith=self.region_path)
        if self.kind == "department":
            mine = Q(**{f"{industry}__in": sorted(self.industry_ids)})
            if not self.is_root:
                mine &= Q(region_path__startswith=self.region_path)
            return qs.filter(mine | assigned if assigned is not None else mine)
        if self.kind == "enterprise":
            return qs.filter(enterprise_id=self.enterprise_id)
        return qs.none()

    def hazards(self, qs: models.QuerySet) -> models.QuerySet:
        # A hazard assigned to the department stays visible to it even outside its industries.
        return self._territorial(qs, "industry_id", assigned=Q(department_id=self.department_id))

    def hazard_tallies(self, qs: models.QuerySet) -> models.QuerySet:
        """The dashboard's tally carries the hazard's own region path, industry and department, so it is cut exactly
        as the hazards are; it has no enterprise column, and an enterprise's dashboard reads its hazards."""
        return qs.none() if self.kind == "enterprise" else self.hazards(qs)

    def about_hazards(self, field: str = "hazard") -> Q:
        """Rows of another table whose `field` points at a visible hazard (notices, for one). The city office sees
        every hazard, so it needs only a not-null test, not a semi-join that hashes every hazard id."""
        from hazards.models import Hazard

        if self.kind == "all":
            return Q(**{f"{field}__isnull": False})
        return Q(**{f"{field}__in": self.hazards(Hazard.objects.all())})

    def inspections(self, qs: models.QuerySet) -> models.QuerySet:
        return self._territorial(qs, "industry_id")

    def incidents(self, qs: models.QuerySet) -> models.QuerySet:
        return self._territorial(qs, "enterprise__industry_id")

    def campaigns(self, qs: models.QuerySet) -> models.QuerySet:
        """Campaigns are the government's: every government unit sees them (figures are cut to its scope)."""
        return qs if self.kind in ("all", "region", "department") else qs.none()

    def enterprises(self, qs: models.QuerySet) -> models.QuerySet:
        if self.kind == "all":
            return qs
        if self.kind == "region":
            return qs.filter(region__path__startswith=self.region_path)
        if self.kind == "department":
            qs = qs.filter(industry_id__in=sorted(self.industry_ids))
            return qs if self.is_root else qs.filter(region__path__startswith=self.region_path)
        if self.kind == "enterprise":
            return qs.filter(id=self.enterprise_id)
        return qs.none()

    def people(self, qs: models.QuerySet) -> models.QuerySet:
        """A person is visible when their unit is: a regional government or the city office by its region, a
        department by the department, an enterprise by the enterprise; an enterprise sees only its own people."""
        if self.kind == "all":
            return qs
        if self.kind == "enterprise":
            return qs.filter(enterprise_id=self.enterprise_id)
        if self.kind == "none":
            return qs.none()
        Department, Enterprise, Region = model("Department"), model("Enterprise"), model("Region")
        return qs.filter(
            Q(unit_kind__in=[UnitKind.CITY_OFFICE, UnitKind.GOVERNMENT], region__in=self.regions(Region.objects.all()))
            | Q(unit_kind=UnitKind.DEPARTMENT, department__in=self.departments(Department.objects.all()))
            | Q(unit_kind=UnitKind.ENTERPRISE, enterprise__in=self.enterprises(Enterprise.objects.all()))
        )


def visible_people(user: User) -> models.QuerySet:
    """The people (users) the user may see and pick: `User.objects` keeps Django's manager, so this is its
    `visible_to`."""
    return Scope.for_user(user).people(model("User").objects.all())


class Reference:
    """The industry tree and which department is in charge of which industry: small tables, loaded
    once per request (two queries) and shared by scope, filters and the supervision map."""

    def __init__(self) -> None:
        Department, Industry = model("Department"), model("Industry")
        self.tree: dict[int, int | None] = dict(Industry.objects.values_list("id", "parent_id"))
        self.links: list[tuple[int, int]] = list(
            Department.industries.through.objects.values_list("department_id", "industry_id")
        )

    def with_descendants(self, ids) -> set[int]:
        found = set(ids)
        grew = True
        while grew:
            more = {child for child, parent in self.tree.items() if parent in found} - found
            found |= more
            grew = bool(more)
        return found

    def with_ancestors(self, ids) -> set[int]:
        found: set[int] = set()
        for industry_id in ids:
            while industry_id is not None and industry_id not in found:
                found.add(industry_id)
                industry_id = self.tree.get(industry_id)
        return found

    def unsupervised(self) -> set[int]:
        """Industries that no department is in charge of, directly or through their sector: the gaps.

        A sector counts as a gap only when none of its industries is supervised either.
        """
        uncovered = set(self.tree) - self.with_descendants({industry for _, industry in self.links})
        children: dict[int, set[int]] = {}
        for child, parent in self.tree.items():
            children.setdefault(parent, set()).add(child)
        return {i for i in uncovered if children.get(i, set()) <= uncovered}

    def supervised_by(self, department) -> set[int]:
        ids = self.with_descendants({industry for dept, industry in self.links if dept == department.id})
        if department.is_default_supervisor:
            ids |= self.unsupervised()
        return ids
