"""Incident information reports (事故信息报送): what happened, when it was known and reported, and how late.

Also the duty rotas: shifts, swaps and substitutions, the duty log, and holiday duty plans (see docs/duty.md).
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organizations.models import Enterprise, Region
from organizations.scope import ScopedQuerySet, ScopeFields

from .choices import Grade, IncidentKind


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

    objects = ScopedQuerySet.as_manager()
    scope_fields = ScopeFields(region="region_path", industry="enterprise__industry_id", enterprise="enterprise_id")

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


class DutyShiftQuerySet(models.QuerySet):
    def of(self, user) -> DutyShiftQuerySet:
        return self.filter(models.Q(leader=user) | models.Q(officers=user)).distinct()


class DutyShift(models.Model):
    """One day's duty at a unit's duty post: the leader on duty (带班领导) and the duty officers; each checks in
    for themselves (`DutyCheckIn`)."""

    post = models.ForeignKey(
        "organizations.Position", models.CASCADE, related_name="shifts", verbose_name=_("duty post")
    )
    date = models.DateField(_("date"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("leader on duty"),
    )
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="duty_shifts", verbose_name=_("duty officers")
    )
    missed_alert_at = models.DateTimeField(_("missed check-in alerted at"), null=True, blank=True)
    handed_over_at = models.DateTimeField(_("handed over at"), null=True, blank=True)
    handover_acknowledged_at = models.DateTimeField(_("handover taken at"), null=True, blank=True)
    handover_acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("taken by")
    )

    objects = DutyShiftQuerySet.as_manager()

    class Meta:
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty shifts")
        ordering = ["date", "post"]
        constraints = [models.UniqueConstraint(fields=["post", "date"], name="one_shift_per_post_and_day")]
        indexes = [
            models.Index(
                fields=["starts_at"], condition=models.Q(missed_alert_at__isnull=True), name="shift_not_alerted"
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return f"{self.post} {self.date}"

    @property
    def handover_due_at(self):
        """The incoming shift arrives DUTY_HANDOVER_EARLY_MINUTES before it starts and takes over by then."""
        return self.starts_at - timedelta(minutes=settings.DUTY_HANDOVER_EARLY_MINUTES)

    @property
    def handover_late(self) -> bool:
        """Taken over after `handover_due_at` (or not yet, and that moment has passed): late."""
        taken = self.handover_acknowledged_at
        return (taken if taken is not None else timezone.now()) > self.handover_due_at


class CheckInProof(models.TextChoices):
    CODE = "code", _("code from the duty screen")
    QR = "qr", _("QR code at the post")
    GEO = "geo", _("location of the phone")
    NONE = "none", _("no proof")


class DutyCheckIn(models.Model):
    """One person's check-in at the post for a shift (each person on the shift checks in for themselves), with the
    proof of presence offered and whether it held."""

    shift = models.ForeignKey(DutyShift, models.CASCADE, related_name="check_ins", verbose_name=_("shift"))
    person = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("who"))
    at = models.DateTimeField(_("checked in at"), default=timezone.now)
    proof = models.CharField(_("proof"), max_length=8, choices=CheckInProof.choices, default=CheckInProof.NONE)
    verified = models.BooleanField(_("presence verified"), default=False)
    distance_m = models.PositiveIntegerField(_("distance from the post (m)"), null=True, blank=True)
    location = models.CharField(_("location"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["shift", "person"], name="one_check_in_per_person_and_shift")]

    def __str__(self) -> str:
        return f"{self.shift} {self.person}"


def new_secret() -> str:
    return secrets.token_hex(20)


class CheckInPoint(models.Model):
    """How presence at a duty post is proven: the post's secret for the rotating code on its duty screen, and its
    coordinates and radius for the phone's location."""

    post = models.OneToOneField(
        "organizations.Position", models.CASCADE, related_name="check_in_point", verbose_name=_("duty post")
    )
    secret = models.CharField(_("code secret"), max_length=64, default=new_secret, editable=False)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))],
    )  # fmt: skip
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(Decimal(-180)), MaxValueValidator(Decimal(180))],
    )  # fmt: skip
    radius_m = models.PositiveIntegerField(
        _("radius (m)"), null=True, blank=True, help_text=_("Empty: the platform's default radius.")
    )

    class Meta:
        verbose_name = _("check-in point")
        verbose_name_plural = _("check-in points")

    def __str__(self) -> str:
        return str(self.post)

    @property
    def radius(self) -> int:
        return self.radius_m or settings.DUTY_CHECKIN_RADIUS_METERS

    @property
    def located(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class ShiftChange(models.Model):
    """A swap (串班: two people exchange shifts) or a substitution (代班: one covers another), approved first;
    once approved, the shifts show who actually stands."""

    class Kind(models.TextChoices):
        SWAP = "swap", _("Swap")
        SUBSTITUTE = "substitute", _("Substitution")

    class State(models.TextChoices):
        PENDING = "pending", pgettext_lazy("shift change", "Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    shift = models.ForeignKey(DutyShift, models.CASCADE, related_name="changes", verbose_name=_("shift"))
    other_shift = models.ForeignKey(
        DutyShift, models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("shift swapped with")
    )
    person = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("who asks"))
    other = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("with whom"))
    reason = models.CharField(_("reason"), max_length=200)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    # Seen by who asks, who is asked and the shift's leader on duty; the city office sees them all.
    scope_fields = ScopeFields(people=("person", "other", "shift__leader"))

    class Meta:
        verbose_name = _("shift change")
        verbose_name_plural = _("shift changes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.shift}"


class DutyLogEntry(models.Model):
    """The duty log (值班日志): what happened on the shift; an open item is carried to the next shift."""

    shift = models.ForeignKey(DutyShift, models.CASCADE, related_name="log", verbose_name=_("shift"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    text = models.TextField(_("entry"), max_length=2000)
    open_item = models.BooleanField(_("open item"), default=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    carried_from = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("carried from")
    )

    class Meta:
        verbose_name = _("duty log entry")
        verbose_name_plural = _("duty log entries")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.text[:50]


class DutyPlan(models.Model):
    """A unit's duty plan for a holiday period (节假日值班计划), submitted to the city office; the shifts are the plan,
    this row records that (and when, and by whom) the unit vouched for them."""

    post = models.ForeignKey(
        "organizations.Position", models.CASCADE, related_name="duty_plans", verbose_name=_("duty post")
    )
    name = models.CharField(_("holiday period"), max_length=64)
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("submitted by")
    )

    class Meta:
        verbose_name = _("holiday duty plan")
        verbose_name_plural = _("holiday duty plans")
        ordering = ["-start", "post"]
        constraints = [
            models.UniqueConstraint(fields=["post", "start", "end"], name="one_plan_per_post_and_period"),
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="plan_ends_after_it_starts"),
        ]

    def __str__(self) -> str:
        return f"{self.post} {self.name} {self.start:%Y-%m-%d}–{self.end:%Y-%m-%d}"
