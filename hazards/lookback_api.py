"""API: look-backs (回头看) of closed major hazards, and recording one (a failed one reopens the hazard)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from . import workflow
from .choices import LookBackResult
from .lookback_views import STATES, look_backs_for
from .models import LookBack


class LookBackSerializer(serializers.ModelSerializer):
    hazard_code = serializers.CharField(source="hazard.code", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)
    result = serializers.CharField(read_only=True, help_text=_("passed or failed; empty while it is to do"))

    class Meta:
        model = LookBack
        fields = ["id", "hazard", "hazard_code", "department", "closed_at", "due_on", "is_overdue", "done_at",
                  "done_by", "result", "note"]  # fmt: skip
        read_only_fields = fields


class RecordSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=LookBackResult.choices, label=_("result"))
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, label=_("what was found"))
    deadline = serializers.DateTimeField(required=False, label=_("new deadline (when failed)"))


class LookBackViewSet(viewsets.ReadOnlyModelViewSet):
    """Look-backs in the user's scope, due day first: `?state=pending` (the default), `overdue` or `done`."""

    serializer_class = LookBackSerializer

    def get_queryset(self):
        state = self.request.query_params.get("state", "pending")
        if self.action == "list" and state not in STATES:
            raise serializers.ValidationError({"state": [_("Choose pending, overdue or done.")]})
        return look_backs_for(self.request.user, state if self.action == "list" else "all")

    def paginate_queryset(self, queryset):
        self.paginator.ordering = "due_on" if self.request.query_params.get("state") != "done" else "-done_at"
        return super().paginate_queryset(queryset)

    @extend_schema(parameters=[OpenApiParameter("state", str, enum=list(STATES))])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=RecordSerializer, responses=LookBackSerializer)
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        """Record the look-back: `passed`, or `failed` with `note` (the reason) and `deadline` (the hazard reopens)."""
        data = RecordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        look_back = workflow.record_look_back(
            request.user, int(pk) if str(pk).isdigit() else 0, values["result"], values.get("note", ""),
            values.get("deadline"),
        )  # fmt: skip
        return Response(LookBackSerializer(look_back).data)
