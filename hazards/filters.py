"""The hazard FilterSet: one for the API and the list page, every choice from the user's scope."""

from __future__ import annotations

from datetime import timedelta

import django_filters as filters
from django import forms
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.filters import YES_NO, IdFilter, visible_departments, visible_industries, visible_regions
from organizations.models import Enterprise
from organizations.scope import Scope
from safety_platform.lib.forms import FoldedFilters
from safety_platform.lib.query import IntegerFilter, within_bounds

from .choices import OPEN_STATUSES, Level, Source, Status
from .models import WAIT_STATUS, EscalationKind, HazardCategory

# Closed by its deadline (or closed without one): the on-time rate's numerator, shared with the dashboards.
ON_TIME = Q(status=Status.CLOSED) & (Q(deadline__isnull=True) | Q(closed_at__lte=F("deadline")))


def date_input():
    """A date picker on a phone; where a browser has none, a text box that shows the format (年-月-日)."""
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "placeholder": _("YYYY-MM-DD")})


def visible_enterprises(request):
    return Enterprise.objects.visible_to(request.user) if request else Enterprise.objects.none()


class HazardFilterSet(FoldedFilters, filters.FilterSet):
    q = filters.CharFilter(method="filter_q", label=_("code or title"))
    # distinct=False: a plain IN needs no SELECT DISTINCT, which would sort the whole match.
    status = filters.MultipleChoiceFilter(
        choices=Status.choices, distinct=False, label=_("status"), widget=forms.CheckboxSelectMultiple
    )
    level = filters.ChoiceFilter(choices=Level.choices, label=_("level"), empty_label=_("any"))
    category = filters.ModelChoiceFilter(
        queryset=HazardCategory.objects.all(), to_field_name="code", label=_("category"), empty_label=_("any")
    )
    source = filters.ChoiceFilter(choices=Source.choices, label=_("source"), empty_label=_("any"))
    region = IdFilter(queryset=visible_regions, method="filter_region", label=_("region"), empty_label=_("any"))
    department = IdFilter(queryset=visible_departments, label=_("supervising department"), empty_label=_("any"))
    industry = IdFilter(
        queryset=visible_industries, method="filter_industry", label=_("industry"), empty_label=_("any")
    )
    enterprise = IntegerFilter(method="filter_enterprise", label=_("enterprise"))
    is_overdue = filters.ChoiceFilter(choices=YES_NO, method="filter_overdue", label=_("overdue"), empty_label=_("any"))
    # Bounded so that now - days stays a datetime (999999 days, 1e10 and -1e10 overflowed it).
    overdue_days_min = IntegerFilter(
        method="filter_overdue_days", min_value=0, max_value=36500, label=_("overdue by at least (days)")
    )
    # Overdue on the government's side (docs/escalation.md): not confirmed, or not accepted, in time.
    overdue_for = filters.ChoiceFilter(
        choices=[(k, EscalationKind(k).label) for k in WAIT_STATUS],
        method="filter_overdue_for",
        label=_("overdue for the government"),
        empty_label=_("any"),
    )
    listed = filters.ChoiceFilter(
        choices=YES_NO, method="filter_listed", label=_("under listed supervision"), empty_label=_("any")
    )
    recurrence = filters.ChoiceFilter(
        choices=YES_NO, method="filter_recurrence", label=_("recurrence"), empty_label=_("any")
    )
    created_after = filters.DateFilter(
        field_name="created_at",
        lookup_expr="date__gte",
        validators=[within_bounds],
        label=_("filed from"),
        widget=date_input(),
    )
    created_before = filters.DateFilter(
        field_name="created_at",
        lookup_expr="date__lte",
        validators=[within_bounds],
        label=_("filed until"),
        widget=date_input(),
    )
    closed_after = filters.DateFilter(
        field_name="closed_at",
        lookup_expr="date__gte",
        validators=[within_bounds],
        label=_("closed from"),
        widget=date_input(),
    )
    closed_before = filters.DateFilter(
        field_name="closed_at",
        lookup_expr="date__lte",
        validators=[within_bounds],
        label=_("closed until"),
        widget=date_input(),
    )
    on_time = filters.ChoiceFilter(
        choices=YES_NO, method="filter_on_time", label=_("closed by the deadline"), empty_label=_("any")
    )

    class Meta:
        fields: list[str] = []

    # The list page shows these at once and folds the rest (templates/_filters.html); the API ignores it.
    COMMON = ("status", "level", "is_overdue")

    def chosen_enterprise(self) -> int | None:
        """The enterprise filtered on, once validated (for the picker to show it chosen)."""
        if self.is_bound and self.is_valid():
            return self.form.cleaned_data.get("enterprise")
        return None

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(code__istartswith=value) | Q(title__icontains=value))

    def filter_region(self, queryset, name, value):
        return queryset.filter(region_path__startswith=value.path)

    def filter_industry(self, queryset, name, value):
        ids = Scope.for_user(self.request.user).reference.with_descendants([value.id])
        return queryset.filter(industry_id__in=sorted(ids))

    def filter_enterprise(self, queryset, name, value):
        # Filtering on an enterprise outside the scope simply finds nothing: the hazards are scoped already.
        return queryset.filter(enterprise_id=value)

    def filter_overdue(self, queryset, name, value):
        overdue = Q(status__in=OPEN_STATUSES, deadline__lt=timezone.now())
        return queryset.filter(overdue) if value == "true" else queryset.exclude(overdue)

    def filter_overdue_days(self, queryset, name, value):
        return queryset.filter(status__in=OPEN_STATUSES, deadline__lt=timezone.now() - timedelta(days=value))

    def filter_overdue_for(self, queryset, name, value: str):
        return queryset.waiting_too_long(value)

    def filter_listed(self, queryset, name, value):
        active = Q(listing__isnull=False, listing__delisted_at__isnull=True)
        return queryset.filter(active) if value == "true" else queryset.exclude(active)

    def filter_on_time(self, queryset, name, value):
        return queryset.filter(ON_TIME if value == "true" else Q(status=Status.CLOSED) & ~ON_TIME)

    def filter_recurrence(self, queryset, name, value):
        return queryset.filter(recurrence_of__isnull=value != "true")
