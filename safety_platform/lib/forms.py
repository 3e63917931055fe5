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


class FoldedFilters:
    """A FilterSet's page shows its `COMMON` filters at once and folds the rest (templates/_filters.html); the API
    ignores this. Mixed into the FilterSets of the hazards, the principals and the tip-offs."""

    COMMON: tuple[str, ...] = ()

    def common_fields(self):
        return [self.form[name] for name in self.COMMON]

    def folded_fields(self):
        return [field for field in self.form if field.name not in self.COMMON]

    def folded_in_use(self) -> int:
        """How many folded filters the request sets (or got wrong): the fold opens and says so."""
        data = self.data or {}

        def given(name: str) -> bool:
            values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
            return any(str(v).strip() for v in values if v is not None)

        return sum(1 for f in self.folded_fields() if f.errors or given(f.html_name))
