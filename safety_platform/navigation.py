"""The navigation, grouped by task: Hazards, Inspections, Risks, Duty, Statistics, Manage and Notices (at most seven
top entries; a group of several entries opens as a menu, one of a single entry is a plain link).

Each entry is shown only to those its view lets in: the condition here is the view's own check (the same
`organizations.roles` predicate, scope kind or workflow function), so no entry leads to a 403;
`tests/test_navigation.py` walks every entry for every demo role to hold this. It links every app, so it sits with
the URLs on the top rung of the layers (pyproject.toml).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hazards import workflow
from notifications.models import Notification
from organizations.registry import can_keep_registry
from organizations.roles import (
    is_city_office,
    is_city_office_staff,
    is_enterprise,
    is_government,
    is_supervising_unit,
)
from organizations.scope import Scope, ScopeKind
from oversight.board import may_see_board
from risks import importing

# Seven since the risks group (#17): hazards, inspections, risks, duty, statistics, manage, notices.
MAX_TOP_ENTRIES = 7


@dataclass
class Entry:
    label: str
    url: str
    active: bool = False


@dataclass
class Group:
    key: str
    label: str
    entries: list[Entry] = field(default_factory=list)
    count: int = 0

    @property
    def active(self) -> bool:
        return any(entry.active for entry in self.entries)

    @property
    def single(self) -> Entry | None:
        """The group's only entry, shown as a plain link in the top bar instead of a menu."""
        return self.entries[0] if len(self.entries) == 1 else None


def may_file_hazard(user) -> bool:
    """Whether the hazard filing page lets this user in (its own check, `workflow.require_filer`)."""
    try:
        workflow.require_filer(user)
    except PermissionDenied:
        return False
    return True


def may_import_risk_points(user) -> bool:
    """Whether the risk-point import page lets this user in (its own check, `importing.require_importer`)."""
    try:
        importing.require_importer(user)
    except PermissionDenied:
        return False
    return True


