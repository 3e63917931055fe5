"""API: my notifications (inbox), acknowledging (叫应) and how I am told (channels, quiet hours, muted kinds); the
escalation chains are `hazards.chains_api`."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from . import kinds, outbox
from .models import Notification, NotificationPreference


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = [
            "id", "kind", "title", "body", "link", "hazard", "must_answer", "answer_due_at", "acknowledged_at",
            "escalated_at", "read_at", "created_at", "vacancy_note",
        ]  # fmt: skip
        read_only_fields = fields


class KindField(serializers.ChoiceField):
    """A kind of notice one may mute; one that must be answered is refused by name, not as "not a valid choice"."""

    def __init__(self, **kwargs):
        super().__init__(choices=[(k.code, str(k.label)) for k in kinds.mutable()], **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str) and data not in self.choices:
            kinds.check_muted([data])  # raises the message naming the kind
        return super().to_internal_value(data)


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$",
        "nullable": True,
        "example": "22:00",
    }
)
class ClockField(serializers.TimeField):
    """A time of day on the Shanghai clock, "HH:MM" (seconds allowed in): no time zone, as quiet hours are meant."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", input_formats=["%H:%M", "%H:%M:%S"], allow_null=True, required=False,
                         **kwargs)  # fmt: skip


class PreferenceSerializer(serializers.ModelSerializer):
    """Channels besides the inbox, quiet hours (both ends or neither), and the kinds that come to the inbox only.
    `always` lists the kinds that cannot be muted (must-answer)."""

    quiet_from = ClockField()
    quiet_until = ClockField()
    muted_kinds = serializers.ListField(child=KindField(), required=False)
    always = serializers.SerializerMethodField()

    class Meta:
        model = NotificationPreference
        fields = ["email", "webhook", "quiet_from", "quiet_until", "muted_kinds", "always"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["muted_kinds"].child = KindField()  # the kinds registered by now (apps register when ready)
        self.fields["muted_kinds"].child.bind("", self.fields["muted_kinds"])

    def get_always(self, preference) -> list[str]:
        return [k.code for k in kinds.always()]

    def validate_muted_kinds(self, value):
        return kinds.check_muted(value)

    def validate(self, data):
        start = data.get("quiet_from", getattr(self.instance, "quiet_from", None))
        end = data.get("quiet_until", getattr(self.instance, "quiet_until", None))
        if bool(start) != bool(end):
            raise serializers.ValidationError({"quiet_until": _("Give both ends of the quiet hours, or neither.")})
        return data


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

    @extend_schema(methods=["GET"], request=None, responses=PreferenceSerializer)
    @extend_schema(methods=["PUT", "PATCH"], request=PreferenceSerializer, responses=PreferenceSerializer)
    @action(detail=False, methods=["get", "put", "patch"], pagination_class=None, filter_backends=[])
    def preferences(self, request):
        """How I am told: e-mail, the SMS gateway, quiet hours, and kinds muted to the inbox only. A must-answer
        kind (`always`) cannot be muted: 400 naming it."""
        preference, _created = NotificationPreference.objects.get_or_create(user=request.user)
        if request.method == "GET":
            return Response(PreferenceSerializer(preference).data)
        serializer = PreferenceSerializer(preference, data=request.data, partial=request.method == "PATCH")
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response(serializer.data)
