"""API of the risk themes under /api/v1/risks/: themes (list, retrieve, create, publish, withdraw, confirm) and the
confirmations in scope. Every change calls `risks.themes`; see docs/risks.md, "Risk themes"."""

from __future__ import annotations

import django_filters as filters
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from organizations.models import Industry, Region
from safety_platform.lib.api import app_router
from safety_platform.lib.query import BooleanFilter, IntegerFilter

from . import themes
from .choices import ThemeKind, ThemeStatus
from .models import RiskTheme, ThemeConfirmation

# --- themes ---------------------------------------------------------------------------------------------------------


class RiskThemeCountsSerializer(serializers.Serializer):
    confirmed = serializers.IntegerField(label=_("confirmed"))
    pending = serializers.IntegerField(label=_("not confirmed yet"))
    overdue = serializers.IntegerField(label=_("overdue"))


class RiskThemeSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True, label=_("region"))
    department = serializers.IntegerField(source="department_id", read_only=True, allow_null=True,
                                          label=_("department"))  # fmt: skip
    industries = serializers.SerializerMethodField(label=_("industries"))
    counts = serializers.SerializerMethodField(label=_("confirmations in your scope"))
    actions = serializers.SerializerMethodField(label=_("what you may do"))
    published_at = serializers.DateTimeField(read_only=True, allow_null=True, label=_("published at"))

    class Meta:
        model = RiskTheme
        fields = ["id", "kind", "title", "description", "required_controls", "starts_on", "ends_on", "confirm_by",
                  "region", "region_name", "department", "industries", "status", "published_at", "created_by",
                  "created_at", "counts", "actions"]  # fmt: skip
        read_only_fields = fields

    def get_industries(self, theme) -> list[int]:
        return sorted(i.pk for i in theme.industries.all())

    @extend_schema_field(RiskThemeCountsSerializer)
    def get_counts(self, theme) -> dict:
        found = self.context.get("counts", {}).get(theme.pk) or themes.Counts()
        return RiskThemeCountsSerializer(found).data

    def get_actions(self, theme) -> list[str]:
        return sorted(themes.can(self.context["request"].user, theme))


class RiskThemeInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ThemeKind.choices, label=_("kind"))
    title = serializers.CharField(max_length=120, label=_("title"))
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True, label=_("description"))
    required_controls = serializers.CharField(max_length=5000, label=_("controls required"))
    starts_on = serializers.DateField(label=_("from"))
    ends_on = serializers.DateField(label=_("to"))
    confirm_by = serializers.DateTimeField(label=_("confirm by"))
    region = serializers.PrimaryKeyRelatedField(
        queryset=Region.objects.all(), required=False, label=_("region"),
        help_text=_("Default: your unit's region. Within your territory."),
    )  # fmt: skip
    industries = serializers.PrimaryKeyRelatedField(
        queryset=Industry.objects.all(), many=True, required=False, label=_("industries"),
        help_text=_("None: every industry in the region (a department: those it supervises)."),
    )  # fmt: skip


class RiskThemeWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, label=_("reason"))


class RiskThemeConfirmSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, label=_("note"))


class RiskThemeConfirmationSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True, label=_("enterprise"))
    theme_title = serializers.CharField(source="theme.title", read_only=True, label=_("risk theme"))
    confirm_by = serializers.DateTimeField(source="theme.confirm_by", read_only=True, label=_("confirm by"))
    confirmed_at = serializers.DateTimeField(read_only=True, allow_null=True, label=_("confirmed at"))
    confirmed_by = serializers.IntegerField(source="confirmed_by_id", read_only=True, allow_null=True,
                                            label=_("confirmed by"))  # fmt: skip
    escalated_at = serializers.DateTimeField(read_only=True, allow_null=True, label=_("escalated at"))
    is_overdue = serializers.SerializerMethodField(label=_("overdue"))

    class Meta:
        model = ThemeConfirmation
        fields = ["id", "theme", "theme_title", "enterprise", "enterprise_name", "region_path", "industry",
                  "confirm_by", "confirmed_at", "confirmed_by", "note", "escalated_at", "is_overdue"]  # fmt: skip
        read_only_fields = fields

    def get_is_overdue(self, row) -> bool:
        return row.confirmed_at is None and row.theme.confirm_by <= timezone.now()


