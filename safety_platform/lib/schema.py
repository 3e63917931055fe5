"""The OpenAPI schema says what the API really answers: every error status an operation can give, with one error
body (`Error`), and lists paged only where the code pages them.

Decided here for every operation rather than view by view, so that a new endpoint is documented the same way:

1. 401 and 403 on every operation that needs a login;
2. 404 on every operation with a path parameter (absent or out of scope);
3. 400 on every operation with a request body or query parameters (a bad field or value);
4. 409 on workflow actions (a custom action that changes state: the object is in the wrong state for it);
5. 429 on throttled operations;
6. whatever else a view declares in `extra_error_statuses` ({action: [status, ...]}), for the few writes that
   answer 404 or 409 without a path parameter (a duty post out of scope, a day that already has a shift).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent

ERROR_COMPONENT = "Error"

ERROR_SCHEMA = {
    "description": (
        'Every error has this body. A bad field or query value answers `{"field": ["message"]}` (errors that '
        "concern no single field under `non_field_errors`; a nested field's errors nest the same way); anything "
        'else answers `{"detail": "message", "code": "machine-readable code"}`. Messages follow '
        "Accept-Language (zh-hans by default)."
    ),
    "oneOf": [
        {
            "title": "Detail",
            "type": "object",
            "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
            "required": ["detail", "code"],
            "additionalProperties": False,
        },
        {
            "title": "Field errors",
            "type": "object",
            "minProperties": 1,
            "additionalProperties": {"anyOf": [{"type": "array"}, {"type": "object"}]},
        },
    ],
}

DESCRIPTIONS = {
    400: _("A bad field or query value: the body names each one."),
    401: _("Not logged in, or a bad token."),
    403: _("Logged in, but not allowed to do this."),
    404: _("No such object within your scope."),
    409: _("The object is not in a state that allows this."),
    429: _("Too many requests: try again later."),
}

STANDARD_ACTIONS = {"list", "retrieve", "create", "update", "partial_update", "destroy"}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's AutoSchema with the platform's error responses and honest list shapes."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        ref = self._error_component().ref
        for code in sorted(self.error_statuses()):
            responses.setdefault(
                str(code),
                {
                    "content": {"application/json": {"schema": ref}},
                    "description": str(DESCRIPTIONS[code]),
                },
            )
        return responses

    def error_statuses(self) -> set[int]:
        codes = set(getattr(self.view, "extra_error_statuses", {}).get(self._action(), ()))
        if self._needs_login():
            codes |= {401, 403}
        if "{" in self.path:
            codes.add(404)
        if self._has_input():
            codes.add(400)
        if self.method in UNSAFE and self._action() not in STANDARD_ACTIONS | {None}:
            codes.add(409)
        if self.view.get_throttles():
            codes.add(429)
        return codes

    def _action(self) -> str | None:
        return getattr(self.view, "action", None)

    def _needs_login(self) -> bool:
        return {} not in self.get_auth()

    def _has_input(self) -> bool:
        if self.method in UNSAFE and self.get_request_serializer() is not None:
            return True
        return any(p["in"] == "query" for p in self._get_parameters())

    def _error_component(self) -> ResolvedComponent:
        component = ResolvedComponent(
            name=ERROR_COMPONENT, type=ResolvedComponent.SCHEMA, schema=ERROR_SCHEMA, object=ERROR_COMPONENT
        )
        self.registry.register_on_missing(component)
        return component

    # Only a viewset's `list` pages and filters; other actions that answer many objects answer a plain array.
    def _get_paginator(self):
        if self._action() not in ("list", None):
            return None
        return super()._get_paginator()

    def get_filter_backends(self):
        if self._action() not in ("list", None):
            return []
        return super().get_filter_backends()
