"""The handlers' page forms: one per action of `handling.allowed` (the writers validate the rules and write) and the
form to register a report received by phone, letter, visit, e-mail or referral (`intake.submit` with the actor).
They read the inputs; nothing here writes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hazards.choices import Level
from hazards.models import HazardCategory
from organizations.models import Department, Industry, Region
from oversight.models import IllegalOperation
from safety_platform.lib.forms import LocalDateTimeField

from .choices import STAFF_CHANNELS, Channel, Kind, Outcome
from .handling import REASON_LENGTH, TEXT_LENGTH


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.indented_name


def _reason(label, help_text="", required=True):
    return forms.CharField(
        label=label, max_length=REASON_LENGTH, required=required, help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip


class AcceptForm(forms.Form):
    industry = forms.ModelChoiceField(
        queryset=Industry.objects.order_by("code"), required=False, label=_("industry"),
        help_text=_("Empty: as it is."),
    )  # fmt: skip
    note = _reason(_("note (inside)"), required=False)


class TransferForm(forms.Form):
    department = forms.ModelChoiceField(
        queryset=Department.objects.select_related("region").order_by("region__path", "code"),
        required=False, label=_("to a department"),
    )  # fmt: skip
    region = RegionChoiceField(
        queryset=Region.objects.order_by("path"), required=False, label=_("or to a territory (its government)")
    )
    reason = _reason(_("reason (inside)"), _("The informant reads only which unit handles the report."))


class DeclineForm(forms.Form):
    reason = _reason(_("reason"), _("The informant reads it."))


class MergeForm(forms.Form):
    note = _reason(_("note (inside)"), required=False)


class SpamForm(forms.Form):
    reason = _reason(_("reason (inside)"), _("The informant reads only that the report was not accepted."))


class ExtendForm(forms.Form):
    reason = _reason(_("reason"), _("The informant reads it."))


class HazardForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    description = forms.CharField(
        label=_("description"), max_length=TEXT_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )
    category = forms.ModelChoiceField(queryset=HazardCategory.objects.order_by("code"), label=_("category"))
    level = forms.ChoiceField(choices=Level.choices, initial=Level.GENERAL, label=_("level"))
    place = forms.CharField(label=_("place"), max_length=300, required=False, help_text=_("Empty: the report's."))
    deadline = LocalDateTimeField(label=_("deadline"), required=False)


class IllegalForm(forms.Form):
    kind = forms.ChoiceField(choices=IllegalOperation._meta.get_field("kind").choices, label=_("what was found"))
    description = forms.CharField(
        label=_("description"), max_length=TEXT_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )


class VerifyForm(forms.Form):
    outcome = forms.ChoiceField(choices=Outcome.choices, widget=forms.RadioSelect, label=_("outcome"))
    finding = forms.CharField(
        label=_("what verification found (inside)"), max_length=TEXT_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("answer to the informant"), max_length=TEXT_LENGTH, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The informant reads it; the report is then closed."),
    )  # fmt: skip


# The page's actions, in the order shown: name -> (the rule of handling.RULES, the form, its title, its button).
ACTIONS: dict[str, tuple[str, type[forms.Form], object, object]] = {
    "accept": ("accept", AcceptForm, _("Accept"), pgettext_lazy("tip-off", "Accept")),
    "verify": ("verify", VerifyForm, _("Verification done"), _("Save the verification")),
    "answer": ("answer", AnswerForm, _("Answer the informant"), _("Answer and close")),
    "hazard": ("link", HazardForm, _("File a hazard"), _("File the hazard")),
    "illegal": ("link", IllegalForm, _("Record an illegal operation"), _("Record")),
    "transfer": ("transfer", TransferForm, _("Transfer"), _("Transfer")),
    "extend": ("extend", ExtendForm, _("Extend the time limit once"), _("Extend")),
    "decline": ("decline", DeclineForm, _("Decline"), _("Decline")),
    "merge": ("merge", MergeForm, _("Handle with the earlier report"), _("Merge")),
    "spam": ("spam", SpamForm, _("Mark invalid"), _("Mark invalid")),
}


def offered(allowed: set[str], report) -> list[str]:
    """The page's actions the rules allow now (a hazard or an illegal operation only once each)."""
    names = [name for name, (rule, *_rest) in ACTIONS.items() if rule in allowed]
    if report.hazard_id:
        names = [n for n in names if n != "hazard"]
    if report.illegal_operation_id:
        names = [n for n in names if n != "illegal"]
    if report.repeat_of_id is None:
        names = [n for n in names if n != "merge"]
    return names


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    widget = MultipleFileInput(attrs={"accept": "image/*"})

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        return [super(PhotosField, self).clean(f, initial) for f in files]


class RegisterForm(forms.Form):
    """A report received by phone (12350), letter, visit, e-mail or referral: the public form's fields, no CAPTCHA."""

    channel = forms.ChoiceField(
        choices=[(c, Channel(c).label) for c in STAFF_CHANNELS], initial=Channel.PHONE, label=_("how it was received")
    )
    kind = forms.ChoiceField(choices=Kind.choices, widget=forms.RadioSelect, label=_("what it is about"))
    description = forms.CharField(label=_("what happened"), widget=forms.Textarea(attrs={"rows": 4}))
    region = RegionChoiceField(queryset=Region.objects.order_by("path"), label=_("region"))
    address = forms.CharField(label=_("address"), max_length=300)
    enterprise_name = forms.CharField(label=_("enterprise named"), max_length=200, required=False)
    is_employee = forms.BooleanField(label=_("employee of the enterprise"), required=False)
    is_anonymous = forms.BooleanField(label=_("anonymous"), required=False)
    name = forms.CharField(label=pgettext_lazy("informant", "name"), max_length=50, required=False)
    phone = forms.CharField(label=_("phone"), max_length=20, required=False)
    contact_address = forms.CharField(label=_("contact address"), max_length=300, required=False)
    photos = PhotosField(label=_("photos"), required=False)