class RiskThemeFilterSet(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=ThemeKind.choices, label=_("kind"))
    status = filters.ChoiceFilter(choices=ThemeStatus.choices, label=_("status"))

    class Meta:
        model = RiskTheme
        fields = ["kind", "status"]


class RiskThemeViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Risk themes in scope (a government's region and those above it; drafts only to the unit making them), each
    with its confirmation counts in your scope and the actions you may take. Published, withdrawn and confirmed
    through their actions."""

    serializer_class = RiskThemeSerializer
    filterset_class = RiskThemeFilterSet
    extra_error_statuses = {"create": [409]}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return RiskTheme.objects.none()
        return (
            themes.visible_themes(self.request.user)
            .select_related("region", "created_by")
            .prefetch_related("industries")
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["counts"] = getattr(self, "_counts", {})
        return context

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._counts = themes.counts(self.request.user, page if page is not None else queryset)
        return page

    def _answer(self, theme: RiskTheme, code: int = status.HTTP_200_OK) -> Response:
        theme = self.get_queryset().get(pk=theme.pk)
        self._counts = themes.counts(self.request.user, [theme])
        return Response(self.get_serializer(theme).data, status=code)

    def retrieve(self, request, *args, **kwargs):
        return self._answer(self.get_object())

    @extend_schema(request=RiskThemeInputSerializer, responses={201: RiskThemeSerializer})
    def create(self, request, *args, **kwargs):
        if not themes.may_create(request.user):
            raise PermissionDenied(_("Only the city safety office, a regional government or a department publishes "
                                     "risk themes."))  # fmt: skip
        data = RiskThemeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        theme = themes.create(request.user, **data.validated_data)
        return self._answer(theme, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=RiskThemeSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish a draft: each operating enterprise of its region and industries is asked to confirm by
        `confirm_by` (409 unless a draft; 400 when confirm_by has passed or no enterprise is concerned)."""
        return self._answer(themes.publish(request.user, int(pk)))

    @extend_schema(request=RiskThemeWithdrawSerializer, responses=RiskThemeSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw a published theme (409 otherwise); its unanswered notices stop."""
        data = RiskThemeWithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(themes.withdraw(request.user, int(pk), data.validated_data.get("reason", "")))

    @extend_schema(request=RiskThemeConfirmSerializer, responses=RiskThemeConfirmationSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """The enterprise's principal person or safety manager confirms its controls are checked (404 for a theme
        not asking your enterprise; 409 confirmed already or withdrawn)."""
        data = RiskThemeConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = themes.confirm(request.user, int(pk), data.validated_data.get("note", ""))
        row = ThemeConfirmation.objects.select_related("enterprise", "theme").get(pk=row.pk)
        return Response(RiskThemeConfirmationSerializer(row, context={"request": request}).data)


# --- confirmations --------------------------------------------------------------------------------------------------


class RiskThemeConfirmationFilterSet(filters.FilterSet):
    theme = IntegerFilter(field_name="theme", label=_("risk theme"))
    confirmed = BooleanFilter(field_name="confirmed_at", lookup_expr="isnull", exclude=True, label=_("confirmed"))
    region = IntegerFilter(method="in_region", label=_("region (and its subtree)"))

    class Meta:
        model = ThemeConfirmation
        fields = ["theme", "confirmed", "region"]

    def in_region(self, queryset, name, value):
        region = Region.objects.filter(pk=value).first()
        return queryset.filter(region_path__startswith=region.path) if region else queryset.none()


class RiskThemeConfirmationViewSet(viewsets.ReadOnlyModelViewSet):
    """Each enterprise's confirmation of the published themes, in scope (an enterprise its own): who confirmed,
    when, the note, whether it passed up unconfirmed. `?theme=&confirmed=false&region=` drills down."""

    serializer_class = RiskThemeConfirmationSerializer
    filterset_class = RiskThemeConfirmationFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ThemeConfirmation.objects.none()
        visible = themes.visible_themes(self.request.user).values("pk")
        return (
            ThemeConfirmation.objects.visible_to(self.request.user)
            .filter(theme__in=visible)
            .select_related("enterprise", "theme")
        )


# --- URLs (included under /api/v1/ by safety_platform/api_urls.py) --------------------------------------------------

router = app_router()
router.register("risks/themes", RiskThemeViewSet, basename="risk-theme")
router.register("risks/theme-confirmations", RiskThemeConfirmationViewSet, basename="risk-theme-confirmation")

urlpatterns = [*router.urls]
