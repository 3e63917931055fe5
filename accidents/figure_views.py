"""The accident statistics page (事故统计) and its Excel workbook: the period's sentence on top with a form to pick the
period, then the year's table by accident type, industry, region and grade (`statistics`). Government units only,
each for its own scope."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organizations.roles import is_government
from safety_platform.lib.forms import add_errors

from . import figures, statistics

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

PERIOD_KINDS = [
    ("", gettext_lazy("This year so far")),
    ("months", gettext_lazy("From a month to a month")),
    ("since", gettext_lazy("Since a month")),
    ("holiday", gettext_lazy("A holiday")),
    ("days", gettext_lazy("From a day to a day")),
]


class PeriodForm(forms.Form):
    """The period's kind and parameters as `figures.parse` reads them (the errors come from there); the template
    writes the inputs by hand, as the query names `from` and `to` are Python keywords (`start`, `end` here)."""

    period = forms.ChoiceField(label=gettext_lazy("Period"), choices=PERIOD_KINDS, required=False)
    month = forms.CharField(label=gettext_lazy("month (YYYY-MM)"), required=False)
    start = forms.CharField(label=gettext_lazy("from"), required=False,
                            help_text=gettext_lazy("YYYY-MM, or YYYY-MM-DD for days"))  # fmt: skip
    end = forms.CharField(label=gettext_lazy("to"), required=False)
    name = forms.ChoiceField(label=gettext_lazy("holiday"), required=False,
                             choices=[("", "")] + [(n, n) for n in figures.HOLIDAY_WORDS])  # fmt: skip
    year = forms.CharField(label=gettext_lazy("year"), required=False)


def _require(user) -> None:
    if not is_government(user):
        raise PermissionDenied(_("Only government units have the accident statistics."))


def table_year(params, period: figures.Period | None) -> int:
    """`?year=` when it is a year from 2000 to 2100, else the year the period ends in (this year by default)."""
    try:
        year = int(params.get("year") or "")
    except ValueError:
        year = 0
    if params.get("period") != "holiday" and 2000 <= year <= 2100:
        return year
    return period.end.year if period else timezone.localdate().year


@login_required
def statistics_page(request):
    _require(request.user)
    # The form sends every input; one left empty is not given.
    params = {key: value for key, value in request.GET.items() if value != ""}
    data = {**params, "start": params.get("from", ""), "end": params.get("to", "")}
    form = PeriodForm(data)
    form.is_valid()
    period, sentence, near_misses, status = None, "", 0, 200
    try:
        period = figures.parse(params)
    except ValidationError as exc:
        errors = {{"from": "start", "to": "end"}.get(k, k): v for k, v in exc.message_dict.items()}
        add_errors(form, ValidationError(errors))
        status = 400
    if period is not None:
        counts = figures.period(request.user, period)
        sentence, near_misses = figures.say(counts), counts.near_misses
    year = table_year(params, period)
    errors = [
        f"{form.fields[name].label}: {message}" if name in form.fields else message
        for name, messages in form.errors.items()
        for message in messages
    ]
    context = {
        "form": form,
        "errors": errors,
        "sentence": sentence,
        "near_misses": near_misses,
        "year": year,
        "tables": statistics.statistics(request.user, year),
        "head": statistics.head(),
    }
    return render(request, "accidents/statistics.html", context, status=status)


@login_required
def statistics_xlsx(request):
    _require(request.user)
    year = table_year(request.GET, None)
    response = HttpResponse(statistics.workbook(request.user, year), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="accident-statistics-{year}.xlsx"'
    return response