def groups_for(user, path: str = "") -> list[Group]:
    """The navigation groups this user may use, each with the entries whose views let them in."""
    scoped = Scope.for_user(user).kind != ScopeKind.NONE
    government, enterprise = is_government(user), is_enterprise(user)
    supervising, city_office = is_supervising_unit(user), is_city_office(user)

    def entries(*pairs: tuple[object, str, bool]) -> list[Entry]:
        return [Entry(label, url, path == url) for label, url, shown in pairs if shown]

    hazards = Group(
        "hazards",
        pgettext_lazy("navigation", "Hazards"),
        entries(
            (_("To rectify"), reverse("hazards:my-to-rectify"), enterprise),
            (pgettext_lazy("navigation", "Hazard list"), reverse("hazards:list"), True),
            (_("File a hazard"), reverse("hazards:create"), may_file_hazard(user)),
            # --- tip-offs (#20): the handlers' queue ---
            (pgettext_lazy("navigation", "Tip-offs"), reverse("tipoffs:list"), government),
        ),
    )
    inspections = Group(
        "inspections",
        pgettext_lazy("navigation", "Inspections"),
        entries(
            (_("My inspections"), reverse("inspections:today"), supervising),
            (_("Campaigns"), reverse("inspections:campaigns"), not enterprise),
            (_("Supervision"), reverse("inspections:checkers"), government and not enterprise),
            # --- accidents (#18, "lessons") ---
            (_("Lessons"), reverse("lessons:list"), government and not enterprise),
            (_("Comparison self-checks"), reverse("lesson_tasks:mine"), enterprise),  # accidents (#18)
        ),
    )
    # --- risks (#17): one group; each part adds its entries ---
    risks = Group(
        "risks",
        pgettext_lazy("navigation", "Risks"),
        entries(
            (_("Risk points"), reverse("risks:list"), scoped),
            (_("Four-colour risk picture"), reverse("risk_picture:picture"), government),
            (_("Re-evaluations due"), reverse("risks:reevaluations"), scoped),
            (_("Checks due"), reverse("risk_checks:today"), enterprise),
            (_("Risk checks"), reverse("risk_checks:list"), scoped),
            (_("Missed checks"), reverse("risk_checks:overdue"), scoped and not enterprise),
            (_("Risk themes"), reverse("risk_themes:list"), government and not enterprise),
            (_("Risk themes to confirm"), reverse("risk_themes:mine"), enterprise),
            (_("Import risk points"), reverse("risks_io:import"), may_import_risk_points(user)),
        ),
    )
    duty = Group(
        "duty",
        pgettext_lazy("navigation", "Duty"),
        entries(
            (_("My duty"), reverse("duty_roster:my-duty"), scoped),
            (_("Rota"), reverse("duty_roster:rota-index"), scoped),
            (_("Holiday plans"), reverse("duty_roster:plans"), scoped),
            (_("Duty board"), reverse("duty_roster:board"), scoped and not enterprise),
            (_("Duty failures"), reverse("duty_roster:failures"), scoped and not enterprise),
            (_("Incidents"), reverse("duty_roster:incidents"), scoped),
            (pgettext_lazy("navigation", "Accidents"), reverse("accidents:list"), scoped),  # accidents (#18): records
            (_("Readiness board"), reverse("rescue:board"), government),
            (_("Early warnings"), reverse("early_warnings:list"), government),
            (_("Roll call"), reverse("duty_roster:roll-calls"), city_office),
            (_("Shift changes"), reverse("duty_roster:changes"), city_office),
            (_("Emergency supplies"), reverse("supplies:warehouses"), government),
        ),
    )
    statistics = Group(
        "statistics",
        pgettext_lazy("navigation", "Statistics"),
        entries(
            (_("Dashboard"), reverse("dashboards:dashboard"), scoped),
            (_("Reports"), reverse("documents:reports"), government),
            (_("Warning figures"), reverse("warning_board:figures"), government),
            # --- accidents: warning circulars (circulars) ---
            (_("Warning circulars"), reverse("circulars:list"), government),
            # --- accidents (#18, figures) ---
            (_("Accident statistics"), reverse("accident_figures:statistics"), government),
            # --- oversight (#19, board) ---
            (_("Oversight board"), reverse("oversight:board"), may_see_board(user)),
            # --- oversight (#19): illegal operations' figures ---
            (_("Illegal operations: figures"), reverse("illegal:figures"), government),
            # --- tip-offs (#20, figures): the view's own check is `tipoffs.figures.may_see` (is_government) ---
            (_("Tip-offs: figures"), reverse("tipoff_figures:page"), government),
        ),
    )
    manage = Group(
        "manage",
        pgettext_lazy("navigation", "Manage"),
        entries(
            (_("Enterprises"), reverse("organizations:enterprise-list"), True),
            (_("Register enterprise"), reverse("organizations:enterprise-create"), can_keep_registry(user)),
            (_("Supervision gaps"), reverse("organizations:gaps"), supervising),
            # --- oversight (#19): illegal operations ---
            (_("Illegal operations"), reverse("illegal:list"), government),
            # --- tip-offs (#20): rewards, approved and paid by the city office's staff ---
            (_("Tip-off rewards"), reverse("tipoff_rewards:list"), is_city_office_staff(user)),
            (_("Operations"), reverse("operations"), city_office),
            (_("Administration"), reverse("admin:index"), user.is_staff and city_office),
            (_("API docs"), reverse("api-docs"), True),
        ),
    )
    notices = Group(
        "notices",
        _("Notices"),
        entries(
            (_("Notices"), reverse("notifications:inbox"), True),
            (_("Unanswered"), reverse("notifications:unanswered"), government),
        ),
        count=Notification.objects.filter(recipient=user, read_at__isnull=True).count(),
    )
    groups = [g for g in (hazards, inspections, risks, duty, statistics, manage, notices) if g.entries]
    assert len(groups) <= MAX_TOP_ENTRIES
    return groups


def navigation(request) -> dict:
    """Template context: `nav_groups` for the top bar, `can_file_hazard` for the pages that offer filing."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_groups": [], "can_file_hazard": False}
    groups = groups_for(user, request.path)
    can_file = any(entry.url == reverse("hazards:create") for group in groups for entry in group.entries)
    # the longest side a photo is made on the phone before it is kept and sent (static/js/offline.js)
    return {"nav_groups": groups, "can_file_hazard": can_file, "offline_photo_edge": settings.OFFLINE_PHOTO_LONG_EDGE}
