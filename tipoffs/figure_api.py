"""`GET /api/v1/tipoffs/figures/` (part: limits): the figures of the page (tipoffs/figures.py) as JSON, included by
safety_platform/api_urls.py. See docs/tipoffs.md, "Figures"."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from . import figures


class TipoffCellSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    url = serializers.CharField(allow_null=True, help_text=gettext_lazy("The list with the same filters."))


class TipoffShareSerializer(serializers.Serializer):
    part = serializers.IntegerField()
    whole = serializers.IntegerField()
    percent = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)


class TipoffFiguresSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    table = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField()),
        help_text=gettext_lazy("The reports received in the period: channel -> kind -> count."),
    )
    by_channel = serializers.DictField(child=serializers.IntegerField())
    by_kind = serializers.DictField(child=serializers.IntegerField())
    received = serializers.IntegerField()
    verified = TipoffShareSerializer(help_text=gettext_lazy("Verified or closed, of those accepted."))
    substantiated = TipoffShareSerializer(help_text=gettext_lazy("Wholly or partly substantiated, of those verified."))
    on_time = TipoffShareSerializer(help_text=gettext_lazy("Closed within both time limits, of those closed."))
    now = serializers.DictField(
        child=TipoffCellSerializer(),
        help_text=gettext_lazy("Now, whatever the period: received, accepted, verified, overdue."),
    )
    rewards_paid = serializers.IntegerField()
    rewards_amount = serializers.IntegerField(help_text=gettext_lazy("CNY, paid in the period."))


class TipoffFiguresView(APIView):
    """The tip-offs' figures over the reports you see: the period's reports by channel and kind, the shares verified,
    substantiated and closed on time, the counts of now (each with its list) and the rewards paid. The government's
    staff only (403); a bad period is a 400 naming it."""

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, description="default: this year"),
            OpenApiParameter("received_from", str, description="YYYY-MM-DD"),
            OpenApiParameter("received_to", str, description="YYYY-MM-DD"),
        ],
        responses={200: TipoffFiguresSerializer},
    )
    def get(self, request):
        figures.require(request.user)
        return Response(TipoffFiguresSerializer(figures.figures(request.user, request.query_params)).data)


urlpatterns = [path("tipoffs/figures/", TipoffFiguresView.as_view(), name="tipoff-figures")]
