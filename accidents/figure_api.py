"""The figures from the records as JSON: `GET /api/v1/accident-figures/?period=…` (the period's accidents, deaths,
near misses, the same period a year earlier's and the sentence, in the user's language) and
`GET /api/v1/accident-figures/table/?year=` (the statistics table). Government units only, each for its own scope;
the pages read the same functions (`figures.parse`, `figures.period`, `statistics.statistics`)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from organizations.roles import is_government

from . import figures, statistics


def _require(user) -> None:
    if not is_government(user):
        raise exceptions.PermissionDenied(_("Only government units have the accident statistics."))


class AccidentFiguresSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=figures.KINDS, source="period.kind")
    start = serializers.DateField(source="period.start")
    end = serializers.DateField(source="period.end")
    previous_start = serializers.DateField(source="period.previous_start")
    previous_end = serializers.DateField(source="period.previous_end")
    accidents = serializers.IntegerField()
    deaths = serializers.IntegerField()
    previous_accidents = serializers.IntegerField()
    previous_deaths = serializers.IntegerField()
    near_misses = serializers.IntegerField()
    sentence = serializers.CharField()


class FiguresView(APIView):
    """The period's figures and their sentence. The period is `period=months&from=YYYY-MM&to=YYYY-MM`,
    `period=since&month=YYYY-MM`, `period=holiday&name=国庆节&year=2026` or `period=days&from=YYYY-MM-DD&to=…`;
    none: January to today. A period not begun, or a holiday the calendar lacks, is a 400 naming the parameter."""

    @extend_schema(
        parameters=[
            OpenApiParameter("period", str, enum=list(figures.KINDS)),
            OpenApiParameter("from", str, description="YYYY-MM (months) or YYYY-MM-DD (days)"),
            OpenApiParameter("to", str, description="YYYY-MM (months) or YYYY-MM-DD (days)"),
            OpenApiParameter("month", str, description="YYYY-MM (since)"),
            OpenApiParameter("name", str, description="the holiday's name in the working-day calendar (holiday)"),
            OpenApiParameter("year", int, description="the holiday's year (holiday)"),
        ],
        responses={200: AccidentFiguresSerializer},
    )
    def get(self, request):
        _require(request.user)
        span = figures.parse(request.query_params)
        counts = figures.period(request.user, span)
        data = {**counts.__dict__, "sentence": figures.say(counts)}
        return Response(AccidentFiguresSerializer(data).data)


class AccidentCellSerializer(serializers.Serializer):
    accidents = serializers.IntegerField()
    deaths = serializers.IntegerField()


class AccidentRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    months = serializers.SerializerMethodField()
    quarters = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField()

    @staticmethod
    def _cells(pairs) -> list[dict]:
        return [{"accidents": n, "deaths": d} for n, d in pairs]

    @extend_schema_field(AccidentCellSerializer(many=True))
    def get_months(self, row) -> list[dict]:
        return self._cells(row.months)

    @extend_schema_field(AccidentCellSerializer(many=True))
    def get_quarters(self, row) -> list[dict]:
        return self._cells(row.quarters)

    @extend_schema_field(AccidentCellSerializer)
    def get_total(self, row) -> dict:
        n, d = row.total
        return {"accidents": n, "deaths": d}


class AccidentTableSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=list(statistics.DIMENSIONS))
    title = serializers.CharField()
    rows = AccidentRowSerializer(many=True)
    total = AccidentRowSerializer()


class AccidentStatisticsSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    tables = AccidentTableSerializer(many=True)


class TableView(APIView):
    """The statistics table of `?year=` (this year by default): by accident type, industry, region and grade, each
    row with its twelve months, four quarters and total of accidents and deaths."""

    @extend_schema(parameters=[OpenApiParameter("year", int)], responses={200: AccidentStatisticsSerializer})
    def get(self, request):
        _require(request.user)
        raw = request.query_params.get("year")
        year = timezone.localdate().year
        if raw is not None:
            try:
                year = int(raw)
            except ValueError:
                year = 0
            if not 2000 <= year <= 2100:
                raise serializers.ValidationError({"year": [_("Enter a year from 2000 to 2100.")]})
        tables = statistics.statistics(request.user, year)
        return Response(AccidentStatisticsSerializer({"year": year, "tables": tables}).data)
