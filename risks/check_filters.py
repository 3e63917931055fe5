"""The filters of the check tasks, shared by the list page and the API (one FilterSet, as the hazards')."""

from __future__ import annotations

import django_filters as filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organizations.filters import YES_NO, IdFilter, visible_regions
from safety_platform.lib.query import IntegerFilter

from .choices import CheckStatus

STATUS = [*CheckStatus.choices, ("overdue", pgettext_lazy("risk check", "Overdue"))]


class CheckTaskFilterSet(filters.FilterSet):
    status = filters.ChoiceFilter(choices=STATUS, method="filter_status", label=_("status"), empty_label=_("any"))
    enterprise = IntegerFilter(field_name="enterprise_id", label=_("enterprise"))
    region = IdFilter(queryset=visible_regions, method="filter_region", label=_("region"), empty_label=_("any"))
    hollow = filters.ChoiceFilter(
        choices=[("1", _("yes")), *YES_NO], method="filter_hollow", label=_("hollow"), empty_label=_("any")
    )
    point = IntegerFilter(field_name="point_id", label=_("risk point"), widget=forms.HiddenInput)

    class Meta:
        fields: list[str] = []

    def filter_status(self, queryset, name, value):
        """Overdue: open past its due day (it may still be recorded until the next working day ends)."""
        if value == "overdue":
            return queryset.filter(status=CheckStatus.OPEN, due_on__lt=timezone.localdate())
        return queryset.filter(status=value)

    def filter_region(self, queryset, name, value):
        return queryset.filter(region_path__startswith=value.path)

    def filter_hollow(self, queryset, name, value):
        return queryset.filter(is_hollow=value in ("1", "true"))
