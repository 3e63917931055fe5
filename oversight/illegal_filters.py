"""The filters of the illegal operations, shared by the list page and the API (one FilterSet): `kind`, `result`,
`source`, `action`, `region` (with its subtree), `at_region` (the region alone), `department`, `industry` (a sector
with its industries), `enterprise`, and the period the operations were found in: `year`, `found_from`, `found_to`
(days, inclusive). The figures (`illegal_figures`) link to the list with these names."""

from __future__ import annotations

import django_filters as filters
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organizations.filters import IdFilter, visible_departments, visible_industries, visible_regions
from organizations.scope import Scope
from safety_platform.lib.query import IntegerFilter, within_bounds

from .choices import IllegalAction, IllegalKind, IllegalResult, IllegalSource


class IllegalOperationFilterSet(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=IllegalKind.choices, label=_("kind"), empty_label=_("any"))
    result = filters.ChoiceFilter(
        choices=IllegalResult.choices, label=pgettext_lazy("illegal operation", "result"), empty_label=_("any")
    )
    source = filters.ChoiceFilter(choices=IllegalSource.choices, label=_("source"), empty_label=_("any"))
    action = filters.ChoiceFilter(
        choices=IllegalAction.choices, label=pgettext_lazy("illegal operation", "action"), empty_label=_("any")
    )
    region = IdFilter(queryset=visible_regions, method="filter_region", label=_("region"), empty_label=_("any"))
    # The region itself, not its subtree (the figures' row of what sits at a county itself).
    at_region = IdFilter(
        queryset=visible_regions, field_name="region", label=_("at the region itself"), empty_label=_("any")
    )
    department = IdFilter(
        queryset=visible_departments, field_name="department", label=_("department"), empty_label=_("any")
    )
    industry = IdFilter(
        queryset=visible_industries, method="filter_industry", label=_("industry"), empty_label=_("any")
    )
    # By id (the enterprise's supervision page links here): the rows are cut to the scope already, and a select of
    # every enterprise in scope would be a hundred thousand options.
    enterprise = IntegerFilter(field_name="enterprise_id", label=_("enterprise (id)"))
    year = IntegerFilter(field_name="found_on__year", min_value=2000, max_value=2100, label=_("year found"))
    found_from = filters.DateFilter(
        field_name="found_on", lookup_expr="gte", label=_("found from (day)"), validators=[within_bounds]
    )
    found_to = filters.DateFilter(
        field_name="found_on", lookup_expr="lte", label=_("found up to (day)"), validators=[within_bounds]
    )

    class Meta:
        fields: list[str] = []

    def filter_region(self, queryset, name, value):
        """The region and its subtree."""
        return queryset.filter(region_path__startswith=value.path)

    def filter_industry(self, queryset, name, value):
        """An industry, or a sector with its industries at every depth."""
        reference = Scope.for_user(self.request.user).reference
        return queryset.filter(industry_id__in=sorted(reference.with_descendants({value.pk})))
