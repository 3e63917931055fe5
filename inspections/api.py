"""API: checklists (with JSON and Excel export/import), campaigns with coverage, inspections and answers."""

from __future__ import annotations

import uuid
from dataclasses import asdict

from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from hazards.choices import Level
from hazards.models import HazardCategory
from organizations.choices import OperatingState, UnitKind
from organizations.models import Enterprise, User
from organizations.roles import SUPERVISORS, holds_any
from safety_platform.lib.api import UploadKeyField, idempotency_header
from safety_platform.lib.pagination import CursorPagination
from safety_platform.lib.parsers import JSONParser

from . import checklists, supervision, workflow
from .checklist_checks import Problem, TemplateErrors
from .choices import InspectionKind, Result
from .coverage import coverage, not_inspected
from .filters import InspectionFilterSet
from .models import Answer, Campaign, ChecklistTemplate, Difference, Inspection, Team

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class TemplateSerializer(serializers.ModelSerializer):
    current_version = serializers.SerializerMethodField()

    class Meta:
        model = ChecklistTemplate
        fields = ["id", "code", "name", "description", "current_version"]

    def get_current_version(self, template) -> int | None:
        versions = sorted(template.versions.all(), key=lambda v: v.number)
        return versions[-1].pk if versions else None


class KeepsChecklists(permissions.BasePermission):
    """Everyone in government reads checklists; department heads and the city office change them."""

    message = _("Only department heads and the city safety office can change checklists.")

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return request.user.is_authenticated
        user = request.user
        return holds_any(user, *SUPERVISORS)


def refusal(problems: list[Problem]) -> dict:
    count = len(problems)
    detail = ngettext(
        "Nothing was imported: %(count)d problem, listed below.",
        "Nothing was imported: %(count)d problems, listed below.",
        count,
    ) % {"count": count}
    return {"detail": detail, "code": "invalid", "rows": [asdict(p) for p in problems]}


class ChecklistViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = ChecklistTemplate.objects.prefetch_related("versions")
    serializer_class = TemplateSerializer
    permission_classes = [permissions.IsAuthenticated, KeepsChecklists]
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(
        parameters=[OpenApiParameter("as", str, enum=["json", "xlsx"], description=_("xlsx for an Excel workbook"))],
        responses={
            (200, "application/json"): OpenApiResponse(dict),
            (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY),
        },
    )
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        """The current version as JSON, or as Excel with `?as=xlsx`."""
        version = self.get_object().current()
        form = request.query_params.get("as") or "json"
        if form not in ("json", "xlsx"):
            raise serializers.ValidationError({"as": [_("Choose json or xlsx.")]})
        if form == "xlsx":
            response = HttpResponse(checklists.export_excel(version), content_type=XLSX)
            response["Content-Disposition"] = f'attachment; filename="{version.template.code}-v{version.number}.xlsx"'
            return response
        return Response({**checklists.export_version(version), "version": version.number})

    @extend_schema(
        request=dict,
        responses={200: TemplateSerializer, 201: TemplateSerializer},  # 400: the Error body, with rows
    )
    @action(detail=False, methods=["post"], url_path="import")
    def import_(self, request):
        """JSON body (the export format) or a multipart `file` (.xlsx); a changed template gets a new version.
        A template with any bad value imports nothing: the 400 lists every problem (row, field, message)."""
        upload = request.FILES.get("file")
        try:
            version, created = (
                checklists.import_excel(upload.read(), request.user)
                if upload
                else checklists.import_template(request.data, request.user)
            )
        except TemplateErrors as exc:
            return Response(refusal(exc.problems), status=status.HTTP_400_BAD_REQUEST)
        return Response(
            TemplateSerializer(version.template).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class CampaignSerializer(serializers.ModelSerializer):
    operating_states = serializers.ListField(
        child=serializers.ChoiceField(choices=OperatingState.choices),
        required=False,
        max_length=len(OperatingState.choices),
        label=_("operating states"),
        help_text=_("Empty: operating, suspended and under construction."),
    )

    class Meta:
        model = Campaign
        fields = [
            "id", "name", "kind", "starts_on", "ends_on", "lead_department", "regions", "industries", "key_units_only",
            "operating_states", "versions", "created_at",
        ]  # fmt: skip
        read_only_fields = ["created_at"]

    def validate(self, attrs):
        if attrs.get("starts_on") and attrs.get("ends_on") and attrs["ends_on"] < attrs["starts_on"]:
            raise serializers.ValidationError({"ends_on": _("The campaign cannot end before it starts.")})
        return attrs


class TeamSerializer(serializers.ModelSerializer):
    enterprises = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Enterprise.objects.all(), source="assigned", label=_("enterprises")
    )

    class Meta:
        model = Team
        fields = ["id", "name", "lead", "members", "enterprises"]

    def to_representation(self, team):
        return {"id": team.id, "name": team.name, "lead": team.lead_id, "members": [m.pk for m in team.members.all()],
                "enterprises": [a.enterprise_id for a in team.assignments.all()]}  # fmt: skip


class NotInspectedSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    region = serializers.CharField(source="region.name")


class PageQuerySerializer(serializers.Serializer):
    """The query of a paged detail action, as the list endpoints take it (declared for the schema)."""

    cursor = serializers.CharField(required=False, help_text=_("The page to read (from `next`)."))
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=200, help_text=_("From 1 to 200; 50 unless given.")
    )


class NotInspectedPageSerializer(serializers.Serializer):
    """One page of `not-inspected/` (declared for the schema: a detail action is not paged by DRF's own)."""

    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = NotInspectedSerializer(many=True)


class CampaignViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = CampaignSerializer  # who may start one is checked by workflow.create_campaign

    def get_queryset(self):
        return Campaign.objects.visible_to(self.request.user).prefetch_related("regions", "industries", "versions")

    def perform_create(self, serializer):
        serializer.instance = workflow.create_campaign(self.request.user, dict(serializer.validated_data))

    @extend_schema(request=TeamSerializer, responses=TeamSerializer(many=True))
    @action(detail=True, methods=["get", "post"], permission_classes=[permissions.IsAuthenticated])
    def teams(self, request, pk=None):
        """The campaign's teams and the enterprises assigned to each; POST adds a team with its enterprises."""
        campaign = self.get_object()
        if request.method == "POST":
            data = TeamSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            values = data.validated_data
            workflow.assign_team(request.user, campaign, values["name"], values["lead"], values["members"],
                                 values["assigned"])  # fmt: skip
        teams = campaign.teams.prefetch_related("members", "assignments")
        return Response(TeamSerializer(teams, many=True).data)

    @extend_schema(responses=dict)
    @action(detail=True, methods=["get"])
    def coverage(self, request, pk=None):
        """In-scope enterprises against inspected ones, by region, by department and by team, within your own
        scope. `not_inspected` is the first page of `not-inspected/` (`not_inspected_next` the link to the rest)."""
        campaign = self.get_object()
        result = coverage(campaign, request.user)
        paginator = CursorPagination()
        paginator.ordering = "id"
        first = paginator.paginate_queryset(not_inspected(campaign, request.user), request, view=self)
        return Response(
            {
                "total": result.total,
                "inspected": result.inspected,
                "rate": result.rate,
                "days_left": result.days_left,
                "by_region": result.by_region,
                "by_department": result.by_department,
                "by_team": result.by_team,
                "not_inspected": NotInspectedSerializer(first, many=True).data,
                "not_inspected_next": self._continued(paginator, campaign),
            }
        )

    @extend_schema(parameters=[PageQuerySerializer], responses=NotInspectedPageSerializer)
    @action(detail=True, methods=["get"], url_path="not-inspected")
    def not_inspected(self, request, pk=None):
        """Every in-scope enterprise not inspected yet in the campaign, paged by `?cursor=` (`?page_size=` to 200)."""
        campaign = self.get_object()
        paginator = CursorPagination()
        paginator.ordering = "id"
        page = paginator.paginate_queryset(not_inspected(campaign, request.user), request, view=self)
        return paginator.get_paginated_response(NotInspectedSerializer(page, many=True).data)

    def _continued(self, paginator: CursorPagination, campaign: Campaign) -> str | None:
        """The coverage's first page continues at `not-inspected/`: the same cursor, on that list's address."""
        link = paginator.get_next_link()
        if link is None:
            return None
        return f"{self.reverse_action('not-inspected', args=[campaign.pk])}?{link.partition('?')[2]}"


class AnswerSerializer(serializers.ModelSerializer):
    photos = serializers.SerializerMethodField()

    class Meta:
        model = Answer
        fields = ["id", "item", "result", "number", "text", "note", "answered_by", "answered_at", "hazard", "photos"]

    def get_photos(self, answer) -> int:
        return len(answer.photos.all())


class InspectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Inspection
        fields = [
            "id", "kind", "campaign", "original", "enterprise", "version", "date", "status", "lead", "members",
            "representative", "score", "created_at", "submitted_at",
        ]  # fmt: skip
        read_only_fields = ["status", "lead", "score", "created_at", "submitted_at", "representative"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.method == "POST":
            self.fields["enterprise"].queryset = Enterprise.objects.visible_to(request.user)
            self.fields["members"].queryset = User.objects.filter(
                unit_kind__in=[UnitKind.DEPARTMENT, UnitKind.CITY_OFFICE]
            )
            self.fields["members"].required = False
            self.fields["campaign"].queryset = Campaign.objects.visible_to(request.user)
            self.fields["original"].queryset = Inspection.objects.visible_to(request.user)
            self.fields["enterprise"].required = self.fields["version"].required = False


class InspectionDetailSerializer(InspectionSerializer):
    answers = AnswerSerializer(many=True, read_only=True)

    class Meta(InspectionSerializer.Meta):
        fields = [*InspectionSerializer.Meta.fields, "answers"]


class AnswerInputSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    result = serializers.ChoiceField(choices=Result.choices, required=False)
    number = serializers.DecimalField(max_digits=12, decimal_places=3, required=False, allow_null=True)
    text = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)
    photo_key = UploadKeyField(
        required=False,
        label=_("photo key"),
        help_text=_("With one photo per request: a photo already stored under this key is not stored again."),
    )


class AnswerUploadSerializer(AnswerInputSerializer):
    """The multipart form of an answer (declared for the schema): the fields and the `photos`."""

    photos = serializers.ListField(child=serializers.FileField(), required=False, label=_("photos"))


