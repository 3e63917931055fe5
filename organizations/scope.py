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

A model takes part by declaring how its rows relate to the scope (`scope_fields = ScopeFields(...)`, lookups
such as "region_path" or "enterprise__industry_id") and using a `ScopedQuerySet`; `Scope.filter` reads the
declaration, so this module knows no domain app.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, reduce
from operator import or_
from typing import TYPE_CHECKING
from uuid import uuid4

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import models, transaction
from django.db.models import Q

from safety_platform.lib import cache as optional_cache

from .choices import PositionKind, UnitKind
from .roles import is_city_office

if TYPE_CHECKING:
    from .models import User


class ScopeKind(models.TextChoices):
    """Which of the rules above applies to a user."""

    ALL = "all"
    REGION = "region"
    DEPARTMENT = "department"
    ENTERPRISE = "enterprise"
    NONE = "none"


@dataclass(frozen=True)
class ScopeFields:
    """How a model's rows relate to the scope; each value is a lookup from the model ("" when it does not apply).

    - `region`: the row's region path: a region sees the rows of its subtree, a department those within its region
      (all of them when its region is the city's);
    - `industry`: the row's industry id: a department sees only the rows of the industries it supervises;
    - `enterprise`: the row's enterprise id: an enterprise sees only its own rows (none when not declared);
    - `department`: the department the row is assigned to, which sees it even outside its industries;
    - `reference`: reference data (regions, departments, industries), seen with the rows above it for context: the
      regions above (`region_code`, the row's region code) and the sectors above; never cut to an enterprise;
    - `through`: a row is visible when the row its field points at is, under a condition
      (`("region", {"unit_kind__in": [...]})`: people by their unit);
    - `people`: the row names people (requests, changes): the city office sees all, anyone else those naming them;
    - `own_department`: a department sees only the rows assigned to it (`department`), none of its industries' or
      region's (rescue teams: a department sees its own teams).

    A model declaring nothing (`ScopeFields()`) is the government's: every government unit sees all of it.
    """

    region: str = ""
    industry: str = ""
    enterprise: str = ""
    department: str = ""
    reference: bool = False
    region_code: str = ""
    through: tuple[tuple[str, dict], ...] = ()
    people: tuple[str, ...] = ()
    own_department: bool = False


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows how to cut itself down to what a user may see (by its model's `scope_fields`)."""

    def visible_to(self, user: User) -> models.QuerySet:
        fields = self.model.scope_fields
        if fields.people:
            return involving(user, self, *fields.people)
        return Scope.for_user(user).filter(self)


def involving(user: User, qs: models.QuerySet, *people: str) -> models.QuerySet:
    """Rows naming the user in one of the `people` fields; the city office sees them all."""
    if is_city_office(user):
        return qs.all()
    return qs.filter(reduce(or_, (Q(**{name: user}) for name in people))).distinct()


@dataclass
class Scope:
    """A user's visible scope, computed once per request and cached on the user object."""

    kind: ScopeKind
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
            return cls(ScopeKind.NONE)
        if is_city_office(user):
            return cls(ScopeKind.ALL)
        if user.unit_kind == UnitKind.GOVERNMENT and user.region_id:
            return cls.around(user.region, ScopeKind.REGION)
        if user.unit_kind == UnitKind.DEPARTMENT and user.department_id:
            dept = user.department
            scope = cls.around(dept.region, ScopeKind.DEPARTMENT)
            scope.industry_ids = frozenset(scope.reference.supervised_by(dept))
            scope.department_id = dept.id
            return scope
        if user.unit_kind == UnitKind.ENTERPRISE and user.enterprise_id:
            scope = cls.around(user.enterprise.region, ScopeKind.ENTERPRISE)
            scope.enterprise_id = user.enterprise_id
            scope.industry_ids = frozenset(scope.reference.with_ancestors([user.enterprise.industry_id]))
            return scope
        return cls(ScopeKind.NONE)

    @classmethod
    def around(cls, region, kind: ScopeKind) -> Scope:
        codes = region.ancestor_codes()
        return cls(kind, region_path=region.path, ancestor_codes=codes)

    @cached_property
    def reference(self) -> Reference:
        return Reference.shared()

    @property
    def key(self) -> tuple:
        """What the scope is made of, as a key: two users with the same key see the same rows."""
        return (
            self.kind,
            self.region_path,
            tuple(self.ancestor_codes),
            tuple(sorted(self.industry_ids)),
            self.enterprise_id,
            self.department_id,
        )

    @property
    def is_root(self) -> bool:
        return self.kind == ScopeKind.ALL or self.region_path.count("/") == 2

    def filter(self, qs: models.QuerySet) -> models.QuerySet:
        """The rows of `qs` in this scope, by the model's `scope_fields`."""
        if self.kind == ScopeKind.ALL:
            return qs
        if self.kind == ScopeKind.NONE:
            return qs.none()
        fields: ScopeFields = qs.model.scope_fields
        if fields.through:
            return self._through(qs, fields)
        if fields.reference:
            return self._reference(qs, fields)
        if self.kind == ScopeKind.REGION:
            return qs.filter(**{f"{fields.region}__startswith": self.region_path}) if fields.region else qs
        if self.kind == ScopeKind.DEPARTMENT:
            if fields.own_department:
                return qs.filter(**{fields.department: self.department_id})
            if not fields.industry:
                return qs
            mine = Q(**{f"{fields.industry}__in": sorted(self.industry_ids)})
            if fields.region and not self.is_root:
                mine &= Q(**{f"{fields.region}__startswith": self.region_path})
            if fields.department:
                mine |= Q(**{fields.department: self.department_id})
            return qs.filter(mine)
        # an enterprise
        return qs.filter(**{fields.enterprise: self.enterprise_id}) if fields.enterprise else qs.none()

    def _reference(self, qs: models.QuerySet, fields: ScopeFields) -> models.QuerySet:
        cut = Q()
        if fields.region:
            cut &= Q(**{f"{fields.region}__startswith": self.region_path}) | Q(
                **{f"{fields.region_code}__in": self.ancestor_codes}
            )
        if fields.industry and self.kind != ScopeKind.REGION:
            cut &= Q(**{f"{fields.industry}__in": sorted(self.reference.with_ancestors(self.industry_ids))})
        return qs.filter(cut) if cut else qs

    def _through(self, qs: models.QuerySet, fields: ScopeFields) -> models.QuerySet:
        """A row is visible when the row its unit field points at is (a person by their unit); an enterprise sees
        only its own."""
        if self.kind == ScopeKind.ENTERPRISE:
            return qs.filter(**{fields.enterprise: self.enterprise_id})
        return qs.filter(
            reduce(
                or_,
                (
                    Q(**condition, **{f"{name}__in": self._related(qs.model, name)})
                    for name, condition in fields.through
                ),
            )
        )

    def _related(self, model, name: str) -> models.QuerySet:
        return self.filter(model._meta.get_field(name).related_model._default_manager.all())

    def about(self, model, name: str) -> Q:
        """Rows of `model` whose `name` points at a visible row (notices about hazards, for one). The city office
        sees every row, so it needs only a not-null test, not a semi-join that hashes every id."""
        if self.kind == ScopeKind.ALL:
            return Q(**{f"{name}__isnull": False})
        return Q(**{f"{name}__in": self._related(model, name)})


def visible_people(user: User) -> models.QuerySet:
    """The people (users) the user may see and pick: `User.objects` keeps Django's manager, so this is its
    `visible_to`."""
    return Scope.for_user(user).filter(get_user_model().objects.all())


def visible_posts(user: User) -> models.QuerySet:
    """Duty posts the user answers for: all (city office); in the region's subtree (a government); the
    department's or the enterprise's own."""
    posts = apps.get_model("organizations", "Position").objects.filter(kind=PositionKind.DUTY_OFFICER)
    if is_city_office(user):
        return posts
    if user.unit_kind == UnitKind.GOVERNMENT and user.region_id:
        return posts.filter(region__path__startswith=user.region.path)
    if user.unit_kind == UnitKind.DEPARTMENT:
        return posts.filter(department_id=user.department_id)
    if user.unit_kind == UnitKind.ENTERPRISE:
        return posts.filter(enterprise_id=user.enterprise_id)
    return posts.none()


def colleagues(user: User) -> models.QuerySet:
    """Whom an inspector may take along: the active people of their department (of the city office when they
    belong to no department), not themselves."""
    people = get_user_model().objects.filter(is_active=True).exclude(pk=user.pk)
    if user.department_id:
        return people.filter(department_id=user.department_id)
    return people.filter(unit_kind=UnitKind.CITY_OFFICE)


# The version of the reference tables (industries, departments and their links, regions), in the shared cache:
# a process keeps what it loaded under the version it read, and loads again once the version changed.
REFERENCE_VERSION_KEY = "organizations:reference-version"
_shared: dict[str, dict] = {}


def reference_version() -> str | None:
    """The current version; a new one when the cache holds none (a fresh cache, or a test's own key prefix); None
    when the cache does not answer."""
    version = optional_cache.read(REFERENCE_VERSION_KEY)
    if version is None and optional_cache.add(REFERENCE_VERSION_KEY, uuid4().hex, None) is not None:
        version = optional_cache.read(REFERENCE_VERSION_KEY)
    return version


def shared_reference_data(name: str, load):
    """`load()` once per version of the reference tables in this process (a Reference, a SupervisionMap)."""
    version = reference_version()
    if version is None:  # Redis does not answer: nobody could tell this process of a change, so read them now
        return load()
    kept = _shared.get(version)
    if kept is None:
        _shared.clear()
        kept = _shared[version] = {}
    if name not in kept:
        kept[name] = load()
    return kept[name]


def reference_changed(**kwargs) -> None:
    """A reference table changed (signals, organizations/apps.py): a new version now, for this transaction's own
    reads, and again at commit, so that no process keeps what it read in between under the newer version."""

    def bump() -> None:  # a failure here fails the change: no process may keep the old tables as current
        cache.set(REFERENCE_VERSION_KEY, uuid4().hex, None)

    bump()
    transaction.on_commit(bump, robust=True)


class Reference:
    """The industry tree and which department is in charge of which industry: small tables (two queries),
    shared by scope, filters and the supervision map. `Reference.shared()` keeps them across requests until
    one of the tables changes; `Reference()` reads them now."""

    @classmethod
    def shared(cls) -> Reference:
        return shared_reference_data("reference", cls)

    def __init__(self) -> None:
        industry, department = (
            apps.get_model("organizations", "Industry"),
            apps.get_model("organizations", "Department"),
        )
        self.tree: dict[int, int | None] = dict(industry.objects.values_list("id", "parent_id"))
        self.links: list[tuple[int, int]] = list(
            department.industries.through.objects.values_list("department_id", "industry_id")
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
