"""The API of oversight's board part, included under /api/v1/ by safety_platform/api_urls.py: the board
(`/api/v1/oversight/board/`), the same figures as the page (oversight/board.py)."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from safety_platform.lib.api import app_router

from . import board

router = app_router()


class OversightTrendPointSerializer(serializers.Serializer):
    week_end = serializers.DateField(help_text=_("The week's last day."))
    count = serializers.IntegerField(allow_null=True, help_text=_("On the week's last snapshot day; null: none."))


class OversightSignalSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    url = serializers.CharField(help_text=_("The enterprise list with this signal."))
    trend = serializers.SerializerMethodField()

    def get_trend(self, data) -> OversightTrendPointSerializer(many=True):
        return [{"week_end": end, "count": n} for end, n in data["trend"]]


class OversightCellSerializer(serializers.Serializer):
    signal = serializers.CharField()
    count = serializers.IntegerField()
    url = serializers.CharField()


class OversightLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    total = serializers.IntegerField()
    url = serializers.CharField()
    counts = serializers.SerializerMethodField()

    def get_counts(self, line) -> OversightCellSerializer(many=True):
        return line.cells(self.context["keys"])


class OversightBoardSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text=_("Enterprises in the user's scope."))
    signals = OversightSignalSerializer(many=True)
    territories = OversightLineSerializer(many=True)
    departments = OversightLineSerializer(many=True)


class OversightBoardView(APIView):
    """Counts per supervision signal in the user's scope, by territory and by supervising department, with the
    trend over the last eight weeks; every count links to the enterprise list that shows its rows. Government
    units only (403 for others)."""

    serializer_class = OversightBoardSerializer

    @extend_schema(responses=OversightBoardSerializer)
    def get(self, request):
        b = board.build(request.user)
        return Response(OversightBoardSerializer(b, context={"keys": b.keys}).data)


urlpatterns = [
    path("oversight/board/", OversightBoardView.as_view(), name="oversight-board"),
    *router.urls,
]
