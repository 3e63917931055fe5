"""API of the lessons under /api/v1/lessons/: list, retrieve, create (a draft), change a draft, publish, withdraw,
look back, the completion board and the task list. Every change calls `accidents.lessons`; see docs/accidents.md,
"Lessons and their comparison self-checks"."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from inspections.models import ChecklistVersion
from organizations.models import Industry, Region
from safety_platform.lib.api import app_router
from safety_platform.lib.query import MAX_ID

from . import lessons
from .choices import TaskState
from .lesson_filters import LessonFilterSet, LessonTaskFilterSet
from .models import Lesson, LessonTask

# --- serializers ----------------------------------------------------------------------------------------------------


class LessonSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True, label=_("region"))
    accident_title = serializers.CharField(source="accident.title", read_only=True, label=_("accident"))
    department = serializers.IntegerField(source="department_id", read_only=True, allow_null=True,
                                          label=_("department"))  # fmt: skip
    look_back_of = serializers.IntegerField(source="look_back_of_id", read_only=True, allow_null=True,
                                            label=_("look-back of"))  # fmt: skip
    regions = serializers.SerializerMethodField(label=_("regions (with all below)"))
    industries = serializers.SerializerMethodField(label=_("industries"))
    done = serializers.SerializerMethodField(label=_("done in your scope"))
    actions = serializers.SerializerMethodField(label=_("what you may do"))
    published_at = serializers.DateTimeField(read_only=True, allow_null=True, label=_("published at"))

    class Meta:
        model = Lesson
        fields = ["id", "accident", "accident_title", "look_back_of", "title", "lesson", "region", "region_name",
                  "regions", "industries", "key_units_only", "like_this_one", "version", "deadline", "department",
                  "status", "published_at", "tasks_total", "done", "created_by", "created_at", "actions"]  # fmt: skip
        read_only_fields = fields

    def get_regions(self, lesson) -> list[int]:
        return sorted(r.pk for r in lesson.regions.all())

    def get_industries(self, lesson) -> list[int]:
        return sorted(i.pk for i in lesson.industries.all())

    def get_done(self, lesson) -> int:
        return self.context.get("done", {}).get(lesson.pk, (0, 0))[0]

    def get_actions(self, lesson) -> list[str]:
        return sorted(lessons.can(self.context["request"].user, lesson))


class LessonItemSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=500, label=_("what to check"))
    legal_basis = serializers.CharField(max_length=500, required=False, allow_blank=True, label=_("legal basis"))
    major_criterion = serializers.BooleanField(required=False, default=False, label=_("major hazard criterion"))


class LessonChangeSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=120, label=_("title"))
    lesson = serializers.CharField(max_length=10000, label=_("the lesson"))
    deadline = serializers.DateTimeField(label=_("self-check by"))
    regions = serializers.PrimaryKeyRelatedField(
        queryset=Region.objects.all(), many=True, required=False, label=_("regions (with all below)"),
        help_text=_("None: your unit's whole territory."),
    )  # fmt: skip
    industries = serializers.PrimaryKeyRelatedField(
        queryset=Industry.objects.all(), many=True, required=False, label=_("industries"),
        help_text=_("A sector covers its industries. None: every one (a department: those it supervises)."),
    )  # fmt: skip
    key_units_only = serializers.BooleanField(required=False, default=False, label=_("key units only"))
    like_this_one = serializers.BooleanField(required=False, default=False, label=_("enterprises like this one"))
    version = serializers.PrimaryKeyRelatedField(queryset=ChecklistVersion.objects.all(), required=False,
                                                 allow_null=True, label=_("checklist"))  # fmt: skip
    items = LessonItemSerializer(many=True, required=False, label=_("items written for this lesson"),
                           help_text=_("Instead of a checklist: what to check and its legal basis."))  # fmt: skip


class LessonInputSerializer(LessonChangeSerializer):
    accident = serializers.IntegerField(min_value=1, max_value=MAX_ID, label=_("accident"))


class LessonWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, label=_("reason"))


class LessonLookBackSerializer(serializers.Serializer):
    deadline = serializers.DateTimeField(label=_("self-check by"))
    title = serializers.CharField(max_length=120, required=False, allow_blank=True, label=_("title"))


class LessonCountsSerializer(serializers.Serializer):
    done = serializers.IntegerField(label=_("done"))
    in_progress = serializers.IntegerField(label=_("in progress"))
    pending = serializers.IntegerField(label=_("not done yet"))
    overdue = serializers.IntegerField(label=_("overdue"))
    total = serializers.IntegerField(label=_("in all"))
    rate = serializers.FloatField(label=_("done rate (%)"))


class CompletionRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="key", allow_null=True, label=_("department or region"))
    name = serializers.CharField(label=_("name"))
    own = serializers.BooleanField(label=_("the region's own enterprises"))
    counts = LessonCountsSerializer(label=_("counts"))


class LessonBoardTaskSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True, label=_("enterprise"))
    department_name = serializers.CharField(source="department.name", read_only=True, allow_null=True,
                                            default=None, label=_("supervising department"))  # fmt: skip
    state = serializers.SerializerMethodField(label=_("state"))
    completed_at = serializers.DateTimeField(read_only=True, allow_null=True, label=_("done at"))
    escalated_at = serializers.DateTimeField(read_only=True, allow_null=True, label=_("escalated at"))
    spot_chosen_at = serializers.DateTimeField(read_only=True, allow_null=True, label=_("chosen for a spot check at"))
    hollow = serializers.BooleanField(read_only=True, allow_null=True, label=_("hollow"))

    class Meta:
        model = LessonTask
        fields = ["id", "lesson", "enterprise", "enterprise_name", "region_path", "industry", "department",
                  "department_name", "state", "inspection", "completed_at", "hazards_found", "escalated_at",
                  "spot_chosen_at", "hollow"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=TaskState.choices))
    def get_state(self, task) -> str:
        return lessons.task_state(task, task.lesson, self.context["now"])


class LessonTaskPageSerializer(serializers.Serializer):
    """One page of `tasks/` (declared for the schema: a detail action is not paged by DRF's own)."""

    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = LessonBoardTaskSerializer(many=True)


class LessonTaskQuerySerializer(serializers.Serializer):
    """The query of `tasks/` (declared for the schema; `LessonTaskFilterSet` reads it)."""

    state = serializers.ChoiceField(choices=TaskState.choices, required=False, label=_("state"))
    department = serializers.CharField(required=False, max_length=12,
                                       label=_("supervising department (an id, or none)"))  # fmt: skip
    region = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID,
                                      label=_("region (and its subtree)"))  # fmt: skip
    own = serializers.BooleanField(required=False, label=_("in the region itself, not below"))
    cursor = serializers.CharField(required=False, help_text=_("The page to read (from `next`)."))
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=200, help_text=_("From 1 to 200; 50 unless given.")
    )


