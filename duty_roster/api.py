"""API: incident reports and their supplements, roll calls, shifts, swaps and substitutions, the rota (generate,
edit by hand) and holiday duty plans."""

from __future__ import annotations

from datetime import timedelta

import django_filters as filters
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from organizations.models import Enterprise, Position, Region, User
from organizations.roles import is_city_office
from organizations.scope import visible_posts
from safety_platform.lib.query import EARLIEST, LATEST, IntegerFilter, query_dates, query_int, within_bounds

from . import failures, incidents, plans, rollcall, rota
from .choices import Grade, IncidentKind
from .models import (
    DutyCheckIn,
    DutyLogEntry,
    DutyPlan,
    DutyShift,
    IncidentFlag,
    IncidentRelay,
    IncidentReport,
    IncidentStep,
    RollCall,
    RollCallTarget,
    ShiftChange,
)


def _nullable(field_class, **kwargs):
    # DRF drops allow_null and allow_blank from read-only model fields; the schema must say a value may be null.
    return field_class(read_only=True, allow_null=True, **kwargs)


class IncidentStepSerializer(serializers.ModelSerializer):
    due_at = _nullable(serializers.DateTimeField, label=_("due by"))
    note = serializers.CharField(read_only=True, allow_blank=True, label=_("note"))

    class Meta:
        model = IncidentStep
        fields = ["id", "kind", "at", "by", "note", "recorded_at", "due_at", "delay_minutes"]
        read_only_fields = fields


class IncidentRelaySerializer(serializers.ModelSerializer):
    post = _nullable(serializers.IntegerField, source="post_id", label=_("duty post"))
    received_at = _nullable(serializers.DateTimeField, label=_("received at"))
    received_by = _nullable(serializers.IntegerField, source="received_by_id", label=_("received by"))
    forward_due_at = _nullable(serializers.DateTimeField, label=_("forwarding due by"))
    forwarded_at = _nullable(serializers.DateTimeField, label=_("forwarded at"))
    forwarded_by = _nullable(serializers.IntegerField, source="forwarded_by_id", label=_("forwarded by"))
    receipt_late = serializers.BooleanField(read_only=True)
    forward_late = serializers.BooleanField(read_only=True)

    class Meta:
        model = IncidentRelay
        fields = ["id", "level", "post", "receive_due_at", "received_at", "received_by", "forward_due_at",
                  "forwarded_at", "forwarded_by", "receipt_late", "forward_late"]  # fmt: skip
        read_only_fields = fields


class IncidentFlagSerializer(serializers.ModelSerializer):
    class Meta:
        model = IncidentFlag
        fields = ["id", "kind", "note", "recorded_by", "recorded_at"]
        read_only_fields = ["recorded_by", "recorded_at"]
        extra_kwargs = {"note": {"max_length": 500}}


class IncidentStepInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=IncidentStep.Kind.choices, label=_("step"))
    at = serializers.DateTimeField(required=False, label=_("at"), help_text=_("default: now"))
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, label=_("note"))


class IncidentRelayInputSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=IncidentRelay.Level.choices, label=_("level"))
    action = serializers.ChoiceField(choices=[("receive", _("Received")), ("forward", _("Forwarded"))],
                                     label=_("action"))  # fmt: skip


