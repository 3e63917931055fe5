"""The key units' red points (重点单位的红色风险点, #17 item 7): what a department watches. Read by the dashboard's
risk panel and the department's work queue (both above this app); the points list with `key_red_query`'s filters
shows exactly the points counted here."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Count, Window

from organizations.models import User

from .choices import Colour
from .models import RiskPoint

POINTS_LIST = "/risks/"  # risks:list, built beside this; a path until its name lands


def points_link(**params) -> str:
    """The points list filtered to exactly what a figure counts (None values left out)."""
    return POINTS_LIST + "?" + urlencode({k: v for k, v in params.items() if v is not None})


def key_red_query(user: User) -> dict:
    """The list's filters for the key units' red points a user watches. No department filter: a department watches
    every point it sees (its industries in its region, and the points assigned to it), which the list, scoped to the
    same user, shows; a city department's points are mostly assigned to the county departments it mirrors."""
    return {"colour": Colour.RED.value, "key_unit": 1}


def key_red_points(user: User, limit: int = 10) -> tuple[list[RiskPoint], int]:
    """The key units' (Enterprise.is_key_unit) red points under the user's watch, the latest evaluated first, and
    how many there are, in one query (a window count)."""
    rows = list(
        RiskPoint.objects.visible_to(user)
        .filter(colour=Colour.RED, enterprise__is_key_unit=True, is_active=True)
        .annotate(total=Window(Count("id")))
        .select_related("enterprise")
        .order_by("-evaluated_at", "-id")[:limit]
    )
    return rows, rows[0].total if rows else 0
