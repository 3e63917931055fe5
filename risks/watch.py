"""The key units' red points (重点单位的红色风险点, #17 item 7): what a department watches. Read by the dashboard's
risk panel and the department's work queue (both above this app); the points list with `key_red_query`'s filters
shows exactly the points counted here."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Count, Q, Window

from organizations.models import User
from organizations.scope import Scope, ScopeKind

from .choices import Colour
from .models import RiskPoint

POINTS_LIST = "/risks/"  # risks:list, built beside this; a path until its name lands


def points_link(**params) -> str:
    """The points list filtered to exactly what a figure counts (None values left out)."""
    return POINTS_LIST + "?" + urlencode({k: v for k, v in params.items() if v is not None})


def key_red_query(user: User) -> dict:
    """The list's filters for the key units' red points a user watches: a department's own (by the point's stored
    department_id), everyone else's in their scope."""
    scope = Scope.for_user(user)
    department = scope.department_id if scope.kind == ScopeKind.DEPARTMENT else None
    return {"department": department, "colour": Colour.RED.value, "key_unit": 1}


def key_red_points(user: User, limit: int = 10) -> tuple[list[RiskPoint], int]:
    """The key units' (Enterprise.is_key_unit) red points under the user's watch, the latest evaluated first, and
    how many there are, in one query (a window count)."""
    query = key_red_query(user)
    cut = Q(colour=Colour.RED, enterprise__is_key_unit=True)
    if query["department"] is not None:
        cut &= Q(department_id=query["department"])
    rows = list(
        RiskPoint.objects.visible_to(user)
        .filter(cut)
        .annotate(total=Window(Count("id")))
        .select_related("enterprise")
        .order_by("-evaluated_at", "-id")[:limit]
    )
    return rows, rows[0].total if rows else 0
