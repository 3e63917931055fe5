"""The API of oversight's watch part, included under /api/v1/ by safety_platform/api_urls.py: /api/v1/watches/ (list
in scope, start, retrieve, PATCH change, POST end, POST visits with multipart photos and a key) and
/api/v1/resumption-checks/ (list, record). Every change calls `oversight.watches`; see docs/oversight.md."""

from __future__ import annotations

from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from safety_platform.lib.api import app_router
from safety_platform.lib.query import MAX_ID

from . import watches
from .choices import Observation
from .models import ResumptionCheck, Watch, WatchVisit


class WatchVisitPhotoSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    width = serializers.IntegerField(read_only=True)
    height = serializers.IntegerField(read_only=True)


class WatchVisitSerializer(serializers.ModelSerializer):
    observations = serializers.ListField(child=serializers.ChoiceField(choices=Observation.choices), read_only=True,
                                         label=_("what was seen"))  # fmt: skip
    photos = WatchVisitPhotoSerializer(many=True, read_only=True, label=_("photos"))

    class Meta:
        model = WatchVisit
        fields = ["id", "watch", "enterprise", "visitor", "visited_at", "observations", "activity_found", "note",
                  "photos", "recorded_at"]  # fmt: skip
        read_only_fields = fields


class WatchSerializer(serializers.ModelSerializer):
    watchers = serializers.PrimaryKeyRelatedField(many=True, read_only=True, label=_("watchers"))
    overdue = serializers.SerializerMethodField(label=_("overdue"))
    actions = serializers.SerializerMethodField(label=_("what you may do"))

    class Meta:
        model = Watch
        fields = ["id", "enterprise", "department", "watchers", "interval_days", "reason", "started_by", "started_at",
                  "due_at", "overdue", "ended_at", "ended_by", "actions"]  # fmt: skip
        read_only_fields = fields

    def get_overdue(self, watch) -> bool:
        from django.utils import timezone

        return watch.ended_at is None and watch.due_at < timezone.now()

    def get_actions(self, watch) -> list[str]:
        return sorted(watches.can(self.context["request"].user, watch))


class WatchStartSerializer(serializers.Serializer):
    enterprise = serializers.IntegerField(min_value=1, max_value=MAX_ID, label=_("enterprise"))
    department = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, label=_("department"),
                                          help_text=_("the supervising department when left out"))  # fmt: skip
    watchers = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), min_length=1,
                                     max_length=watches.MAX_WATCHERS, label=_("watchers"))  # fmt: skip
    interval_days = serializers.IntegerField(min_value=1, max_value=365, required=False,
                                             label=_("visit every (days)"))  # fmt: skip
    reason = serializers.CharField(max_length=watches.REASON_LENGTH, required=False, allow_blank=True,
                                   label=_("reason"))  # fmt: skip


class WatchChangeSerializer(serializers.Serializer):
    watchers = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False,
                                     min_length=1, max_length=watches.MAX_WATCHERS, label=_("watchers"))  # fmt: skip
    interval_days = serializers.IntegerField(min_value=1, max_value=365, required=False,
                                             label=_("visit every (days)"))  # fmt: skip
    reason = serializers.CharField(max_length=watches.REASON_LENGTH, required=False, allow_blank=True,
                                   label=_("reason"))  # fmt: skip


class WatchEndSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=watches.REASON_LENGTH, label=_("reason"))


class WatchVisitInputSerializer(serializers.Serializer):
    observations = serializers.ListField(child=serializers.ChoiceField(choices=Observation.choices), min_length=1,
                                         label=_("what was seen"))  # fmt: skip
    note = serializers.CharField(max_length=watches.NOTE_LENGTH, required=False, allow_blank=True, label=_("note"))
    photos = serializers.ListField(child=serializers.FileField(), required=False, label=_("photos"))
    visited_at = serializers.DateTimeField(required=False, label=_("visited at"))
    key = serializers.UUIDField(required=False, label=_("idempotency key"),
                                help_text=_("a repeat with the same key returns the first visit"))  # fmt: skip


class WatchViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Watches in scope (open ones first, the earliest due first); `?open=1` open only, `?overdue=1` overdue only."""

    serializer_class = WatchSerializer
    extra_error_statuses = {"create": [404, 409], "partial_update": [409], "end": [409], "visits": [409]}
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Watch.objects.none()
        found = watches.visible_watches(self.request.user).prefetch_related("watchers").order_by(
            "ended_at", "due_at", "id")  # fmt: skip
        params = self.request.query_params
        if params.get("open") == "1":
            found = found.filter(ended_at__isnull=True)
        if params.get("overdue") == "1":
            from django.utils import timezone

            found = found.filter(ended_at__isnull=True, due_at__lt=timezone.now())
        return found

    def _answer(self, watch: Watch, code: int = status.HTTP_200_OK) -> Response:
        watch = self.get_queryset().get(pk=watch.pk)
        return Response(WatchSerializer(watch, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=WatchStartSerializer, responses={201: WatchSerializer})
    def create(self, request, *args, **kwargs):
        """Start a watch on an enterprise in a watched state (403 not allowed; 409 not in a watched state, or
        watched already)."""
        data = WatchStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        watch = watches.start(request.user, v["enterprise"], v.get("department"), v["watchers"],
                              v.get("interval_days"), v.get("reason", ""))  # fmt: skip
        return self._answer(watch, status.HTTP_201_CREATED)

    @extend_schema(request=WatchChangeSerializer, responses=WatchSerializer)
    def partial_update(self, request, *args, **kwargs):
        """Change the watchers or the interval; the next visit due follows from the last visit, or the start."""
        data = WatchChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        watch = watches.change(request.user, int(kwargs["pk"]), v.get("watchers"), v.get("interval_days"),
                               v.get("reason", ""))  # fmt: skip
        return self._answer(watch)

    @extend_schema(request=WatchEndSerializer, responses=WatchSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the watch, with a reason."""
        data = WatchEndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        watch = watches.end(request.user, int(pk), data.validated_data["reason"])
        return self._answer(watch)

    @extend_schema(request={"multipart/form-data": WatchVisitInputSerializer},
                   responses={201: WatchVisitSerializer, 200: WatchVisitSerializer})  # fmt: skip
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def visits(self, request, pk=None):
        """Record a visit (multipart for photos): 201; a repeat with the same key answers 200 with the first
        visit. Activity found where none is allowed alerts the department head and the territorial leader."""
        form = request.data  # multipart: observations and photos are repeated fields (files and any text sent as one)
        if not hasattr(form, "getlist"):  # no multipart body at all: an empty form
            form = MultiValueDict({k: v if isinstance(v, list) else [v] for k, v in form.items()})
        payload = {**{k: form.get(k) for k in form}, "observations": form.getlist("observations"),
                   "photos": form.getlist("photos")}  # fmt: skip
        data = WatchVisitInputSerializer(data=payload)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        row = watches.visit(request.user, int(pk), v["observations"], v.get("note", ""), v.get("photos", ()),
                            v.get("visited_at"), v.get("key"))  # fmt: skip
        code = status.HTTP_200_OK if getattr(row, "repeated", False) else status.HTTP_201_CREATED
        row = WatchVisit.objects.prefetch_related("photos").get(pk=row.pk)
        return Response(WatchVisitSerializer(row, context=self.get_serializer_context()).data, status=code)


class ResumptionCheckSerializer(serializers.ModelSerializer):
    class Meta:
        model = ResumptionCheck
        fields = ["id", "enterprise", "department", "passed", "findings", "checked_by", "checked_at"]
        read_only_fields = fields


class ResumptionCheckInputSerializer(serializers.Serializer):
    enterprise = serializers.IntegerField(min_value=1, max_value=MAX_ID, label=_("enterprise"))
    passed = serializers.BooleanField(label=_("passed"))
    findings = serializers.CharField(max_length=watches.FINDINGS_LENGTH, label=_("findings"))


class ResumptionCheckViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Resumption checks (复产复工验收) in scope, newest first."""

    serializer_class = ResumptionCheckSerializer
    extra_error_statuses = {"create": [404, 409]}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ResumptionCheck.objects.none()
        return ResumptionCheck.objects.visible_to(self.request.user).order_by("-checked_at", "-id")

    @extend_schema(request=ResumptionCheckInputSerializer, responses={201: ResumptionCheckSerializer})
    def create(self, request, *args, **kwargs):
        """Record a check of a suspended enterprise (409 not suspended); passed, it operates again."""
        data = ResumptionCheckInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        row = watches.resume(request.user, v["enterprise"], v["passed"], v["findings"])
        return Response(ResumptionCheckSerializer(row).data, status=status.HTTP_201_CREATED)


router = app_router()
router.register("watches", WatchViewSet, basename="watch")
router.register("resumption-checks", ResumptionCheckViewSet, basename="resumption-check")

urlpatterns = [*router.urls]
