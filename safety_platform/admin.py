"""The Django admin is for city safety office staff only."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from organizations.roles import is_city_office


def restrict_admin_to_city_office(site) -> None:
    def has_permission(request) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and is_city_office(user))

    site.has_permission = has_permission
    site.site_header = _("City work-safety platform administration")
    site.site_title = _("Work-safety platform")
    site.index_title = _("Administration")
