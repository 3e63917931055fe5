"""API: incident reports and their supplements."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from hazards.api import api_errors
from organizations.choices import UnitKind
from organizations.models import Enterprise, Region

from . import incidents, rollcall
from .choices import IncidentKind
from .models import IncidentReport, RollCall


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


class RollCallSerializer(serializers.ModelSerializer):
    positions = serializers.PrimaryKeyRelatedField(
        many=True, queryset=rollcall.duty_posts(), label=_("duty posts called")
    )
    answer_minutes = serializers.IntegerField(min_value=1, max_value=120, required=False)

    class Meta:
        model = RollCall
        fields = ["id", "message", "answer_minutes", "positions", "called_by", "called_at"]
        read_only_fields = ["called_by", "called_at"]


class IsCityOffice(permissions.BasePermission):
    message = _("Only the city safety office calls the roll.")

    def has_permission(self, request, view) -> bool:
        return request.user.is_superuser or request.user.unit_kind == UnitKind.CITY_OFFICE


class RollCallViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Roll calls (查岗) and their per-post report; the city office's."""

    serializer_class = RollCallSerializer
    permission_classes = [permissions.IsAuthenticated, IsCityOffice]
    queryset = RollCall.objects.prefetch_related("positions")

    def perform_create(self, serializer):
        values = serializer.validated_data
        with api_errors():
            serializer.instance = rollcall.call(
                self.request.user, values["positions"], values["message"], values.get("answer_minutes")
            )

    @extend_schema(responses=dict)
    @action(detail=True, methods=["get"])
    def report(self, request, pk=None):
        rows = rollcall.report(self.get_object())
        return Response(
            [
                {
                    "position": r.position.pk,
                    "title": r.position.title,
                    "answered_at": r.answered_at,
                    "answered_by": r.answered_by,
                    "seconds": r.seconds,
                    "late": r.late,
                    "passed_up": r.passed_up,
                }  # fmt: skip
                for r in rows
            ]
        )
