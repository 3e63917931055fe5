"""API of the accident records under /api/v1/accidents/: list (cursor paging, the list page's filters), retrieve,
confirm an incident report as a record (`from-incident/`), enter an accident elsewhere (`elsewhere/`), change a record
under investigation (PATCH) and close its investigation with the report (`{id}/close/`, multipart). Every change
calls `accidents.records`; see docs/accidents.md, "Accident records"."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from duty_roster.choices import Grade
from risks.choices import AccidentType
from safety_platform.lib.api import app_router

from . import records
from .choices import AccidentKind, DirectCause, IndirectCause
from .models import Accident
from .record_filters import AccidentFilterSet

MAX_COUNT = 100000


class AccidentSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True, label=_("territory"))
    industry_name = serializers.CharField(source="industry.name", read_only=True, label=_("industry"))
    department_name = serializers.CharField(source="department.name", read_only=True, allow_null=True,
                                            default=None, label=_("supervising department"))  # fmt: skip
    enterprise_display = serializers.SerializerMethodField(label=_("enterprise"))
    report_url = serializers.SerializerMethodField(label=_("investigation report"))
    actions = serializers.SerializerMethodField(label=_("what you may do"))
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True, label=_("investigation closed at"))
    direct_causes = serializers.ListField(child=serializers.ChoiceField(choices=DirectCause.choices),
                                          read_only=True, label=_("direct causes"))  # fmt: skip
    indirect_causes = serializers.ListField(child=serializers.ChoiceField(choices=IndirectCause.choices),
                                            read_only=True, label=_("indirect causes"))  # fmt: skip

    class Meta:
        model = Accident
        fields = ["id", "kind", "incident", "external", "source", "title", "enterprise", "enterprise_name",
                  "enterprise_display", "region", "region_name", "place", "industry", "industry_name", "department",
                  "department_name", "accident_type", "grade", "occurred_at", "course", "direct_causes",
                  "indirect_causes", "deaths", "serious_injuries", "minor_injuries", "missing", "direct_loss",
                  "investigation", "findings", "measures", "closed_at", "report_url", "created_by", "created_at",
                  "actions"]  # fmt: skip
        read_only_fields = fields

    def get_enterprise_display(self, accident) -> str:
        return accident.enterprise.name if accident.enterprise_id else accident.enterprise_name

    def get_report_url(self, accident) -> str | None:
        if not accident.report:
            return None
        return reverse("accidents:report", args=[accident.pk])

    def get_actions(self, accident) -> list[str]:
        return sorted(records.can(self.context["request"].user, accident))


def _causes(choices, label):
    return serializers.ListField(child=serializers.ChoiceField(choices=choices), required=False, max_length=20,
                                 label=label)  # fmt: skip


def _count(label):
    return serializers.IntegerField(min_value=0, max_value=MAX_COUNT, required=False, label=label)


LOSS = {"max_digits": 14, "decimal_places": 2, "min_value": 0, "max_value": 999999999999, "required": False}


class FromIncidentSerializer(serializers.Serializer):
    incident = serializers.IntegerField(
        min_value=1,
        label=_("incident report"),
        help_text=_("Its first report or a supplement (which means its first)."),
    )
    kind = serializers.ChoiceField(choices=AccidentKind.choices, label=_("kind"))
    accident_type = serializers.ChoiceField(choices=AccidentType.choices, label=_("accident type"))
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, label=_("name"),
                                  help_text=_("Default: 某公司“12·3”火灾事故."))  # fmt: skip
    course = serializers.CharField(max_length=10000, required=False, allow_blank=True,
                                   label=_("course of the accident"),
                                   help_text=_("Default: the incident's."))  # fmt: skip
    direct_causes = _causes(DirectCause.choices, _("direct causes"))
    indirect_causes = _causes(IndirectCause.choices, _("indirect causes"))


class FiguresSerializer(serializers.Serializer):
    deaths = _count(_("deaths"))
    serious_injuries = _count(_("serious injuries"))
    minor_injuries = _count(_("minor injuries"))
    missing = _count(_("missing"))
    direct_loss = serializers.DecimalField(**LOSS, label=_("direct economic loss (CNY)"))


class ElsewhereSerializer(FiguresSerializer):
    title = serializers.CharField(max_length=200, label=_("name"))
    source = serializers.CharField(max_length=200, label=_("source"))
    place = serializers.CharField(max_length=200, label=_("place"), help_text=_("The province and city as well."))
    occurred_at = serializers.DateTimeField(label=_("time of occurrence"))
    industry = serializers.IntegerField(min_value=1, label=_("industry"))
    accident_type = serializers.ChoiceField(choices=AccidentType.choices, label=_("accident type"))
    kind = serializers.ChoiceField(choices=AccidentKind.choices, required=False, label=_("kind"))
    grade = serializers.ChoiceField(choices=Grade.choices, required=False, label=_("grade"),
                                    help_text=_("Default: the grade the casualties and loss reach."))  # fmt: skip
    enterprise_name = serializers.CharField(max_length=200, required=False, allow_blank=True, label=_("enterprise"))
    course = serializers.CharField(max_length=10000, required=False, allow_blank=True,
                                   label=_("course of the accident"))  # fmt: skip
    direct_causes = _causes(DirectCause.choices, _("direct causes"))
    indirect_causes = _causes(IndirectCause.choices, _("indirect causes"))


class EditSerializer(FiguresSerializer):
    accident_type = serializers.ChoiceField(choices=AccidentType.choices, required=False, label=_("accident type"))
    title = serializers.CharField(max_length=200, required=False, label=_("name"))
    course = serializers.CharField(max_length=10000, required=False, allow_blank=True,
                                   label=_("course of the accident"))  # fmt: skip
    direct_causes = _causes(DirectCause.choices, _("direct causes"))
    indirect_causes = _causes(IndirectCause.choices, _("indirect causes"))
    source = serializers.CharField(max_length=200, required=False, label=_("source"),
                                   help_text=_("An accident elsewhere only."))  # fmt: skip
    place = serializers.CharField(max_length=200, required=False, label=_("place"),
                                  help_text=_("An accident elsewhere only."))  # fmt: skip
    enterprise_name = serializers.CharField(max_length=200, required=False, allow_blank=True, label=_("enterprise"),
                                            help_text=_("An accident elsewhere only."))  # fmt: skip
    occurred_at = serializers.DateTimeField(required=False, label=_("time of occurrence"),
                                            help_text=_("An accident elsewhere only."))  # fmt: skip
    industry = serializers.IntegerField(min_value=1, required=False, label=_("industry"),
                                        help_text=_("An accident elsewhere only."))  # fmt: skip


class CloseSerializer(FiguresSerializer):
    report = serializers.FileField(label=_("investigation report"), help_text=_("A PDF."))
    findings = serializers.CharField(max_length=10000, label=_("responsibility findings"))
    measures = serializers.CharField(max_length=10000, label=_("rectification and prevention measures"))
    accident_type = serializers.ChoiceField(choices=AccidentType.choices, required=False, label=_("accident type"))
    direct_causes = _causes(DirectCause.choices, _("direct causes"))
    indirect_causes = _causes(IndirectCause.choices, _("indirect causes"))


class AccidentViewSet(viewsets.ReadOnlyModelViewSet):
    """Accident records in scope (an accident elsewhere: every government unit), newest first, filtered as the list
    page; each with the actions you may take. Made from a confirmed incident report or entered for an accident
    elsewhere; changed while under investigation; closed with the investigation report."""

    serializer_class = AccidentSerializer
    filterset_class = AccidentFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    http_method_names = ["get", "post", "patch", "head", "options"]
    # from-incident names an incident report: one outside the user's scope is a 404 (not a 400), as a row would be.
    extra_error_statuses = {"partial_update": [409], "from_incident": [404, 409]}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Accident.objects.none()
        return Accident.objects.visible_to(self.request.user).select_related("region", "industry", "department",
                                                                              "enterprise")  # fmt: skip

    def _answer(self, accident: Accident, code: int = status.HTTP_200_OK) -> Response:
        accident = self.get_queryset().get(pk=accident.pk)
        return Response(self.get_serializer(accident).data, status=code)

    def _valid(self, serializer_class, partial: bool = False) -> dict:
        data = serializer_class(data=self.request.data, partial=partial)
        data.is_valid(raise_exception=True)
        return dict(data.validated_data)

    @extend_schema(request=FromIncidentSerializer, responses={201: AccidentSerializer})
    @action(detail=False, methods=["post"], url_path="from-incident", filter_backends=[], pagination_class=None)
    def from_incident(self, request):
        """Confirm an incident report at an enterprise as a production safety accident or a near miss (404 out of
        scope, 403 unless you answer for it, 409 recorded already, 400 without an enterprise)."""
        values = self._valid(FromIncidentSerializer)
        accident = records.confirm(request.user, values.pop("incident"), **values)
        return self._answer(accident, status.HTTP_201_CREATED)

    @extend_schema(request=ElsewhereSerializer, responses={201: AccidentSerializer})
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def elsewhere(self, request):
        """Enter an accident in another city or province with its source, for its lesson (the city office's staff)."""
        if not records.may_record_external(request.user):
            raise PermissionDenied(_("Only the city safety office's staff enter an accident elsewhere."))
        values = self._valid(ElsewhereSerializer)
        accident = records.record_external(request.user, **values)
        return self._answer(accident, status.HTTP_201_CREATED)

    @extend_schema(request=EditSerializer, responses=AccidentSerializer)
    def partial_update(self, request, *args, **kwargs):
        """Change the given fields while under investigation (409 once closed); the grade follows the final figures,
        never below the incident's grade as reported."""
        values = self._valid(EditSerializer, partial=True)
        return self._answer(records.edit(request.user, int(kwargs["pk"]), values))

    @extend_schema(request={"multipart/form-data": CloseSerializer}, responses=AccidentSerializer)
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def close(self, request, pk=None):
        """Close the investigation (调查中 → 结案) with its report (a PDF), the responsibility findings and measures,
        and the final figures and causes (at least one direct cause). 409 when closed already."""
        values = self._valid(CloseSerializer)
        report, findings, measures = values.pop("report"), values.pop("findings"), values.pop("measures")
        accident = records.close(request.user, int(pk), report=report, findings=findings, measures=measures,
                                 **values)  # fmt: skip
        return self._answer(accident)


# --- URLs (included under /api/v1/ by safety_platform/api_urls.py) --------------------------------------------------

router = app_router()
router.register("accidents", AccidentViewSet, basename="accident")

urlpatterns = [*router.urls]
