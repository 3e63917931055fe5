"""API error shape: `{"field": ["message"]}` for bad fields, `{"detail", "code"}` otherwise (the schema's `Error`,
see `safety_platform.lib.schema`)."""

from __future__ import annotations

from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, list):
        # A ValidationError raised with a bare message concerns no one field: give it the serializers' key.
        response.data = {"non_field_errors": data}
    elif isinstance(data, dict) and "detail" in data and "code" not in data:
        data["code"] = getattr(getattr(exc, "detail", None), "code", None) or getattr(exc, "default_code", "error")
    return response
