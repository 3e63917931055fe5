"""The rewards' page forms: propose (the figures its basis needs), decide, pay. They read the inputs;
`tipoffs.rewards` validates the rules, computes the amount and writes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from duty_roster.choices import Grade

from .choices import RewardBasis
from .rewards import MAX_DEATHS, MAX_FINE, NOTE_LENGTH, REF_LENGTH, bases_for


class ProposeForm(forms.Form):
    """The basis follows the report's kind (a concealed accident's deaths, else the fine): only its figures show."""

    basis = forms.ChoiceField(choices=RewardBasis.choices, widget=forms.HiddenInput)
    fine = forms.IntegerField(
        min_value=0, max_value=MAX_FINE, required=False, label=_("fine imposed (CNY)"),
        help_text=_("The reward is 15 per cent of it, at least 3,000 and at most 300,000 CNY."),
    )  # fmt: skip
    deaths = forms.IntegerField(min_value=1, max_value=MAX_DEATHS, required=False, label=_("deaths concealed"))
    grade = forms.ChoiceField(
        choices=[("", "—"), *Grade.choices], required=False, label=_("accident grade"),
        help_text=_("Per death by the grade (30,000 to 60,000 CNY), at most 300,000 CNY."),
    )  # fmt: skip

    def __init__(self, report, *args, **kwargs):
        super().__init__(*args, **kwargs)
        basis = bases_for(report)[0]
        self.fields["basis"].initial = basis
        drop = ("deaths", "grade") if basis == RewardBasis.FINE else ("fine",)
        for name in drop:
            del self.fields[name]


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))], widget=forms.HiddenInput)
    note = forms.CharField(
        max_length=NOTE_LENGTH, required=False, label=_("reason (for a rejection)"),
        widget=forms.Textarea(attrs={"rows": 2}), help_text=_("The informant reads the reason of a rejection."),
    )  # fmt: skip


class PayForm(forms.Form):
    payment_ref = forms.CharField(
        max_length=REF_LENGTH, label=_("payment reference"), help_text=_("The voucher's or the transfer's number.")
    )
