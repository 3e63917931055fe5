"""API error shape: `{"field": ["message"]}` for bad fields, `{"detail", "code"}` otherwise, in the user's language."""

from __future__ import annotations

import re

from django.apps import apps
from django.http import Http404
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

# Django's get_object_or_404 says this in English whatever the language (django/shortcuts.py).
NO_MATCH = re.compile(r"^No (?P<model>\w+) matches the given query\.$")


def exception_handler(exc, context):
    exc = in_users_language(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and "detail" in data and "code" not in data:
        data["code"] = getattr(getattr(exc, "detail", None), "code", None) or getattr(exc, "default_code", "error")
    return response


def in_users_language(exc: Exception) -> Exception:
    """Replace the few messages that DRF and Django write in English only with translated ones."""
    if isinstance(exc, Http404):
        return exceptions.NotFound(not_found_message(str(exc)))
    if isinstance(exc, exceptions.ParseError) and str(exc.detail).startswith("JSON parse error"):
        return exceptions.ParseError(_("The request body is not valid JSON."))
    if isinstance(exc, exceptions.ParseError) and str(exc.detail).startswith("Multipart form parse error"):
        return exceptions.ParseError(_("The request body is not a valid multipart form."))
    return exc


def not_found_message(message: str) -> str | None:
    """`No Hazard matches the given query.` becomes "Hazard not found." in the user's language, named by the model's
    translated verbose name; a message of our own (already translated) stays; none gives DRF's translated default."""
    match = NO_MATCH.match(message)
    if match is None:
        return message or None
    model = next((m for m in apps.get_models() if m._meta.object_name == match["model"]), None)
    if model is None:
        return None
    return _("%(name)s not found.") % {"name": capfirst(model._meta.verbose_name)}


def not_found(request, exception):
    """`handler404`: under /api/ the API's JSON error body (not an HTML page); elsewhere the translated page."""
    from django.http import JsonResponse
    from django.views import defaults

    if request.path.startswith("/api/"):
        detail = exceptions.NotFound.default_detail
        return JsonResponse({"detail": str(detail), "code": "not_found"}, status=404)
    return defaults.page_not_found(request, exception)
