"""The early warnings' API (`/api/v1/warnings/`, docs/warnings.md): read from `EarlyWarning.objects.visible_to(user)`;
create issues a warning, and `update`, `lift` and `answer` call the workflow, which decides 403, 404, 409 and 400."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from organizations.models import Region

from . import workflow
from .choices import AnswerMeasure, WarningKind, WarningLevel
from .models import EarlyWarning, WarningRecipient


@extend_schema_field(OpenApiTypes.INT)
class VisibleRegions(serializers.PrimaryKeyRelatedField):
    """Areas are regions the user sees (any level of the tree)."""

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return Region.objects.none()
        return Region.objects.visible_to(request.user)


class RecipientSerializer(serializers.ModelSerializer):
    post_title = serializers.CharField(source="post.title", read_only=True, label=_("post"))
    region_name = serializers.CharField(source="region.name", read_only=True, label=_("region"))
    late = serializers.SerializerMethodField(help_text=_("Answered after the limit, or not answered past it."))

    class Meta:
        model = WarningRecipient
        fields = ["id", "post", "post_title", "role", "region", "region_name", "department", "enterprise",
                  "sent_at", "answer_due_at", "answered_at", "answered_by", "measures", "note", "passed_up_at",
                  "nobody", "late"]  # fmt: skip
        read_only_fields = fields

    def get_late(self, row) -> bool:
        return row.answered_at > row.answer_due_at if row.answered_at else False


class VersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = EarlyWarning
        fields = ["id", "version", "change", "change_note", "status", "level", "issued_at", "created_by"]
        read_only_fields = fields


class WarningSerializer(serializers.ModelSerializer):
    areas = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    recipients_count = serializers.IntegerField(read_only=True, label=_("recipient posts"))
    answered_count = serializers.IntegerField(read_only=True, label=_("posts answered"))

    class Meta:
        model = EarlyWarning
        fields = ["id", "series", "version", "supersedes", "change", "change_note", "status", "kind", "level",
                  "issuer", "issued_at", "valid_until", "areas", "title", "text", "measures", "tips",
                  "cap_identifier", "cap_sender", "created_by", "sent_at", "recipients_count",
                  "answered_count"]  # fmt: skip
        read_only_fields = fields


class WarningDetailSerializer(WarningSerializer):
    history = serializers.SerializerMethodField(help_text=_("Every version of this warning, oldest first."))
    recipients = RecipientSerializer(many=True, read_only=True)
    actions = serializers.SerializerMethodField(help_text=_("What you may do to this version now."))

    class Meta(WarningSerializer.Meta):
        fields = [*WarningSerializer.Meta.fields, "history", "recipients", "actions"]
        read_only_fields = fields

    @extend_schema_field(VersionSerializer(many=True))
    def get_history(self, warning) -> list:
        return VersionSerializer(self.context["history"], many=True).data

    def get_actions(self, warning) -> list[str]:
        return sorted(workflow.can(self.context["request"].user, warning))


class IssueSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=WarningKind.choices, label=_("kind"))
    level = serializers.ChoiceField(choices=WarningLevel.choices, label=_("level"))
    issuer = serializers.CharField(max_length=200, label=_("issuer"))
    areas = VisibleRegions(many=True, allow_empty=False, label=_("areas"))
    title = serializers.CharField(max_length=200, label=_("title"))
    text = serializers.CharField(max_length=5000, label=_("text"))
    measures = serializers.CharField(max_length=5000, required=False, allow_blank=True, label=_("measures required"))
    tips = serializers.CharField(max_length=5000, required=False, allow_blank=True, label=_("safety tips"))
    valid_until = serializers.DateTimeField(required=False, allow_null=True, label=_("valid until"))
    include_key_units = serializers.BooleanField(required=False, default=False, label=_("also the key units"))


class UpdateSerializer(serializers.Serializer):
    """Only what changes: the rest is kept from the version in force."""

    level = serializers.ChoiceField(choices=WarningLevel.choices, required=False, label=_("level"))
    issuer = serializers.CharField(max_length=200, required=False, label=_("issuer"))
    areas = VisibleRegions(many=True, allow_empty=False, required=False, label=_("areas"))
    title = serializers.CharField(max_length=200, required=False, label=_("title"))
    text = serializers.CharField(max_length=5000, required=False, label=_("text"))
    measures = serializers.CharField(max_length=5000, required=False, allow_blank=True, label=_("measures required"))
    tips = serializers.CharField(max_length=5000, required=False, allow_blank=True, label=_("safety tips"))
    valid_until = serializers.DateTimeField(required=False, allow_null=True, label=_("valid until"))
    include_key_units = serializers.BooleanField(
        required=False, label=_("also the key units"), help_text=_("Left out: as the version in force.")
    )


class LiftSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, label=_("note"))


class AnswerSerializer(serializers.Serializer):
    measures = serializers.ListField(
        child=serializers.ChoiceField(choices=AnswerMeasure.choices), required=False, default=list,
        label=_("measures taken"),
    )  # fmt: skip
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="", label=_("report"))


def with_counts(queryset):
    return queryset.annotate(
        recipients_count=Count("recipients", distinct=True),
        answered_count=Count("recipients", filter=Q(recipients__answered_at__isnull=False), distinct=True),
    )


class EarlyWarningViewSet(viewsets.ReadOnlyModelViewSet):
    """Early warnings (预警) and their call-and-answer (叫应): every version is a row; `history` in the detail lists
    the versions of its series. Create issues a warning to its derived recipients."""

    serializer_class = WarningSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return EarlyWarning.objects.none()
        queryset = with_counts(EarlyWarning.objects.visible_to(self.request.user)).prefetch_related("areas")
        return self.detailed(queryset) if self.action == "retrieve" else queryset

    @staticmethod
    def detailed(queryset):
        recipients = WarningRecipient.objects.select_related("post", "region").order_by(
            "region_path", "role", "post_id"
        )
        return queryset.prefetch_related(Prefetch("recipients", recipients))

    def get_serializer_class(self):
        return WarningDetailSerializer if self.action == "retrieve" else WarningSerializer

    def retrieve(self, request, *args, **kwargs):
        return self.respond(self.get_object())

    def respond(self, warning: EarlyWarning, code: int = status.HTTP_200_OK) -> Response:
        if not hasattr(warning, "recipients_count"):
            visible = with_counts(EarlyWarning.objects.visible_to(self.request.user)).prefetch_related("areas")
            warning = self.detailed(visible).get(pk=warning.pk)
        history = EarlyWarning.objects.visible_to(self.request.user).filter(series=warning.series).order_by("version")
        context = {**self.get_serializer_context(), "history": list(history)}
        return Response(WarningDetailSerializer(warning, context=context).data, status=code)

    def validated(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    @extend_schema(request=IssueSerializer, responses={201: WarningDetailSerializer})
    def create(self, request, *args, **kwargs):
        workflow.require_issuer_role(request.user)  # 403 before any field is looked at
        warning = workflow.issue(request.user, **self.validated(IssueSerializer))
        return self.respond(warning, status.HTTP_201_CREATED)

    @extend_schema(request=UpdateSerializer, responses=WarningDetailSerializer)
    @action(detail=True, methods=["post"], url_path="update")
    def update_warning(self, request, pk=None):
        """A new version superseding this one (only the fields that change); the change is said in one sentence."""
        return self.respond(workflow.update(request.user, pk, **self.validated(UpdateSerializer)))

    @extend_schema(request=LiftSerializer, responses=WarningDetailSerializer)
    @action(detail=True, methods=["post"])
    def lift(self, request, pk=None):
        """Lift (解除) the warning: a lifting version; the posts are told, with nothing to answer."""
        return self.respond(workflow.lift(request.user, pk, **self.validated(LiftSerializer)))

    @extend_schema(request=AnswerSerializer, responses=RecipientSerializer(many=True))
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """Answer (叫应) with one call for every post you were told for, with the measures taken and a short note;
        answers your posts' rows (an enterprise's key-unit post answers too, though it sees no warning)."""
        workflow.answer(request.user, pk, **self.validated(AnswerSerializer))
        rows = WarningRecipient.objects.filter(warning_id=pk, post__assignments__user=request.user).distinct()
        return Response(RecipientSerializer(rows.select_related("post", "region").order_by("id"), many=True).data)
