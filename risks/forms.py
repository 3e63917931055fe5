"""The risk point pages' forms: the point's fields, its controls (a formset: an empty row is no control), the
evaluation (the LEC and risk-matrix tables as selects with their meanings), retirement. They only read input; the
workflow (`risks.points`) validates and writes."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from . import evaluation
from .choices import AccidentType, Colour, ControlKind, ControlLevel, HazardFactor, Method, PointKind
from .choices import ReevaluationReason as Reason
from .points import EVALUATION_FIELDS, POINT_FIELDS


def _table(values: dict, unit: str = "") -> list[tuple[str, str]]:
    return [("", "—")] + [(str(v), f"{v}{unit} · {meaning}") for v, meaning in values.items()]


class PointForm(forms.Form):
    name = forms.CharField(max_length=120, label=_("name"))
    kind = forms.ChoiceField(choices=PointKind.choices, label=_("kind"))
    place = forms.CharField(max_length=200, required=False, label=_("place"), help_text=_("Workshop, floor, area."))
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label=_("description"))
    hazard_factors = forms.MultipleChoiceField(
        choices=HazardFactor.choices, required=False, widget=forms.CheckboxSelectMultiple, label=_("hazard factors")
    )
    accident_types = forms.MultipleChoiceField(
        choices=AccidentType.choices, required=False, widget=forms.CheckboxSelectMultiple,
        label=_("possible accidents"),
    )  # fmt: skip
    control_level = forms.ChoiceField(choices=ControlLevel.choices, label=_("control level"))
    responsible_name = forms.CharField(max_length=50, label=_("responsible person"))
    responsible_phone = forms.CharField(max_length=30, required=False, label=_("responsible person's phone"))
    is_key_place = forms.BooleanField(required=False, label=_("key place"))
    is_major_hazard_source = forms.BooleanField(required=False, label=_("major hazard source"))
    meets_major_criterion = forms.BooleanField(required=False, label=_("meets a major-risk criterion"))
    emergency_measures = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label=_("emergency measures")
    )
    report_phone = forms.CharField(max_length=30, required=False, label=_("report phone"))

    def __init__(self, *args, enterprises=None, **kwargs):
        super().__init__(*args, **kwargs)
        if enterprises is not None:  # only someone who keeps several enterprises' points (the superuser) chooses
            self.fields["enterprise"] = forms.ModelChoiceField(queryset=enterprises, label=_("enterprise"))
            self.order_fields(["enterprise"])

    def point_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in POINT_FIELDS}


class ControlForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "—"), *ControlKind.choices], required=False, label=_("kind"))
    measure = forms.CharField(max_length=2000, required=False, label=_("measure"))


ControlFormSet = forms.formset_factory(ControlForm, extra=2, max_num=60, validate_max=True)


def controls_given(formset) -> list[dict]:
    """The filled rows, in order (a row without kind and measure is no control)."""
    rows = [f.cleaned_data for f in formset.forms if f.cleaned_data]
    return [
        {"kind": r.get("kind", ""), "measure": r.get("measure", "")} for r in rows if r.get("kind") or r.get("measure")
    ]


def controls_initial(point) -> list[dict]:
    return [{"kind": c.kind, "measure": c.measure} for c in point.controls.filter(is_active=True)]


class EvaluationForm(forms.Form):
    method = forms.ChoiceField(choices=Method.choices, widget=forms.RadioSelect, label=_("method"))
    lec_l = forms.ChoiceField(choices=_table(evaluation.LEC_L), required=False, label=_("L: likelihood"))
    lec_e = forms.ChoiceField(choices=_table(evaluation.LEC_E), required=False, label=_("E: exposure"))
    lec_c = forms.ChoiceField(choices=_table(evaluation.LEC_C), required=False, label=_("C: consequence"))
    ls_l = forms.ChoiceField(choices=_table(evaluation.LS_L), required=False, label=_("L: likelihood (1–5)"))
    ls_s = forms.ChoiceField(choices=_table(evaluation.LS_S), required=False, label=_("S: severity (1–5)"))
    override_colour = forms.ChoiceField(
        choices=[("", _("no override")), *Colour.choices], required=False, label=_("raise the grade to")
    )
    override_reason = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label=_("reason for raising")
    )

    def __init__(self, *args, occasion: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if occasion:
            self.fields["occasion"] = forms.ChoiceField(choices=Reason.choices, label=_("occasion"))
            self.order_fields(["occasion"])

    def inputs(self) -> dict:
        data = self.cleaned_data
        values = {name: data.get(name) or None for name in EVALUATION_FIELDS}
        for name in ("lec_l", "lec_e", "lec_c"):
            values[name] = Decimal(values[name]) if values[name] else None
        for name in ("ls_l", "ls_s"):
            values[name] = int(values[name]) if values[name] else None
        values["override_colour"] = data.get("override_colour") or ""
        values["override_reason"] = data.get("override_reason") or ""
        return values


def evaluation_initial(point) -> dict:
    """The stored inputs as the selects' values (the tables' keys: 10, not 10.0 or 1E+1)."""
    values = {name: getattr(point, name) for name in EVALUATION_FIELDS}
    for name, table in (("lec_l", evaluation.LEC_L), ("lec_e", evaluation.LEC_E), ("lec_c", evaluation.LEC_C)):
        values[name] = next((str(k) for k in table if values[name] is not None and k == values[name]), "")
    return values


class RetireForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}), label=_("reason"))


def point_initial(point) -> dict:
    return {name: getattr(point, name) for name in POINT_FIELDS}
