"""The enterprise's checks in the API: `/api/v1/risks/checks/` (list, retrieve) and `POST …/{id}/record/` with the
answers (JSON, or multipart with the answers as a JSON string and each photo as `photo_<control id>`, as the hazard
API takes photos). Recording calls `risks.checks.record_check`."""

from __future__ import annotations

import json

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from safety_platform.lib.parsers import JSONParser

from . import checks
from .check_filters import CheckTaskFilterSet
from .models import CheckResult, CheckTask


class RiskCheckResultSerializer(serializers.ModelSerializer):
    hazard_code = serializers.CharField(source="hazard.code", default=None, read_only=True, allow_null=True)

    class Meta:
        model = CheckResult
        fields = ["control", "in_place", "note", "hazard", "hazard_code"]


class RiskCheckSerializer(serializers.ModelSerializer):
    point_name = serializers.CharField(source="point.name", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    results = RiskCheckResultSerializer(many=True, read_only=True)

    class Meta:
        model = CheckTask
        fields = ["id", "point", "point_name", "enterprise", "enterprise_name", "control_level", "period_start",
                  "due_on", "theme", "status", "started_at", "done_at", "done_by", "is_hollow", "results"]  # fmt: skip


class RiskCheckAnswerSerializer(serializers.Serializer):
    control = serializers.IntegerField(min_value=1, label=_("control measure"))
    in_place = serializers.BooleanField(label=_("in place"))
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="", label=_("note"))


class _Answers(serializers.ListField):
    """A list of answers; in a multipart body, the same list as one JSON string."""

    def to_internal_value(self, data):
        if isinstance(data, list) and len(data) == 1 and isinstance(data[0], str):
            data = data[0]  # a form field, read as a list of its values
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                raise serializers.ValidationError(_("Give the answers as a JSON list.")) from None
        return super().to_internal_value(data)


class RiskCheckRecordSerializer(serializers.Serializer):
    started_at = serializers.DateTimeField(label=_("started at"), help_text=_("When the check began on site."))
    answers = _Answers(child=RiskCheckAnswerSerializer(), min_length=1, label=_("answers"))


class RiskCheckViewSet(viewsets.ReadOnlyModelViewSet):
    """The checks in the user's scope; an enterprise's principal or safety manager records its own."""

    serializer_class = RiskCheckSerializer
    filterset_class = CheckTaskFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        queryset = CheckTask.objects.visible_to(self.request.user).select_related("point", "enterprise")
        return queryset.prefetch_related("results__hazard")

    # The schema says JSON, as the hazard's create does; multipart with photos is taken the same way.
    @extend_schema(request=RiskCheckRecordSerializer, responses=RiskCheckSerializer)
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        """Record the check: every control of the point answered once; one not in place needs a photo
        (`photo_<control id>`, multipart) and files a hazard linked to the point. 409 when done or missed."""
        serializer = RiskCheckRecordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        answers = [checks.Answer(control=a["control"], in_place=a["in_place"], note=a.get("note", ""),
                                 photos=tuple(request.FILES.getlist(f"photo_{a['control']}")))
                   for a in data["answers"]]  # fmt: skip
        task = checks.record_check(request.user, int(pk), answers, data["started_at"])
        return Response(RiskCheckSerializer(self.get_queryset().get(pk=task.pk)).data)