class IncidentSerializer(serializers.ModelSerializer):
    is_late = serializers.BooleanField(read_only=True)
    territory_post = _nullable(serializers.IntegerField, source="territory_post_id",
                               label=_("duty post of the territory"))  # fmt: skip
    department_post = _nullable(serializers.IntegerField, source="department_post_id",
                                label=_("duty post of the supervising department"))  # fmt: skip
    steps = IncidentStepSerializer(many=True, read_only=True)
    relays = IncidentRelaySerializer(many=True, read_only=True)
    flags = IncidentFlagSerializer(many=True, read_only=True)
    # Blank when the grade was never raised; DRF drops allow_blank from read-only model fields, so say it here.
    grade_raised_from = serializers.ChoiceField(
        choices=Grade.choices, allow_blank=True, read_only=True, label=_("grade raised from")
    )

    class Meta:
        model = IncidentReport
        fields = [
            "id", "first_report", "kind", "region", "enterprise", "place", "occurred_at", "known_at", "reported_at",
            "deaths", "serious_injuries", "missing", "direct_loss", "course", "measures", "grade", "report_deadline",
            "delay_minutes", "is_late", "grade_raised_from", "reported_by", "territory_post", "department_post",
            "steps", "relays", "flags",
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
        return IncidentReport.objects.visible_to(self.request.user).prefetch_related("steps", "relays", "flags")

    @extend_schema(request=ReportSerializer, responses={201: IncidentSerializer})
    def create(self, request, *args, **kwargs):
        data = ReportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        incident = incidents.report(request.user, incidents.Facts(**data.validated_data))
        return Response(IncidentSerializer(incident).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SupplementSerializer, responses={201: IncidentSerializer})
    @action(detail=True, methods=["post"])
    def supplement(self, request, pk=None):
        data = SupplementSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        incident = incidents.supplement(request.user, pk, data.validated_data)
        return Response(IncidentSerializer(incident).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=IncidentStepInputSerializer, responses={201: IncidentStepSerializer})
    @action(detail=True, methods=["post"])
    def steps(self, request, pk=None):
        """Record a response step (on scene, rescue under way, under control, closed) of a first report, timed
        against its limit; each step once, none after `closed` (409); only the government side closes."""
        data = IncidentStepInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        step = incidents.record_step(request.user, _int(pk), v["kind"], v.get("at"), v.get("note", ""))
        return Response(IncidentStepSerializer(step).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=IncidentRelayInputSerializer, responses=IncidentRelaySerializer)
    @action(detail=True, methods=["post"])
    def relay(self, request, pk=None):
        """Record the receipt or forwarding at a level of the reporting chain, now (forwarding after receipt; each
        once, else 409). The county's level: its duty post, its government or the city office; the city's: the city
        office."""
        data = IncidentRelayInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = incidents.relay(request.user, _int(pk), data.validated_data["level"], data.validated_data["action"])
        return Response(IncidentRelaySerializer(row).data)

    @extend_schema(request=IncidentFlagSerializer, responses={201: IncidentFlagSerializer})
    @action(detail=True, methods=["post"])
    def flags(self, request, pk=None):
        """The city office records an omitted, false or concealed report (each kind once per incident, else 409)."""
        data = IncidentFlagSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = incidents.flag(request.user, _int(pk), data.validated_data["kind"], data.validated_data["note"])
        return Response(IncidentFlagSerializer(row).data, status=status.HTTP_201_CREATED)


def _int(pk) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise exceptions.NotFound() from None


class RollCallTargetSerializer(serializers.Serializer):
    post = serializers.IntegerField(source="post.pk", label=_("duty post"))
    title = serializers.CharField(source="post.title", label=_("title"))
    source = serializers.ChoiceField(choices=RollCallTarget.Source.choices, label=_("called from"))
    called = serializers.SerializerMethodField(label=_("people called"))
    flagged = serializers.BooleanField(label=_("nobody reachable"))
    flag = serializers.ChoiceField(
        source="flag_reason", choices=RollCallTarget.Flag.choices, allow_blank=True, label=_("nobody reachable because")
    )
    flag_reason = serializers.CharField(
        source="get_flag_reason_display", allow_blank=True, label=_("why nobody was reachable")
    )

    def get_called(self, target) -> list[str]:
        return [str(person) for person in target.called.all()]


class RollCallSerializer(serializers.ModelSerializer):
    positions = serializers.PrimaryKeyRelatedField(
        many=True, queryset=rollcall.duty_posts(), label=_("duty posts called")
    )
    answer_minutes = serializers.IntegerField(min_value=1, max_value=120, required=False)
    leaders_only = serializers.BooleanField(default=False, label=_("leaders on duty only"))
    targets = RollCallTargetSerializer(many=True, read_only=True)
    flagged = serializers.SerializerMethodField(label=_("posts nobody could be reached at"))

    class Meta:
        model = RollCall
        fields = ["id", "message", "answer_minutes", "leaders_only", "positions", "called_by", "called_at", "targets",
                  "flagged"]  # fmt: skip
        read_only_fields = ["called_by", "called_at"]

    @extend_schema_field(RollCallTargetSerializer(many=True))
    def get_flagged(self, roll) -> list[dict]:
        return RollCallTargetSerializer([t for t in roll.targets.all() if t.flagged], many=True).data


class RollCallReportSerializer(serializers.Serializer):
    position = serializers.IntegerField(source="position.pk")
    title = serializers.CharField(source="position.title")
    answered_at = serializers.DateTimeField(allow_null=True)
    answered_by = serializers.CharField(allow_blank=True)
    seconds = serializers.IntegerField(allow_null=True)
    late = serializers.BooleanField()
    passed_up = serializers.BooleanField()
    source = serializers.ChoiceField(choices=RollCallTarget.Source.choices, label=_("called from"))
    called = serializers.ListField(child=serializers.CharField(), label=_("people called"))
    flagged = serializers.BooleanField(label=_("nobody reachable"))
    flag_reason = serializers.CharField(allow_blank=True, label=_("why nobody was reachable"))


class CallsTheRoll(permissions.BasePermission):
    message = _("Only the city safety office calls the roll.")

    def has_permission(self, request, view) -> bool:
        return request.method in permissions.SAFE_METHODS or is_city_office(request.user)


class RollCallViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Roll calls (查岗) and their per-post report: the city office calls and sees them all; a unit sees the roll
    calls of the duty posts it answers for (the link of each roll-call notice), reported for those posts only."""

    serializer_class = RollCallSerializer
    permission_classes = [permissions.IsAuthenticated, CallsTheRoll]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return RollCall.objects.none()
        return RollCall.objects.visible_to(self.request.user).prefetch_related(
            "positions", Prefetch("targets", RollCallTarget.objects.select_related("post").prefetch_related("called"))
        )

    def perform_create(self, serializer):
        values = serializer.validated_data
        roll = rollcall.call(
            self.request.user, values["positions"], values["message"], values.get("answer_minutes"),
            values["leaders_only"],
        )  # fmt: skip
        serializer.instance = self.get_queryset().get(pk=roll.pk)

    @extend_schema(responses=RollCallReportSerializer(many=True))
    @action(detail=True, methods=["get"])
    def report(self, request, pk=None):
        """Per post called: who was called and from where (the rota or the post's holders), whether nobody could be
        reached, the first answer, how many seconds it took, late or not, passed up or not."""
        posts = None if is_city_office(request.user) else visible_posts(request.user)
        return Response(RollCallReportSerializer(rollcall.report(self.get_object(), posts), many=True).data)


class CheckInRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = DutyCheckIn
        fields = ["person", "at", "proof", "verified", "distance_m", "location"]
        read_only_fields = fields


class ShiftSerializer(serializers.ModelSerializer):
    check_ins = CheckInRecordSerializer(many=True, read_only=True, help_text=_("Each person's own check-in."))
    leader_at_post = serializers.SerializerMethodField(
        help_text=_("Whether the leader on duty has checked in (with or without proof).")
    )

    class Meta:
        model = DutyShift
        fields = ["id", "post", "date", "starts_at", "ends_at", "leader", "officers", "check_ins", "leader_at_post",
                  "handed_over_at", "handover_acknowledged_at", "handover_acknowledged_by"]  # fmt: skip
        read_only_fields = fields

    def get_leader_at_post(self, shift) -> bool:
        return shift.leader_id is not None and any(c.person_id == shift.leader_id for c in shift.check_ins.all())


class CheckInSerializer(serializers.Serializer):
    """The proof of presence: the duty screen's `code` (`via_qr` when its QR code was scanned), or the phone's
    `latitude` and `longitude`; without either the check-in is taken, unverified."""

    location = serializers.CharField(max_length=100, required=False, allow_blank=True)
    code = serializers.CharField(max_length=12, required=False, allow_blank=True)
    via_qr = serializers.BooleanField(required=False, default=False)
    latitude = serializers.FloatField(min_value=-90, max_value=90, required=False, allow_null=True)
    longitude = serializers.FloatField(min_value=-180, max_value=180, required=False, allow_null=True)


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
        return DutyShift.objects.of(self.request.user).prefetch_related("officers", "check_ins")

    @extend_schema(request=CheckInSerializer, responses=ShiftSerializer)
    @action(detail=True, methods=["post"])
    def check_in(self, request, pk=None):
        data = CheckInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        mine = rota.check_in(request.user, pk, v.get("location", ""), v.get("code", ""), v["via_qr"],
                             v.get("latitude"), v.get("longitude"))  # fmt: skip
        return Response(ShiftSerializer(self.get_queryset().get(pk=mine.shift_id)).data)

    @extend_schema(request=LogSerializer, responses=LogSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def log(self, request, pk=None):
        """The shift's duty log; POST adds an entry (`open_item` to carry it to the next shift)."""
        shift = self.get_object()
        if request.method == "POST":
            data = LogSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            rota.write_log(
                request.user, shift, data.validated_data["text"], data.validated_data.get("open_item", False)
            )
        return Response(LogSerializer(shift.log.all(), many=True).data)

    @extend_schema(request=None, responses=LogSerializer)
    @action(detail=True, methods=["post"], url_path="log/<id:entry>/close")
    def close_item(self, request, pk=None, entry=None):
        """Close an open item of the shift's log (dealt with)."""
        shift = self.get_object()
        item = rota.close_item(request.user, get_object_or_404(shift.log, pk=entry))
        return Response(LogSerializer(item).data)

    @extend_schema(request=None, responses=ShiftSerializer)
    @action(detail=True, methods=["post"])
    def hand_over(self, request, pk=None):
        shift = rota.hand_over(request.user, pk)
        return Response(ShiftSerializer(shift).data)

    @extend_schema(request=None, responses=ShiftSerializer)
    @action(detail=True, methods=["post"])
    def take_over(self, request, pk=None):
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
        return ShiftChange.objects.visible_to(self.request.user)

    def perform_create(self, serializer):
        values = serializer.validated_data
        if not DutyShift.objects.of(self.request.user).filter(pk=values["shift"].pk).exists():
            raise exceptions.NotFound()
        serializer.instance = rota.ask_change(self.request.user, values["kind"], values["shift"], values["other"],
                                              values["reason"], values.get("other_shift"))  # fmt: skip

    @extend_schema(request=DecisionSerializer, responses=ShiftChangeSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        change = self.get_object()
        change = rota.decide(request.user, change, data.validated_data["approve"])
        return Response(ShiftChangeSerializer(change).data)


class FailuresView(APIView):
    """The four failures per duty post over `?from=YYYY-MM-DD&to=YYYY-MM-DD` (default: the last 30 days)."""

    @extend_schema(
        parameters=[OpenApiParameter("from", OpenApiTypes.DATE), OpenApiParameter("to", OpenApiTypes.DATE)],
        responses=dict,
    )
    def get(self, request):
        start, end = failure_period(request.query_params)
        return Response({"from": start, "to": end, "posts": failures.four_failures(request.user, start, end)})


def failure_period(params) -> tuple:
    """`?from=&to=` (YYYY-MM-DD, between 2000 and 2100, at most a year); by default the last 30 days."""
    dates = query_dates(params, "from", "to")
    end = dates["to"] or timezone.localdate()
    start = dates["from"] or end - timedelta(days=30)
    if end < start or (end - start).days > 366:
        raise serializers.ValidationError({"to": [_("Choose a period of at most a year, ending after it starts.")]})
    return start, end


def _people(**kwargs):
    # Anyone active may be named; rota refuses people from another unit with a clear error (not "invalid pk").
    return serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), **kwargs)


def _duty_post(user, post: Position) -> Position:
    """The post, if the user answers for it; any other is a 404, as on the pages."""
    if not visible_posts(user).filter(pk=post.pk).exists():
        raise exceptions.NotFound()
    return post


class RotaShiftFilterSet(filters.FilterSet):
    post = IntegerFilter(field_name="post", label=_("duty post"))
    date_after = filters.DateFilter(field_name="date", lookup_expr="gte", validators=[within_bounds], label=_("from"))
    date_before = filters.DateFilter(field_name="date", lookup_expr="lte", validators=[within_bounds], label=_("until"))

    class Meta:
        model = DutyShift
        fields = ["post", "date_after", "date_before"]


class ShiftEditSerializer(serializers.Serializer):
    leader = _people(allow_null=True, label=_("leader on duty"))
    officers = _people(many=True, label=_("duty officers"))
    reason = serializers.CharField(max_length=200, allow_blank=True, label=_("reason"))


class ShiftAddSerializer(ShiftEditSerializer):
    post = serializers.PrimaryKeyRelatedField(queryset=rollcall.duty_posts(), label=_("duty post"))
    date = serializers.DateField(label=_("date"))


class GenerateSerializer(serializers.Serializer):
    post = serializers.PrimaryKeyRelatedField(queryset=rollcall.duty_posts(), label=_("duty post"))
    start = serializers.DateField(label=_("first day"))
    end = serializers.DateField(label=_("last day"))
    leaders = _people(many=True, label=_("leaders on duty, in turn"))
    officers = _people(many=True, label=_("duty officers, in turn"))
    per_day = serializers.IntegerField(min_value=1, max_value=12, default=1, label=_("officers per day"))


class GeneratedSerializer(serializers.Serializer):
    created = serializers.ListField(child=serializers.DateField())
    kept = serializers.ListField(child=serializers.DateField())
    understaffed = serializers.ListField(child=serializers.DateField())


class RotaShiftViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The rota of the duty posts one answers for (`?post=`, `?date_after=&date_before=`); planners generate a
    period, add a day and edit a shift by hand (all or nothing, audited)."""

    serializer_class = ShiftSerializer
    filterset_class = RotaShiftFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return DutyShift.objects.none()
        return DutyShift.objects.filter(post__in=visible_posts(self.request.user)).prefetch_related(
            "officers", "check_ins"
        )

    @extend_schema(request=ShiftAddSerializer, responses={201: ShiftSerializer})
    def create(self, request, *args, **kwargs):
        data = ShiftAddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        shift = rota.add_shift(request.user, _duty_post(request.user, values["post"]), values["date"],
                               values["leader"], values["officers"], values["reason"])  # fmt: skip
        return Response(ShiftSerializer(shift).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ShiftEditSerializer, responses=ShiftSerializer)
    @action(detail=True, methods=["post"])
    def edit(self, request, pk=None):
        """Replace the shift's leader on duty and officers, with a reason."""
        data = ShiftEditSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        shift = rota.edit_shift(request.user, self.get_object(), values["leader"], values["officers"],
                                values["reason"])  # fmt: skip
        return Response(ShiftSerializer(shift).data)

    @extend_schema(request=GenerateSerializer, responses={201: GeneratedSerializer})
    @action(detail=False, methods=["post"])
    def generate(self, request):
        """Plan a period from rotation rules; days already planned are kept; understaffed days are listed."""
        data = GenerateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        result = rota.generate(request.user, _duty_post(request.user, v["post"]), v["start"], v["end"],
                               v["leaders"], v["officers"], per_day=v["per_day"])  # fmt: skip
        body = {"created": [s.date for s in result.created], "kept": result.kept, "understaffed": result.understaffed}
        return Response(GeneratedSerializer(body).data, status=status.HTTP_201_CREATED)


class DutyPlanSerializer(serializers.ModelSerializer):
    post = serializers.PrimaryKeyRelatedField(queryset=rollcall.duty_posts(), label=_("duty post"))

    class Meta:
        model = DutyPlan
        fields = ["id", "post", "name", "start", "end", "submitted_at", "submitted_by"]
        read_only_fields = ["submitted_at", "submitted_by"]
        validators = []  # submitting the same period again renews the submission


class PeriodSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()


class PeriodQuerySerializer(serializers.Serializer):
    start = serializers.DateField(validators=[within_bounds])
    end = serializers.DateField(validators=[within_bounds])
    name = serializers.CharField(required=False, allow_blank=True, max_length=64)

    def validate(self, attrs):
        if attrs["end"] < attrs["start"] or (attrs["end"] - attrs["start"]).days > 31:
            raise serializers.ValidationError(
                {"end": [_("A holiday period runs from its first to its last day, a month at most.")]}
            )
        return attrs


class PlanStatusSerializer(serializers.Serializer):
    post = serializers.IntegerField(source="post.pk")
    title = serializers.CharField(source="post.title")
    submitted_at = serializers.DateTimeField(source="plan.submitted_at", allow_null=True, default=None)
    submitted_by = serializers.IntegerField(source="plan.submitted_by_id", allow_null=True, default=None)
    minimum = serializers.IntegerField(source="gaps.minimum")
    missing = serializers.ListField(child=serializers.DateField(), source="gaps.missing")
    leaderless = serializers.ListField(child=serializers.DateField(), source="gaps.leaderless")
    understaffed = serializers.ListField(child=serializers.DateField(), source="gaps.understaffed")
    ready = serializers.BooleanField()


class PlanStatusPageSerializer(serializers.Serializer):
    name = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    posts = PlanStatusSerializer(many=True)


class DutyPlanViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Holiday duty plans (节假日值班计划) of the posts one answers for. POST submits a post's plan for a period:
    refused while a day has no shift, no leader on duty or too few officers. `status/` is the city office's overview."""

    serializer_class = DutyPlanSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return DutyPlan.objects.none()
        return DutyPlan.objects.filter(post__in=visible_posts(self.request.user))

    def perform_create(self, serializer):
        v = serializer.validated_data
        serializer.instance = rota.submit_plan(self.request.user, _duty_post(self.request.user, v["post"]),
                                               v["name"], v["start"], v["end"])  # fmt: skip

    @extend_schema(
        parameters=[OpenApiParameter("year", int, description=_("default: this year and the next"))],
        responses=PeriodSerializer(many=True),
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def periods(self, request):
        """The official holiday periods of `?year=` (default: this year and the next)."""
        year = query_int(request.query_params, "year", EARLIEST.year, LATEST.year)
        today = timezone.localdate()
        years = [year] if year else [today.year, today.year + 1]
        return Response(PeriodSerializer(plans.holiday_periods(*years), many=True).data)

    @extend_schema(parameters=[PeriodQuerySerializer], responses=PlanStatusPageSerializer)
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def status(self, request):
        """For `?start=&end=` (a holiday period), every duty post one answers for: submitted or not, and the days
        with no shift, no leader on duty or fewer officers than the minimum."""
        data = PeriodQuerySerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        rows = plans.plan_status(request.user, v["start"], v["end"])
        body = {"name": v.get("name", ""), "start": v["start"], "end": v["end"], "posts": rows}
        return Response(PlanStatusPageSerializer(body).data)
