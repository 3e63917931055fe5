"""API of the top layer: the dashboard's figures, the ledger export in the background, the quarterly table, and the
people a user may pick (which reads the rules of three domain apps, so it lives above them, here).

Each reuses what the pages use (`stats.build`, `exports.start_export` and its Celery task, `quarterly.statistics`,
the rota's and the listing's own rules), so the API and the pages give the same answers; every query starts from
the user's visible scope."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, Q
from django.http import FileResponse, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from duty_roster.rota import unit_people
from hazards.choices import Status
from hazards.models import Hazard
from hazards.workflow import leader_positions
from organizations.choices import PositionKind, UnitKind
from organizations.models import PositionAssignment, User
from organizations.roles import GOVERNMENT_STAFF
from organizations.scope import Scope, ScopeKind, visible_people, visible_posts
from safety_platform.lib.errors import ConflictError
from safety_platform.lib.files import FILE_RESPONSES, AnyAccept
from safety_platform.lib.replica import replica_view

from . import board_cache, exports, quarterly
from .documents_views import XLSX
from .models import ExportJob
from .stats import ROLE_TITLES, period_from
from .units import is_government
from .views import MAX_QUERY

# People --------------------------------------------------------------------------------------------------------

PURPOSES = [
    ("team_member", gettext_lazy("inspection team member")),
    ("duty_officer", gettext_lazy("duty officer or leader on duty of a post")),
    ("leader", gettext_lazy("supervising leader of a hazard's listing")),
]


class PositionBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=PositionKind.choices)
    title = serializers.CharField()


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(source="__str__")
    unit_kind = serializers.ChoiceField(choices=UnitKind.choices)
    unit = serializers.SerializerMethodField()
    positions = serializers.SerializerMethodField()

    def get_unit(self, person: User) -> str:
        unit = person.unit
        return str(unit) if unit is not None else ""

    @extend_schema_field(PositionBriefSerializer(many=True))
    def get_positions(self, person: User) -> list[dict]:
        only = self.context.get("position_ids")
        held = [a.position for a in person.current_assignments if only is None or a.position_id in only]
        return PositionBriefSerializer(held, many=True).data


class PeopleQuerySerializer(serializers.Serializer):
    purpose = serializers.ChoiceField(choices=PURPOSES, label=gettext_lazy("purpose"))
    post = serializers.IntegerField(required=False, min_value=1, label=gettext_lazy("duty post"))
    hazard = serializers.IntegerField(required=False, min_value=1, label=gettext_lazy("hazard"))
    q = serializers.CharField(required=False, max_length=50, label=gettext_lazy("name"))

    def validate(self, attrs):
        needs = {"duty_officer": "post", "leader": "hazard"}.get(attrs["purpose"])
        if needs and not attrs.get(needs):
            raise serializers.ValidationError({needs: [_("This field is required for this purpose.")]})
        return attrs


class PeopleView(generics.ListAPIView):
    """The people the user may pick, within their scope: `purpose=team_member` (inspectors, staff and heads of the
    departments and the city office, for inspection and campaign teams), `purpose=duty_officer&post=` (the post's
    unit, as the rota takes them, for officers and the leader on duty), `purpose=leader&hazard=` (holders of the
    positions that may supervise the hazard's listing; `positions` lists those positions, whose id the listing
    takes). `q` narrows by name or username."""

    serializer_class = PersonSerializer
    filter_backends = []
    extra_error_statuses = {"get": [404]}  # a duty post or hazard named in the query, out of scope

    @extend_schema(parameters=[PeopleQuerySerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return User.objects.none()
        query = PeopleQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        people = visible_people(self.request.user).filter(is_active=True)
        people = people & self._for_purpose(values)
        if values.get("q"):
            people = people.filter(Q(full_name__icontains=values["q"]) | Q(username__icontains=values["q"]))
        current = PositionAssignment.objects.current().select_related("position")
        return (
            people.distinct()
            .prefetch_related(Prefetch("assignments", current, to_attr="current_assignments"))
            .select_related("region", "department", "enterprise")
        )

    def _for_purpose(self, values: dict):
        user = self.request.user
        if values["purpose"] == "team_member":
            holders = PositionAssignment.objects.current().filter(position__kind__in=GOVERNMENT_STAFF)
            return User.objects.filter(unit_kind__in=[UnitKind.DEPARTMENT, UnitKind.CITY_OFFICE],
                                       pk__in=holders.values("user_id"))  # fmt: skip
        if values["purpose"] == "duty_officer":
            post = visible_posts(user).filter(pk=values["post"]).first()
            if post is None:
                raise exceptions.NotFound(_("No such duty post in your scope."))
            return unit_people(post)
        hazard = Hazard.objects.visible_to(user).select_related("region").filter(pk=values["hazard"]).first()
        if hazard is None:
            raise exceptions.NotFound(_("No such hazard in your scope."))
        positions = set(leader_positions(hazard).values_list("pk", flat=True))
        self.position_ids = positions
        holders = PositionAssignment.objects.current().filter(position_id__in=positions)
        return User.objects.filter(pk__in=holders.values("user_id"))

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "position_ids", None) is not None:
            context["position_ids"] = self.position_ids
        return context


# Dashboard -----------------------------------------------------------------------------------------------------


class HazardFiguresSerializer(serializers.Serializer):
    found = serializers.IntegerField(help_text="Filed in the period.")
    dismissed = serializers.IntegerField(help_text="Of those, dismissed.")
    closed = serializers.IntegerField(help_text="Of those, closed.")
    on_time = serializers.IntegerField(help_text="Of those, closed by the deadline.")
    recurrences = serializers.IntegerField()
    open_now = serializers.IntegerField(help_text="Open today, whenever filed.")
    overdue_now = serializers.IntegerField()
    major_open = serializers.IntegerField()
    counted = serializers.IntegerField(help_text="Found and not dismissed: the rate's denominator.")
    rate = serializers.FloatField(allow_null=True, help_text="Rectification rate, closed / counted.")
    on_time_rate = serializers.FloatField(allow_null=True)


class CellSerializer(serializers.Serializer):
    status = serializers.CharField()
    n = serializers.IntegerField()
    link = serializers.CharField()


class MatrixRowSerializer(serializers.Serializer):
    """One level's row of the level × status matrix: a cell per status, in the order of `Status`."""

    level = serializers.CharField()
    label = serializers.CharField()
    cells = serializers.SerializerMethodField()
    total = serializers.IntegerField()
    link = serializers.CharField()

    @extend_schema_field(CellSerializer(many=True))
    def get_cells(self, row: dict) -> list[dict]:
        return [{"status": s, "n": c["n"], "link": c["link"]} for s, c in zip(Status.values, row["cells"], strict=True)]


