"""The page forms of the illegal operations: record one (phone first), handle one. They read the inputs;
`oversight.illegal` validates the rules and writes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organizations.models import Department, Enterprise, Industry, Region
from organizations.scope import Scope, ScopeKind

from .choices import IllegalAction, IllegalKind, IllegalResult, IllegalSource

DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), "input_formats": ["%Y-%m-%d"]}


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.indented_name


def territory(user):
    """The regions where the user records: the whole city for the city office and a city department, else the
    subtree of the user's region."""
    scope = Scope.for_user(user)
    regions = Region.objects.order_by("path")
    if scope.kind == ScopeKind.ALL or (scope.kind == ScopeKind.DEPARTMENT and scope.is_root):
        return regions
    return regions.filter(path__startswith=scope.region_path) if scope.region_path else regions.none()


class RecordForm(forms.Form):
    kind = forms.ChoiceField(choices=IllegalKind.choices, widget=forms.RadioSelect, label=_("what was found"))
    description = forms.CharField(
        max_length=5000,
        label=_("description"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was seen: the activity, the people, the scale."),
    )
    enterprise = forms.ModelChoiceField(
        queryset=Enterprise.objects.none(), required=False, label=_("enterprise of the registry")
    )
    operator_name = forms.CharField(
        max_length=200,
        required=False,
        label=_("operator (outside the registry)"),
        help_text=_("The name found, when the operator is not in the registry."),
    )
    region = RegionChoiceField(
        queryset=Region.objects.none(), required=False, label=_("region"), help_text=_("Empty: the enterprise's.")
    )
    address = forms.CharField(
        max_length=300, required=False, label=_("address"), help_text=_("Empty: the enterprise's.")
    )
    industry = forms.ModelChoiceField(
        queryset=Industry.objects.none(), required=False, label=_("industry"), help_text=_("Empty: the enterprise's.")
    )
    department = forms.ModelChoiceField(
        queryset=Department.objects.none(),
        required=False,
        label=_("department"),
        help_text=_("Empty: the department that supervises the industry there."),
    )
    source = forms.ChoiceField(
        choices=IllegalSource.choices, widget=forms.RadioSelect, label=_("source"), initial=IllegalSource.PATROL
    )
    source_ref = forms.CharField(max_length=100, required=False, label=_("tip-off number"))
    inspection = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    visit = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    found_on = forms.DateField(label=_("found on"), **DATE)
    set_flag = forms.BooleanField(
        required=False,
        label=_("also mark the enterprise in the registry"),
        help_text=_(
            "For an enterprise of the registry found unlicensed, subcontracting "
            "illegally or under a borrowed qualification."
        ),
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.visible_to(user)
        self.fields["region"].queryset = territory(user)
        self.fields["industry"].queryset = Industry.objects.visible_to(user).order_by("code")
        self.fields["department"].queryset = Department.objects.visible_to(user).order_by("region__path", "code")

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        return {name: value for name, value in data.items() if value not in (None, "")}


class HandleForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("", "—"), *IllegalAction.choices], required=False, label=pgettext_lazy("illegal operation", "action")
    )
    result = forms.ChoiceField(choices=IllegalResult.choices, label=pgettext_lazy("illegal operation", "result"))
    closed_on = forms.DateField(
        required=False,
        label=pgettext_lazy("illegal operation", "closed on"),
        help_text=_("Empty: today, when final."),
        **DATE,
    )
