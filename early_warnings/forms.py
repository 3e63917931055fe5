"""The warning pages' forms: issue, update, lift and the answer (叫应). The workflow validates; these only read."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from organizations.models import Region
from safety_platform.lib.forms import LocalDateTimeField

from .choices import AnswerMeasure, WarningKind, WarningLevel


class AreasField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, region: Region) -> str:
        return region.indented_name


class WarningForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=WarningKind.choices)
    level = forms.ChoiceField(label=_("level"), choices=WarningLevel.choices)
    issuer = forms.CharField(label=_("issuer"), max_length=200)
    areas = AreasField(label=_("areas"), queryset=Region.objects.none(), widget=forms.SelectMultiple(attrs={"size": 8}))
    title = forms.CharField(label=_("title"), max_length=200)
    text = forms.CharField(label=_("text"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    measures = forms.CharField(label=_("measures required"), max_length=5000, required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
    tips = forms.CharField(label=_("safety tips"), max_length=5000, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
    valid_until = LocalDateTimeField(label=_("valid until"), required=False)
    include_key_units = forms.BooleanField(label=_("also the key units"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["areas"].queryset = Region.objects.visible_to(user).order_by("path")


class UpdateForm(WarningForm):
    """The version in force's values, changed where needed (the kind stays)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["kind"]


class LiftForm(forms.Form):
    note = forms.CharField(label=_("note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AnswerForm(forms.Form):
    measures = forms.MultipleChoiceField(label=_("measures taken"), choices=AnswerMeasure.choices, required=False,
                                         widget=forms.CheckboxSelectMultiple)  # fmt: skip
    note = forms.CharField(label=_("report"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))
