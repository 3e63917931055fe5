"""The units a report speaks for and about: the user's own scope, and the territories directly under it."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from organizations.choices import UnitKind
from organizations.models import Region, User
from organizations.roles import GOVERNMENT_UNITS, member_of
from organizations.scope import Scope, ScopeKind


def is_government(user: User) -> bool:
    """The superuser, or someone of a government unit whose scope is not empty."""
    return member_of(user, GOVERNMENT_UNITS, lambda person: Scope.for_user(person).kind != ScopeKind.NONE)


def scope_name(user: User) -> str:
    """The scope in words: 全市 for the city office, else the name of the region, department or enterprise."""
    scope = Scope.for_user(user)
    if scope.kind == ScopeKind.ALL:
        return _("the whole city")
    if scope.kind == ScopeKind.REGION:
        return user.region.name
    if scope.kind == ScopeKind.DEPARTMENT:
        return user.department.name
    if scope.kind == ScopeKind.ENTERPRISE:
        return user.enterprise.name
    return ""


def unit_name(user: User) -> str:
    """The user's unit as it heads an official document."""
    if user.unit_kind == UnitKind.DEPARTMENT and user.department_id:
        return user.department.name
    if user.unit_kind == UnitKind.GOVERNMENT and user.region_id:
        return _("%(region)s People's Government") % {"region": user.region.name}
    if user.unit_kind == UnitKind.CITY_OFFICE and user.region_id:
        return _("%(city)s Work Safety Committee Office") % {"city": user.region.name}
    root = root_region(user)
    return _("%(city)s Work Safety Committee Office") % {"city": root.name} if root else ""


def root_region(user: User) -> Region | None:
    """The region the user's scope is rooted at: the city for the city office, else the unit's own region."""
    scope = Scope.for_user(user)
    if scope.kind in (ScopeKind.REGION, ScopeKind.DEPARTMENT, ScopeKind.ENTERPRISE):
        return Region.objects.get(path=scope.region_path)
    if scope.kind == ScopeKind.ALL:
        return Region.objects.filter(parent=None).order_by("path").first()
    return None


@dataclass
class Territories:
    """Folds a record's region path onto the territory directly under the root (a county under the city, a
    township under a county); a record filed at the root itself stays with the root."""

    root: Region | None
    children: list[Region]

    @classmethod
    def under(cls, user: User) -> Territories:
        root = root_region(user)
        children = list(Region.objects.filter(parent=root).order_by("path")) if root else []
        return cls(root, children)

    def key(self, region_path: str) -> str:
        if self.root is None or not region_path.startswith(self.root.path):
            return region_path.strip("/").split("/")[-1]  # assigned from outside the subtree: its own region
        rest = region_path[len(self.root.path) :].strip("/")
        return rest.split("/")[0] if rest else self.root.code

    def label(self, code: str) -> str:
        """The name of a region outside the subtree (a hazard assigned to a department from elsewhere)."""
        region = Region.objects.filter(code=code).first()
        return region.name if region else code

    def names(self) -> dict[str, str]:
        """Code to name, the root last and marked as its own level (市本级 / 区本级)."""
        names = {r.code: r.name for r in self.children}
        if self.root:
            names[self.root.code] = _("%(region)s (own level)") % {"region": self.root.name}
        return names
