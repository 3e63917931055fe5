"""API of the rescue teams under /api/v1/emergency/: teams, readiness periods (one team, in bulk, the next
holiday), pre-positioned forces, and the readiness board. Every change calls `emergency.rescue`."""

from __future__ import annotations

import django_filters as filters
from django.core.exceptions import PermissionDenied
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from organizations.models import Department, Region
from organizations.roles import is_government
from safety_platform.lib.api import app_router
from safety_platform.lib.errors import Conflict
from safety_platform.lib.query import MAX_ID, BooleanFilter, IntegerFilter, query_int

from . import rescue
from .models import MAX_HEADCOUNT, Prepositioning, ReadinessPeriod, RescueTeam
from .rescue_choices import RAISED_LEVELS, Readiness, TeamKind

# --- teams -------------------------------------------------------------------------------------------------------


class RescueTeamSerializer(serializers.ModelSerializer):
    current_level = serializers.ChoiceField(choices=Readiness.choices, read_only=True, label=_("readiness level now"))
    department = serializers.IntegerField(
        source="department_id", read_only=True, allow_null=True, label=_("owning department")
    )
    equipment = serializers.CharField(read_only=True, allow_blank=True, label=_("main equipment"))

    class Meta:
        model = RescueTeam
        fields = ["id", "name", "kind", "department", "region", "base_address", "duty_phone", "headcount",
                  "equipment", "active", "current_level", "created_at"]  # fmt: skip
        read_only_fields = fields


class TeamInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, label=_("name"))
    kind = serializers.ChoiceField(choices=TeamKind.choices, label=_("kind"))
    region = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all(), label=_("region"))
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True, label=_("owning department"),
        help_text=_("The city office names it; a department's staff register their own; a government none."),
    )  # fmt: skip
    base_address = serializers.CharField(max_length=200, label=_("base address"))
    duty_phone = serializers.CharField(max_length=30, label=_("duty phone"))
    headcount = serializers.IntegerField(min_value=1, max_value=MAX_HEADCOUNT, label=_("headcount"))
    equipment = serializers.CharField(max_length=2000, required=False, allow_blank=True, label=_("main equipment"))
    active = serializers.BooleanField(default=True, label=_("active"))


class TeamEditSerializer(TeamInputSerializer):
    """Any of the particulars; the owner stays."""

    department = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for item in self.fields.values():
            item.required = False


class TeamFilterSet(filters.FilterSet):
    kind = filters.MultipleChoiceFilter(choices=TeamKind.choices, label=_("kind"))
    region = IntegerFilter(method="in_region", label=_("region (and its subtree)"))
    active = BooleanFilter(label=_("active"))

    class Meta:
        model = RescueTeam
        fields = ["kind", "region", "active"]

    def in_region(self, queryset, name, value):
        region = Region.objects.filter(pk=value).first()
        return queryset.filter(region_path__startswith=region.path) if region else queryset.none()


class RescueTeamViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Rescue teams in scope (a territory its subtree's, a department its own, the city office all), with their
    readiness level now. Registered and changed by the owning unit and the city office."""

    serializer_class = RescueTeamSerializer
    filterset_class = TeamFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return RescueTeam.objects.none()
        return rescue.with_level(RescueTeam.objects.visible_to(self.request.user))

    def _answer(self, team: RescueTeam, code: int = status.HTTP_200_OK) -> Response:
        return Response(RescueTeamSerializer(self.get_queryset().get(pk=team.pk)).data, status=code)

    @extend_schema(request=TeamInputSerializer, responses={201: RescueTeamSerializer})
    def create(self, request, *args, **kwargs):
        data = TeamInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        team = rescue.register_team(request.user, rescue.TeamData(**data.validated_data))
        return self._answer(team, status.HTTP_201_CREATED)

    @extend_schema(request=TeamEditSerializer, responses=RescueTeamSerializer)
    def partial_update(self, request, *args, **kwargs):
        data = TeamEditSerializer(data=request.data, partial=True)  # no defaults: only what is sent changes
        data.is_valid(raise_exception=True)
        return self._answer(rescue.edit_team(request.user, int(kwargs["pk"]), data.validated_data))

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)


# --- readiness periods -------------------------------------------------------------------------------------------


class ReadinessPeriodSerializer(serializers.ModelSerializer):
    team_name = serializers.CharField(source="team.name", read_only=True, label=_("team"))
    ended_early_at = serializers.DateTimeField(read_only=True, allow_null=True, label=_("ended early at"))
    ended_early_by = serializers.IntegerField(
        source="ended_early_by_id", read_only=True, allow_null=True, label=_("ended early by")
    )

    class Meta:
        model = ReadinessPeriod
        fields = ["id", "team", "team_name", "level", "starts_at", "ends_at", "reason", "created_by", "created_at",
                  "ended_early_at", "ended_early_by"]  # fmt: skip
        read_only_fields = fields


class PeriodInputSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=RAISED_LEVELS, label=_("readiness level"))
    starts_at = serializers.DateTimeField(required=False, label=_("from"), help_text=_("default: now"))
    ends_at = serializers.DateTimeField(label=_("until"))
    reason = serializers.CharField(max_length=200, label=_("reason"))


class RaiseSerializer(PeriodInputSerializer):
    team = serializers.IntegerField(min_value=1, label=_("team"))


class BulkRaiseSerializer(PeriodInputSerializer):
    region = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all(), label=_("region (and its subtree)"))
    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=TeamKind.choices), required=False, default=list,
        label=_("kinds of team"), help_text=_("empty: every kind"),
    )  # fmt: skip


class HolidayRaiseSerializer(serializers.Serializer):
    region = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all(), label=_("region (and its subtree)"))
    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=TeamKind.choices), required=False, default=list,
        label=_("kinds of team"), help_text=_("empty: every kind"),
    )  # fmt: skip
    level = serializers.ChoiceField(choices=RAISED_LEVELS, default=Readiness.RAISED, label=_("readiness level"))


class HolidaySerializer(serializers.Serializer):
    name = serializers.CharField(label=_("holiday"))
    first_day = serializers.DateField(label=_("first day"))
    last_day = serializers.DateField(label=_("last day"))
    starts_at = serializers.DateTimeField(label=_("from"))
    ends_at = serializers.DateTimeField(label=_("until"))


class PeriodFilterSet(filters.FilterSet):
    team = IntegerFilter(field_name="team", label=_("team"))
    current = BooleanFilter(method="covering_now", label=_("covering now"))

    class Meta:
        model = ReadinessPeriod
        fields = ["team", "current"]

    def covering_now(self, queryset, name, value):
        now = timezone.now()
        covering = {"starts_at__lte": now, "ends_at__gt": now}
        return queryset.filter(**covering) if value else queryset.exclude(**covering)


class ReadinessPeriodViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Raised readiness (勤务等级) periods of the teams in scope: raise one team, raise in bulk for a region and kinds,
    raise for the next holiday of the working-day calendar, end a period early."""

    serializer_class = ReadinessPeriodSerializer
    filterset_class = PeriodFilterSet
    # The team named in the body out of scope is a 404; a team inactive, a period over: 409; no holiday ahead: 409.
    extra_error_statuses = {"create": [404, 409], "next_holiday": [409]}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ReadinessPeriod.objects.none()
        return ReadinessPeriod.objects.visible_to(self.request.user).select_related("team")

    @extend_schema(request=RaiseSerializer, responses={201: ReadinessPeriodSerializer})
    def create(self, request, *args, **kwargs):
        data = RaiseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        period = rescue.raise_readiness(
            request.user, v["team"], v["level"], v.get("starts_at"), v["ends_at"], v["reason"]
        )
        return Response(ReadinessPeriodSerializer(period).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=BulkRaiseSerializer, responses={201: ReadinessPeriodSerializer(many=True)})
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        """Raise every active team of the kinds (all when none) in the region's subtree: the city office anywhere, a
        regional government within its territory. One period per team."""
        data = BulkRaiseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        periods = rescue.raise_in_bulk(
            request.user, v["region"], v["kinds"], v["level"], v.get("starts_at"), v["ends_at"], v["reason"]
        )
        return Response(ReadinessPeriodSerializer(periods, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["get"], request=None, responses=HolidaySerializer,
        description="The next holiday of the working-day calendar and the period a raise for it covers (409: none).",
    )  # fmt: skip
    @extend_schema(
        methods=["post"], request=HolidayRaiseSerializer, responses={201: ReadinessPeriodSerializer(many=True)}
    )
    @action(detail=False, methods=["get", "post"], url_path="next-holiday")
    def next_holiday(self, request):
        """GET: the next holiday and its period (18:00 of its eve to 24:00 of its last day). POST: raise the region's
        teams (of the kinds) for it, the holiday's name as the reason."""
        if request.method == "GET":
            holiday = rescue.next_holiday()
            if holiday is None:
                raise Conflict(_("The working-day calendar has no holiday ahead: enter the year's holidays first."))
            return Response(HolidaySerializer(holiday).data)
        data = HolidayRaiseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        periods = rescue.raise_for_next_holiday(request.user, v["region"], v["kinds"], v["level"])
        return Response(ReadinessPeriodSerializer(periods, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ReadinessPeriodSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the period now (409 when it is over or ended already)."""
        return Response(ReadinessPeriodSerializer(rescue.end_period(request.user, int(pk))).data)


# --- pre-positioned forces ------------------------------------------------------------------------------------------


class PrepositioningSerializer(serializers.ModelSerializer):
    team_name = serializers.CharField(source="team.name", read_only=True, label=_("team"))
    region_name = serializers.CharField(source="region.name", read_only=True, label=_("region of the place"))
    address = serializers.CharField(read_only=True, allow_blank=True, label=_("address"))
    equipment = serializers.CharField(read_only=True, allow_blank=True, label=_("equipment"))
    withdrawn_at = serializers.DateTimeField(read_only=True, allow_null=True, label=_("withdrawn at"))
    withdrawn_by = serializers.IntegerField(
        source="withdrawn_by_id", read_only=True, allow_null=True, label=_("withdrawn by")
    )

    class Meta:
        model = Prepositioning
        fields = ["id", "team", "team_name", "place", "region", "region_name", "address", "headcount", "equipment",
                  "starts_at", "ends_at", "reason", "created_by", "created_at", "withdrawn_at",
                  "withdrawn_by"]  # fmt: skip
        read_only_fields = fields


class DeploymentSerializer(serializers.Serializer):
    team = serializers.IntegerField(min_value=1, label=_("team"))
    place = serializers.CharField(max_length=200, label=_("important place"))
    region = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all(), label=_("region of the place"))
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, label=_("address"))
    headcount = serializers.IntegerField(min_value=1, max_value=MAX_HEADCOUNT, label=_("headcount"))
    equipment = serializers.CharField(max_length=2000, required=False, allow_blank=True, label=_("equipment"))
    starts_at = serializers.DateTimeField(required=False, label=_("from"), help_text=_("default: now"))
    ends_at = serializers.DateTimeField(label=_("until"))
    reason = serializers.CharField(max_length=200, label=_("reason"))


class PrepositioningFilterSet(PeriodFilterSet):
    class Meta:
        model = Prepositioning
        fields = ["team", "current"]


class PrepositioningViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Pre-positioned forces (前置力量) of the teams in scope: station a team (or part of it) at an important place
    for a period (one team's periods never overlap: 409), withdraw them."""

    serializer_class = PrepositioningSerializer
    filterset_class = PrepositioningFilterSet
    # The team named in the body out of scope is a 404; an overlapping pre-positioning or an inactive team: 409.
    extra_error_statuses = {"create": [404, 409]}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Prepositioning.objects.none()
        return Prepositioning.objects.visible_to(self.request.user).select_related("team", "region")

    @extend_schema(request=DeploymentSerializer, responses={201: PrepositioningSerializer})
    def create(self, request, *args, **kwargs):
        data = DeploymentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        team = values.pop("team")
        row = rescue.preposition(request.user, team, rescue.Deployment(**values))
        return Response(PrepositioningSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=PrepositioningSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw the forces now (409 when withdrawn already or over)."""
        return Response(PrepositioningSerializer(rescue.withdraw(request.user, int(pk))).data)


# --- the readiness board ------------------------------------------------------------------------------------------


class BoardForceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    place = serializers.CharField(label=_("important place"))
    region = serializers.CharField(source="region.name", label=_("region of the place"))
    address = serializers.CharField(allow_blank=True, label=_("address"))
    headcount = serializers.IntegerField(label=_("headcount"))
    equipment = serializers.CharField(allow_blank=True, label=_("equipment"))
    ends_at = serializers.DateTimeField(label=_("until"))
    reason = serializers.CharField(label=_("reason"))


class BoardTeamSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="team.pk")
    name = serializers.CharField(source="team.name", label=_("name"))
    kind = serializers.ChoiceField(source="team.kind", choices=TeamKind.choices, label=_("kind"))
    region = serializers.CharField(source="team.region.name", label=_("region"))
    duty_phone = serializers.CharField(source="team.duty_phone", label=_("duty phone"))
    headcount = serializers.IntegerField(source="team.headcount", label=_("headcount"))
    level = serializers.ChoiceField(choices=Readiness.choices, label=_("readiness level now"))
    level_until = serializers.DateTimeField(source="period.ends_at", allow_null=True, label=_("raised until"))
    level_reason = serializers.CharField(source="period.reason", allow_null=True, label=_("reason"))
    forces = BoardForceSerializer(many=True, label=_("forces standing now"))


class ReadinessBoardRowSerializer(serializers.Serializer):
    region = serializers.IntegerField(source="region.pk")
    region_name = serializers.CharField(source="region.name", label=_("region"))
    teams_count = serializers.SerializerMethodField(label=_("teams"))
    headcount = serializers.IntegerField(label=_("headcount"))
    raised = serializers.IntegerField(label=_("teams raised"))
    highest = serializers.IntegerField(label=_("teams at the highest level"))
    out_headcount = serializers.IntegerField(label=_("headcount pre-positioned"))
    teams = BoardTeamSerializer(many=True)

    def get_teams_count(self, row) -> int:
        return len(row.teams)


class ReadinessBoardSerializer(serializers.Serializer):
    now = serializers.DateTimeField()
    teams = serializers.IntegerField(label=_("teams"))
    headcount = serializers.IntegerField(label=_("headcount"))
    rows = ReadinessBoardRowSerializer(many=True)
    low_supplies = serializers.ListField(
        child=serializers.DictField(), label=_("supplies below minimum"),
        help_text=_("Stock below its minimum in scope, the furthest below first (at most 50)."),
    )  # fmt: skip


def board_region(user, params) -> Region | None:
    """`?region=`: a region in scope (its subtree), else 404 as any region out of scope."""
    pk = query_int(params, "region", 1, MAX_ID)
    if pk is None:
        return None
    region = Region.objects.visible_to(user).filter(pk=pk).first()
    if region is None:
        raise serializers.ValidationError({"region": [_("Choose a region within your scope.")]})
    return region


class ReadinessBoardView(APIView):
    """The readiness board by region: per county-level region (and the city's own teams), the active teams in scope,
    their readiness level now, headcount and where their pre-positioned forces stand now; `?kind=` (repeatable)
    and `?region=` filter. A handful of queries whatever the number of teams."""

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", OpenApiTypes.STR, many=True, enum=TeamKind.values, allow_blank=True),
            OpenApiParameter("region", OpenApiTypes.INT, allow_blank=True),
        ],
        responses=ReadinessBoardSerializer,
    )
    def get(self, request):
        if not is_government(request.user):
            raise PermissionDenied(_("The readiness board is for the government's units."))
        kinds = request.query_params.getlist("kind")
        if any(k and k not in TeamKind.values for k in kinds):
            raise serializers.ValidationError({"kind": [_("Choose kinds of team from the list.")]})
        board = rescue.readiness_board(request.user, kinds, board_region(request.user, request.query_params))
        return Response(ReadinessBoardSerializer(board).data)


# --- URLs (included under /api/v1/ by safety_platform/api_urls.py) ----------------------------------------------

router = app_router()
router.register("emergency/teams", RescueTeamViewSet, basename="rescue-team")
router.register("emergency/readiness-periods", ReadinessPeriodViewSet, basename="readiness-period")
router.register("emergency/prepositionings", PrepositioningViewSet, basename="prepositioning")

urlpatterns = [
    path("emergency/readiness/", ReadinessBoardView.as_view(), name="readiness-board"),
    *router.urls,
]
