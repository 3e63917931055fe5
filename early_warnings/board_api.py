"""API of the live board (`/api/v1/warnings/<pk>/board/`, which the board page polls) and of the figures
(`/api/v1/warnings/figures/?start=&end=`). Read-only; scope as everywhere (out of scope: 404)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from organizations.roles import is_government

from . import board, figures


def clock(value) -> str:
    """A moment as the board shows it (local time; the day only when it is not today)."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return local.strftime("%H:%M") if local.date() == timezone.localdate() else local.strftime("%m-%d %H:%M")


class BoardWarningSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    series = serializers.IntegerField(allow_null=True)
    version = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    level = serializers.CharField()
    level_label = serializers.CharField(source="get_level_display")
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    change_note = serializers.CharField()
    issuer = serializers.CharField()
    issued_at = serializers.DateTimeField()
    valid_until = serializers.DateTimeField(allow_null=True)
    board_url = serializers.SerializerMethodField()

    def get_board_url(self, warning) -> str:
        return reverse("warning_board:board", args=[warning.pk])


class BoardTotalsSerializer(serializers.Serializer):
    posts = serializers.IntegerField()
    answered = serializers.IntegerField()
    in_time = serializers.IntegerField(help_text=_("Answered within the limit (an answer at the limit is in time)."))
    late = serializers.IntegerField()
    silent = serializers.IntegerField(help_text=_("Not answered and the limit passed."))
    pending = serializers.IntegerField(help_text=_("Not answered, still within the limit."))
    nobody = serializers.IntegerField(help_text=_("Nobody holds the post."))
    passed_up = serializers.IntegerField()
    in_time_pct = serializers.IntegerField(allow_null=True)


class BoardRegionSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    posts = serializers.IntegerField()
    in_time = serializers.IntegerField()
    late = serializers.IntegerField()
    silent = serializers.IntegerField()
    pending = serializers.IntegerField()
    nobody = serializers.IntegerField()
    passed_up = serializers.IntegerField()


class MeasureSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class MeasureCountSerializer(MeasureSerializer):
    count = serializers.IntegerField()


class BoardPostSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    post = serializers.IntegerField()
    title = serializers.CharField()
    unit = serializers.CharField()
    region = serializers.CharField()
    role = serializers.CharField()
    role_label = serializers.CharField()
    state = serializers.ChoiceField(choices=board.STATES)
    state_label = serializers.CharField()
    sent_at = serializers.DateTimeField()
    answer_due_at = serializers.DateTimeField()
    answered_at = serializers.DateTimeField(allow_null=True)
    answered_by = serializers.CharField()
    minutes = serializers.FloatField(allow_null=True)
    measures = MeasureSerializer(many=True)
    note = serializers.CharField()
    silent_since = serializers.DateTimeField(allow_null=True)
    passed_up_at = serializers.DateTimeField(allow_null=True)
    answered_text = serializers.SerializerMethodField()
    silent_text = serializers.SerializerMethodField()
    passed_up_text = serializers.SerializerMethodField()
    due_text = serializers.SerializerMethodField()

    def get_answered_text(self, row) -> str:
        return clock(row["answered_at"])

    def get_silent_text(self, row) -> str:
        return clock(row["silent_since"])

    def get_passed_up_text(self, row) -> str:
        return clock(row["passed_up_at"])

    def get_due_text(self, row) -> str:
        return clock(row["answer_due_at"])


class WarningBoardSerializer(serializers.Serializer):
    warning = BoardWarningSerializer()
    versions = BoardWarningSerializer(many=True)
    current = serializers.IntegerField(source="current.pk", help_text=_("The series' latest version."))
    now = serializers.DateTimeField()
    totals = BoardTotalsSerializer()
    regions = BoardRegionSerializer(many=True)
    measures = MeasureCountSerializer(many=True)
    posts = BoardPostSerializer(many=True, source="rows")
    more = serializers.IntegerField(help_text=_("Posts not listed (the figures count them)."))
    updated = serializers.SerializerMethodField()

    def get_updated(self, data) -> str:
        return timezone.localtime(data.now).strftime("%H:%M:%S")


class BoardView(APIView):
    """The live board of one warning version: totals, regions, measures reported and the posts, silent first."""

    serializer_class = WarningBoardSerializer

    @extend_schema(responses=WarningBoardSerializer)
    def get(self, request, pk: int):
        return Response(WarningBoardSerializer(board.build(request.user, pk)).data)


class FigureRowSerializer(serializers.Serializer):
    posts = serializers.IntegerField()
    answered = serializers.IntegerField()
    in_time = serializers.IntegerField()
    in_time_pct = serializers.FloatField(allow_null=True)
    median_minutes = serializers.FloatField(allow_null=True)
    silent = serializers.IntegerField()


class FigureWarningSerializer(FigureRowSerializer):
    warning = serializers.IntegerField()
    title = serializers.CharField()
    version = serializers.IntegerField()
    level = serializers.CharField()
    level_label = serializers.CharField()
    issued_at = serializers.DateTimeField()


class FigureLevelSerializer(FigureRowSerializer):
    level = serializers.CharField()
    level_label = serializers.CharField()


class FigureRegionSerializer(FigureRowSerializer):
    code = serializers.CharField()
    name = serializers.CharField()


class FiguresSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    total = FigureRowSerializer()
    warnings = FigureWarningSerializer(many=True)
    levels = FigureLevelSerializer(many=True)
    regions = FigureRegionSerializer(many=True)


def require_government(user) -> None:
    """The figures are the government's: an enterprise (or anyone of no unit) is refused."""
    if not is_government(user):
        raise PermissionDenied(_("The warning figures are for government units."))


class FiguresView(APIView):
    """Call-and-answer figures over `?start=YYYY-MM-DD&end=YYYY-MM-DD` (default: the last 30 days)."""

    serializer_class = FiguresSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, allow_blank=True),
            OpenApiParameter("end", OpenApiTypes.DATE, allow_blank=True),
        ],
        responses=FiguresSerializer,
    )
    def get(self, request):
        require_government(request.user)
        start, end = figures.figure_period(request.query_params)
        return Response(FiguresSerializer(figures.build(request.user, start, end)).data)
