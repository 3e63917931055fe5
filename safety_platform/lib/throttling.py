"""The API's throttles, keyed on the client address from safety_platform.lib.clientip (never on the raw
X-Forwarded-For header, which DRF would use whole when NUM_PROXIES is unset)."""

from __future__ import annotations

from rest_framework import throttling

from .clientip import client_ip


class ClientAddressMixin:
    def get_ident(self, request) -> str:
        return client_ip(request)


class ScopedRateThrottle(ClientAddressMixin, throttling.ScopedRateThrottle):
    """DRF's scoped throttle; anonymous clients are counted by their address as clientip decides it."""
