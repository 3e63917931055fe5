"""China's official working-day calendar as data: the State Council's holidays and make-up working days."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    """One calendar year and whether its official holidays and make-up days are all entered."""

    year = models.PositiveSmallIntegerField(
        _("year"), unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    complete = models.BooleanField(
        _("complete"), default=False, help_text=_("Every official holiday and make-up working day is entered.")
    )
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class SpecialDay(models.Model):
    """A day that breaks the Monday–Friday rule: a holiday, or a weekend make-up working day (调休)."""

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(
        _("make-up working day"),
        default=False,
        help_text=_("Ticked: a Saturday or Sunday that is worked. Not ticked: a holiday."),
    )
    name = models.CharField(_("name"), max_length=64)

    class Meta:
        verbose_name = _("special day")
        verbose_name_plural = _("special days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"

    def clean(self) -> None:
        # A "make-up" weekday would be a working day anyway: almost certainly a typo in the date.
        if self.is_working_day and self.date and self.date.weekday() < 5:
            raise ValidationError({"is_working_day": _("Only a Saturday or Sunday can be a make-up working day.")})
