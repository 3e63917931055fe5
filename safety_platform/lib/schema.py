"""The OpenAPI schema says what the API really answers: every error status an operation can give, with one error
body (`Error`), and lists paged only where the code pages them.

Decided here for every operation rather than view by view, so that a new endpoint is documented the same way:

1. 401 and 403 on every operation that needs a login;
2. 404 on every operation with a path parameter (absent or out of scope);
3. 400 on every operation with a request body or query parameters (a bad field or value);
4. 409 on workflow actions (a custom action that changes state: the object is in the wrong state for it);
5. 429 on throttled operations;
6. 503 on every operation: a busy web process sheds the requests beyond its places (`safety_platform/lib/shedding.py`,
   docs/load.md), with `Retry-After`;
7. whatever else a view declares in `extra_error_statuses` ({action or method: [status, ...]}), for the few
   operations that answer 404 or 409 where the rules above do not say so (a duty post out of scope named in a
   query, an export not finished yet).

Optional query parameters also say `allowEmptyValue`: an empty value is no value (django-filter and the views read
`?to=` as no `to`), which is what the HTML forms that share the filters send.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers

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
            "properties": {
                "detail": {"type": "string"},
                "code": {"type": "string"},
                "rows": {
                    "type": "array",
                    "description": "A refused checklist or risk-point import: each problem, by row, section, item "
                    "and field.",
                    "items": {
                        "type": "object",
                        "properties": {
                            "row": {"type": "integer", "nullable": True, "description": "The sheet row (Excel)."},
                            "section": {"type": "integer", "nullable": True, "description": "From 1."},
                            "item": {"type": "integer", "nullable": True, "description": "In its section, from 1."},
                            "field": {"type": "string"},
                            "message": {"type": "string"},
                        },
                    },
                },
            },
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
    503: _("The server is busy: try again after the seconds in Retry-After."),
}

STANDARD_ACTIONS = {"list", "retrieve", "create", "update", "partial_update", "destroy"}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's AutoSchema with the platform's error responses and honest list shapes."""

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        for parameter in (operation or {}).get("parameters", []):
            if parameter.get("in") == "query" and not parameter.get("required"):
                parameter["allowEmptyValue"] = True
            # A yes/no filter on a boolean model field comes out as {"type": "boolean", "enum": ["false", "true"]},
            # which no value satisfies: the values are the strings it lists.
            schema = parameter.get("schema", {})
            if (
                schema.get("type") == "boolean"
                and schema.get("enum")
                and all(isinstance(v, str) for v in schema["enum"])
            ):
                schema["type"] = "string"
        return operation

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.DecimalField) and "pattern" in schema and field.max_whole_digits:
            # drf-spectacular's pattern lets "", "-" and "." through; DRF needs at least one digit.
            sign = "" if field.min_value is not None and field.min_value >= 0 else "-?"
            whole, places = field.max_whole_digits, field.decimal_places
            schema["pattern"] = rf"^{sign}(?:[0-9]{{1,{whole}}}(?:\.[0-9]{{0,{places}}})?|\.[0-9]{{1,{places}}})$"
            if direction == "request":
                # DRF also takes a JSON number (`"funds": 1200`), as clients and tests send it.
                number = {"type": "number", "multipleOf": 10**-places, "exclusiveMaximum": True, "maximum": 10**whole}
                number.update({"minimum": 0} if not sign else {"exclusiveMinimum": True, "minimum": -(10**whole)})
                text = {key: schema.pop(key) for key in ("type", "format", "pattern")}
                schema["oneOf"] = [text, number]
        many = isinstance(field, (serializers.ListField, serializers.ManyRelatedField))
        if many and not field.allow_empty and schema.get("type") == "array" and direction == "request":
            schema.setdefault("minItems", 1)  # DRF refuses an empty list here ("This list may not be empty.")
        return schema

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
        extra = getattr(self.view, "extra_error_statuses", {})
        codes = set(extra.get(self._action() or self.method.lower(), ())) | {503}
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

    def map_parsers(self):
        """Request bodies are JSON (API.md); the form parsers that DRF also accepts are for the browsable API and
        tests. Operations that take files declare their multipart body themselves."""
        media_types = super().map_parsers()
        return ["application/json"] if "application/json" in media_types else media_types

    # Only a viewset's `list` pages and filters; other actions that answer many objects answer a plain array.
    def _get_paginator(self):
        if self._action() not in ("list", None):
            return None
        return super()._get_paginator()

    def get_filter_backends(self):
        if self._action() not in ("list", None):
            return []
        return super().get_filter_backends()