class FindingInputSerializer(serializers.Serializer):
    """Something found during the inspection that is not a checklist item; filed as a hazard at once."""

    title = serializers.CharField(max_length=200, label=_("title"))
    place = serializers.CharField(max_length=200, label=_("place / part"))
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=HazardCategory.objects.filter(is_active=True), label=_("category")
    )
    level = serializers.ChoiceField(choices=Level.choices, required=False, label=_("level"))
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True, label=_("description"))
    legal_basis = serializers.CharField(max_length=500, required=False, allow_blank=True, label=_("legal basis"))
    idempotency_key = serializers.UUIDField(
        label=_("idempotency key"),
        help_text=_("Required, here or as the Idempotency-Key header: the same key again files nothing new."),
    )

    def __init__(self, *args, header_key: uuid.UUID | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.header_key = header_key
        self.fields["idempotency_key"].required = header_key is None


class FindingUploadSerializer(FindingInputSerializer):
    """The multipart form of a finding (declared for the schema): the fields and the `photos`."""

    photos = serializers.ListField(child=serializers.FileField(), required=False, label=_("photos"))


class FindingSerializer(serializers.Serializer):
    """A finding as its hazard: where to see it, and where to send its photos one by one (with `photo_key`)."""

    id = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    title = serializers.CharField()
    url = serializers.SerializerMethodField()
    photos_url = serializers.SerializerMethodField()

    def get_url(self, hazard) -> str:
        return reverse("hazards:detail", args=[hazard.pk])

    def get_photos_url(self, hazard) -> str:
        return reverse("hazard-photos", args=[hazard.pk])


class SubmitSerializer(serializers.Serializer):
    submit_key = serializers.UUIDField(required=False)
    representative = serializers.CharField(max_length=100, required=False, allow_blank=True)


class InspectionViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Inspections in scope; answering and submitting are actions that call `inspections.workflow`."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filterset_class = InspectionFilterSet

    def get_queryset(self):
        queryset = Inspection.objects.visible_to(self.request.user).prefetch_related("members")
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("answers__photos")
        return queryset

    def get_serializer_class(self):
        return InspectionDetailSerializer if self.action == "retrieve" else InspectionSerializer

    def create(self, request, *args, **kwargs):
        workflow.refuse_lesson_kind(request.data.get("kind"))  # a lesson's self-check starts from its task: 400
        workflow.require_starter(request.user, request.data.get("kind", InspectionKind.AD_HOC))  # 403 first
        serializer = InspectionSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        inspection = workflow.create(
            request.user,
            workflow.NewInspection(
                enterprise=data.get("enterprise"),
                version=data.get("version"),
                original=data.get("original"),
                kind=data.get("kind", InspectionKind.AD_HOC),
                campaign=data.get("campaign"),
                members=tuple(data.get("members", ())),
                date=data.get("date"),
            ),
        )
        return Response(InspectionSerializer(inspection).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request={"application/json": AnswerInputSerializer, "multipart/form-data": AnswerUploadSerializer},
        responses=AnswerSerializer,
    )
    @action(detail=True, methods=["post"])
    def answers(self, request, pk=None):
        """Save one answer now (multipart with `photos` for pictures); answering again replaces it. An offline
        queue sends one photo per request with its `photo_key`: the same key again stores the photo once."""
        data = AnswerInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        item, key = values.pop("item"), values.pop("photo_key", None)
        saved = workflow.answer(request.user, pk, item, values, request.FILES.getlist("photos"), photo_key=key)
        return Response(AnswerSerializer(saved).data)

    @extend_schema(
        methods=["GET"],
        request=None,
        responses=FindingSerializer(many=True),
        operation_id="v1_inspections_findings_list",
    )
    @extend_schema(
        methods=["POST"],
        request={"application/json": FindingInputSerializer, "multipart/form-data": FindingUploadSerializer},
        responses={201: FindingSerializer, 200: FindingSerializer},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.UUID,
                OpenApiParameter.HEADER,
                required=False,
                description=_("The idempotency key, when not in the body."),
            )
        ],  # fmt: skip
        operation_id="v1_inspections_findings_create",
    )
    @action(detail=True, methods=["get", "post"])
    def findings(self, request, pk=None):
        """What the team found that is not on the checklist, each filed as a hazard. POST files one (JSON, or
        multipart with `photos`): 201 the first time, 200 with the same hazard when its key is sent again."""
        if request.method == "GET":
            inspection = self.get_object()
            filed = [f.hazard for f in inspection.findings.select_related("hazard")]
            return Response(FindingSerializer(filed, many=True).data)
        data = FindingInputSerializer(data=request.data, header_key=idempotency_header(request))
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        key = values.pop("idempotency_key", None) or data.header_key
        hazard, created = workflow.file_finding(request.user, pk, values, key, request.FILES.getlist("photos"))
        return Response(
            FindingSerializer(hazard).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    @extend_schema(responses=AnswerSerializer(many=True))
    @action(detail=True, methods=["get"])
    def preview(self, request, pk=None):
        """The failed items: what becomes a hazard on submit."""
        return Response(AnswerSerializer(workflow.preview(self.get_object()), many=True).data)

    @extend_schema(request=None, responses=InspectionSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        inspection = workflow.close(request.user, pk)
        return Response(InspectionSerializer(inspection).data)

    @extend_schema(request=SubmitSerializer, responses=InspectionDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit once; send the same `submit_key` (or Idempotency-Key header) on a retry."""
        data = SubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        key = data.validated_data.get("submit_key") or idempotency_header(request, "submit_key") or uuid.uuid4()
        inspection = workflow.submit(request.user, pk, key, data.validated_data.get("representative", ""))
        inspection = self.get_queryset().prefetch_related("answers__photos").get(pk=inspection.pk)
        return Response(InspectionDetailSerializer(inspection, context=self.get_serializer_context()).data)


class DifferenceSerializer(serializers.ModelSerializer):
    enterprise = serializers.CharField(source="original.enterprise.name")
    item_text = serializers.CharField(source="item.text")
    counted_against = serializers.IntegerField(source="original.lead_id")

    class Meta:
        model = Difference
        fields = ["id", "supervision", "original", "enterprise", "item", "item_text", "original_result",
                  "supervision_result", "counted_against"]  # fmt: skip


class NothingFoundSerializer(serializers.Serializer):
    """An inspector whose inspections of key units found nothing too often (see `supervision.nothing_found`)."""

    user = serializers.IntegerField()
    name = serializers.CharField()
    inspections = serializers.IntegerField()
    found_nothing = serializers.IntegerField()


class SupervisionViewSet(viewsets.ViewSet):
    """Checking the checkers (督导): hollow self-checks, inspectors who find nothing, supervision differences."""

    @extend_schema(responses=InspectionSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="hollow-self-checks")
    def hollow_self_checks(self, request):
        return Response(InspectionSerializer(supervision.hollow_self_checks(request.user)[:500], many=True).data)

    @extend_schema(responses=NothingFoundSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="nothing-found")
    def nothing_found(self, request):
        return Response(supervision.nothing_found(request.user))

    @extend_schema(responses=DifferenceSerializer(many=True))
    @action(detail=False, methods=["get"])
    def differences(self, request):
        return Response(DifferenceSerializer(supervision.differences(request.user)[:500], many=True).data)
