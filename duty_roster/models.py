"""Incident information reports (事故信息报送): what happened, when it was known and reported, and how late.

Rotas, check-ins, roll calls and handovers join this app in later work (see docs/duty.md).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.models import Enterprise, Region
from organizations.scope import ScopedQuerySet

from .choices import Grade, IncidentKind


class IncidentQuerySet(ScopedQuerySet):
    scope_method = "incidents"


class IncidentReport(models.Model):
    """A report of an accident or emergency; a supplement (续报) points at the first report."""

    first_report = models.ForeignKey(
        "self", models.CASCADE, null=True, blank=True, related_name="supplements", verbose_name=_("supplement to")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=IncidentKind.choices)
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("region"))
    region_path = models.CharField(_("region path"), max_length=255, editable=False)
    enterprise = models.ForeignKey(
        Enterprise, models.PROTECT, null=True, blank=True, related_name="incidents", verbose_name=_("enterprise")
    )
    place = models.CharField(_("place"), max_length=200)
    occurred_at = models.DateTimeField(_("time of occurrence"))
    known_at = models.DateTimeField(_("time known"))
    reported_at = models.DateTimeField(_("time reported"), default=timezone.now)
    deaths = models.PositiveIntegerField(_("deaths"), default=0)
    serious_injuries = models.PositiveIntegerField(_("serious injuries"), default=0)
    missing = models.PositiveIntegerField(_("missing"), default=0)
    direct_loss = models.DecimalField(
        _("direct economic loss (CNY)"), max_digits=14, decimal_places=2, default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )  # fmt: skip
    course = models.TextField(_("brief course"), max_length=5000)
    measures = models.TextField(_("measures taken"), max_length=5000, blank=True)
    grade = models.CharField(_("grade"), max_length=24, choices=Grade.choices, editable=False)
    report_deadline = models.DateTimeField(_("report due by"), editable=False)
    delay_minutes = models.PositiveIntegerField(_("minutes late"), default=0, editable=False)
    grade_raised_from = models.CharField(_("grade raised from"), max_length=24, choices=Grade.choices, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    acknowledged_at = models.DateTimeField(_("acknowledged by the city office at"), null=True, blank=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident report")
        verbose_name_plural = _("incident reports")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["region_path"], name="incident_region", opclasses=["varchar_pattern_ops"])]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d} {self.place}"

    @property
    def is_late(self) -> bool:
        return self.delay_minutes > 0


class RollCall(models.Model):
    """A roll call (查岗): the city office calls units' duty posts, each must answer within the limit."""

    message = models.CharField(_("message"), max_length=200)
    answer_minutes = models.PositiveSmallIntegerField(_("answer within (minutes)"))
    called_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    called_at = models.DateTimeField(_("called at"), default=timezone.now)
    positions = models.ManyToManyField(
        "organizations.Position", related_name="roll_calls", verbose_name=_("duty posts called")
    )

    class Meta:
        verbose_name = _("roll call")
        verbose_name_plural = _("roll calls")
        ordering = ["-called_at"]

    def __str__(self) -> str:
        return f"{self.called_at:%Y-%m-%d %H:%M} {self.message}"
