"""The risk point FilterSet: one for the API and the list page (and the four-colour picture's drill-down links, whose
counts must equal the list's), every choice from the user's scope. docs/risks.md lists the parameters."""

from __future__ import annotations

import django_filters as filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organizations.filters import IdFilter, visible_departments, visible_industries, visible_regions
from organizations.scope import Scope
from safety_platform.lib.query import BooleanFilter, IntegerFilter

from . import points
from .choices import Colour, PointKind


class RiskPointFilterSet(filters.FilterSet):
    q = filters.CharFilter(method="filter_q", label=_("name or place"))
    colour = filters.ChoiceFilter(choices=Colour.choices, label=_("colour"), empty_label=_("any"))
    kind = filters.ChoiceFilter(choices=PointKind.choices, label=_("kind"), empty_label=_("any"))
    key_place = BooleanFilter(field_name="is_key_place", label=_("key place"))
    key_unit = BooleanFilter(field_name="enterprise__is_key_unit", label=_("key unit"))
    reevaluation = filters.ChoiceFilter(
        choices=[("overdue", _("overdue"))], method="filter_reevaluation", label=_("re-evaluation"),
        empty_label=_("any"),
    )  # fmt: skip
    enterprise = IntegerFilter(field_name="enterprise_id", label=_("enterprise"))
    region = IdFilter(queryset=visible_regions, method="filter_region", label=_("region"), empty_label=_("any"))
    industry = IdFilter(
        queryset=visible_industries, method="filter_industry", label=_("industry"), empty_label=_("any")
    )
    department = IdFilter(queryset=visible_departments, label=_("supervising department"), empty_label=_("any"))

    class Meta:
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(place__icontains=value)) if value else queryset

    def filter_reevaluation(self, queryset, name, value):
        return queryset.filter(points.overdue())

    def filter_region(self, queryset, name, value):
        """The region and everything below it."""
        return queryset.filter(region_path__startswith=value.path)

    def filter_industry(self, queryset, name, value):
        """The industry, or every industry of a sector."""
        ids = Scope.for_user(self.request.user).reference.with_descendants([value.id])
        return queryset.filter(industry_id__in=sorted(ids))
