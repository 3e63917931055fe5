"""API: my notifications (inbox) and acknowledging (叫应); the escalation chains are `hazards.chains_api`."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from . import outbox
from .models import Notification


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
        return Response(NotificationSerializer(outbox.acknowledge(request.user, pk)).data)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        outbox.mark_read(request.user, [self.get_object().pk])
        return Response(NotificationSerializer(self.get_object()).data)
