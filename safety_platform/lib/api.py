"""API error shape: `{"field": ["message"]}` for bad fields, `{"detail", "code"}` otherwise, in the user's language
(the schema's `Error`, see `safety_platform.lib.schema`).

The state-changing functions raise Django's and our own errors (`safety_platform.lib.errors`); the exception handler
below turns them into API answers, once, so no view wraps a call to translate them: `Conflict` is a 409, Django's
`ValidationError` a 400 with its field errors, `PermissionDenied` a 403 with its message, `Http404` a 404."""

from __future__ import annotations

import re
import uuid

from django.apps import apps
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers
from rest_framework.routers import DefaultRouter
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import Conflict, ConflictError
from .replica import replica_view

# Django's get_object_or_404 says this in English whatever the language (django/shortcuts.py).
NO_MATCH = re.compile(r"^No (?P<model>\w+) matches the given query\.$")

# An id in a URL: ASCII digits only (Python's \d would take "١", which int() reads as 1), and no more than a
# bigint holds (any number up to 8,999,999,999,999,999,999), so a view never validates a body for a record that
# cannot exist nor hands the database a number it cannot compare.
ID_PATTERN = "(?:[0-9]{1,18}|[1-8][0-9]{18})"


class IdConverter:
    """The `<id:…>` path converter of the API's URLs (registered by `register_id_converter`)."""

    regex = ID_PATTERN

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


def register_id_converter() -> None:
    """`<id:…>` in URL patterns; idempotent (the main API URLs call it first, a router again)."""
    from django.urls import register_converter
    from django.urls.converters import get_converters

    if "id" not in get_converters():
        register_converter(IdConverter, "id")


class Router(DefaultRouter):
    """Ids in URLs are ASCII digits that fit a bigint (`<id:pk>`): anything else is a 404 by routing, before a view
    or a query sees it, and the view gets an int. A viewset keyed otherwise names its own `lookup_value_converter`.
    No `.json` suffixes: JSON is the only format, and path-style suffix routes would double the schema. The main
    router (`safety_platform.api_urls`) and an app's own (its URLs included there) are both this one."""

    include_format_suffixes = False

    def __init__(self, *args, **kwargs):
        register_id_converter()
        super().__init__(*args, use_regex_path=False, **kwargs)
        self._default_value_pattern = "id"


def app_router() -> Router:
    """An app's own router, for the URLs it keeps in its module and safety_platform.api_urls includes."""
    router = Router(trailing_slash=True)
    router.include_root_view = False
    return router


def exception_handler(exc, context):
    exc = in_users_language(in_api_terms(exc))
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


def in_api_terms(exc: Exception) -> Exception:
    """A workflow's error as DRF's: 409 wrong state, 400 field errors (`{"non_field_errors": […]}` for messages that
    name no field), 403 not allowed with the workflow's message (DRF's own handling would drop it)."""
    if isinstance(exc, Conflict):
        return _caused_by(ConflictError(str(exc)), exc)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return _caused_by(exceptions.ValidationError(detail), exc)
    if isinstance(exc, DjangoPermissionDenied):
        return _caused_by(exceptions.PermissionDenied(str(exc) or None), exc)
    return exc


def _caused_by(translated: Exception, original: Exception) -> Exception:
    translated.__cause__ = original
    return translated


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
    from .errorpages import page_not_found

    return page_not_found(request, exception)


def strict_json_scalars() -> None:
    """DRF quietly takes a JSON number as text (0 becomes "0") and 0, 1, "yes" or "on" as a yes/no, while the
    schema says a string and a boolean. With this, in a JSON body a text field takes only a string and a yes/no
    field only true or false ("Not a valid string." / "Must be a valid boolean.", translated by DRF). Forms and
    multipart bodies send text only, and keep DRF's reading of "true", "on" or "1". Installed at start (ops.apps)."""
    from django.http import QueryDict
    from rest_framework import serializers

    if getattr(serializers.CharField.to_internal_value, "strict", False):
        return
    text, yes_no = serializers.CharField.to_internal_value, serializers.BooleanField.to_internal_value

    def from_a_form(field) -> bool:
        return isinstance(getattr(field.root, "initial_data", None), QueryDict)

    def text_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return text(self, data)

    def yes_no_value(self, data):
        if not isinstance(data, bool) and not from_a_form(self):
            self.fail("invalid")
        return yes_no(self, data)

    text_value.strict = yes_no_value.strict = True
    serializers.CharField.to_internal_value = text_value
    serializers.BooleanField.to_internal_value = yes_no_value


def idempotency_header(request, field: str = "idempotency_key") -> uuid.UUID | None:
    """The `Idempotency-Key` header as a UUID, or None when it is not sent; anything else is a 400 on `field` (the
    body field the header stands for)."""
    raw = request.headers.get("Idempotency-Key")
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise serializers.ValidationError({field: [_("Must be a UUID.")]}) from None


class UploadKeyField(serializers.UUIDField):
    """An upload's key (`photo_key`): optional, but when the field is sent it must be a UUID. DRF reads an empty
    optional field of a form or multipart body as not sent; an empty key is refused here instead, as the schema
    says, rather than storing the photo with no key at all."""

    def get_value(self, dictionary):
        if self.field_name in dictionary and dictionary.get(self.field_name) == "":
            return ""
        return super().get_value(dictionary)


def timestamper():
    """A function writing a moment as DRF's DateTimeField does (ISO 8601 in the current time zone, `Z` for
    UTC, None for none), made once per page: the field looks the zone and format up again for every value."""
    zone = timezone.get_current_timezone()

    def stamp(value):
        if not value:
            return None
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return stamp


class RowsListMixin:
    """A list that reads tuples (`row_serializer.ROW_COLUMNS`) and writes them with the serializer's
    `rows_representation` instead of building model instances: the read path of the busiest lists (issue #22,
    docs/benchmarks.md). It may read from the replica (docs/replica.md). Put it before the viewset's base classes."""

    row_serializer: type[serializers.Serializer]

    @replica_view  # the list may be a few seconds old, but not to whoever just wrote
    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset.values_list(*self.row_serializer.ROW_COLUMNS, named=True))
        serializer = self.row_serializer(context=self.get_serializer_context())
        return self.get_paginated_response(serializer.rows_representation(page))
