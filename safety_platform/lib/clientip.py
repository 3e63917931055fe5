"""The client's address, decided in one place: login throttling (django-axes and the per-address login limit),
the API's throttles and the audit trail all ask `client_ip()`.

Without a reverse proxy (BEHIND_PROXY=0, the default) it is the peer address, REMOTE_ADDR: X-Forwarded-For is
written by whoever sends the request and is ignored. With BEHIND_PROXY=N, N proxies of ours stand in front, each
appending the address it got the request from to X-Forwarded-For; the client is the right-most address that none
of them wrote, N places from the right of the chain "X-Forwarded-For entries, then REMOTE_ADDR". Entries further
left came with the request and are not believed, so rotating them changes nothing.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings

_current: ContextVar[str | None] = ContextVar("client_ip", default=None)


def client_ip(request) -> str:
    """The client's address as settings.BEHIND_PROXY says to find it; REMOTE_ADDR if the header is malformed."""
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = getattr(settings, "BEHIND_PROXY", 0)
    if not trusted:
        return remote
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    chain = [entry for entry in forwarded if entry] + [remote]
    # Fewer entries than proxies: all of them were written by our proxies, and the left-most is the client.
    candidate = chain[-1 - trusted] if len(chain) > trusted else chain[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def current() -> str | None:
    """The address of the request being handled, for the audit trail; None outside a request (tasks, shell)."""
    return _current.get()


class ClientAddressMiddleware:
    """Makes the request's client address available to code that has no request (audit.record)."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set(client_ip(request) or None)
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
