"""The API of oversight's enforcement part under /api/v1/enforcement-actions/ (included under /api/v1/ by
safety_platform/api_urls.py): list (the list page's filters) and retrieve in scope, issue (create), carry out or
revoke (`state`), and an enterprise's Art. 113 status (`article-113`). Every change calls `oversight.enforcement`."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from organizations.models import Enterprise
from organizations.roles import is_government
from safety_platform.lib.api import app_router
from safety_platform.lib.query import MAX_ID

from . import enforcement
from .choices import ActionKind, ActionState
from .enforcement_filters import EnforcementFilterSet
from .models import EnforcementAction


class EnforcementActionSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True, label=_("number"))
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True, label=_("enterprise"))
    department_name = serializers.CharField(source="department.name", read_only=True, label=_("issued by"))
    issued_by = serializers.IntegerField(source="issued_by_id", read_only=True, allow_null=True, label=_("by"))
    hazard = serializers.IntegerField(source="hazard_id", read_only=True, allow_null=True, label=_("hazard"))
    illegal_operation = serializers.IntegerField(source="illegal_operation_id", read_only=True, allow_null=True,
                                                 label=_("illegal operation"))  # fmt: skip
    actions = serializers.SerializerMethodField(label=_("what you may do"))

    class Meta:
        model = EnforcementAction
        fields = ["id", "number", "kind", "state", "enterprise", "enterprise_name", "department", "department_name",
                  "year", "serial", "facts", "basis", "deadline", "amount", "suspended_from", "suspended_until",
                  "hazard", "illegal_operation", "by_article_113", "issued_by", "issued_at", "actions"]  # fmt: skip
        read_only_fields = fields

    def get_actions(self, obj) -> list[str]:
        return sorted(enforcement.can(self.context["request"].user, obj))


class EnforcementInputSerializer(serializers.Serializer):
    enterprise = serializers.IntegerField(min_value=1, max_value=MAX_ID, label=_("enterprise"))
    kind = serializers.ChoiceField(choices=ActionKind.choices, label=_("kind"))
    facts = serializers.CharField(max_length=enforcement.TEXT_LENGTH, label=_("facts"))
    basis = serializers.CharField(max_length=enforcement.TEXT_LENGTH, label=_("legal basis"))
    deadline = serializers.DateField(required=False, allow_null=True, label=_("rectify by"))
    working_days = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=365,
                                            label=_("or within working days"))  # fmt: skip
    amount = serializers.DecimalField(required=False, allow_null=True, max_digits=12, decimal_places=2,
                                      label=_("amount (CNY)"))  # fmt: skip
    suspended_from = serializers.DateField(required=False, allow_null=True, label=_("suspended from"))
    suspended_until = serializers.DateField(required=False, allow_null=True, label=_("suspended until"))
    hazard = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_ID,
                                      label=_("hazard"))  # fmt: skip
    illegal_operation = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_ID,
                                                 label=_("illegal operation"))  # fmt: skip


class EnforcementStateInputSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=[(ActionState.DONE, ActionState.DONE.label),
                                             (ActionState.REVOKED, ActionState.REVOKED.label)],
                                    label=_("state"))  # fmt: skip
    reason = serializers.CharField(max_length=enforcement.TEXT_LENGTH, label=_("reason"))


class Article113QuerySerializer(serializers.Serializer):
    enterprise = serializers.IntegerField(min_value=1, max_value=MAX_ID, label=_("enterprise"))


class Article113Serializer(serializers.Serializer):
    short = serializers.IntegerField(label=_("penalties in the short window"))
    short_count = serializers.IntegerField(label=_("threshold of the short window"))
    short_days = serializers.IntegerField(label=_("days of the short window"))
    long = serializers.IntegerField(label=_("penalties in the long window"))
    long_count = serializers.IntegerField(label=_("threshold of the long window"))
    long_days = serializers.IntegerField(label=_("days of the long window"))
    major_hazard = serializers.BooleanField(label=_("a major hazard is open"))
    due = serializers.BooleanField(label=_("Art. 113 applies"))
    proposal = serializers.IntegerField(allow_null=True, label=_("the open closure proposal"))


class EnforcementActionViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Enforcement documents in scope, newest first (filters: kind, state, department, region, enterprise,
    article_113)."""

    serializer_class = EnforcementActionSerializer
    filterset_class = EnforcementFilterSet
    extra_error_statuses = {"create": [403, 404], "state": [400, 403, 409], "article_113": [400, 404]}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return EnforcementAction.objects.none()
        if not is_government(self.request.user):  # the government's documents (an enterprise receives them on paper)
            return EnforcementAction.objects.none()
        return enforcement.visible_actions(self.request.user).select_related("enterprise", "department")

    def _answer(self, obj: EnforcementAction, code: int = status.HTTP_200_OK) -> Response:
        obj = self.get_queryset().get(pk=obj.pk)
        return Response(EnforcementActionSerializer(obj, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=EnforcementInputSerializer, responses={201: EnforcementActionSerializer})
    def create(self, request, *args, **kwargs):
        """Issue a document (403 not an issuer; 404 an enterprise out of scope; 400 a field)."""
        data = EnforcementInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = {k: v for k, v in data.validated_data.items() if v is not None}
        enterprise, kind = values.pop("enterprise"), values.pop("kind")
        return self._answer(enforcement.issue(request.user, enterprise, kind, **values), status.HTTP_201_CREATED)

    @extend_schema(request=EnforcementStateInputSerializer, responses=EnforcementActionSerializer)
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def state(self, request, pk=None):
        """Carry out or revoke a document (403 not its department; 409 done or revoked already)."""
        data = EnforcementStateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(enforcement.set_state(request.user, int(pk), **data.validated_data))

    @extend_schema(parameters=[Article113QuerySerializer], responses=Article113Serializer)
    @action(detail=False, methods=["get"], url_path="article-113", filter_backends=[], pagination_class=None)
    def article_113(self, request):
        """An enterprise's Art. 113 status: penalties in both windows, an open major hazard, the open proposal."""
        query = Article113QuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = Enterprise.objects.visible_to(request.user).filter(pk=query.validated_data["enterprise"]).first()
        if found is None:
            raise Http404
        status_ = enforcement.article_113(found)
        proposal = status_.pop("proposal")
        status_.pop("short_met"), status_.pop("long_met")
        return Response({**status_, "proposal": proposal.pk if proposal else None})


router = app_router()
router.register("enforcement-actions", EnforcementActionViewSet, basename="enforcement-action")

urlpatterns = [*router.urls]
