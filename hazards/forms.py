"""Page forms. They only validate input; the workflow functions decide and change."""

from __future__ import annotations

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.models import Department, Enterprise, Position
from safety_platform.lib.forms import LocalDateTimeField
from workdays.calendar import deadline_from

from .choices import Authority, LeaderAction, Level, LookBackResult, Source
from .models import HazardCategory
from .workflow import INTERIM_FIELDS, MAJOR_PLAN_FIELDS, leader_positions


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos at once, straight from the phone's camera."""

    widget = MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"})

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        return [super(PhotosField, self).clean(f, initial) for f in files]


class DeadlineFields(forms.Form):
    deadline = LocalDateTimeField(label=_("deadline"), required=False)
    deadline_working_days = forms.IntegerField(
        label=_("or within N working days"), required=False, min_value=1, max_value=365
    )

    def clean(self):
        """`deadline` becomes the moment, whether given as one or as N working days from now."""
        data = super().clean()
        data["deadline"] = deadline_from(data.get("deadline"), data.get("deadline_working_days"))
        return data


def suggested_title(category, place: str) -> str:
    """The title a finding gets when the filer writes none: its place and category ("一号仓库消防安全隐患")."""
    return (_("%(place)s %(category)s hazard") % {"place": (place or "").strip(), "category": category}).strip()


class HazardFilingForm(DeadlineFields):
    """The phone-first filing form: what an inspector must give first (enterprise, category, place, photos), the title
    suggested from them, the rest folded under "more" on the page."""

    enterprise = forms.ModelChoiceField(queryset=Enterprise.objects.none(), label=_("enterprise"))
    category = forms.ModelChoiceField(
        queryset=HazardCategory.objects.filter(is_active=True),
        label=_("category"),
        widget=forms.RadioSelect,  # large tappable chips on the page
        empty_label=None,
    )
    place = forms.CharField(label=_("place / part"), max_length=200)
    photos = PhotosField(label=_("photos"), required=False)
    title = forms.CharField(
        label=_("title"),
        max_length=200,
        required=False,
        help_text=_("Left empty, it is made from the place and the category."),
    )
    level = forms.ChoiceField(choices=Level.choices, label=_("level"), widget=forms.RadioSelect, initial=Level.GENERAL)
    description = forms.CharField(
        label=_("description"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    source = forms.ChoiceField(choices=Source.choices, label=_("source"), initial=Source.INSPECTION)
    legal_basis = forms.CharField(label=_("legal basis"), max_length=500, required=False)
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)

    field_order = ["enterprise", "category", "place", "photos", "title", "level", "description", "deadline",
                   "deadline_working_days", "source", "legal_basis", "idempotency_key"]  # fmt: skip
    # Shown at once; the others are folded under "more" (templates/hazards/create.html).
    FIRST = ("enterprise", "category", "place", "photos", "title", "level")

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", uuid.uuid4())
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.visible_to(user).order_by("name")
        self.fields["title"].widget.attrs["data-suggest"] = str(_("%(place)s %(category)s hazard"))

    def clean(self):
        data = super().clean()
        if not (data.get("title") or "").strip() and data.get("category") and data.get("place"):
            data["title"] = suggested_title(data["category"], data["place"])[:200]
        elif not (data.get("title") or "").strip() and "title" not in self.errors:
            self.add_error("title", _("Give a title, or choose the category and the place to have one made."))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("comment"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtendForm(DeadlineFields, ReasonForm):
    pass


class RectificationForm(forms.Form):
    description = forms.CharField(label=_("what was done"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    photos = PhotosField(label=_("photos"), required=False)


class PlanForm(forms.Form):
    responsible_person = forms.CharField(label=_("responsible person"), max_length=100)
    measures = forms.CharField(label=_("measures"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    funds = forms.DecimalField(label=_("funds (CNY)"), min_value=0, max_digits=14, decimal_places=2)
    deadline = LocalDateTimeField(label=_("deadline"))
    contingency_plan = forms.CharField(
        label=_("contingency plan"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    goal = forms.CharField(
        label=_("goal and tasks"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    methods = forms.CharField(
        label=_("methods and measures"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    materials = forms.CharField(label=_("funds and materials"), required=False, max_length=5000)
    responsible_body = forms.CharField(label=_("responsible body"), required=False, max_length=200)
    safety_measures = forms.CharField(
        label=_("safety measures"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    state_and_cause = forms.CharField(
        label=_("current state and cause"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    harm_and_difficulty = forms.CharField(
        label=_("harm and difficulty of the fix"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    workers_withdrawn = forms.BooleanField(label=_("workers withdrawn"), required=False)
    warnings_posted = forms.BooleanField(label=_("warnings posted"), required=False)
    production_stopped = forms.BooleanField(label=_("affected production stopped"), required=False)
    interim_measures = forms.CharField(label=_("other interim measures"), required=False, max_length=5000)

    # Shown in their own section, and required by the workflow, only for a major hazard.
    MAJOR_ONLY = MAJOR_PLAN_FIELDS + INTERIM_FIELDS


class ListingForm(forms.Form):
    authority = forms.ChoiceField(label=_("listing authority"), choices=Authority.choices)
    supervising_leader = forms.ModelChoiceField(queryset=Position.objects.none(), label=_("supervising leader"))
    order_number = forms.CharField(label=_("order number"), max_length=64)
    deadline = LocalDateTimeField(label=_("supervision deadline"))
    public_notice = forms.CharField(
        label=_("public notice"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, hazard, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervising_leader"].queryset = leader_positions(hazard)


class PublishOrderForm(forms.Form):
    public_notice = forms.CharField(label=_("public notice"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class LeaderActionForm(forms.Form):
    """The supervising leader's action: what, on which day, a note and photos from the site."""

    kind = forms.ChoiceField(label=_("what the leader did"), choices=LeaderAction.choices, widget=forms.RadioSelect)
    date = forms.DateField(
        label=_("date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), input_formats=["%Y-%m-%d"]
    )
    note = forms.CharField(label=_("note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    photos = PhotosField(label=_("photos"), required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("date", timezone.localdate())
        super().__init__(*args, **kwargs)


class AskExtensionForm(ExtendForm):
    pass


class DecideExtensionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("decision"),
        choices=[("1", _("Approve the extension")), ("0", _("Refuse it"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("reason"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when refusing."),
    )


class ReassignForm(ReasonForm):
    department = forms.ModelChoiceField(queryset=Department.objects.all(), label=_("supervising department"))
    field_order = ["department", "reason"]


class FileForm(forms.Form):
    file = forms.FileField(label=_("file"))
    note = forms.CharField(label=_("note"), required=False, max_length=200)


class PhotoUploadForm(forms.Form):
    photos = PhotosField(label=_("photos"))


class LookBackForm(DeadlineFields):
    """The look-back's result; a failed one reopens the hazard, so it needs the reason and the new deadline."""

    result = forms.ChoiceField(label=_("result"), choices=LookBackResult.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("what was found"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    field_order = ["result", "note", "deadline", "deadline_working_days"]