class BreakdownRowSerializer(serializers.Serializer):
    label = serializers.CharField()
    figures = HazardFiguresSerializer()
    found = serializers.CharField(
        allow_null=True, help_text="Link to the hazards found (none when no filter isolates them)."
    )
    closed = serializers.CharField(allow_null=True)
    open = serializers.CharField(allow_null=True)
    overdue = serializers.CharField(allow_null=True)


class BreakdownSerializer(serializers.Serializer):
    title = serializers.CharField()
    param = serializers.CharField()
    rows = BreakdownRowSerializer(many=True)


class BarSerializer(serializers.Serializer):
    label = serializers.CharField()
    found = serializers.IntegerField()
    closed = serializers.IntegerField()
    found_link = serializers.CharField()
    closed_link = serializers.CharField()


class WatchedHazardSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    enterprise = serializers.IntegerField(source="enterprise_id")
    enterprise_name = serializers.CharField(source="enterprise.name")
    level = serializers.CharField()
    status = serializers.CharField()
    deadline = serializers.DateTimeField(allow_null=True)
    days_left = serializers.IntegerField(allow_null=True, help_text="Negative when overdue.")


class DashboardPeriodSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="year, quarter, month or last12; empty for a from/to period.")
    start = serializers.DateField()
    end = serializers.DateField()
    label = serializers.CharField()


class DashboardSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=list(ROLE_TITLES))
    role_title = serializers.SerializerMethodField()
    scope_name = serializers.CharField()
    period = DashboardPeriodSerializer()
    totals = HazardFiguresSerializer()
    matrix = MatrixRowSerializer(many=True)
    breakdowns = BreakdownSerializer(many=True)
    weeks = BarSerializer(many=True)
    months = BarSerializer(many=True)
    top_overdue = WatchedHazardSerializer(many=True)
    majors = WatchedHazardSerializer(many=True)
    unanswered = serializers.IntegerField(help_text="Must-answer notices not yet answered.")
    overdue_confirmation = serializers.IntegerField(
        help_text="Hazards reported and not confirmed in time (listed by `/api/v1/hazards/?overdue_for=confirmation`)."
    )
    overdue_acceptance = serializers.IntegerField(
        help_text="Hazards rectified and not accepted in time (listed by `/api/v1/hazards/?overdue_for=acceptance`)."
    )

    as_of = serializers.DateTimeField(
        source="now",
        help_text="When these figures were computed: they are kept per scope for `DASHBOARD_CACHE_SECONDS` "
        "(60 by default), so a change made since may not be counted yet; `?refresh=true` recomputes them.",
    )
    age = serializers.SerializerMethodField(help_text="Seconds since `as_of`.")

    def get_role_title(self, board) -> str:
        return str(ROLE_TITLES[board.role])

    def get_age(self, board) -> int:
        return max(0, int((timezone.now() - board.now).total_seconds()))


class DashboardView(APIView):
    """The dashboard's figures as JSON: the same numbers as the dashboard page (`dashboards.stats.build`), for
    `?period=year|quarter|month|last12` (this year by default) or `?from=&to=` (YYYY-MM-DD). Each `link` is the
    hazard list's query that lists exactly what a figure counts; `/api/v1/hazards/` takes the same query."""

    @extend_schema(
        parameters=[
            OpenApiParameter("period", str, enum=["year", "quarter", "month", "last12"]),
            OpenApiParameter("from", OpenApiTypes.DATE),
            OpenApiParameter("to", OpenApiTypes.DATE),
            OpenApiParameter(
                "refresh",
                bool,
                description="Recompute the figures now rather than take the kept ones (at most once in 5 seconds "
                "per scope: a refresh soon after another gets that one's figures).",
            ),
        ],
        responses=DashboardSerializer,
    )
    @replica_view
    def get(self, request):
        if Scope.for_user(request.user).kind == ScopeKind.NONE:
            raise exceptions.PermissionDenied(_("Your account has no unit, so it has no dashboard."))
        try:
            period = period_from(request.query_params)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"period": exc.messages}) from exc
        refresh = request.query_params.get("refresh", "")
        if refresh not in ("", "true", "false"):
            raise serializers.ValidationError({"refresh": [_("Must be true or false.")]})
        refresh = refresh == "true"
        return Response(DashboardSerializer(board_cache.board(request.user, period, refresh=refresh).value).data)


# Ledger export -------------------------------------------------------------------------------------------------

FILTER_VALUE = (str, int, float, bool)


class ExportJobSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    download = serializers.SerializerMethodField(help_text="Where to GET the file once `state` is `done`.")

    class Meta:
        model = ExportJob
        fields = ["id", "format", "query", "state", "done", "total", "percent", "error", "created_at", "finished_at",
                  "download"]  # fmt: skip
        read_only_fields = fields

    def get_download(self, job: ExportJob) -> str | None:
        return reverse("export-job-download", args=[job.pk]) if job.state == ExportJob.State.DONE and job.file else None


class ExportStartSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=ExportJob.Format.choices, default=ExportJob.Format.XLSX,
                                     label=gettext_lazy("format"))  # fmt: skip
    filters = serializers.DictField(
        required=False,
        label=gettext_lazy("filters"),
        help_text="The hazard list's filters (`status`, `level`, `region`, …); a list for a filter of several values.",
    )

    def validate_filters(self, value: dict) -> str:
        for key, item in value.items():
            values = item if isinstance(item, list) else [item]
            if not values or not all(isinstance(v, FILTER_VALUE) for v in values):
                raise serializers.ValidationError(_("%(name)s: give a value or a list of values.") % {"name": key})
        query = urlencode({k: v for k, v in value.items() if k not in ("cursor", "ordering", "page")}, doseq=True)
        if len(query) > MAX_QUERY:
            raise serializers.ValidationError(_("Too many filters for one export; narrow them down."))
        return query


class ExportJobViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The hazard ledger (Excel or CSV) exported in the background: POST starts it (202, the job), GET on the job
    polls its progress, `download/` gets the file once done. One's own exports only; the ledger holds the hazards
    in one's scope under the given filters, as the page's export does."""

    serializer_class = ExportJobSerializer
    extra_error_statuses = {"download": [409]}  # not finished yet (documented with the schema's Error)

    def get_queryset(self):
        return ExportJob.objects.filter(owner_id=self.request.user.pk)

    @extend_schema(request=ExportStartSerializer, responses={202: ExportJobSerializer})
    def create(self, request, *args, **kwargs):
        start = ExportStartSerializer(data=request.data)
        start.is_valid(raise_exception=True)
        fmt, query = start.validated_data["format"], start.validated_data.get("filters", "")
        try:
            total = exports.ledger_queryset(request.user, query).count()
            job = exports.start_export(request.user, fmt, query, total)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"filters": exc.messages}) from exc
        location = reverse("export-job-detail", args=[job.pk])
        return Response(ExportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED, headers={"Location": location})

    @extend_schema(responses=FILE_RESPONSES)
    @action(detail=True, methods=["get"], content_negotiation_class=AnyAccept)
    def download(self, request, pk=None):
        job = self.get_object()
        if job.state != ExportJob.State.DONE or not job.file:
            raise ConflictError(_("The export is not ready: it is %(state)s.") % {"state": job.get_state_display()})
        return FileResponse(job.file.open("rb"), as_attachment=True, content_type=exports.CONTENT_TYPE[job.format],
                            filename=exports.filename(job.format, job.finished_at))  # fmt: skip


# Quarterly table -----------------------------------------------------------------------------------------------


class CountsSerializer(serializers.Serializer):
    found = serializers.IntegerField()
    rectified = serializers.IntegerField()
    open = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)


class QuarterRowSerializer(serializers.Serializer):
    label = serializers.CharField()
    general = CountsSerializer()
    major = CountsSerializer()
    total = CountsSerializer()


class QuarterSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    number = serializers.IntegerField()
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    due = serializers.DateField(help_text="The table is due before this day.")


class QuarterlySerializer(serializers.Serializer):
    quarter = QuarterSerializer()
    unit = serializers.CharField()
    by_region = QuarterRowSerializer(many=True)
    by_region_total = serializers.SerializerMethodField()
    by_industry = QuarterRowSerializer(many=True)
    by_industry_total = serializers.SerializerMethodField()

    @extend_schema_field(QuarterRowSerializer)
    def get_by_region_total(self, stats) -> dict:
        return QuarterRowSerializer(stats.total(stats.by_region)).data

    @extend_schema_field(QuarterRowSerializer)
    def get_by_industry_total(self, stats) -> dict:
        return QuarterRowSerializer(stats.total(stats.by_industry)).data


class QuarterlyView(APIView):
    """The quarterly hazard statistics table of `?year=&quarter=` (the previous quarter by default), by region and
    by industry, as JSON; `?as=xlsx` gives the same table as the Excel workbook the reports page offers. Government
    units only, each for its own scope."""

    content_negotiation_class = AnyAccept

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int),
            OpenApiParameter("quarter", int, enum=[1, 2, 3, 4]),
            OpenApiParameter("as", str, enum=["json", "xlsx"]),
        ],
        responses={
            200: QuarterlySerializer,
            (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="The table as an Excel workbook."),
        },
    )
    @replica_view
    def get(self, request):
        if not is_government(request.user):
            raise exceptions.PermissionDenied(_("Only government units have the quarterly table."))
        params = request.query_params
        quarter = quarterly.Quarter.parse(params.get("year"), params.get("quarter"))
        if quarter is None and ("year" in params or "quarter" in params):
            raise serializers.ValidationError(
                {"quarter": [_("Choose a year from 2000 to 2100 and a quarter from 1 to 4.")]}
            )
        if params.get("as", "json") not in ("json", "xlsx"):
            raise serializers.ValidationError({"as": [_("Choose json or xlsx.")]})
        stats = quarterly.statistics(request.user, quarter or quarterly.Quarter.previous())
        if params.get("as") == "xlsx":
            response = HttpResponse(quarterly.workbook(stats), content_type=XLSX)
            name = f"hazard-statistics-{stats.quarter.year}Q{stats.quarter.number}.xlsx"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        return Response(QuarterlySerializer(stats).data)
