"""The filters of certificates and principal verifications, shared by the list pages and the API (one FilterSet
each). Certificates: `validity` (`expiring`: valid and expiring within CERTIFICATE_SOON_DAYS days, `expired`,
`valid`), `holder`, `kind`, `region`, `enterprise`. Verifications: `result` (`in_post`, `not_in_post`,
`no_experience`), `campaign`, `region`, `enterprise`."""

from __future__ import annotations

from datetime import timedelta

import django_filters as filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from inspections.choices import CampaignKind
from inspections.models import Campaign
from organizations.filters import IdFilter, visible_regions
from organizations.models import Enterprise
from safety_platform.lib.forms import FoldedFilters

from .choices import CertificateKind, Holder

# A certificate expiring within this many days (today included) is listed as expiring.
CERTIFICATE_SOON_DAYS = 30

VALIDITY = [
    ("expiring", _("expiring within 30 days")),
    ("expired", _("expired")),
    ("valid", pgettext_lazy("certificate", "valid")),
]
RESULTS = [
    ("in_post", _("in post")),
    ("not_in_post", _("not in post")),
    ("no_experience", _("without experience")),
]


def visible_enterprises(request):
    return Enterprise.objects.visible_to(request.user) if request else Enterprise.objects.none()


def verification_campaigns(request):
    if not request:
        return Campaign.objects.none()
    return Campaign.objects.visible_to(request.user).filter(kind=CampaignKind.PRINCIPAL_VERIFICATION)


class _ByEnterprise(FoldedFilters, filters.FilterSet):
    region = IdFilter(queryset=visible_regions, method="filter_region", label=_("region"), empty_label=_("any"))
    enterprise = IdFilter(queryset=visible_enterprises, field_name="enterprise", label=_("enterprise"),
                          empty_label=_("any"))  # fmt: skip

    # The list page shows these at once and folds the rest, the enterprise as the searchable picker
    # (templates/_filters.html); the API ignores it.
    COMMON: tuple[str, ...] = ()

    def filter_region(self, queryset, name, value):
        """The region and its subtree."""
        return queryset.filter(enterprise__region__path__startswith=value.path)

    def chosen_enterprise(self):
        """The enterprise filtered on, once validated (for the picker to show it chosen)."""
        if self.is_bound and self.is_valid():
            return self.form.cleaned_data.get("enterprise")
        return None


class CertificateFilterSet(_ByEnterprise):
    validity = filters.ChoiceFilter(choices=VALIDITY, method="filter_validity", label=_("validity"),
                                    empty_label=_("any"))  # fmt: skip
    holder = filters.ChoiceFilter(choices=Holder.choices, label=_("held by"), empty_label=_("any"))
    kind = filters.ChoiceFilter(choices=CertificateKind.choices, label=_("certificate kind"), empty_label=_("any"))

    COMMON = ("validity", "holder")

    class Meta:
        fields: list[str] = []

    def filter_validity(self, queryset, name, value):
        """Valid through the expiry day: expired before today; expiring today up to 30 days on."""
        today = timezone.localdate()
        if value == "expired":
            return queryset.filter(expires_on__lt=today)
        if value == "expiring":
            return queryset.filter(expires_on__gte=today, expires_on__lte=today + timedelta(days=CERTIFICATE_SOON_DAYS))
        return queryset.filter(expires_on__gte=today)


class VerificationFilterSet(_ByEnterprise):
    result = filters.ChoiceFilter(
        choices=RESULTS, method="filter_result", label=pgettext_lazy("verification", "result"), empty_label=_("any")
    )
    campaign = IdFilter(queryset=verification_campaigns, field_name="campaign", label=_("campaign"),
                        empty_label=_("any"))  # fmt: skip

    COMMON = ("result", "campaign")

    class Meta:
        fields: list[str] = []

    def filter_result(self, queryset, name, value):
        if value == "in_post":
            return queryset.filter(in_post=True)
        if value == "not_in_post":
            return queryset.filter(in_post=False)
        return queryset.filter(has_experience=False)
