"""The filters of the accident records, shared by the list page and the API (one FilterSet): `year`, `kind`, `grade`,
`accident_type`, `industry`, `region`, `department`, `investigation`, `external`, `to` (a day,
inclusive). The dashboards link to the list
with these names."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from duty_roster.choices import Grade
from organizations.filters import YES_NO, IdFilter, visible_departments, visible_industries, visible_regions
from organizations.scope import Reference, Scope
from risks.choices import AccidentType
from safety_platform.lib.query import IntegerFilter
from workdays.calendar import SHANGHAI

from .choices import AccidentKind, Investigation


class AccidentFilterSet(filters.FilterSet):
    year = IntegerFilter(method="filter_year", min_value=2000, max_value=2100, label=_("year"))
    kind = filters.ChoiceFilter(choices=AccidentKind.choices, label=_("kind"), empty_label=_("any"))
    grade = filters.ChoiceFilter(choices=Grade.choices, label=_("grade"), empty_label=_("any"))
    accident_type = filters.ChoiceFilter(choices=AccidentType.choices, label=_("accident type"),
                                         empty_label=_("any"))  # fmt: skip
    industry = IdFilter(queryset=visible_industries, method="filter_industry", label=_("industry"),
                        empty_label=_("any"))  # fmt: skip
    region = IdFilter(queryset=visible_regions, method="filter_region", label=_("region"), empty_label=_("any"))
    department = IdFilter(queryset=visible_departments, field_name="department", label=_("supervising department"),
                          empty_label=_("any"))  # fmt: skip
    investigation = filters.ChoiceFilter(choices=Investigation.choices, label=_("investigation"),
                                         empty_label=_("any"))  # fmt: skip
    external = filters.ChoiceFilter(choices=YES_NO, method="filter_external", label=_("elsewhere"),
                                    empty_label=_("any"))  # fmt: skip
    # The dashboard's "same period last year" stops the year's list on the same day (inclusive, the city's time).
    to = filters.DateFilter(method="filter_to", label=_("occurred up to (day)"))

    class Meta:
        fields: list[str] = []

    def filter_year(self, queryset, name, value):
        """The calendar year in the city's time (Asia/Shanghai)."""
        start = datetime.combine(datetime(value, 1, 1).date(), time.min, tzinfo=SHANGHAI)
        end = datetime.combine(datetime(value + 1, 1, 1).date(), time.min, tzinfo=SHANGHAI)
        return queryset.filter(occurred_at__gte=start, occurred_at__lt=end)

    def filter_to(self, queryset, name, value):
        end = datetime.combine(value + timedelta(days=1), time.min, tzinfo=SHANGHAI)
        return queryset.filter(occurred_at__lt=end)

    def filter_industry(self, queryset, name, value):
        """An industry, or a sector with its industries at every depth."""
        user = getattr(self.request, "user", None)
        reference = Scope.for_user(user).reference if user is not None else Reference()  # the request's, cached
        return queryset.filter(industry_id__in=sorted(reference.with_descendants({value.pk})))

    def filter_region(self, queryset, name, value):
        """The region and its subtree (an accident elsewhere sits at the city)."""
        return queryset.filter(region_path__startswith=value.path)

    def filter_external(self, queryset, name, value):
        return queryset.filter(external=value == "true")
