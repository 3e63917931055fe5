"""Navigation by role: each user sees the entries their unit and positions can use.

The notices' entries (with the unread count) are added by `notifications.context_processors.navigation`, the
processor the templates use.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .choices import UnitKind
from .registry import can_keep_registry
from .roles import is_city_office, is_government, is_supervising_unit
from .scope import Scope, ScopeKind


def scope_kind(user) -> str:
    return Scope.for_user(user).kind


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [(_("Home"), reverse("home"))]
    if scope_kind(user) != ScopeKind.NONE:
        items.append((_("Dashboard"), reverse("dashboards:dashboard")))
    if is_government(user):
        items.append((_("Reports"), reverse("documents:reports")))
    if user.unit_kind == UnitKind.ENTERPRISE:
        items.append((_("To rectify"), reverse("hazards:my-to-rectify")))
    items += [(_("Hazards"), reverse("hazards:list"))]
    if is_supervising_unit(user):
        items.append((_("Inspections"), reverse("inspections:today")))
    if user.unit_kind != UnitKind.ENTERPRISE:
        items.append((_("Campaigns"), reverse("inspections:campaigns")))
    if is_government(user):
        items.append((_("Supervision"), reverse("inspections:checkers")))
    items.append((_("Enterprises"), reverse("organizations:enterprise-list")))
    if scope_kind(user) != ScopeKind.NONE:
        items.append((_("My duty"), reverse("duty_roster:my-duty")))
        items.append((_("Rota"), reverse("duty_roster:rota-index")))
        items.append((_("Holiday plans"), reverse("duty_roster:plans")))
        if user.unit_kind != UnitKind.ENTERPRISE:
            items.append((_("Duty board"), reverse("duty_roster:board")))
            items.append((_("Duty failures"), reverse("duty_roster:failures")))
        items.append((_("Incidents"), reverse("duty_roster:incidents")))
    if is_supervising_unit(user):
        items.append((_("Supervision gaps"), reverse("organizations:gaps")))
    if can_keep_registry(user):
        items.append((_("Register enterprise"), reverse("organizations:enterprise-create")))
    if is_city_office(user):
        items.append((_("Roll call"), reverse("duty_roster:roll-calls")))
        items.append((_("Shift changes"), reverse("duty_roster:changes")))
        items.append((_("Operations"), reverse("operations")))
    items.append((_("API docs"), reverse("api-docs")))
    if user.is_staff and is_city_office(user):
        items.append((_("Administration"), reverse("admin:index")))
    path = request.path
    nav = [{"label": label, "url": url, "active": path == url} for label, url in items]
    return {"nav_items": nav}
