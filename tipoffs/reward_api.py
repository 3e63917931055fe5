"""The rewards' API, included under /api/v1/ by safety_platform/api_urls.py: `tipoffs/rewards/` (list, retrieve, in
scope; `?state=`), `POST tipoffs/rewards/propose/` (the report's handler), `POST tipoffs/rewards/{id}/decide/` and
`POST tipoffs/rewards/{id}/pay/` (the city office's staff). Government units only; every change calls
`tipoffs.rewards`. Nothing of the informant. See docs/tipoffs.md, "Rewards"."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from duty_roster.choices import Grade
from organizations.roles import is_government
from safety_platform.lib.api import app_router

from . import rewards
from .choices import Kind, RewardBasis, RewardState
from .models import Reward


def _require(user) -> None:
    if not is_government(user):
        raise PermissionDenied(_("Only government units see the tip-offs' rewards."))


class RewardSerializer(serializers.ModelSerializer):
    report_code = serializers.CharField(source="report.code", read_only=True, label=gettext_lazy("receipt code"))
    report_kind = serializers.ChoiceField(
        source="report.kind", choices=Kind.choices, read_only=True, label=gettext_lazy("kind")
    )
    # Empty unless the basis is the deaths of a concealed accident: the schema's enum takes "" too.
    grade = serializers.ChoiceField(
        choices=Grade.choices, allow_blank=True, read_only=True, label=gettext_lazy("accident grade")
    )
    actions = serializers.SerializerMethodField(label=gettext_lazy("what you may do"))

    class Meta:
        model = Reward
        fields = [
            "id",
            "report",
            "report_code",
            "report_kind",
            "basis",
            "fine",
            "deaths",
            "grade",
            "amount",
            "state",
            "proposed_by",
            "proposed_at",
            "decided_by",
            "decided_at",
            "decision_note",
            "paid_by",
            "paid_at",
            "payment_ref",
            "actions",
        ]
        read_only_fields = fields

    def get_actions(self, reward) -> list[str]:
        return sorted(rewards.allowed(self.context["request"].user, reward))


class ProposeSerializer(serializers.Serializer):
    report = serializers.IntegerField(min_value=1, label=gettext_lazy("tip-off"))
    basis = serializers.ChoiceField(
        choices=RewardBasis.choices,
        label=gettext_lazy("basis"),
        help_text=gettext_lazy("concealed_deaths for a concealed accident, fine for any other report"),
    )
    fine = serializers.IntegerField(
        min_value=0, max_value=rewards.MAX_FINE, required=False, allow_null=True, label=gettext_lazy("fine (CNY)")
    )
    deaths = serializers.IntegerField(
        min_value=1, max_value=rewards.MAX_DEATHS, required=False, allow_null=True, label=gettext_lazy("deaths")
    )
    grade = serializers.ChoiceField(
        choices=Grade.choices, required=False, allow_blank=True, label=gettext_lazy("accident grade")
    )


class DecideSerializer(serializers.Serializer):
    approve = serializers.BooleanField(label=gettext_lazy("approve"))
    note = serializers.CharField(
        max_length=rewards.NOTE_LENGTH,
        required=False,
        allow_blank=True,
        label=gettext_lazy("note"),
        help_text=gettext_lazy("Required for a rejection: the informant reads it."),
    )


class PaySerializer(serializers.Serializer):
    payment_ref = serializers.CharField(max_length=rewards.REF_LENGTH, label=gettext_lazy("payment reference"))


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("state", str, enum=RewardState.values, description="one state only")]
    )
)  # fmt: skip
class RewardViewSet(viewsets.ReadOnlyModelViewSet):
    """The tip-offs' rewards in scope, newest first, each with the actions you may take: proposed by the report's
    handler, approved or rejected by the city safety office, then paid."""

    serializer_class = RewardSerializer
    extra_error_statuses = {"propose": [404, 409], "decide": [409], "pay": [409]}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Reward.objects.none()
        _require(self.request.user)
        found = Reward.objects.visible_to(self.request.user).select_related("report")
        state = self.request.query_params.get("state")
        if self.action == "list" and state:
            if state not in RewardState.values:
                raise serializers.ValidationError({"state": [_("Choose a state of the list.")]})
            found = found.filter(state=state)
        return found

    def _answer(self, reward: Reward, code: int = status.HTTP_200_OK) -> Response:
        reward = Reward.objects.select_related("report").get(pk=reward.pk)
        return Response(self.get_serializer(reward).data, status=code)

    @extend_schema(request=ProposeSerializer, responses={201: RewardSerializer})
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def propose(self, request):
        """Propose the reward of a report verified as substantiated (its handler; 409 for a second): the amount is
        computed from the fine or the deaths concealed."""
        _require(request.user)
        data = ProposeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        reward = rewards.propose(request.user, values["report"], values["basis"], fine=values.get("fine"),
                                 deaths=values.get("deaths"), grade=values.get("grade") or "")  # fmt: skip
        return self._answer(reward, status.HTTP_201_CREATED)

    @extend_schema(request=DecideSerializer, responses=RewardSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Approve or reject a proposed reward (the city office's staff); a rejection needs a note."""
        _require(request.user)
        data = DecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        return self._answer(rewards.decide(request.user, int(pk), values["approve"], values.get("note", "")))

    @extend_schema(request=PaySerializer, responses=RewardSerializer)
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        """Record the payment of an approved reward (the city office's staff), with its reference."""
        _require(request.user)
        data = PaySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(rewards.pay(request.user, int(pk), data.validated_data["payment_ref"]))


router = app_router()
router.register("tipoffs/rewards", RewardViewSet, basename="tipoff-reward")

urlpatterns = [*router.urls]
