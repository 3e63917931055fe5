"""The navigation with the notices: the inbox (with the unread count) second, and what is unanswered for those who
watch it; the rest of the entries are `organizations.context_processors.navigation`'s."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from organizations.context_processors import navigation as role_navigation
from organizations.roles import is_government

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
    if is_government(user):
        nav.append({"label": _("Unanswered"), "url": reverse("notifications:unanswered"), "active": False})
    return context
