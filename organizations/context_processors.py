"""Navigation by role: each user sees the entries their unit and positions can use."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .choices import UnitKind
from .registry import can_keep_registry


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [(_("Home"), reverse("home"))]
    if user.unit_kind == UnitKind.ENTERPRISE:
        items.append((_("To rectify"), reverse("hazards:my-to-rectify")))
    items += [(_("Hazards"), reverse("hazards:list")), (_("Enterprises"), reverse("organizations:enterprise-list"))]
    if user.is_superuser or user.unit_kind in (UnitKind.CITY_OFFICE, UnitKind.DEPARTMENT):
        items.append((_("Supervision gaps"), reverse("organizations:gaps")))
    if can_keep_registry(user):
        items.append((_("Register enterprise"), reverse("organizations:enterprise-create")))
    if user.is_superuser or user.unit_kind == UnitKind.CITY_OFFICE:
        items.append((_("Operations"), reverse("operations")))
    items.append((_("API docs"), reverse("api-docs")))
    if user.is_staff and (user.is_superuser or user.unit_kind == UnitKind.CITY_OFFICE):
        items.append((_("Administration"), reverse("admin:index")))
    path = request.path
    return {"nav_items": [{"label": label, "url": url, "active": path == url} for label, url in items]}
