"""API of the risk points' import (docs/risks.md, "Import and export"): `POST /api/v1/risks/points/import/`, a
multipart `file` (the filled template). 201 with the count imported; 200 with the first import's count when the
same file is sent again for the same enterprise within RISK_IMPORT_REPEAT_MINUTES; 400 listing every problem by row
and column (`rows`), nothing written; 403 for anyone but the enterprise's principal or safety manager."""

from __future__ import annotations

from dataclasses import asdict

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from . import importing
from .io_views import read_upload


class RiskPointImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The filled import template (.xlsx), from /risks/import/template.xlsx.")


class RiskPointImportResultSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Risk points imported (by the first import, for a repeat).")
    repeated = serializers.BooleanField(help_text="The same file again within minutes: nothing written.")


def refusal(exc: importing.ImportRefused) -> dict:
    detail = ngettext(
        "Nothing was imported: %(count)d problem, listed below.",
        "Nothing was imported: %(count)d problems, listed below.",
        exc.total,
    ) % {"count": exc.total}
    return {"detail": detail, "code": "invalid", "rows": [asdict(p) for p in exc.problems]}


class RiskPointImportView(APIView):
    """Import the enterprise's risk points from the filled template: all rows or none."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="risks_points_import",
        request={"multipart/form-data": RiskPointImportRequestSerializer},
        responses={201: RiskPointImportResultSerializer, 200: RiskPointImportResultSerializer},
    )
    def post(self, request):
        importing.enterprise_of(request.user)  # 403 before the file is read
        upload = request.FILES.get("file")
        if upload is None:
            return Response({"file": [_("Choose the file to import.")]}, status=status.HTTP_400_BAD_REQUEST)
        try:
            result = importing.import_points(request.user, read_upload(upload))
        except importing.ImportRefused as exc:
            return Response(refusal(exc), status=status.HTTP_400_BAD_REQUEST)
        body = RiskPointImportResultSerializer(result).data
        return Response(body, status=status.HTTP_200_OK if result.repeated else status.HTTP_201_CREATED)
