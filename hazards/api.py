"""REST API for hazards: create, list, retrieve, the transitions as actions, photo upload (see API.md)."""

from __future__ import annotations

from functools import cached_property

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from organizations.models import Department, Enterprise, Position
from safety_platform.lib.api import RowsListMixin, UploadKeyField, idempotency_header, timestamper
from safety_platform.lib.parsers import JSONParser
from workdays.calendar import deadline_from

from . import files_api, workflow
from .choices import OPEN_STATUSES, Authority, LeaderAction, Level, PhotoKind, Source
from .filters import HazardFilterSet
from .models import (
    EvaluationDocument,
    Hazard,
    HazardCategory,
    HazardEvent,
    HazardPhoto,
    ListedSupervision,
    RectificationPlan,
)


class ResponsibilitySerializer(serializers.Serializer):
    """The three responsible parties: territory, supervising department, enterprise (and the positions)."""

    region = serializers.IntegerField(source="region_id")
    department = serializers.IntegerField(source="department_id", allow_null=True)
    enterprise = serializers.IntegerField(source="enterprise_id")
    territorial_position = serializers.IntegerField(source="territorial_position_id", allow_null=True)
    principal_position = serializers.IntegerField(source="principal_position_id", allow_null=True)


class HazardSerializer(serializers.ModelSerializer):
    """The list and detail shape. The fields describe it (and the schema); `to_representation` writes the same
    out by hand for speed, and a test holds the two equal."""

    enterprise_name = serializers.CharField(source="enterprise.name")
    category = serializers.CharField(source="category.code")
    category_name = serializers.CharField(source="category.__str__")
    is_overdue = serializers.BooleanField()
    days_overdue = serializers.IntegerField()
    responsibility = ResponsibilitySerializer(source="*")

    class Meta:
        model = Hazard
        fields = [
            "id", "code", "title", "description", "enterprise", "enterprise_name", "place", "category",
            "category_name", "level", "source", "legal_basis", "checklist_item", "status", "deadline", "is_overdue",
            "days_overdue", "responsibility", "supervision_gap", "recurrence_of", "found_at", "found_by", "created_at",
            "updated_at", "closed_at",
        ]  # fmt: skip
        read_only_fields = fields

    @cached_property
    def stamp(self):
        """Moments as DRF writes them, one function for the whole page."""
        return timestamper()

    def to_representation(self, hazard: Hazard) -> dict:
        overdue = getattr(hazard, "is_overdue", None)
        stamp = self.stamp
        return {
            "id": hazard.id,
            "code": hazard.code,
            "title": hazard.title,
            "description": hazard.description,
            "enterprise": hazard.enterprise_id,
            "enterprise_name": hazard.enterprise.name,
            "place": hazard.place,
            "category": hazard.category.code,
            "category_name": str(hazard.category),
            "level": hazard.level,
            "source": hazard.source,
            "legal_basis": hazard.legal_basis,
            "checklist_item": hazard.checklist_item,
            "status": hazard.status,
            "deadline": stamp(hazard.deadline),
            "is_overdue": hazard.overdue if overdue is None else bool(overdue),
            "days_overdue": hazard.days_overdue,
            "responsibility": {
                "region": hazard.region_id,
                "department": hazard.department_id,
                "enterprise": hazard.enterprise_id,
                "territorial_position": hazard.territorial_position_id,
                "principal_position": hazard.principal_position_id,
            },
            "supervision_gap": hazard.supervision_gap,
            "recurrence_of": hazard.recurrence_of_id,
            "found_at": stamp(hazard.found_at),
            "found_by": hazard.found_by_id,
            "created_at": stamp(hazard.created_at),
            "updated_at": stamp(hazard.updated_at),
            "closed_at": stamp(hazard.closed_at),
        }

    # The list reads these columns as tuples (HazardViewSet.list): no model instance per hazard, enterprise and
    # category. `row_representation` writes a row as `to_representation` writes a hazard; a test holds them equal.
    ROW_COLUMNS = (
        "id", "code", "title", "description", "enterprise_id", "enterprise__name", "place", "category__code",
        "category__name", "category__name_en", "level", "source", "legal_basis", "checklist_item", "status",
        "deadline", "is_overdue", "region_id", "department_id", "territorial_position_id", "principal_position_id",
        "supervision_gap", "recurrence_of_id", "found_at", "found_by_id", "created_at", "updated_at", "closed_at",
    )  # fmt: skip

    def rows_representation(self, rows) -> list[dict]:
        stamp, now, today = self.stamp, timezone.now(), timezone.localdate()
        english = (get_language() or "").startswith("en")  # as HazardCategory.__str__
        zone = timezone.get_current_timezone()
        data = []
        for row in rows:
            deadline = row.deadline
            # Hazard.days_overdue: by the clock, as the model's property reads it
            late = row.status in OPEN_STATUSES and deadline is not None and deadline < now
            data.append(
                {
                    "id": row.id,
                    "code": row.code,
                    "title": row.title,
                    "description": row.description,
                    "enterprise": row.enterprise_id,
                    "enterprise_name": row.enterprise__name,
                    "place": row.place,
                    "category": row.category__code,
                    "category_name": row.category__name_en if english and row.category__name_en else row.category__name,
                    "level": row.level,
                    "source": row.source,
                    "legal_basis": row.legal_basis,
                    "checklist_item": row.checklist_item,
                    "status": row.status,
                    "deadline": stamp(deadline),
                    "is_overdue": bool(row.is_overdue),
                    "days_overdue": (today - deadline.astimezone(zone).date()).days if late else 0,
                    "responsibility": {
                        "region": row.region_id,
                        "department": row.department_id,
                        "enterprise": row.enterprise_id,
                        "territorial_position": row.territorial_position_id,
                        "principal_position": row.principal_position_id,
                    },
                    "supervision_gap": row.supervision_gap,
                    "recurrence_of": row.recurrence_of_id,
                    "found_at": stamp(row.found_at),
                    "found_by": row.found_by_id,
                    "created_at": stamp(row.created_at),
                    "updated_at": stamp(row.updated_at),
                    "closed_at": stamp(row.closed_at),
                }
            )
        return data


