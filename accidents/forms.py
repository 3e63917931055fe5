"""The accident records' page forms: confirm an incident, an accident elsewhere, change a record, close it. They read
the inputs; `accidents.records` validates the rules and writes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from duty_roster.choices import Grade
from organizations.models import Industry
from risks.choices import AccidentType
from safety_platform.lib.forms import LocalDateTimeField

from .choices import AccidentKind, DirectCause, IndirectCause

TEXTAREA = {"widget": forms.Textarea(attrs={"rows": 4})}


def _causes(choices, label):
    return forms.MultipleChoiceField(choices=choices, required=False, widget=forms.CheckboxSelectMultiple,
                                     label=label)  # fmt: skip


def _count(label):
    return forms.IntegerField(min_value=0, max_value=100000, label=label, initial=0)


class FiguresMixin(forms.Form):
    deaths = _count(_("deaths"))
    serious_injuries = _count(_("serious injuries"))
    minor_injuries = _count(_("minor injuries"))
    missing = _count(_("missing"))
    direct_loss = forms.DecimalField(min_value=0, max_digits=14, decimal_places=2, initial=0,
                                     label=_("direct economic loss (CNY)"))  # fmt: skip


class ConfirmForm(forms.Form):
    kind = forms.ChoiceField(choices=AccidentKind.choices, widget=forms.RadioSelect, label=_("confirmed as"))
    accident_type = forms.ChoiceField(choices=AccidentType.choices, label=_("accident type (GB 6441)"))
    title = forms.CharField(max_length=200, required=False, label=_("name"),
                            help_text=_("Empty: named as the custom is, e.g. 某公司“12·3”火灾事故."))  # fmt: skip
    direct_causes = _causes(DirectCause.choices, _("direct causes"))
    indirect_causes = _causes(IndirectCause.choices, _("indirect causes"))
    course = forms.CharField(max_length=10000, required=False, label=_("course of the accident"),
                             help_text=_("Empty: the incident report's course."), **TEXTAREA)  # fmt: skip


class ExternalForm(FiguresMixin):
    title = forms.CharField(max_length=200, label=_("name"), help_text=_("e.g. 外省某化工企业“11·28”爆炸事故"))
    source = forms.CharField(max_length=200, label=_("source"), help_text=_("e.g. 国务院安委会办公室通报"))
    occurred_at = LocalDateTimeField(label=_("time of occurrence"))
    place = forms.CharField(max_length=200, label=_("place"), help_text=_("The province and city as well."))
    enterprise_name = forms.CharField(max_length=200, required=False, label=_("enterprise"))
    industry = forms.ModelChoiceField(queryset=Industry.objects.order_by("code"), label=_("industry"))
    kind = forms.ChoiceField(choices=AccidentKind.choices, widget=forms.RadioSelect, label=_("kind"),
                             initial=AccidentKind.PRODUCTION)  # fmt: skip
    accident_type = forms.ChoiceField(choices=AccidentType.choices, label=_("accident type (GB 6441)"))
    grade = forms.ChoiceField(choices=[("", _("from the casualties and loss")), *Grade.choices], required=False,
                              label=_("grade"))  # fmt: skip
    direct_causes = _causes(DirectCause.choices, _("direct causes"))
    indirect_causes = _causes(IndirectCause.choices, _("indirect causes"))
    course = forms.CharField(max_length=10000, required=False, label=_("course of the accident"), **TEXTAREA)

    field_order = ["title", "source", "occurred_at", "place", "enterprise_name", "industry", "kind", "accident_type",
                   "grade", "deaths", "serious_injuries", "minor_injuries", "missing", "direct_loss",
                   "direct_causes", "indirect_causes", "course"]  # fmt: skip


class EditForm(FiguresMixin):
    title = forms.CharField(max_length=200, label=_("name"))
    accident_type = forms.ChoiceField(choices=AccidentType.choices, label=_("accident type (GB 6441)"))
    direct_causes = _causes(DirectCause.choices, _("direct causes"))
    indirect_causes = _causes(IndirectCause.choices, _("indirect causes"))
    course = forms.CharField(max_length=10000, required=False, label=_("course of the accident"), **TEXTAREA)

    field_order = ["title", "accident_type", "deaths", "serious_injuries", "minor_injuries", "missing", "direct_loss",
                   "direct_causes", "indirect_causes", "course"]  # fmt: skip


class ExternalEditForm(EditForm):
    """An accident elsewhere: also its source, time, place, enterprise and industry (the city office's)."""

    source = forms.CharField(max_length=200, label=_("source"))
    occurred_at = LocalDateTimeField(label=_("time of occurrence"))
    place = forms.CharField(max_length=200, label=_("place"), help_text=_("The province and city as well."))
    enterprise_name = forms.CharField(max_length=200, required=False, label=_("enterprise"))
    industry = forms.ModelChoiceField(queryset=Industry.objects.order_by("code"), label=_("industry"))

    field_order = ["title", "source", "occurred_at", "place", "enterprise_name", "industry", *EditForm.field_order[1:]]


class CloseForm(FiguresMixin):
    report = forms.FileField(label=_("investigation report (PDF)"),
                             widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}))  # fmt: skip
    findings = forms.CharField(max_length=10000, label=_("responsibility findings"), **TEXTAREA)
    measures = forms.CharField(max_length=10000, label=_("rectification and prevention measures"), **TEXTAREA)
    direct_causes = _causes(DirectCause.choices, _("direct causes"))
    indirect_causes = _causes(IndirectCause.choices, _("indirect causes"))

    field_order = ["report", "findings", "measures", "deaths", "serious_injuries", "minor_injuries", "missing",
                   "direct_loss", "direct_causes", "indirect_causes"]  # fmt: skip
