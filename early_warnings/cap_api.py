"""`POST /api/v1/warnings/cap/`: a CAP 1.2 message from the meteorological service, as XML (docs/warnings-cap.md)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field
from rest_framework import parsers, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from . import capxml
from .cap_import import import_cap
from .models import EarlyWarning


class CapXMLParser(parsers.BaseParser):
    """The body as bytes, as it came (the CAP parser reads its encoding and refuses what is hostile); read no further
    than one byte past the size limit, so a huge body is refused without being held in memory."""

    media_type = "application/xml"

    def parse(self, stream, media_type=None, parser_context=None) -> bytes:
        return stream.read(capxml.max_bytes() + 1) if stream is not None else b""


class TextXMLParser(CapXMLParser):
    media_type = "text/xml"


class CapImportSerializer(serializers.ModelSerializer):
    """The warning a CAP message created, superseded or lifted."""

    created = serializers.SerializerMethodField(help_text=_("False: the same message was imported before."))

    class Meta:
        model = EarlyWarning
        fields = ["id", "series", "version", "status", "change", "kind", "level", "title", "issued_at",
                  "valid_until", "cap_sender", "cap_identifier", "created"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_created(self, warning: EarlyWarning) -> bool:
        return self.context["created"]


class CapImportView(APIView):
    """Import one CAP 1.2 message (Alert, Update or Cancel) as the city office: 201 with the warning it wrote, 200 if
    the same message was imported before, 400 naming the element when the message is refused."""

    parser_classes = [CapXMLParser, TextXMLParser]
    serializer_class = CapImportSerializer
    # A warning in a state the message cannot change (an update of a lifted warning).
    extra_error_statuses = {"post": [409]}

    @extend_schema(
        operation_id="warnings_cap_import",
        request={"application/xml": OpenApiTypes.STR, "text/xml": OpenApiTypes.STR},
        responses={201: CapImportSerializer, 200: CapImportSerializer},
        examples=[OpenApiExample("CAP 1.2 alert", value="<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">…"
                                 "</alert>", request_only=True, media_type="application/xml")],
    )  # fmt: skip
    def post(self, request):
        data = request.data if isinstance(request.data, bytes) else b""
        warning, created = import_cap(request.user, data)
        body = CapImportSerializer(warning, context={"created": created}).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
