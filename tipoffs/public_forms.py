"""The public tip-off form and the progress lookup's form (part: public). See docs/tipoffs.md, "Intake".

The form only reads what was typed: the rules (what is required, how long, the phone, the coordinates, the photos)
are the intake's (`intake.clean`), so the page and the staff's registration refuse the same things in the same
words. The form itself checks the CAPTCHA and keeps the idempotency key.
"""

from __future__ import annotations

import uuid

from captcha.fields import CaptchaField, CaptchaTextInput
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from organizations.models import Region

from . import intake
from .choices import Kind
from .intake import Submission


class PhotoInput(forms.ClearableFileInput):
    """Several photos at once, from the gallery or the camera."""

    allow_multiple_selected = True


class PhotosField(forms.FileField):
    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        return [super(PhotosField, self).clean(f, initial) for f in files]


class CaptchaInput(CaptchaTextInput):
    """django-simple-captcha's picture, key and answer, with a button for another picture (tipoff_form.js)."""

    # Under tipoffs/templates/: the form renderer reads the apps' templates and Django's own, not templates/.
    template_name = "tipoffs/widgets/captcha.html"


def region_choices() -> list:
    """The districts, each with its streets under it (a district may be chosen as a whole)."""
    regions = list(Region.objects.only("name", "path", "parent_id").order_by("path"))
    depths = {r.pk: r.path.count("/") - 1 for r in regions}
    top = min(depths.values(), default=1)
    districts = [r for r in regions if depths[r.pk] == top + 1] or [r for r in regions if depths[r.pk] == top]
    choices: list = [("", _("Choose the district or street"))]
    for district in districts:
        streets = [(r.pk, r.name) for r in regions if r.parent_id == district.pk]
        whole = (district.pk, _("%(district)s (the whole district, street unknown)") % {"district": district.name})
        choices.append((district.name, [whole, *streets]))
    return choices


class TipoffForm(forms.Form):
    """What the public gives; `submission()` turns it into the intake's Submission."""

    kind = forms.ChoiceField(
        label=_("What is it about"), choices=Kind.choices, required=False, widget=forms.RadioSelect
    )
    description = forms.CharField(
        label=_("What happened"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": settings.TIPOFF_TEXT_LENGTH}),
        help_text=_("What you saw, when, who is involved. Do not write your own name here."),
    )
    region = forms.ChoiceField(label=_("District or street"), required=False)
    address = forms.CharField(
        label=_("Address or place"), required=False, widget=forms.TextInput(attrs={"maxlength": intake.ADDRESS_LENGTH})
    )
    latitude = forms.CharField(required=False, widget=forms.HiddenInput)
    longitude = forms.CharField(required=False, widget=forms.HiddenInput)
    enterprise_name = forms.CharField(
        label=_("Enterprise or operator"),
        required=False,
        widget=forms.TextInput(
            attrs={"maxlength": intake.ENTERPRISE_LENGTH, "list": "enterprise-suggestions", "autocomplete": "off"}
        ),
        help_text=_("Type at least 2 characters to see names from the registry; any name may be given."),
    )
    is_employee = forms.BooleanField(label=_("I work for this enterprise"), required=False)
    photos = PhotosField(
        label=_("Photos"),
        required=False,
        widget=PhotoInput(attrs={"accept": "image/*"}),
        help_text=_("Up to %(n)d photos. Location data is removed from them."),
    )
    is_anonymous = forms.TypedChoiceField(
        label=_("Named or anonymous"),
        choices=[("0", _("Named: the handler may contact me")), ("1", _("Anonymous"))],
        coerce=lambda value: value == "1",
        initial="0",
        required=False,
        empty_value=False,
        widget=forms.RadioSelect,
    )
    name = forms.CharField(
        label=_("Your name"), required=False, widget=forms.TextInput(attrs={"maxlength": intake.NAME_LENGTH})
    )
    phone = forms.CharField(
        label=_("Your phone"),
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "maxlength": 20, "autocomplete": "tel", "inputmode": "tel"}),
    )
    contact_address = forms.CharField(
        label=_("Your contact address (optional)"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": intake.ADDRESS_LENGTH}),
    )
    captcha = CaptchaField(
        label=_("Type the characters in the picture"),
        widget=CaptchaInput(attrs={"maxlength": settings.CAPTCHA_LENGTH}),
        error_messages={
            "invalid": _("The characters do not match the picture. Type the ones in the new picture."),
            "required": _("Type the characters in the picture."),
        },
    )
    idempotency_key = forms.UUIDField(required=False, widget=forms.HiddenInput)

    IDENTITY = ("name", "phone", "contact_address")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices()
        self.fields["photos"].help_text = self.fields["photos"].help_text % {"n": settings.TIPOFF_MAX_PHOTOS}
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4())

    def value(self, name: str):
        """What was sent for a field, cleaned when it could be, as typed otherwise."""
        if name in getattr(self, "cleaned_data", {}):
            return self.cleaned_data[name]
        return self.data.get(name, "")

    def key(self) -> uuid.UUID | None:
        return self.cleaned_data.get("idempotency_key") if hasattr(self, "cleaned_data") else None

    def submission(self, photos: bool = True) -> Submission:
        anonymous = self.value("is_anonymous")
        return Submission(
            kind=self.value("kind") or "",
            description=self.value("description") or "",
            region=self.value("region") or None,
            address=self.value("address") or "",
            enterprise_name=self.value("enterprise_name") or "",
            latitude=self.value("latitude") or None,
            longitude=self.value("longitude") or None,
            is_anonymous=anonymous is True or anonymous == "1",
            is_employee=bool(self.value("is_employee")),
            name=self.value("name") or "",
            phone=self.value("phone") or "",
            contact_address=self.value("contact_address") or "",
            photos=tuple(self.value("photos") or ()) if photos else (),
            idempotency_key=self.key(),
        )

    def add_intake_errors(self, error) -> None:
        """The intake's ValidationError, each message next to its field (the others above the form)."""
        for name, messages in error.message_dict.items():
            if name in ("latitude", "longitude"):  # hidden fields: said above the form, once
                message = _("The location from your phone could not be used: %(error)s") % {"error": messages[0]}
                if message not in self.non_field_errors():
                    self.add_error(None, message)
                continue
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


class ProgressForm(forms.Form):
    """The receipt code and the secret, as printed on the receipt."""

    code = forms.CharField(
        label=_("Receipt code"), max_length=30, widget=forms.TextInput(attrs={"autocapitalize": "characters"})
    )
    secret = forms.CharField(
        label=_("Query password"),
        max_length=60,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_secret(self) -> str:
        """Spaces and missing dashes forgiven: 24 characters are written back as the receipt's 4 groups of 6."""
        raw = "".join(ch for ch in self.cleaned_data["secret"].upper() if ch.isalnum())
        return "-".join(raw[i : i + 6] for i in range(0, len(raw), 6)) if len(raw) == 24 else raw
