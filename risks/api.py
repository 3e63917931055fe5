"""The risk point API under /api/v1/risks/points/: list (the page's filters, a constant number of queries whatever
the page size), retrieve, create, partial update, and the `evaluate` and `retire` actions; controls nested. Every
change calls `risks.points`; its errors become 400/403/404/409 in the one exception handler."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from organizations.models import Enterprise

from . import evaluation, points
from .choices import AccidentType, Colour, ControlKind, ControlLevel, HazardFactor, Method, PointKind
from .choices import ReevaluationReason as Reason
from .filters import RiskPointFilterSet
from .models import RiskControl, RiskPoint

LEC_FIELDS = {"lec_l": evaluation.LEC_L, "lec_e": evaluation.LEC_E, "lec_c": evaluation.LEC_C}


class RiskControlSerializer(serializers.ModelSerializer):
    class Meta:
        model = RiskControl
        fields = ["id", "kind", "measure", "position"]
        read_only_fields = fields


class RiskPointSerializer(serializers.ModelSerializer):
    """A point with its evaluation and its controls in use."""

    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True, label=_("enterprise"))
    department = serializers.IntegerField(
        source="department_id", read_only=True, allow_null=True, label=_("supervising department")
    )
    hazard_factors = serializers.ListField(child=serializers.ChoiceField(choices=HazardFactor.choices), read_only=True)
    accident_types = serializers.ListField(child=serializers.ChoiceField(choices=AccidentType.choices), read_only=True)
    controls = RiskControlSerializer(source="active_controls", many=True, read_only=True)
    override_colour = serializers.ChoiceField(
        choices=Colour.choices, allow_blank=True, read_only=True, label=_("raised to"), help_text=_("empty: none")
    )
    is_overdue = serializers.SerializerMethodField(label=_("re-evaluation overdue"))

    class Meta:
        model = RiskPoint
        fields = [
            "id", "enterprise", "enterprise_name", "region", "industry", "department", "name", "kind", "place",
            "description", "hazard_factors", "accident_types", "control_level", "responsible_name",
            "responsible_phone", "is_key_place", "is_major_hazard_source", "meets_major_criterion",
            "emergency_measures", "report_phone", "method", "lec_l", "lec_e", "lec_c", "ls_l", "ls_s", "score",
            "computed_colour", "override_colour", "override_reason", "colour", "evaluated_at", "reevaluate_by",
            "reevaluation_reason", "is_overdue", "is_active", "controls", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_is_overdue(self, point: RiskPoint) -> bool:
        late = point.reevaluate_by < timezone.localdate() or point.reevaluation_reason != Reason.YEARLY
        return point.is_active and late


class RiskControlInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ControlKind.choices, label=_("kind"))
    measure = serializers.CharField(max_length=2000, label=_("measure"))


class RiskPointEvaluationInputSerializer(serializers.Serializer):
    """The evaluation's inputs: the values of the method's table; the grade is computed (400 by field when a value
    is missing for the method, or an override lowers the grade or has no reason)."""

    method = serializers.ChoiceField(choices=Method.choices, label=_("method"))
    lec_l = serializers.ChoiceField(choices=[str(v) for v in evaluation.LEC_L], required=False, allow_null=True)
    lec_e = serializers.ChoiceField(choices=[str(v) for v in evaluation.LEC_E], required=False, allow_null=True)
    lec_c = serializers.ChoiceField(choices=[str(v) for v in evaluation.LEC_C], required=False, allow_null=True)
    ls_l = serializers.ChoiceField(choices=list(evaluation.LS_L), required=False, allow_null=True)
    ls_s = serializers.ChoiceField(choices=list(evaluation.LS_S), required=False, allow_null=True)
    override_colour = serializers.ChoiceField(choices=Colour.choices, required=False, allow_blank=True)
    override_reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)

    def validate(self, attrs: dict) -> dict:
        for name in LEC_FIELDS:
            if attrs.get(name) is not None:
                attrs[name] = Decimal(attrs[name])
        return attrs


class RiskPointFieldsSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, label=_("name"))
    kind = serializers.ChoiceField(choices=PointKind.choices, default=PointKind.PLACE, label=_("kind"))
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, label=_("place"))
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True, label=_("description"))
    hazard_factors = serializers.ListField(
        child=serializers.ChoiceField(choices=HazardFactor.choices), required=False, label=_("hazard factors")
    )
    accident_types = serializers.ListField(
        child=serializers.ChoiceField(choices=AccidentType.choices), required=False, label=_("possible accidents")
    )
    control_level = serializers.ChoiceField(
        choices=ControlLevel.choices, default=ControlLevel.TEAM, label=_("control level")
    )
    responsible_name = serializers.CharField(max_length=50, label=_("responsible person"))
    responsible_phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    is_key_place = serializers.BooleanField(required=False, label=_("key place"))
    is_major_hazard_source = serializers.BooleanField(required=False, label=_("major hazard source"))
    meets_major_criterion = serializers.BooleanField(required=False, label=_("meets a major-risk criterion"))
    emergency_measures = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    report_phone = serializers.CharField(max_length=30, required=False, allow_blank=True)


class RiskPointCreateSerializer(RiskPointFieldsSerializer, RiskPointEvaluationInputSerializer):
    """The point's fields, its evaluation's inputs (flat, as the point shows them) and its controls."""

    enterprise = serializers.IntegerField(
        min_value=1, required=False, label=_("enterprise"), help_text=_("Default: one's own enterprise.")
    )
    controls = RiskControlInputSerializer(many=True, allow_empty=False, label=_("control measures"))


class RiskPointEditSerializer(RiskPointFieldsSerializer, RiskPointEvaluationInputSerializer):
    """Any of the fields and inputs (changed inputs re-evaluate); `controls`, the whole list, when given."""

    controls = RiskControlInputSerializer(many=True, required=False, allow_empty=False, label=_("control measures"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for item in self.fields.values():
            item.required = False


class RiskPointEvaluateSerializer(RiskPointEvaluationInputSerializer):
    occasion = serializers.ChoiceField(
        choices=Reason.choices, required=False, label=_("occasion"), help_text=_("Default: the reason it was due.")
    )


class RiskPointRetireSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, label=_("reason"))


def _point_data(values: dict) -> points.PointData:
    values = dict(values)
    controls = values.pop("controls", None)
    judged = {name: values.pop(name) for name in points.EVALUATION_FIELDS if name in values}
    fields = {name: value for name, value in values.items() if name in points.POINT_FIELDS}
    return points.PointData(fields, judged, [dict(c) for c in controls] if controls is not None else None)


class RiskPointViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Risk points in use in the user's scope (a retired one is still found by its id), filtered as the list page;
    registered, changed, evaluated and retired by the enterprise's principal or safety manager."""

    serializer_class = RiskPointSerializer
    filterset_class = RiskPointFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]
    # A change to a point out of use is a 409, as the actions are.
    extra_error_statuses = {"partial_update": [409], "update": [409]}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return RiskPoint.objects.none()
        queryset = RiskPoint.objects.visible_to(self.request.user).select_related("enterprise").prefetch_related(
            Prefetch("controls", RiskControl.objects.filter(is_active=True), to_attr="active_controls")
        )  # fmt: skip
        return queryset.filter(is_active=True) if self.action == "list" else queryset

    def _answer(self, point: RiskPoint, code: int = status.HTTP_200_OK) -> Response:
        return Response(RiskPointSerializer(self.get_queryset().get(pk=point.pk)).data, status=code)

    def _valid(self, serializer_class, partial: bool = False) -> dict:
        data = serializer_class(data=self.request.data, partial=partial)  # partial: no defaults, only what is sent
        data.is_valid(raise_exception=True)
        return data.validated_data

    @extend_schema(request=RiskPointCreateSerializer, responses={201: RiskPointSerializer})
    def create(self, request, *args, **kwargs):
        user = request.user
        if not points.may_register(user):
            raise PermissionDenied(_("Only the enterprise's principal or safety manager keeps its risk points."))
        values = self._valid(RiskPointCreateSerializer)
        enterprise = Enterprise.objects.visible_to(user).filter(pk=values.get("enterprise") or user.enterprise_id)
        if not enterprise.exists():
            raise DjangoValidationError({"enterprise": [_("Choose an enterprise within your scope.")]})
        point = points.create_point(user, enterprise.select_related("region").get(), _point_data(values))
        return self._answer(point, status.HTTP_201_CREATED)

    @extend_schema(request=RiskPointEditSerializer, responses=RiskPointSerializer)
    def partial_update(self, request, *args, **kwargs):
        values = self._valid(RiskPointEditSerializer, partial=True)
        return self._answer(points.edit_point(request.user, int(kwargs["pk"]), _point_data(values)))

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(request=RiskPointEvaluateSerializer, responses=RiskPointSerializer)
    @action(detail=True, methods=["post"])
    def evaluate(self, request, pk=None):
        """Re-evaluate: the grade computed from the inputs, kept, due again a year on (RISK_REEVALUATION_DAYS)."""
        values = dict(self._valid(RiskPointEvaluateSerializer))
        occasion = values.pop("occasion", "")
        return self._answer(points.evaluate(request.user, int(pk), values, occasion))

    @extend_schema(request=RiskPointRetireSerializer, responses=RiskPointSerializer)
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        """Take the point out of use, with the reason (409 when it is out of use already)."""
        values = self._valid(RiskPointRetireSerializer)
        return self._answer(points.retire(request.user, int(pk), values["reason"]))