# --- the view set -----------------------------------------------------------------------------------------------------


class LessonViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Lessons drawn from accidents in scope (drafts only to the unit making them), each with its tasks done in your
    scope and the actions you may take; a draft is changed with PATCH, published, withdrawn and looked back on
    through their actions; `completion/` is the board, `tasks/` its lists."""

    serializer_class = LessonSerializer
    filterset_class = LessonFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]
    extra_error_statuses = {"create": [409], "partial_update": [409]}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Lesson.objects.none()
        return (
            lessons.visible_lessons(self.request.user)
            .select_related("region", "accident", "created_by", "department")
            .prefetch_related("regions", "industries")
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["done"] = getattr(self, "_done", {})
        return context

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._done = lessons.done_counts(self.request.user, page if page is not None else queryset)
        return page

    def _answer(self, lesson: Lesson, code: int = status.HTTP_200_OK) -> Response:
        lesson = self.get_queryset().get(pk=lesson.pk)
        self._done = lessons.done_counts(self.request.user, [lesson])
        return Response(self.get_serializer(lesson).data, status=code)

    def retrieve(self, request, *args, **kwargs):
        return self._answer(self.get_object())

    @extend_schema(request=LessonInputSerializer, responses={201: LessonSerializer})
    def create(self, request, *args, **kwargs):
        if not lessons.may_create(request.user):
            raise PermissionDenied(_("Only the city safety office, a regional government or a department draws a "
                                     "lesson from an accident."))  # fmt: skip
        data = LessonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        accident = values.pop("accident")
        lesson = lessons.create(request.user, accident, **values)
        return self._answer(lesson, status.HTTP_201_CREATED)

    @extend_schema(request=LessonChangeSerializer, responses=LessonSerializer)
    def partial_update(self, request, *args, **kwargs):
        data = LessonChangeSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        return self._answer(lessons.edit(request.user, int(kwargs["pk"]), dict(data.validated_data)))

    @extend_schema(exclude=True)
    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(request=None, responses=LessonSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish a draft: a task for each operating enterprise in scope and its principal's notice (409 unless a
        draft; 400 when the deadline has passed or no enterprise is in scope)."""
        return self._answer(lessons.publish(request.user, int(pk)))

    @extend_schema(request=LessonWithdrawSerializer, responses=LessonSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw a published lesson (409 otherwise); its unanswered notices stop."""
        data = LessonWithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(lessons.withdraw(request.user, int(pk), data.validated_data.get("reason", "")))

    @extend_schema(request=LessonLookBackSerializer, responses={201: LessonSerializer})
    @action(detail=True, methods=["post"], url_path="look-back")
    def look_back(self, request, pk=None):
        """回头看: a new lesson, published at once, for the enterprises whose self-check found hazards (400 when none
        did; 409 unless published)."""
        data = LessonLookBackSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        again = lessons.look_back(request.user, int(pk), **data.validated_data)
        return self._answer(again, status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            OpenApiParameter("by", str, enum=["department", "region"], description=_("Count by (default department).")),
            OpenApiParameter("region", int, description=_("Region to break down by its children (by=region).")),
        ],
        responses=CompletionRowSerializer(many=True),
    )
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def completion(self, request, pk=None):
        """The tasks in your scope counted by state, per supervising department or per child region (each count is
        the length of `tasks/?state=&department=` or `tasks/?state=&region=` (`&own=true` for a region's own))."""
        lesson = get_object_or_404(self.get_queryset(), pk=pk)
        by = request.query_params.get("by") or "department"
        if by not in ("department", "region"):
            raise ValidationError({"by": _("Count by department or by region.")})
        under = None
        raw = request.query_params.get("region")
        if raw:
            if not (raw.isascii() and raw.isdigit() and 0 < int(raw) <= MAX_ID):
                raise ValidationError({"region": _("Choose a region from the list.")})
            under = get_object_or_404(Region.objects.visible_to(request.user).filter(
                path__startswith=lesson.region_path), pk=int(raw))  # fmt: skip
        rows = lessons.completion(request.user, lesson, by, under)
        return Response(CompletionRowSerializer(rows, many=True).data)

    @extend_schema(parameters=[LessonTaskQuerySerializer], responses=LessonTaskPageSerializer)
    @action(detail=True, methods=["get"], filterset_class=LessonTaskFilterSet)
    def tasks(self, request, pk=None):
        """The lesson's tasks in your scope (an enterprise its own), cursor-paged: `?state=&department=&region=`."""
        lesson = get_object_or_404(self.get_queryset(), pk=pk)
        rows = LessonTask.objects.visible_to(request.user).filter(lesson=lesson).select_related(
            "enterprise", "department", "lesson")  # fmt: skip
        rows = self.filter_queryset(rows)
        page = self.paginate_queryset(rows)
        context = {**self.get_serializer_context(), "now": timezone.now()}
        return self.get_paginated_response(LessonBoardTaskSerializer(page, many=True, context=context).data)


# --- URLs (included under /api/v1/ by safety_platform/api_urls.py) --------------------------------------------------

router = app_router()
router.register("lessons", LessonViewSet, basename="lesson")

urlpatterns = [*router.urls]
