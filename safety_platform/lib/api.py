"""API error shape: `{"field": ["message"]}` for bad fields, `{"detail", "code"}` otherwise."""

from __future__ import annotations

from django.http import JsonResponse
from django.views import defaults
from rest_framework.exceptions import NotFound
from rest_framework.views import exception_handler as drf_exception_handler

# An id in a URL: ASCII digits only (Python's \d would take "١", which int() reads as 1), and no more than a
# bigint holds (any number up to 8,999,999,999,999,999,999), so a view never validates a body for a record that
# cannot exist nor hands the database a number it cannot compare.
ID_PATTERN = "(?:[0-9]{1,18}|[1-8][0-9]{18})"


class IdConverter:
    """The `<id:…>` path converter of the API's URLs (registered in `safety_platform.api_urls`)."""

    regex = ID_PATTERN

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and "detail" in data and "code" not in data:
        data["code"] = getattr(getattr(exc, "detail", None), "code", None) or getattr(exc, "default_code", "error")
    return response


def page_not_found(request, exception):
    """Django's 404 page, but the API's JSON shape for a URL under /api/ that nothing routes (a non-numeric id)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(NotFound.default_detail), "code": NotFound.default_code}, status=404)
    return defaults.page_not_found(request, exception)
