"""API of the warning circulars under /api/v1/circulars/: list and retrieve in scope (with the acknowledgement
figures in your scope), the draft of a lesson's circular, issue, acknowledge. Every change calls
`accidents.circulars`; see docs/accidents.md, "The warning circular"."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from safety_platform.lib.api import app_router
from safety_platform.lib.query import MAX_ID

from . import circulars
from .models import Circular, Lesson


class CircularKindSerializer(serializers.Serializer):
    total = serializers.IntegerField(label=_("units told"))
    acknowledged = serializers.IntegerField(label=_("acknowledged"))
    pending = serializers.ListField(child=serializers.CharField(), label=_("not acknowledged yet (the first 100)"))
    pending_total = serializers.IntegerField(label=_("not acknowledged yet"))


class CircularFiguresSerializer(serializers.Serializer):
    enterprises = CircularKindSerializer(label=_("enterprises"))
    departments = CircularKindSerializer(label=_("departments"))
    territories = CircularKindSerializer(label=_("counties and districts"))


class CircularSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True, label=_("number"))
    issued_by = serializers.IntegerField(source="issued_by_id", read_only=True, label=_("by"))
    acknowledgements = serializers.SerializerMethodField(label=_("acknowledgement in your scope"))
    actions = serializers.SerializerMethodField(label=_("what you may do"))

    class Meta:
        model = Circular
        fields = ["id", "lesson", "number", "year", "serial", "title", "body", "issued_at", "issued_by",
                  "issuing_unit", "recipients", "acknowledgements", "actions"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(CircularFiguresSerializer(allow_null=True))
    def get_acknowledgements(self, circular) -> dict | None:
        """On one circular (retrieve, issue, acknowledge); null in the list."""
        if not self.context.get("figures"):
            return None
        figures = circulars.acknowledgements(self.context["request"].user, circular)
        return {kind: {"total": f.total, "acknowledged": f.acknowledged, "pending": [u.name for u in f.pending],
                       "pending_total": f.pending_total} for kind, f in figures.kinds.items()}  # fmt: skip

    def get_actions(self, circular) -> list[str]:
        return sorted(circulars.can(self.context["request"].user, circular))


class CircularInputSerializer(serializers.Serializer):
    lesson = serializers.IntegerField(min_value=1, max_value=MAX_ID, label=_("lesson"))
    title = serializers.CharField(max_length=circulars.TITLE_LENGTH_MAX, label=_("title"))
    body = serializers.CharField(max_length=circulars.BODY_LENGTH, label=_("text"))


class CircularDraftQuerySerializer(serializers.Serializer):
    lesson = serializers.IntegerField(min_value=1, max_value=MAX_ID, label=_("lesson"), help_text=_("the lesson's id"))


class CircularDraftSerializer(serializers.Serializer):
    title = serializers.CharField(label=_("title"))
    body = serializers.CharField(label=_("text"))


class CircularViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Warning circulars in scope, newest first. Retrieved one carries its acknowledgement figures in your scope
    (enterprises, departments, counties and districts: told, acknowledged, those not yet)."""

    serializer_class = CircularSerializer
    extra_error_statuses = {"create": [404, 409], "draft": [400, 404], "acknowledge": [409]}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Circular.objects.none()
        return circulars.visible_circulars(self.request.user)

    def _answer(self, circular: Circular, code: int = status.HTTP_200_OK) -> Response:
        circular = self.get_queryset().get(pk=circular.pk)
        context = {**self.get_serializer_context(), "figures": True}
        return Response(CircularSerializer(circular, context=context).data, status=code)

    def retrieve(self, request, *args, **kwargs):
        return self._answer(self.get_object())

    @extend_schema(request=CircularInputSerializer, responses={201: CircularSerializer})
    def create(self, request, *args, **kwargs):
        """Issue a published lesson's circular (403 not the lesson's unit; 409 not published, or issued already;
        404 a lesson out of scope)."""
        data = CircularInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        circular = circulars.issue(request.user, values["lesson"], title=values["title"], body=values["body"])
        return self._answer(circular, status.HTTP_201_CREATED)

    @extend_schema(parameters=[CircularDraftQuerySerializer], responses=CircularDraftSerializer)
    @action(detail=False, methods=["get"])
    def draft(self, request):
        """The draft title and text of a lesson's circular, to edit before issuing."""
        query = CircularDraftQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        lessons = Lesson.objects.visible_to(request.user).select_related("accident__enterprise")
        lesson = lessons.filter(pk=query.validated_data["lesson"]).first()
        if lesson is None:
            raise Http404
        title, body = circulars.draft(lesson)
        return Response({"title": title, "body": body})

    @extend_schema(request=None, responses=CircularSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """Acknowledge a circular sent to you (403 not sent to you; 409 acknowledged already)."""
        circulars.acknowledge(request.user, int(pk))
        return self._answer(self.get_object())


# --- URLs (included under /api/v1/ by safety_platform/api_urls.py) --------------------------------------------------

router = app_router()
router.register("circulars", CircularViewSet, basename="circular")

urlpatterns = [*router.urls]
