"""The API of oversight's illegal part, included under /api/v1/ by safety_platform/api_urls.py: the illegal
operations (list with the list page's filters, create, retrieve, `POST {id}/handle/`) and their figures per
department and region (`figures/`). Government units only; every change calls `oversight.illegal`. See
docs/oversight.md, "Illegal operations"."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from organizations.roles import is_government
from safety_platform.lib.api import app_router

from . import illegal, illegal_figures
from .choices import IllegalAction, IllegalKind, IllegalResult, IllegalSource
from .illegal_filters import IllegalOperationFilterSet
from .models import IllegalOperation


def _require(user) -> None:
    if not is_government(user):
        raise PermissionDenied(_("Only government units see the illegal operations."))


class IllegalOperationSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True, label=gettext_lazy("region"))
    industry_name = serializers.CharField(source="industry.name", read_only=True, label=gettext_lazy("industry"))
    department_name = serializers.CharField(
        source="department.name", read_only=True, allow_null=True, default=None, label=gettext_lazy("department")
    )
    # Empty until the operation is handled: the schema's enum takes "" too.
    action = serializers.ChoiceField(
        choices=IllegalAction.choices,
        allow_blank=True,
        read_only=True,
        label=pgettext_lazy("illegal operation", "action"),
    )
    actions = serializers.SerializerMethodField(label=gettext_lazy("what you may do"))

    class Meta:
        model = IllegalOperation
        fields = [
            "id",
            "kind",
            "description",
            "enterprise",
            "operator_name",
            "region",
            "region_name",
            "address",
            "industry",
            "industry_name",
            "department",
            "department_name",
            "source",
            "inspection",
            "visit",
            "source_ref",
            "found_on",
            "action",
            "result",
            "closed_on",
            "recorded_by",
            "recorded_at",
            "actions",
        ]
        read_only_fields = fields

    def get_actions(self, operation) -> list[str]:
        return sorted(illegal.can(self.context["request"].user, operation))


class IllegalRecordSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=IllegalKind.choices, label=gettext_lazy("kind"))
    description = serializers.CharField(max_length=5000, label=gettext_lazy("what was found"))
    enterprise = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        label=gettext_lazy("enterprise"),
        help_text=gettext_lazy("An enterprise of the registry in your scope."),
    )
    operator_name = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        label=gettext_lazy("operator"),
        help_text=gettext_lazy("The name found, for an operator outside the registry."),
    )
    region = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        label=gettext_lazy("region"),
        help_text=gettext_lazy("Default: the enterprise's."),
    )
    address = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        label=gettext_lazy("address"),
        help_text=gettext_lazy("Default: the enterprise's."),
    )
    industry = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        label=gettext_lazy("industry"),
        help_text=gettext_lazy("Default: the enterprise's."),
    )
    department = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        label=gettext_lazy("department"),
        help_text=gettext_lazy("Default: the department that supervises the industry there."),
    )
    source = serializers.ChoiceField(choices=IllegalSource.choices, label=gettext_lazy("source"))
    inspection = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, label=gettext_lazy("inspection")
    )
    visit = serializers.IntegerField(min_value=1, required=False, allow_null=True, label=gettext_lazy("watch visit"))
    source_ref = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        label=gettext_lazy("source reference"),
        help_text=gettext_lazy("A tip-off's number (required for a tip-off)."),
    )
    found_on = serializers.DateField(
        required=False, label=gettext_lazy("found on"), help_text=gettext_lazy("Default: today.")
    )
    action = serializers.ChoiceField(
        choices=IllegalAction.choices, required=False, allow_blank=True, label=gettext_lazy("action")
    )
    result = serializers.ChoiceField(choices=IllegalResult.choices, required=False, label=gettext_lazy("result"))
    closed_on = serializers.DateField(required=False, allow_null=True, label=gettext_lazy("closed on"))
    set_flag = serializers.BooleanField(
        required=False,
        default=False,
        label=gettext_lazy("set the registry's flag"),
        help_text=gettext_lazy(
            "For an enterprise found unlicensed, subcontracting illegally or under a borrowed qualification."
        ),
    )


class IllegalHandleSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=IllegalAction.choices, required=False, allow_blank=True, label=gettext_lazy("action")
    )
    result = serializers.ChoiceField(choices=IllegalResult.choices, required=False, label=gettext_lazy("result"))
    closed_on = serializers.DateField(
        required=False,
        allow_null=True,
        label=gettext_lazy("closed on"),
        help_text=gettext_lazy("Default: today, when the result is final."),
    )


class IllegalCellSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    url = serializers.CharField(allow_null=True, help_text=gettext_lazy("The list with the same filters."))


class IllegalFiguresRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=gettext_lazy("The region's or department's id; empty for the total."))
    label = serializers.CharField()
    drill = serializers.CharField(allow_null=True, help_text=gettext_lazy("The figures of the region's subregions."))
    enterprises = serializers.DictField(
        child=IllegalCellSerializer(), help_text=gettext_lazy("registered, licensed, unlicensed")
    )
    recorded = IllegalCellSerializer()
    kinds = serializers.DictField(child=IllegalCellSerializer())
    results = serializers.DictField(child=IllegalCellSerializer())


class IllegalFiguresSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    region = serializers.IntegerField(source="region.pk", allow_null=True, default=None)
    total = IllegalFiguresRowSerializer()
    regions = IllegalFiguresRowSerializer(many=True)
    departments = IllegalFiguresRowSerializer(many=True)


class IllegalOperationViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Illegal operations found (打非治违) in scope, newest first, filtered as the list page; each with the actions
    you may take. Recorded by the government's staff; handled (action, result) until closed."""

    serializer_class = IllegalOperationSerializer
    filterset_class = IllegalOperationFilterSet
    extra_error_statuses = {"handle": [409]}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return IllegalOperation.objects.none()
        _require(self.request.user)
        return IllegalOperation.objects.visible_to(self.request.user).select_related("region", "industry", "department")

    def _answer(self, operation: IllegalOperation, code: int = status.HTTP_200_OK) -> Response:
        operation = self.get_queryset().get(pk=operation.pk)
        return Response(self.get_serializer(operation).data, status=code)

    @extend_schema(request=IllegalRecordSerializer, responses={201: IllegalOperationSerializer})
    def create(self, request, *args, **kwargs):
        """Record an illegal operation found (403 unless the government's staff; 400 naming each bad field);
        `set_flag` also sets the registry's flag its kind matches on its enterprise."""
        _require(request.user)
        data = IllegalRecordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = {k: v for k, v in data.validated_data.items() if v not in (None, "")}
        set_flag = values.pop("set_flag", False)
        return self._answer(illegal.record(request.user, set_flag=set_flag, **values), status.HTTP_201_CREATED)

    @extend_schema(request=IllegalHandleSerializer, responses=IllegalOperationSerializer)
    @action(detail=True, methods=["post"])
    def handle(self, request, pk=None):
        """The action taken, the result and the closing day; a final result closes the record (409 changing a
        closed one, but for the city office)."""
        _require(request.user)
        data = IllegalHandleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(illegal.handle(request.user, int(pk), **data.validated_data))

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, description="default: this year"),
            OpenApiParameter("found_from", str, description="YYYY-MM-DD"),
            OpenApiParameter("found_to", str, description="YYYY-MM-DD"),
            OpenApiParameter("region", int, description="a region in your territory: its subregions' rows"),
        ],
        responses={200: IllegalFiguresSerializer},
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def figures(self, request):
        """Per department and region: the market entities supervised (registered, licensed, unlicensed), the illegal
        acts investigated by kind and how they ended, each with the list of the same filters."""
        _require(request.user)
        found = illegal_figures.figures(request.user, request.query_params)
        return Response(IllegalFiguresSerializer(found).data)


router = app_router()
router.register("illegal-operations", IllegalOperationViewSet, basename="illegal-operation")

urlpatterns = [*router.urls]
