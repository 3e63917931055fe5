"""API: incident reports and their supplements."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from hazards.api import api_errors
from organizations.models import Enterprise, Region

from . import incidents
from .choices import IncidentKind
from .models import IncidentReport


class IncidentSerializer(serializers.ModelSerializer):
    is_late = serializers.BooleanField(read_only=True)

    class Meta:
        model = IncidentReport
        fields = [
            "id", "first_report", "kind", "region", "enterprise", "place", "occurred_at", "known_at", "reported_at",
            "deaths", "serious_injuries", "missing", "direct_loss", "course", "measures", "grade", "report_deadline",
            "delay_minutes", "is_late", "grade_raised_from", "reported_by",
        ]  # fmt: skip
        read_only_fields = fields


class ReportSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=IncidentKind.choices, label=_("kind"))
    region = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all(), required=False, label=_("region"))
    enterprise = serializers.PrimaryKeyRelatedField(
        queryset=Enterprise.objects.all(), required=False, label=_("enterprise")
    )
    place = serializers.CharField(max_length=200, label=_("place"))
    occurred_at = serializers.DateTimeField(label=_("time of occurrence"))
    known_at = serializers.DateTimeField(label=_("time known"))
    deaths = serializers.IntegerField(min_value=0, max_value=100000, default=0, label=_("deaths"))
    serious_injuries = serializers.IntegerField(min_value=0, max_value=100000, default=0, label=_("serious injuries"))
    missing = serializers.IntegerField(min_value=0, max_value=100000, default=0, label=_("missing"))
    direct_loss = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, default=0)
    course = serializers.CharField(max_length=5000, label=_("brief course"))
    measures = serializers.CharField(max_length=5000, required=False, allow_blank=True, label=_("measures taken"))


class SupplementSerializer(serializers.Serializer):
    deaths = serializers.IntegerField(min_value=0, max_value=100000, required=False)
    serious_injuries = serializers.IntegerField(min_value=0, max_value=100000, required=False)
    missing = serializers.IntegerField(min_value=0, max_value=100000, required=False)
    direct_loss = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)
    course = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    measures = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class IncidentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Incident reports in scope, first reports and supplements alike."""

    serializer_class = IncidentSerializer

    def get_queryset(self):
        return IncidentReport.objects.visible_to(self.request.user)

    @extend_schema(request=ReportSerializer, responses={201: IncidentSerializer})
    def create(self, request, *args, **kwargs):
        data = ReportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with api_errors():
            incident = incidents.report(request.user, incidents.Facts(**data.validated_data))
        return Response(IncidentSerializer(incident).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SupplementSerializer, responses={201: IncidentSerializer})
    @action(detail=True, methods=["post"])
    def supplement(self, request, pk=None):
        data = SupplementSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with api_errors():
            incident = incidents.supplement(request.user, pk, data.validated_data)
        return Response(IncidentSerializer(incident).data, status=status.HTTP_201_CREATED)
