"""API: my notifications (inbox), acknowledging (叫应), and the escalation chains (city office)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from organizations.roles import is_city_office

from . import escalation
from .chains import update_chain
from .choices import Target
from .models import EscalationChain, EscalationStep, Notification


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = [
            "id", "title", "body", "link", "hazard", "must_answer", "answer_due_at", "acknowledged_at",
            "escalated_at", "read_at", "created_at", "vacancy_note",
        ]  # fmt: skip
        read_only_fields = fields


class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """The user's own notifications, newest first; nobody sees another person's."""

    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()  # for the schema; requests get their own below

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return Notification.objects.filter(recipient=self.request.user)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """Answer a must-answer notice: one call, timed and attributed."""
        return Response(NotificationSerializer(escalation.acknowledge(request.user, pk)).data)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        escalation.mark_read(request.user, [self.get_object().pk])
        return Response(NotificationSerializer(self.get_object()).data)


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
        offsets = [s["offset_working_days"] for s in steps]
        if len(set(offsets)) != len(offsets):
            raise serializers.ValidationError(_("Two steps cannot fall on the same day."))
        return steps

    def update(self, chain, validated):
        """Rename and/or replace the steps (`chains.update_chain`: audited, nothing written if nothing changes)."""
        user = self.context["request"].user
        return update_chain(user, chain, validated.get("name"), validated.get("steps"))


class IsCityOffice(permissions.BasePermission):
    message = _("Only the city safety office can change escalation rules.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if request.method in permissions.SAFE_METHODS:
            return user.is_authenticated
        return is_city_office(user)


class EscalationChainViewSet(mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The escalation rules as data: read by everyone, changed by the city office."""

    queryset = EscalationChain.objects.prefetch_related("steps")
    serializer_class = ChainSerializer
    permission_classes = [permissions.IsAuthenticated, IsCityOffice]
    http_method_names = ["get", "put", "patch", "head", "options"]
