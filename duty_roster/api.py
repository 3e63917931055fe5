"""API: incident reports and their supplements."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from hazards.api import api_errors
from organizations.choices import UnitKind
from organizations.models import Enterprise, Region

from . import failures, incidents, rollcall, rota
from .choices import IncidentKind
from .models import DutyLogEntry, DutyShift, IncidentReport, RollCall, ShiftChange


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


class ShiftSerializer(serializers.ModelSerializer):
    class Meta:
        model = DutyShift
        fields = ["id", "post", "date", "starts_at", "ends_at", "leader", "officers", "checked_in_at", "checked_in_by",
                  "location", "handed_over_at", "handover_acknowledged_at", "handover_acknowledged_by"]  # fmt: skip
        read_only_fields = fields


class CheckInSerializer(serializers.Serializer):
    location = serializers.CharField(max_length=100, required=False, allow_blank=True)


class LogSerializer(serializers.ModelSerializer):
    class Meta:
        model = DutyLogEntry
        fields = ["id", "shift", "author", "at", "text", "open_item", "closed_at", "carried_from"]
        read_only_fields = ["shift", "author", "at", "closed_at", "carried_from"]


class DutyShiftViewSet(viewsets.ReadOnlyModelViewSet):
    """My shifts (as leader on duty or officer); check in with one call."""

    serializer_class = ShiftSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return DutyShift.objects.none()
        return DutyShift.objects.of(self.request.user).prefetch_related("officers")

    @extend_schema(request=CheckInSerializer, responses=ShiftSerializer)
    @action(detail=True, methods=["post"])
    def check_in(self, request, pk=None):
        data = CheckInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with api_errors():
            shift = rota.check_in(request.user, pk, data.validated_data.get("location", ""))
        return Response(ShiftSerializer(shift).data)

    @extend_schema(request=LogSerializer, responses=LogSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def log(self, request, pk=None):
        """The shift's duty log; POST adds an entry (`open_item` to carry it to the next shift)."""
        shift = self.get_object()
        if request.method == "POST":
            data = LogSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            with api_errors():
                rota.write_log(
                    request.user, shift, data.validated_data["text"], data.validated_data.get("open_item", False)
                )
        return Response(LogSerializer(shift.log.all(), many=True).data)

    @extend_schema(request=None, responses=ShiftSerializer)
    @action(detail=True, methods=["post"])
    def hand_over(self, request, pk=None):
        with api_errors():
            shift = rota.hand_over(request.user, pk)
        return Response(ShiftSerializer(shift).data)

    @extend_schema(request=None, responses=ShiftSerializer)
    @action(detail=True, methods=["post"])
    def take_over(self, request, pk=None):
        with api_errors():
            shift = rota.take_over(request.user, pk)
        return Response(ShiftSerializer(shift).data)


class ShiftChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ShiftChange
        fields = ["id", "kind", "shift", "other_shift", "person", "other", "reason", "state", "decided_by",
                  "created_at", "decided_at"]  # fmt: skip
        read_only_fields = ["person", "state", "decided_by", "created_at", "decided_at"]


class DecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()


class ShiftChangeViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Swaps (串班) and substitutions (代班): asked by who stands the shift, decided by its leader on duty."""

    serializer_class = ShiftChangeSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ShiftChange.objects.none()
        user = self.request.user
        if user.is_superuser or user.unit_kind == UnitKind.CITY_OFFICE:
            return ShiftChange.objects.all()
        return ShiftChange.objects.filter(Q(person=user) | Q(other=user) | Q(shift__leader=user)).distinct()

    def perform_create(self, serializer):
        values = serializer.validated_data
        if not DutyShift.objects.of(self.request.user).filter(pk=values["shift"].pk).exists():
            raise exceptions.NotFound()
        with api_errors():
            serializer.instance = rota.ask_change(self.request.user, values["kind"], values["shift"], values["other"],
                                                  values["reason"], values.get("other_shift"))  # fmt: skip

    @extend_schema(request=DecisionSerializer, responses=ShiftChangeSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        change = self.get_object()
        with api_errors():
            change = rota.decide(request.user, change, data.validated_data["approve"])
        return Response(ShiftChangeSerializer(change).data)


class FailuresView(APIView):
    """The four failures per duty post over `?from=YYYY-MM-DD&to=YYYY-MM-DD` (default: the last 30 days)."""

    @extend_schema(responses=dict)
    def get(self, request):
        start, end = failure_period(request.query_params)
        return Response({"from": start, "to": end, "posts": failures.four_failures(request.user, start, end)})


def failure_period(params) -> tuple:
    from datetime import date, timedelta

    from django.utils import timezone

    try:
        end = date.fromisoformat(params.get("to")) if params.get("to") else timezone.localdate()
        start = date.fromisoformat(params.get("from")) if params.get("from") else end - timedelta(days=30)
    except ValueError:
        raise serializers.ValidationError({"from": [_("Dates are YYYY-MM-DD.")]}) from None
    if end < start or (end - start).days > 366:
        raise serializers.ValidationError({"to": [_("Choose a period of at most a year, ending after it starts.")]})
    return start, end
