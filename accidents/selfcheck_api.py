"""API of the comparison self-checks under /api/v1/lesson-tasks/: the tasks in scope (filters lesson, state,
department, region), starting one, choosing a spot-check sample and recording a spot check. Every change calls
`accidents.selfchecks`; see docs/accidents.md, "The enterprise's self-check"."""

from __future__ import annotations

import django_filters as filters
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from organizations.models import Region
from safety_platform.lib.api import app_router
from safety_platform.lib.query import IntegerFilter

from . import selfchecks
from .choices import TaskState
from .models import LessonTask
from .states import state_of, state_q


class LessonTaskSerializer(serializers.ModelSerializer):
    lesson_title = serializers.CharField(source="lesson.title", read_only=True, label=_("lesson"))
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True, label=_("enterprise"))
    deadline = serializers.DateTimeField(source="lesson.deadline", read_only=True, label=_("self-check by"))
    state = serializers.SerializerMethodField(label=_("state"))
    department = serializers.IntegerField(source="department_id", read_only=True, allow_null=True,
                                          label=_("supervising department"))  # fmt: skip
    inspection = serializers.IntegerField(source="inspection_id", read_only=True, allow_null=True,
                                          label=_("self-check"))  # fmt: skip
    completed_at = serializers.DateTimeField(read_only=True, allow_null=True, label=_("done at"))
    spot_chosen_at = serializers.DateTimeField(read_only=True, allow_null=True,
                                               label=_("chosen for a spot check at"))  # fmt: skip
    spot_checked_at = serializers.DateTimeField(read_only=True, allow_null=True, label=_("spot-checked at"))
    spot_checked_by = serializers.IntegerField(source="spot_checked_by_id", read_only=True, allow_null=True,
                                               label=_("spot-checked by"))  # fmt: skip
    hollow = serializers.BooleanField(read_only=True, allow_null=True, label=_("hollow"))
    actions = serializers.SerializerMethodField(label=_("what you may do"))

    class Meta:
        model = LessonTask
        fields = ["id", "lesson", "lesson_title", "enterprise", "enterprise_name", "region_path", "industry",
                  "department", "deadline", "state", "inspection", "completed_at", "hazards_found", "escalated_at",
                  "spot_chosen_at", "spot_checked_at", "spot_checked_by", "hollow", "spot_note", "actions"]  # fmt: skip
        read_only_fields = fields

    def get_state(self, task) -> str:
        return state_of(task.completed_at, task.inspection_id is not None, task.lesson.deadline, timezone.now())

    def get_actions(self, task) -> list[str]:
        return sorted(selfchecks.can(self.context["request"].user, task))


class LessonTaskFilterSet(filters.FilterSet):
    lesson = IntegerFilter(field_name="lesson", label=_("lesson"))
    state = filters.ChoiceFilter(choices=TaskState.choices, method="in_state", label=_("state"))
    department = IntegerFilter(field_name="department", label=_("supervising department"))
    region = IntegerFilter(method="in_region", label=_("region (and its subtree)"))

    class Meta:
        model = LessonTask
        fields = ["lesson", "state", "department", "region"]

    def in_state(self, queryset, name, value):
        return queryset.filter(state_q(value, timezone.now()))

    def in_region(self, queryset, name, value):
        region = Region.objects.filter(pk=value).first()
        return queryset.filter(region_path__startswith=region.path) if region else queryset.none()


class SpotCheckSerializer(serializers.Serializer):
    hollow = serializers.BooleanField(label=_("hollow"), help_text=_("Nothing found where there was something."))
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, label=_("note"),
                                 help_text=_("Required when hollow: what the self-check missed."))  # fmt: skip


class SampleSerializer(serializers.Serializer):
    lesson = serializers.IntegerField(min_value=1, max_value=2**31 - 1, label=_("lesson"))
    percent = serializers.IntegerField(min_value=1, max_value=100, required=False, label=_("share (%)"),
                                       help_text=_("Default: the setting ACCIDENT_SPOT_CHECK_PERCENT."))  # fmt: skip


class SampleResultSerializer(serializers.Serializer):
    lesson = serializers.IntegerField(label=_("lesson"))
    chosen = serializers.IntegerField(label=_("self-checks chosen"))


class StartedSerializer(serializers.Serializer):
    inspection = serializers.IntegerField(label=_("self-check"))
    fill = serializers.CharField(label=_("the answer form"))


class LessonTaskViewSet(viewsets.ReadOnlyModelViewSet):
    """The comparison self-checks in scope (an enterprise its own), each with its state and the actions you may
    take. Started, sampled and spot-checked through their actions."""

    serializer_class = LessonTaskSerializer
    filterset_class = LessonTaskFilterSet
    extra_error_statuses = {"sample": [404]}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return LessonTask.objects.none()
        return (
            selfchecks.visible_tasks(self.request.user)
            .select_related("lesson", "enterprise")
            .order_by("-lesson_id", "id")
        )

    @extend_schema(request=None, responses=StartedSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """The enterprise's principal person or safety manager starts the self-check (or gets the one started):
        the inspection to answer with `/api/v1/inspections/{id}/answers/` and submit (409 when the lesson is
        withdrawn or the self-check done)."""
        inspection = selfchecks.start(request.user, int(pk))
        return Response({"inspection": inspection.pk, "fill": f"/inspections/{inspection.pk}/fill/1/"})

    @extend_schema(request=SpotCheckSerializer, responses=LessonTaskSerializer)
    @action(detail=True, methods=["post"], url_path="spot-check")
    def spot_check(self, request, pk=None):
        """Record the spot check of a chosen self-check, once (409 when not chosen or recorded already); hollow
        needs a note, and the enterprise is told."""
        data = SpotCheckSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        selfchecks.spot_check(request.user, int(pk), hollow=data.validated_data["hollow"],
                              note=data.validated_data.get("note", ""))  # fmt: skip
        return Response(self.get_serializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(request=SampleSerializer, responses={201: SampleResultSerializer})
    @action(detail=False, methods=["post"])
    def sample(self, request):
        """Choose a random share of the lesson's completed self-checks in your scope not chosen yet (at least one
        when there is any) for a spot check (404 for a lesson out of scope; 409 unless published)."""
        data = SampleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lesson = data.validated_data["lesson"]
        percent = data.validated_data.get("percent", settings.ACCIDENT_SPOT_CHECK_PERCENT)
        chosen = selfchecks.choose_sample(request.user, lesson, percent)
        return Response({"lesson": lesson, "chosen": chosen}, status=status.HTTP_201_CREATED)


# --- URLs (included under /api/v1/ by safety_platform/api_urls.py) --------------------------------------------------

router = app_router()
router.register("lesson-tasks", LessonTaskViewSet, basename="lesson-task")

urlpatterns = [*router.urls]
