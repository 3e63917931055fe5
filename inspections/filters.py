from __future__ import annotations

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from safety_platform.lib.query import BooleanFilter, IntegerFilter, within_bounds

from .choices import InspectionKind, InspectionStatus
from .models import Campaign, Inspection


def visible_campaigns(request):
    return Campaign.objects.visible_to(request.user) if request else Campaign.objects.none()


class InspectionFilterSet(filters.FilterSet):
    status = filters.ChoiceFilter(choices=InspectionStatus.choices, label=_("status"))
    kind = filters.ChoiceFilter(choices=InspectionKind.choices, label=_("kind"))
    campaign = filters.ModelChoiceFilter(queryset=visible_campaigns, label=_("campaign"))
    enterprise = IntegerFilter(field_name="enterprise_id", label=_("enterprise"))
    date_after = filters.DateFilter(field_name="date", lookup_expr="gte", validators=[within_bounds], label=_("from"))
    date_before = filters.DateFilter(field_name="date", lookup_expr="lte", validators=[within_bounds], label=_("until"))
    mine = BooleanFilter(method="filter_mine", label=_("mine"))

    class Meta:
        model = Inspection
        fields = ["status", "kind", "campaign", "enterprise", "date_after", "date_before", "mine"]

    def filter_mine(self, queryset, name, value):
        return queryset.filter(members=self.request.user) if value else queryset