class PlanSerializer(serializers.ModelSerializer):
    funds = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, label=_("funds (CNY)"))

    class Meta:
        model = RectificationPlan
        fields = [
            *workflow.PLAN_FIELDS,
            *workflow.MAJOR_PLAN_FIELDS,
            *workflow.INTERIM_FIELDS,
            "submitted_by",
            "submitted_at",
        ]
        read_only_fields = ["submitted_by", "submitted_at"]
        extra_kwargs = {f: {"required": False} for f in workflow.MAJOR_PLAN_FIELDS + workflow.INTERIM_FIELDS}


class ListingSerializer(serializers.ModelSerializer):
    class Meta:
        model = ListedSupervision
        fields = [
            "authority", "department", "region", "supervising_leader", "order_number", "deadline",
            "public_notice", "listed_by", "listed_at", "delisted_at", "order_published_at", "leader_acted_at",
            "leader_reminded_at", "extension_deadline", "extension_reason", "extension_asked_at", "extension_asked_by",
        ]  # fmt: skip


class PhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = HazardPhoto
        fields = ["id", "kind", "content_type", "width", "height", "uploaded_by", "uploaded_at", "url", "thumbnail_url"]

    def get_url(self, photo) -> str:
        """The photo through the API (token or session), in the hazard's scope."""
        return files_api.photo_url(photo)

    def get_thumbnail_url(self, photo) -> str:
        return files_api.photo_url(photo, thumbnail=True)


class EvaluationSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = EvaluationDocument
        fields = ["id", "note", "content_type", "uploaded_at", "url"]

    def get_url(self, document) -> str:
        """The document through the API (token or session), in the hazard's scope."""
        return files_api.evaluation_url(document)


class EventSerializer(serializers.ModelSerializer):
    class Meta:
        model = HazardEvent
        fields = ["at", "actor", "action", "from_status", "to_status", "reason", "data"]


