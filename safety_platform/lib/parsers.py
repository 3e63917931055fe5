"""The API's JSON parser: a request body is one JSON object, parsed without recursing into a crash."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import parsers, serializers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's parser, with two refusals that DRF leaves to each view:

    1. A body nested deeper than Python's recursion limit (`[[[[…` 100,000 deep is 200 KB) makes `json.loads`
       raise RecursionError, a 500; it is a 400 here.
    2. Every operation of this API takes an object, so a top-level array, string, number or null is a 400 in the
       shape a serializer gives to a non-object (`non_field_errors`), before a view calls `.get()` on it.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("The JSON body is nested too deeply.")) from None
        if not isinstance(data, dict):
            message = serializers.Serializer.default_error_messages["invalid"]
            raise serializers.ValidationError({"non_field_errors": [message.format(datatype=_type_name(data))]})
        return data


def _type_name(data) -> str:
    return "null" if data is None else type(data).__name__
