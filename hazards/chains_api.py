"""API: the escalation chains, the rule of each hazard level (read by everyone, changed by the city office)."""

from __future__ import annotations

from rest_framework import mixins, permissions, serializers, viewsets

from notifications.choices import Target

from . import chains
from .models import EscalationChain, EscalationStep


class StepSerializer(serializers.ModelSerializer):
    targets = serializers.ListField(child=serializers.ChoiceField(choices=Target.choices), allow_empty=False)

    class Meta:
        model = EscalationStep
        fields = ["id", "offset_working_days", "targets", "must_answer", "label"]


class ChainSerializer(serializers.ModelSerializer):
    steps = StepSerializer(many=True)

    class Meta:
        model = EscalationChain
        fields = ["id", "level", "name", "steps", "updated_at"]
        read_only_fields = ["level", "updated_at"]

    def validate_steps(self, steps):
        if self.partial:
            # A PATCH may leave out the chain's fields, never a step's: the steps given replace them all.
            required = [name for name, field in StepSerializer().fields.items() if field.required]
            message = serializers.Field.default_error_messages["required"]
            missing = {i: [name for name in required if name not in step] for i, step in enumerate(steps)}
            errors = {i: {name: [message] for name in names} for i, names in missing.items() if names}
            if errors:  # keyed by the step's index, as DRF keys the errors of a list of objects
                raise serializers.ValidationError(errors)
        if chains.same_day(steps):
            raise serializers.ValidationError(chains.SAME_DAY)
        return steps

    def update(self, chain, validated):
        """Rename and/or replace the steps (`chains.update_chain`: audited, nothing written if nothing changes)."""
        user = self.context["request"].user
        return chains.update_chain(user, chain, validated.get("name"), validated.get("steps"))


class IsCityOffice(permissions.BasePermission):
    message = chains.ONLY_CITY_OFFICE

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return request.user.is_authenticated
        return chains.can_change_chains(request.user)


class EscalationChainViewSet(mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The escalation rules as data: read by everyone, changed by the city office."""

    queryset = EscalationChain.objects.prefetch_related("steps")
    serializer_class = ChainSerializer
    permission_classes = [permissions.IsAuthenticated, IsCityOffice]
    http_method_names = ["get", "put", "patch", "head", "options"]
