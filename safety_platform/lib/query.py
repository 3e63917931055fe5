"""Reading values a client chose (query parameters, dates it may send): bounded, so no value reaches date
arithmetic or int() that could overflow it, and every bad one is a 400 naming the parameter.

Dates the platform reads from a client for periods, rotas and plans lie between 2000-01-01 and 2100-12-31
(the dashboards' bounds): nothing the city does falls outside, and a day either side stays a valid `date`.
"""

from __future__ import annotations

from datetime import date

import django_filters as filters
from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError

EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
MAX_ID = 2**63 - 1  # PostgreSQL's bigint


def within_bounds(value: date) -> None:
    """A validator for a date field (Django's or DRF's): outside EARLIEST..LATEST is a field error."""
    if not EARLIEST <= value <= LATEST:
        raise DjangoValidationError(_("Choose dates between 2000 and 2100."), code="out_of_range")


def whole_number(raw: str, low: int, high: int) -> int | None:
    """The number ASCII digits (with an optional minus) say, if within low..high; else None. str.isdigit() alone
    would take "²", which int() refuses, and int() would take "١" and 5,000 digits (slowly, or not at all)."""
    digits = raw[1:] if raw.startswith("-") else raw
    if not (digits.isascii() and digits.isdigit() and len(digits) <= 19):
        return None
    number = int(raw)
    return number if low <= number <= high else None


def query_int(params, name: str, low: int, high: int, default: int | None = None) -> int | None:
    """`?name=` as a whole number from low to high; absent or empty is the default; anything else a 400."""
    raw = params.get(name, "")
    if raw == "":
        return default
    number = whole_number(raw, low, high)
    if number is None:
        message = _("Enter a whole number from %(low)d to %(high)d.") % {"low": low, "high": high}
        raise ValidationError({name: [message]})
    return number


def query_date(params, name: str, default: date | None = None) -> date | None:
    """`?name=YYYY-MM-DD` between 2000 and 2100; absent or empty is the default; anything else a 400."""
    raw = params.get(name, "")
    if raw == "":
        return default
    try:
        value = date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        value = None
    if value is None:
        raise ValidationError({name: [_("Dates are YYYY-MM-DD.")]})
    try:
        within_bounds(value)
    except DjangoValidationError as exc:
        raise ValidationError({name: exc.messages}) from None
    return value


def query_dates(params, *names: str) -> dict[str, date | None]:
    """Several `query_date`s (absent ones are None), with every bad one named in the one 400."""
    values, errors = {}, {}
    for name in names:
        try:
            values[name] = query_date(params, name)
        except ValidationError as exc:
            errors.update(exc.detail)
    if errors:
        raise ValidationError(errors)
    return values


class IntegerFilter(filters.NumberFilter):
    """A whole-number filter. django-filter's NumberFilter reads a decimal up to 1e50, so `1e10` or `1.5` passed
    and then overflowed date arithmetic or a bigint; this one takes whole numbers only, within `min_value`
    and `max_value` (ids: 1 to bigint's maximum by default), and anything else is a 400 naming the filter."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class _StrictBooleanSelect(forms.NullBooleanSelect):
    """Django's select reads any value it does not know as "unknown"; this one hands it on to be refused."""

    def value_from_datadict(self, data, files, name):
        # Django's select also reads its legacy "2" and "3" as yes and no; here only what to_python names counts.
        raw = data.get(name)
        return None if raw in (None, "", "unknown") else raw


class _StrictBooleanField(forms.NullBooleanField):
    """true / false (or 1 / 0); empty is "no filter"; anything else is an error, not "no filter"."""

    widget = _StrictBooleanSelect

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in (True, "true", "True", "1"):
            return True
        if value in (False, "false", "False", "0"):
            return False
        raise DjangoValidationError(_("Choose true or false."), code="invalid")

    def validate(self, value) -> None:
        pass


class BooleanFilter(filters.BooleanFilter):
    """django-filter's BooleanFilter reads `?mine=maybe` as no filter; this one answers 400."""

    field_class = _StrictBooleanField
