"""One FilterSet per model, shared by the REST viewsets and the HTML lists (NetBox's way).

Every choice a filter offers comes from the user's visible scope, so a region or department outside
it is "not a valid choice" (400 in the API, a field error on the page), never a leak.
"""

from __future__ import annotations

import django_filters as filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from safety_platform.lib.query import BooleanFilter

from . import flags
from .choices import LicenceState, OperatingState, RegionLevel
from .models import Department, Enterprise, Industry, Region
from .scope import Reference, Scope


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(filters.ModelChoiceFilter):
    """A choice among visible objects, by id (so the schema says integer); regions show as an indented tree."""

    @property
    def field(self):
        field = super().field
        if field.queryset.model is Region:
            field.label_from_instance = lambda region: region.indented_name
        return field


@extend_schema_field(OpenApiTypes.STR)
class SignalFilter(filters.MultipleChoiceFilter):
    """The supervision signals (organizations.flags): registered by the apps as they load, so a string in the schema
    (an unknown one is a 400 that lists the known). On the page, a group of checkboxes."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        super().__init__(*args, **kwargs)


# An unknown value is an error, not "no filter" as django-filter's BooleanFilter would have it.
YES_NO = [("true", _("yes")), ("false", _("no"))]


def visible_regions(request):
    return Region.objects.visible_to(request.user) if request else Region.objects.none()


def visible_industries(request):
    return Industry.objects.visible_to(request.user) if request else Industry.objects.none()


def visible_departments(request):
    return Department.objects.visible_to(request.user) if request else Department.objects.none()


class RegionFilterSet(filters.FilterSet):
    parent = IdFilter(queryset=visible_regions, label=_("parent region"))
    within = IdFilter(queryset=visible_regions, method="filter_within", label=_("within region"))
    level = filters.ChoiceFilter(choices=RegionLevel.choices, label=_("level"))
    q = filters.CharFilter(method="filter_q", label=_("search"))

    class Meta:
        model = Region
        fields = ["parent", "within", "level", "q"]

    def filter_within(self, queryset, name, value):
        return queryset.filter(path__startswith=value.path)

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__startswith=value))


class IndustryFilterSet(filters.FilterSet):
    parent = IdFilter(queryset=visible_industries, label=_("sector"))
    q = filters.CharFilter(method="filter_q", label=_("search"))

    class Meta:
        model = Industry
        fields = ["parent", "q"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__startswith=value))


class DepartmentFilterSet(filters.FilterSet):
    region = IdFilter(queryset=visible_regions, label=_("region"))
    industry = IdFilter(queryset=visible_industries, field_name="industries", label=_("industry"))
    is_default_supervisor = BooleanFilter(label=_("default supervisor"))
    q = filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("search"))

    class Meta:
        model = Department
        fields = ["region", "industry", "is_default_supervisor", "q"]


class EnterpriseFilterSet(filters.FilterSet):
    q = filters.CharFilter(method="filter_q", label=_("name or credit code"))
    region = IdFilter(queryset=visible_regions, method="filter_region", label=_("region"))
    industry = IdFilter(queryset=visible_industries, method="filter_industry", label=_("industry"))
    department = IdFilter(queryset=visible_departments, method="filter_department", label=_("supervising department"))
    licence_state = filters.ChoiceFilter(choices=LicenceState.choices, label=_("licence state"))
    operating_state = filters.ChoiceFilter(choices=OperatingState.choices, label=_("operating state"))
    is_key_unit = filters.ChoiceFilter(choices=YES_NO, method="filter_boolean", label=_("key unit"))
    is_subcontracting = filters.ChoiceFilter(choices=YES_NO, method="filter_boolean", label=_("subcontracting"))
    is_hosted_operation = filters.ChoiceFilter(choices=YES_NO, method="filter_boolean", label=_("hosted operation"))
    is_borrowed_qualification = filters.ChoiceFilter(
        choices=YES_NO, method="filter_boolean", label=_("borrowed qualification")
    )
    # Supervision signals (organizations.flags; the oversight app adds its own): every one given must hold.
    signal = SignalFilter(choices=flags.choices, method="filter_signal", label=_("signal"))

    class Meta:
        model = Enterprise
        fields = [
            "q", "region", "industry", "department", "licence_state", "operating_state", "is_key_unit",
            "is_subcontracting", "is_hosted_operation", "is_borrowed_qualification", "signal",
        ]  # fmt: skip

    @property
    def reference(self) -> Reference:
        return Scope.for_user(self.request.user).reference

    def filter_boolean(self, queryset, name, value):
        return queryset.filter(**{name: value == "true"})

    def filter_signal(self, queryset, name, values):
        now = timezone.now()
        for key in values:
            queryset = queryset.filter(flags.condition(key, self.reference, now))
        return queryset

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(credit_code__startswith=value.upper()))

    def filter_region(self, queryset, name, value):
        """The region and everything below it."""
        return queryset.in_region(value)

    def filter_industry(self, queryset, name, value):
        """The industry, or every industry of a sector."""
        return queryset.filter(industry_id__in=sorted(self.reference.with_descendants([value.id])))

    def filter_department(self, queryset, name, value):
        """What the department supervises: its industries within its region."""
        queryset = queryset.filter(industry_id__in=sorted(self.reference.supervised_by(value)))
        return queryset if value.region.parent_id is None else queryset.in_region(value.region)