class HazardDetailSerializer(HazardSerializer):
    """The detail adds the plan, the listing, photos, the timeline and what the user may do; declared for the
    schema, written by hand below."""

    plan = PlanSerializer(allow_null=True)
    listing = ListingSerializer(allow_null=True)
    photos = PhotoSerializer(many=True)
    events = EventSerializer(many=True)
    evaluations = EvaluationSerializer(many=True)
    allowed_actions = serializers.ListField(child=serializers.CharField())

    class Meta(HazardSerializer.Meta):
        fields = [
            *HazardSerializer.Meta.fields,
            "plan",
            "listing",
            "photos",
            "events",
            "evaluations",
            "allowed_actions",
        ]
        read_only_fields = fields

    def to_representation(self, hazard: Hazard) -> dict:
        data = super().to_representation(hazard)
        plan = getattr(hazard, "plan", None)
        listing = getattr(hazard, "listing", None)
        data["plan"] = PlanSerializer(plan).data if plan else None
        data["listing"] = ListingSerializer(listing).data if listing else None
        data["photos"] = PhotoSerializer(hazard.photos.all(), many=True).data
        data["events"] = EventSerializer(hazard.events.all(), many=True).data
        data["evaluations"] = EvaluationSerializer(hazard.evaluations.all(), many=True).data
        data["allowed_actions"] = sorted(workflow.can(self.context["request"].user, hazard))
        return data


class WorkingDaysMixin(serializers.Serializer):
    """A deadline as a moment (`deadline`) or as N working days from now (`deadline_working_days`)."""

    deadline = serializers.DateTimeField(required=False, label=_("deadline"))
    deadline_working_days = serializers.IntegerField(
        required=False, min_value=1, max_value=365, label=_("deadline in working days")
    )

    def validate(self, attrs):
        days = attrs.pop("deadline_working_days", None)
        try:
            deadline = deadline_from(attrs.get("deadline"), days)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"deadline": exc.messages}) from exc
        if deadline is not None:
            attrs["deadline"] = deadline
        return attrs


class HazardCreateSerializer(WorkingDaysMixin, serializers.Serializer):
    enterprise = serializers.PrimaryKeyRelatedField(queryset=Enterprise.objects.none(), label=_("enterprise"))
    title = serializers.CharField(max_length=200, label=_("title"))
    place = serializers.CharField(max_length=200, label=_("place / part"))
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=HazardCategory.objects.filter(is_active=True), label=_("category")
    )
    level = serializers.ChoiceField(choices=Level.choices, label=_("level"))
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True, label=_("description"))
    source = serializers.ChoiceField(choices=Source.choices, required=False, label=_("source"))
    legal_basis = serializers.CharField(max_length=500, required=False, allow_blank=True, label=_("legal basis"))
    found_at = serializers.DateTimeField(required=False, label=_("found at"))
    idempotency_key = serializers.UUIDField(required=False, label=_("idempotency key"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["enterprise"].queryset = Enterprise.objects.visible_to(request.user)


class SimilarQuerySerializer(serializers.Serializer):
    """The query of `similar/`: what a filer has typed so far."""

    enterprise = serializers.PrimaryKeyRelatedField(queryset=Enterprise.objects.none(), label=_("enterprise"))
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=HazardCategory.objects.all(), label=_("category")
    )
    place = serializers.CharField(max_length=200, label=_("place / part"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["enterprise"].queryset = Enterprise.objects.visible_to(request.user)


class FindingSerializer(serializers.Serializer):
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, label=_("place / part"))
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True, label=_("description"))


class ConfirmSerializer(WorkingDaysMixin, serializers.Serializer):
    pass


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000, label=_("reason"))


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True, label=_("comment"))


class RectificationSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=5000, label=_("what was done"))


class ExtendSerializer(WorkingDaysMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=5000, label=_("reason"))


class ReopenSerializer(ExtendSerializer):
    pass


class ListSupervisionSerializer(serializers.Serializer):
    authority = serializers.ChoiceField(choices=Authority.choices, label=_("listing authority"))
    supervising_leader = serializers.PrimaryKeyRelatedField(queryset=Position.objects.all(), label=_("leader"))
    order_number = serializers.CharField(max_length=64, label=_("order number"))
    deadline = serializers.DateTimeField(label=_("supervision deadline"))
    public_notice = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class PublishOrderSerializer(serializers.Serializer):
    public_notice = serializers.CharField(max_length=5000, label=_("public notice"))


class LeaderActionSerializer(serializers.Serializer):
    """The supervising leader's action; photos (several allowed) come as multipart `photos`."""

    kind = serializers.ChoiceField(choices=LeaderAction.choices, label=_("what the leader did"))
    date = serializers.DateField(label=_("date"))
    note = serializers.CharField(max_length=5000, label=_("note"))
    photos = serializers.ListField(child=serializers.FileField(), required=False, label=_("photos"))


