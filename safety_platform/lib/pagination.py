"""Pagination shared by the API and the HTML lists: a keyset cursor, so no list counts a big table."""

from __future__ import annotations

import re

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError

BASE64 = re.compile(r"[A-Za-z0-9+/]{0,2000}={0,2}")


class CursorPagination(pagination.CursorPagination):
    """`?cursor=` pages ordered by id, newest first; `?page_size=` from 1 to 200.

    A cursor is ours to read but the client's to send: one that does not decode, or whose position is not a value
    of the ordering field (base64 of `p=abc`), is a 400 naming `cursor` rather than DRF's 404 or a ValueError
    from the query. A page size that is not a whole number from 1 to 200 is a 400 naming `page_size`, where DRF
    would quietly use the default.
    """

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_cursor_message = _("This page link is not valid: start again from the first page.")

    def paginate_queryset(self, queryset, request, view=None):
        self.model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param, "")
        if raw == "":
            return self.page_size
        # isascii() first: str.isdigit() accepts "²", which int() refuses.
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 3 and 1 <= int(raw) <= self.max_page_size):
            message = _("The page size must be a whole number from 1 to %(max)d.") % {"max": self.max_page_size}
            raise ValidationError({self.page_size_query_param: [message]})
        return int(raw)

    def decode_cursor(self, request):
        encoded = request.query_params.get(self.cursor_query_param)
        # b64decode skips characters outside the alphabet, so "%%%" would read as an empty cursor.
        if encoded is not None and not BASE64.fullmatch(encoded):
            raise ValidationError({self.cursor_query_param: [self.invalid_cursor_message]})
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            cursor = None
        else:
            if cursor is None or self._position_is_valid(cursor.position):
                return cursor
        raise ValidationError({self.cursor_query_param: [self.invalid_cursor_message]})

    def _position_is_valid(self, position: str | None) -> bool:
        """Whether the position is a value the ordering field can hold (in type and in range)."""
        if position is None:
            return True
        try:
            field = self.model._meta.get_field(self.ordering[0].lstrip("-"))
        except FieldDoesNotExist:  # an annotation: the database is the judge
            return True
        try:
            field.run_validators(field.to_python(position))
        except (DjangoValidationError, ValueError, TypeError):
            return False
        return True

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        return parameters
