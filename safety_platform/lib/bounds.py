"""Sensible bounds for the dates and times people enter, checked in one place by every workflow.

A deadline lies in the future and at most DEADLINE_HORIZON_DAYS ahead, so no hazard escapes escalation with a
deadline in 9999. A moment that has already happened (a hazard found, an incident occurring or becoming known) lies
between EARLIEST_DATE and now, allowing CLOCK_SKEW_MINUTES for a phone's clock running fast. A calendar day that
plans something (a duty shift, a holiday plan, a campaign, an inspection) lies between EARLIEST_DATE and the
horizon. So no stored time is outside the years 0001-9999 that ISO 8601 date-time validators accept, nor so old
that Asia/Shanghai's local mean time gives it an offset in seconds.

The settings are read on each call, so that `override_settings` works.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _


def earliest_day() -> date:
    value = getattr(settings, "EARLIEST_DATE", date(2000, 1, 1))
    return date.fromisoformat(value) if isinstance(value, str) else value


def latest_day() -> date:
    return timezone.localdate() + timedelta(days=getattr(settings, "DEADLINE_HORIZON_DAYS", 3 * 365))


def _aware(value: datetime) -> datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def check_deadline(value: datetime | None, field: str = "deadline") -> datetime:
    """A deadline that is set: later than now, and no later than the end of the horizon's last day."""
    if value is None:
        raise ValidationError({field: _("A deadline is required.")})
    value = _aware(value)
    if value <= timezone.now():
        raise ValidationError({field: _("The deadline must be in the future.")})
    last = latest_day()
    if value >= timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min)):
        raise ValidationError(
            {
                field: _("The deadline cannot be later than %(date)s (%(days)d days from today).")
                % {"date": last.isoformat(), "days": (last - timezone.localdate()).days}
            }
        )
    return value


def check_past(value: datetime, field: str, label: str) -> datetime:
    """A moment that has happened: not before EARLIEST_DATE, and not later than now (with a little clock skew).
    `label` names it in the message, as "The time found"."""
    value = _aware(value)
    first = earliest_day()
    if value < timezone.make_aware(datetime.combine(first, time.min)):
        raise ValidationError({field: _("%(label)s cannot be before %(date)s.") % {"label": label, "date": first}})
    skew = timedelta(minutes=getattr(settings, "CLOCK_SKEW_MINUTES", 5))
    if value > timezone.now() + skew:
        raise ValidationError({field: _("%(label)s cannot be in the future.") % {"label": label}})
    return value


def check_day(value: date, field: str, label: str) -> date:
    """A calendar day that plans something: between EARLIEST_DATE and the deadline horizon."""
    first, last = earliest_day(), latest_day()
    if not first <= value <= last:
        raise ValidationError(
            {
                field: _("%(label)s must be between %(first)s and %(last)s.")
                % {"label": label, "first": first.isoformat(), "last": last.isoformat()}
            }
        )
    return value


def day_errors(**days: tuple[date | None, str]) -> dict[str, str]:
    """Every out-of-bounds day at once, by field: `day_errors(start=(start, _("The first day")), ...)`."""
    errors = {}
    for field, (value, label) in days.items():
        if value is None:
            continue
        try:
            check_day(value, field, label)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    return errors