class AskExtensionSerializer(WorkingDaysMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=5000, label=_("reason"))


class DecideExtensionSerializer(serializers.Serializer):
    approve = serializers.BooleanField(label=_("approve"))
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True, label=_("reason"))


class ReassignSerializer(serializers.Serializer):
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), label=_("supervising department")
    )
    reason = serializers.CharField(max_length=5000, label=_("reason"))


class FileSerializer(serializers.Serializer):
    file = serializers.FileField(label=_("file"))
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class PhotoUploadSerializer(FileSerializer):
    photo_key = UploadKeyField(
        required=False,
        label=_("upload key"),
        help_text=_("One photo per request: the same key again stores nothing (also as the Idempotency-Key header)."),
    )


class HazardViewSet(RowsListMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Hazards in the user's scope; every change is an action that calls `hazards.workflow`."""

    row_serializer = HazardSerializer

    serializer_class = HazardSerializer
    filterset_class = HazardFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        queryset = Hazard.objects.visible_to(self.request.user).with_overdue().select_related("enterprise", "category")
        if self.action == "retrieve":
            queryset = queryset.select_related("plan", "listing")
        return queryset

    def get_serializer_class(self):
        if self.action == "retrieve":
            return HazardDetailSerializer
        return HazardSerializer

    def respond(self, hazard: Hazard, code: int = status.HTTP_200_OK) -> Response:
        hazard = self.get_queryset().select_related("plan", "listing").get(pk=hazard.pk)
        return Response(HazardDetailSerializer(hazard, context=self.get_serializer_context()).data, status=code)

    def validated(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(request=HazardCreateSerializer, responses={201: HazardDetailSerializer})
    def create(self, request, *args, **kwargs):
        workflow.require_filer(request.user)  # 403 before any field is looked at
        data = self.validated(HazardCreateSerializer)
        key = data.pop("idempotency_key", None) or idempotency_header(request)
        hazard, created = workflow.file_hazard(
            request.user,
            workflow.Filing(**data, photos=tuple(request.FILES.getlist("photos")), idempotency_key=key),
        )
        return self.respond(hazard, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(parameters=[SimilarQuerySerializer], responses=HazardSerializer(many=True))
    @action(detail=False, methods=["get"], filter_backends=[])
    def similar(self, request):
        """Open hazards at the same enterprise, of the same category, whose place is the same once normalised
        (spaces, punctuation, full/half width, case): ask before filing, then file anyway or `add_finding`."""
        query = SimilarQuerySerializer(data=request.query_params, context=self.get_serializer_context())
        query.is_valid(raise_exception=True)
        values = query.validated_data
        matches = workflow.find_open_matches(request.user, values["enterprise"], values["category"], values["place"])
        page = self.paginate_queryset(matches.with_overdue().select_related("enterprise"))
        return self.get_paginated_response(HazardSerializer(page, many=True).data)

    @extend_schema(request=FindingSerializer, responses=HazardDetailSerializer)
    @action(detail=True, methods=["post"])
    def add_finding(self, request, pk=None):
        """The same finding again, added to this open hazard instead of filed anew (photos in `photos`)."""
        return self._transition(workflow.add_finding, FindingSerializer, photos=tuple(request.FILES.getlist("photos")))

    def _transition(self, function, serializer_class=None, **extra):
        data = self.validated(serializer_class) if serializer_class else {}
        hazard = function(self.request.user, self.kwargs["pk"], **data, **extra)
        return self.respond(hazard)

    @extend_schema(request=ConfirmSerializer, responses=HazardDetailSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self._transition(workflow.confirm, ConfirmSerializer)

    @extend_schema(request=PlanSerializer, responses=HazardDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit_plan(self, request, pk=None):
        plan = self.validated(PlanSerializer)
        hazard = workflow.submit_plan(request.user, pk, plan)
        return self.respond(hazard)

    @extend_schema(request=RectificationSerializer, responses=HazardDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit_rectification(self, request, pk=None):
        return self._transition(
            workflow.submit_rectification, RectificationSerializer, photos=tuple(request.FILES.getlist("photos"))
        )

    @extend_schema(request=CommentSerializer, responses=HazardDetailSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._transition(workflow.accept, CommentSerializer)

    @extend_schema(request=ReasonSerializer, responses=HazardDetailSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._transition(workflow.reject, ReasonSerializer)

    @extend_schema(request=ReasonSerializer, responses=HazardDetailSerializer)
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        return self._transition(workflow.dismiss, ReasonSerializer)

    @extend_schema(request=ExtendSerializer, responses=HazardDetailSerializer)
    @action(detail=True, methods=["post"])
    def extend_deadline(self, request, pk=None):
        return self._transition(workflow.extend_deadline, ExtendSerializer)

    @extend_schema(request=ReopenSerializer, responses=HazardDetailSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._transition(workflow.reopen, ReopenSerializer)

    @extend_schema(request=ListSupervisionSerializer, responses=HazardDetailSerializer)
    @action(detail=True, methods=["post"])
    def list_supervision(self, request, pk=None):
        data = self.validated(ListSupervisionSerializer)
        hazard = workflow.list_supervision(request.user, pk, workflow.Listing(**data))
        return self.respond(hazard)

    @extend_schema(request=ReasonSerializer, responses=HazardDetailSerializer)
    @action(detail=True, methods=["post"])
    def delist(self, request, pk=None):
        return self._transition(workflow.delist, ReasonSerializer)

    @extend_schema(request=PublishOrderSerializer, responses=HazardDetailSerializer)
    @action(detail=True, methods=["post"])
    def publish_order(self, request, pk=None):
        """Publish the rectification order of a listing made without one (the listing authority)."""
        return self._transition(workflow.publish_order, PublishOrderSerializer)

    @extend_schema(request={"multipart/form-data": LeaderActionSerializer}, responses=HazardDetailSerializer)
    @action(detail=True, methods=["post"])
    def leader_action(self, request, pk=None):
        """The supervising leader records an action (studied, coordinated, supervised on site) on the timeline."""
        data = self.validated(LeaderActionSerializer)
        hazard = workflow.record_leader_action(
            request.user, pk, data["kind"], data["date"], data["note"], tuple(request.FILES.getlist("photos"))
        )
        return self.respond(hazard)

    @extend_schema(request=AskExtensionSerializer, responses=HazardDetailSerializer)
    @action(detail=True, methods=["post"])
    def ask_extension(self, request, pk=None):
        """The enterprise asks the listing authority to extend the listing's deadline."""
        data = self.validated(AskExtensionSerializer)
        hazard = workflow.ask_extension(request.user, pk, data.get("deadline"), data["reason"])
        return self.respond(hazard)

    @extend_schema(request=DecideExtensionSerializer, responses=HazardDetailSerializer)
    @action(detail=True, methods=["post"])
    def decide_extension(self, request, pk=None):
        """The listing authority approves or refuses the pending extension."""
        return self._transition(workflow.decide_extension, DecideExtensionSerializer)

    @extend_schema(request=ReassignSerializer, responses=HazardDetailSerializer)
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        """Change the supervising department (the city office only, with a reason on the timeline)."""
        return self._transition(workflow.reassign, ReassignSerializer)

    @extend_schema(
        request={"multipart/form-data": PhotoUploadSerializer},
        responses={201: PhotoSerializer(many=True), 200: PhotoSerializer(many=True)},
    )
    @action(detail=True, methods=["post"])
    def photos(self, request, pk=None):
        """Add photos (`file`, several allowed). With `photo_key` (or the Idempotency-Key header) one photo per
        request: 201 when stored, 200 with the photo already stored under that key."""
        data = self.validated(PhotoUploadSerializer)
        kind = request.data.get("kind", PhotoKind.FINDING)
        if kind not in PhotoKind.values:
            raise serializers.ValidationError({"kind": [_("Unknown kind of photo.")]})
        key = data.get("photo_key") or idempotency_header(request, "photo_key")
        files = request.FILES.getlist("file")
        if key is None:
            photos, created = workflow.add_photos(request.user, pk, files, kind), True
        else:
            photo, created = workflow.add_keyed_photo(request.user, pk, files, kind, key)
            photos = [photo]
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(PhotoSerializer(photos, many=True).data, status=code)

    @extend_schema(request={"multipart/form-data": FileSerializer}, responses=HazardDetailSerializer)
    @action(detail=True, methods=["post"])
    def evaluation(self, request, pk=None):
        data = self.validated(FileSerializer)
        document = workflow.attach_evaluation(request.user, pk, data["file"], data.get("note", ""))
        return self.respond(document.hazard)
