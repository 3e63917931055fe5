"""Session authentication for the API whose CSRF refusal is in the user's language (DRF's names Django's English
reason)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular import authentication as authentication_schemes
from rest_framework import authentication, exceptions


class SessionAuthentication(authentication.SessionAuthentication):
    def enforce_csrf(self, request) -> None:
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied:
            raise exceptions.PermissionDenied(
                _("The CSRF check failed: reload the page and try again, or use a token.")
            ) from None


class SessionScheme(authentication_schemes.SessionScheme):
    """The schema names this class's scheme as DRF's (`cookieAuth`)."""

    target_class = "safety_platform.lib.auth.SessionAuthentication"
