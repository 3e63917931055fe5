"""The navigation with the notices: the inbox (with the unread count) second, and what is unanswered for those who
watch it; the rest of the entries are `organizations.context_processors.navigation`'s."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from organizations.choices import UnitKind
from organizations.context_processors import navigation as role_navigation

from .models import Notification


def navigation(request) -> dict:
    context = role_navigation(request)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    nav, path = context["nav_items"], request.path
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    nav.insert(1, {"label": _("Notices"), "url": reverse("notifications:inbox"), "count": unread,
                   "active": path == reverse("notifications:inbox")})  # fmt: skip
    if user.is_superuser or user.unit_kind in (UnitKind.CITY_OFFICE, UnitKind.GOVERNMENT, UnitKind.DEPARTMENT):
        nav.append({"label": _("Unanswered"), "url": reverse("notifications:unanswered"), "active": False})
    return context
