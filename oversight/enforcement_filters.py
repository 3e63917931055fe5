"""The filters of the enforcement documents, shared by the list page and the API: `kind`, `state`, `department`,
`region` (its subtree), `enterprise`, `article_113` (the closure proposals by Art. 113)."""

from __future__ import annotations

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from organizations.filters import YES_NO, IdFilter, visible_departments, visible_regions
from safety_platform.lib.query import IntegerFilter

from .choices import ActionKind, ActionState


class EnforcementFilterSet(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=ActionKind.choices, label=_("kind"), empty_label=_("any"))
    state = filters.ChoiceFilter(choices=ActionState.choices, label=_("state"), empty_label=_("any"))
    department = IdFilter(queryset=visible_departments, field_name="department", label=_("issued by"),
                          empty_label=_("any"))  # fmt: skip
    region = IdFilter(queryset=visible_regions, method="filter_region", label=_("region"), empty_label=_("any"))
    enterprise = IntegerFilter(field_name="enterprise", label=_("enterprise"))
    article_113 = filters.ChoiceFilter(choices=YES_NO, method="filter_article_113",
                                       label=_("proposed by Art. 113"), empty_label=_("any"))  # fmt: skip

    class Meta:
        fields: list[str] = []

    def filter_region(self, queryset, name, value):
        return queryset.filter(enterprise__region__path__startswith=value.path)

    def filter_article_113(self, queryset, name, value):
        return queryset.filter(by_article_113=value == "true")
