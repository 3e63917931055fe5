"""Page form helpers shared by every app: a workflow's errors shown on its form, the local date-and-time widget.

The state-changing functions raise Django's `ValidationError` (see `safety_platform.lib.errors`); a page shows it on
the form it came from with `add_errors`, as the API's exception handler answers it with a 400.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone


def add_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Each error on its field, those of a field the form does not have (or of none) above the form."""
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


class LocalDateTimeInput(forms.DateTimeInput):
    """The browser's date-and-time picker (`datetime-local`), showing an aware value in the local time."""

    input_type = "datetime-local"

    def format_value(self, value):
        if hasattr(value, "strftime"):
            return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") if timezone.is_aware(value) else value
        return value


class LocalDateTimeField(forms.DateTimeField):
    """A moment picked with the browser's `datetime-local` input (`YYYY-MM-DDTHH:MM`, the local time)."""

    widget = LocalDateTimeInput
    input_formats = ["%Y-%m-%dT%H:%M"]
