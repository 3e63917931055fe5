"""Errors that every layer raises and every surface turns into its own terms, once.

A state-changing function (`*.workflow`, `*.registry`, `duty_roster.rota`, …) raises Django's `PermissionDenied`
(403), `ValidationError` (400 with field errors), `Http404` (404) or `Conflict` below (409). The API's exception
handler (`safety_platform.lib.api.exception_handler`) and the pages' form helpers (`safety_platform.lib.forms`)
translate them; no view wraps a call in a try block of its own to do so.
"""

from __future__ import annotations

from rest_framework import exceptions, status


class Conflict(Exception):
    """The object is not in a state that allows this (409): a hazard already closed, a shift already swapped."""


class ConflictError(exceptions.APIException):
    """`Conflict` in API terms."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
