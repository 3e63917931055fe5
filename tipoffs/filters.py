"""The handlers' reports and their filters, shared by the queue page, its export and the API (one FilterSet):
`state` (repeatable), `channel`, `kind`, `overdue=1`, `handler=mine`, `q` (receipt code, exact or prefix), `region`
(with its subtree, among the visible regions), `department`, `received_from` / `received_to` (local days, both
inclusive: the figures' period). See docs/tipoffs.md, "Handling".

Every query starts from `seen_by(user)`: the reports in the user's scope (`Report.objects.visible_to`) and those
handed to the user's unit outside it (a territory's government handed a report outside its subtree; a department
sees what is handed to it by its scope already). Nothing here reaches the informant.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import django_filters as filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organizations.choices import UnitKind
from organizations.filters import IdFilter, visible_departments, visible_regions
from organizations.roles import GOVERNMENT_PUBLISHERS
from safety_platform.lib.forms import FoldedFilters

from .choices import OPEN_STATES, Channel, Kind, State
from .limits import handled_by
from .models import Report, overdue_q


def mine_q(user) -> Q | None:
    """The open reports the user's unit handles now (`limits.handled_by`, which the home page's queue counts with);
    None for anyone who handles none."""
    if not getattr(user, "is_authenticated", False):
        return None
    return handled_by(user) & Q(state__in=OPEN_STATES)


def day_start(day: date) -> datetime:
    """The first moment of a local day."""
    return timezone.make_aware(datetime.combine(day, time.min))


def seen_by(user):
    """The reports the user sees: the scope's, plus those handed to the user's territory (see the module)."""
    visible = Report.objects.visible_to(user)
    if (
        getattr(user, "is_authenticated", False)
        and user.unit_kind == UnitKind.GOVERNMENT
        and user.region_id
        and user.holds(*GOVERNMENT_PUBLISHERS)
    ):
        handed = Report.objects.filter(department__isnull=True, handler_region_id=user.region_id)
        return visible | handed
    return visible


class ReportFilterSet(FoldedFilters, filters.FilterSet):
    q = filters.CharFilter(method="filter_q", max_length=20, label=_("receipt code"))
    # distinct=False: a plain IN needs no SELECT DISTINCT.
    state = filters.MultipleChoiceFilter(
        choices=State.choices, distinct=False, label=_("state"), widget=forms.CheckboxSelectMultiple
    )
    channel = filters.ChoiceFilter(
        choices=Channel.choices, label=pgettext_lazy("tip-off", "channel"), empty_label=_("any")
    )
    kind = filters.ChoiceFilter(choices=Kind.choices, label=_("kind"), empty_label=_("any"))
    overdue = filters.ChoiceFilter(
        choices=[("1", _("overdue only"))], method="filter_overdue", label=_("overdue"), empty_label=_("any")
    )
    handler = filters.ChoiceFilter(
        choices=[("mine", _("handled by my unit"))], method="filter_handler", label=_("handler"), empty_label=_("any")
    )
    region = IdFilter(queryset=visible_regions, method="filter_region", label=_("region"), empty_label=_("any"))
    # The days received, both inclusive (local days): the figures' period opens the list with these.
    received_from = filters.DateFilter(method="filter_received_from", label=_("received from"))
    received_to = filters.DateFilter(method="filter_received_to", label=_("received to"))
    department = IdFilter(
        queryset=visible_departments, field_name="department", label=_("handling department"), empty_label=_("any")
    )

    class Meta:
        fields: list[str] = []

    # The list page shows these at once and folds the rest (templates/_filters.html); the API ignores it.
    COMMON = ("state", "q", "handler", "overdue")

    def filter_q(self, queryset, name, value):
        code = value.strip().upper()
        return queryset.filter(code__startswith=code) if code else queryset

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(overdue_q(timezone.now())) if value == "1" else queryset

    def filter_handler(self, queryset, name, value):
        if value != "mine":
            return queryset
        mine = mine_q(self.request.user if self.request else None)
        return queryset.filter(mine) if mine is not None else queryset.none()

    def filter_received_from(self, queryset, name, value):
        return queryset.filter(received_at__gte=day_start(value))

    def filter_received_to(self, queryset, name, value):
        return queryset.filter(received_at__lt=day_start(value + timedelta(days=1)))

    def filter_region(self, queryset, name, value):
        """The region and its subtree."""
        return queryset.filter(region_path__startswith=value.path)
