"""Forms of the duty pages: generating a period, editing one shift, asking for a swap or substitution, the duty log.

People are chosen among the unit's own; a choice from outside gets a clear error (the form refuses it, and so does
`rota`, which the API reaches directly).
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import DutyShift, ShiftChange
from .rota import unit_people

DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), "input_formats": ["%Y-%m-%d"]}


def person_label(person) -> str:
    return person.full_name or person.username


class PeopleField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj) -> str:
        return person_label(obj)


class PersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return person_label(obj)


NOT_IN_UNIT = _("Choose people of this unit: %(value)s is not one of them.")


class GenerateForm(forms.Form):
    start = forms.DateField(label=_("first day"), **DATE)
    end = forms.DateField(label=_("last day"), **DATE)
    leaders = PeopleField(queryset=None, label=_("leaders on duty, in turn"),
                          error_messages={"invalid_choice": NOT_IN_UNIT})  # fmt: skip
    officers = PeopleField(queryset=None, label=_("duty officers, in turn"),
                           error_messages={"invalid_choice": NOT_IN_UNIT})  # fmt: skip
    per_day = forms.IntegerField(min_value=1, max_value=12, initial=1, label=_("officers per day"))

    def __init__(self, *args, post, **kwargs):
        super().__init__(*args, **kwargs)
        people = unit_people(post).order_by("full_name", "username")
        self.fields["leaders"].queryset = self.fields["officers"].queryset = people


class ShiftForm(forms.Form):
    leader = PersonField(queryset=None, label=_("leader on duty"), required=False,
                         error_messages={"invalid_choice": _("Choose the leader on duty from this unit.")})  # fmt: skip
    officers = PeopleField(queryset=None, label=_("duty officers"), required=False,
                           error_messages={"invalid_choice": NOT_IN_UNIT})  # fmt: skip
    reason = forms.CharField(max_length=200, label=_("reason for the change"), required=False)

    def __init__(self, *args, post, **kwargs):
        super().__init__(*args, **kwargs)
        people = unit_people(post).order_by("full_name", "username")
        self.fields["leader"].queryset = self.fields["officers"].queryset = people


class ChangeForm(forms.Form):
    kind = forms.ChoiceField(choices=ShiftChange.Kind.choices, widget=forms.RadioSelect, label=_("kind"),
                             initial=ShiftChange.Kind.SUBSTITUTE)  # fmt: skip
    other = PersonField(queryset=None, label=_("with whom"),
                        error_messages={"invalid_choice": _("Choose someone else from your own unit.")})  # fmt: skip
    other_shift = forms.ModelChoiceField(queryset=None, required=False, label=_("their shift (for a swap)"))
    reason = forms.CharField(max_length=200, label=_("reason"))

    def __init__(self, *args, shift: DutyShift, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other"].queryset = unit_people(shift.post).exclude(pk=user.pk).order_by("full_name", "username")
        later = DutyShift.objects.filter(post=shift.post, ends_at__gt=timezone.now()).exclude(pk=shift.pk)
        self.fields["other_shift"].queryset = later.select_related("leader").prefetch_related("officers")
        self.fields["other_shift"].label_from_instance = shift_label

    def clean(self):
        data = super().clean()
        if data.get("kind") != ShiftChange.Kind.SWAP:
            data["other_shift"] = None
        return data


def shift_label(shift: DutyShift) -> str:
    people = [person_label(p) for p in ([shift.leader] if shift.leader else []) + list(shift.officers.all())]
    return f"{shift.date:%m-%d} · {'、'.join(people)}"


class LogForm(forms.Form):
    text = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), label=_("entry"))
    open_item = forms.BooleanField(required=False, label=_("open item: hand it over to the next shift"))
