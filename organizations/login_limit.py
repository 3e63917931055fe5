"""Failed logins per client address, across usernames.

django-axes locks a username from one address after a few failures; that does not stop one address trying a
password against forty usernames. Every failed login (the page, the admin, the token endpoint: all go through
`authenticate()`) is counted in the cache under the client's address (safety_platform.lib.clientip) for
LOGIN_ADDRESS_MINUTES from the first; at LOGIN_ADDRESS_LIMIT further logins from that address are refused, right
password or not, until the window ends. The cache is Redis in production, so all web processes share the count.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied

from safety_platform.lib.clientip import client_ip


def _key(address: str) -> str:
    return f"login-failures:{address}"


def limited(request) -> bool:
    return (cache.get(_key(client_ip(request))) or 0) >= settings.LOGIN_ADDRESS_LIMIT


def reset(address: str) -> None:
    cache.delete(_key(address))


def count_failure(sender, credentials=None, request=None, **kwargs) -> None:
    """Receives user_login_failed (connected in OrganizationsConfig.ready)."""
    if request is None:
        return
    key = _key(client_ip(request))
    # add() starts the window only if none is running; incr() is atomic in Redis, so parallel workers count right.
    cache.add(key, 0, timeout=settings.LOGIN_ADDRESS_MINUTES * 60)
    try:
        cache.incr(key)
    except ValueError:  # the window ended between the two calls
        cache.add(key, 1, timeout=settings.LOGIN_ADDRESS_MINUTES * 60)


class AddressLimitBackend:
    """First in AUTHENTICATION_BACKENDS: refuses every login from an address over the limit, before any password
    is checked. It has no get_user(), so that sessions (and the test client's force_login) name the backend that
    did authenticate. It marks the request as django-axes does for its own lock-out, so AxesMiddleware answers with
    organizations.views.lockout (a 429 page, or JSON under /api/)."""

    def authenticate(self, request, **credentials) -> None:
        """Never authenticates anyone: it only refuses, or leaves the decision to the backends after it."""
        if request is not None and limited(request):
            request.login_address_limited = True
            request.axes_locked_out = True
            raise PermissionDenied
