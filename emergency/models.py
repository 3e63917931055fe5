"""Emergency readiness: supplies (warehouses, catalogue, stock, moves, allocation) and rescue teams (readiness,
pre-positioned forces). See docs/emergency.md."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.models import Department, Region, phone_validator
from organizations.scope import ScopedQuerySet, ScopeFields

from .rescue_choices import Readiness, TeamKind

# --- rescue teams ---

MAX_HEADCOUNT = 100000


class RescueTeam(models.Model):
    """A fire and rescue or professional rescue team (救援队伍), owned by a department or, without one, by the
    government of its region."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=TeamKind.choices)
    department = models.ForeignKey(
        Department, models.PROTECT, null=True, blank=True, related_name="rescue_teams",
        verbose_name=_("owning department"), help_text=_("Empty: the government of its region owns the team."),
    )  # fmt: skip
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("region"))
    region_path = models.CharField(_("region path"), max_length=255, editable=False)
    base_address = models.CharField(_("base address"), max_length=200)
    duty_phone = models.CharField(_("duty phone"), max_length=30, validators=[phone_validator])
    headcount = models.PositiveIntegerField(
        _("headcount"), validators=[MinValueValidator(1), MaxValueValidator(MAX_HEADCOUNT)]
    )
    equipment = models.TextField(_("main equipment"), max_length=2000, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("registered at"), default=timezone.now, editable=False)

    # A territory sees its subtree's teams, a department its own, the city office all; enterprises none.
    scope_fields = ScopeFields(region="region_path", department="department_id", own_department=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("rescue team")
        verbose_name_plural = _("rescue teams")
        ordering = ["region_path", "kind", "name", "id"]
        indexes = [models.Index(fields=["region_path"], name="rescue_team_region", opclasses=["varchar_pattern_ops"])]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="rescue_team_name_unique_in_region"),
            models.CheckConstraint(condition=Q(headcount__gte=1), name="rescue_team_headcount_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.region_path = self.region.path
        super().save(*args, **kwargs)


class ReadinessPeriod(models.Model):
    """A team's raised readiness (勤务等级) for a period: from `starts_at` until `ends_at` (excluded)."""

    team = models.ForeignKey(RescueTeam, models.CASCADE, related_name="readiness_periods", verbose_name=_("team"))
    level = models.CharField(_("readiness level"), max_length=16, choices=Readiness.choices)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("set at"), default=timezone.now, editable=False)
    ended_early_at = models.DateTimeField(_("ended early at"), null=True, blank=True)
    ended_early_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("ended early by"),
    )  # fmt: skip

    scope_fields = ScopeFields(region="team__region_path", department="team__department_id", own_department=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("readiness period")
        verbose_name_plural = _("readiness periods")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["team", "ends_at", "starts_at"], name="readiness_team_period")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gte=F("starts_at")), name="readiness_period_in_order"),
            models.CheckConstraint(condition=~Q(level=Readiness.NORMAL), name="readiness_period_raises"),
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.get_level_display()} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    def covers(self, moment) -> bool:
        return self.starts_at <= moment < self.ends_at


class Prepositioning(models.Model):
    """Forces of a team (all or part: headcount, equipment) standing at an important place for a period (前置力量)."""

    team = models.ForeignKey(RescueTeam, models.CASCADE, related_name="prepositionings", verbose_name=_("team"))
    place = models.CharField(_("important place"), max_length=200)
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("region of the place"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    headcount = models.PositiveIntegerField(
        _("headcount"), validators=[MinValueValidator(1), MaxValueValidator(MAX_HEADCOUNT)]
    )
    equipment = models.TextField(_("equipment"), max_length=2000, blank=True)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("set at"), default=timezone.now, editable=False)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("withdrawn by"),
    )  # fmt: skip

    scope_fields = ScopeFields(region="team__region_path", department="team__department_id", own_department=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("pre-positioned force")
        verbose_name_plural = _("pre-positioned forces")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["team", "ends_at", "starts_at"], name="preposition_team_period")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gte=F("starts_at")), name="preposition_in_order"),
            models.CheckConstraint(condition=Q(headcount__gte=1), name="preposition_headcount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.team} @ {self.place}"

    def covers(self, moment) -> bool:
        return self.starts_at <= moment < self.ends_at
