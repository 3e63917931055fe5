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
from organizations.roles import is_city_office
from organizations.scope import ScopedQuerySet, ScopeFields, visible_posts

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
    # The duty posts of the units concerned, resolved when first reported: the territory's government (the county's)
    # and the supervising department's. Their incident notices and late figures count for them (docs/duty.md).
    territory_post = models.ForeignKey(
        "organizations.Position", models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("duty post of the territory"),
    )  # fmt: skip
    department_post = models.ForeignKey(
        "organizations.Position", models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("duty post of the supervising department"),
    )  # fmt: skip

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


class RollCallQuerySet(models.QuerySet):
    def visible_to(self, user) -> RollCallQuerySet:
        """The city office sees every roll call; anyone else those that called a duty post they answer for (the
        post's own people and the units above it: `visible_posts`)."""
        if is_city_office(user):
            return self.all()
        return self.filter(targets__post__in=visible_posts(user)).distinct()


class IncidentStep(models.Model):
    """A response step of an incident (处置): on scene, rescue under way, under control, closed; timed against the
    limit of its kind and the incident's grade from the time it was known (INCIDENT_RESPONSE_MINUTES)."""

    class Kind(models.TextChoices):
        ON_SCENE = "on_scene", _("On scene")
        RESCUE = "rescue", _("Rescue under way")
        UNDER_CONTROL = "under_control", _("Under control")
        CLOSED = "closed", pgettext_lazy("incident", "Closed")

    incident = models.ForeignKey(IncidentReport, models.CASCADE, related_name="steps", verbose_name=_("incident"))
    kind = models.CharField(_("step"), max_length=16, choices=Kind.choices)
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    due_at = models.DateTimeField(_("due by"), null=True, blank=True)
    delay_minutes = models.PositiveIntegerField(_("minutes late"), default=0)

    class Meta:
        verbose_name = _("response step")
        verbose_name_plural = _("response steps")
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["incident", "kind"], name="one_step_of_each_kind")]

    def __str__(self) -> str:
        return f"{self.incident} {self.get_kind_display()}"


class IncidentRelay(models.Model):
    """One level of the reporting chain (逐级上报): the county's duty receives the unit's report (due within 1 hour
    of the time known) and forwards it to the city, the city's duty receives it and forwards it to the province,
    each forward due within 2 hours of the receipt (INCIDENT_CHAIN_*_MINUTES)."""

    class Level(models.TextChoices):
        COUNTY = "county", _("County")
        CITY = "city", _("City")

    incident = models.ForeignKey(IncidentReport, models.CASCADE, related_name="relays", verbose_name=_("incident"))
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    post = models.ForeignKey(
        "organizations.Position", models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("duty post"),
    )  # fmt: skip
    receive_due_at = models.DateTimeField(_("receipt due by"))
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("received by")
    )
    forward_due_at = models.DateTimeField(_("forwarding due by"), null=True, blank=True)
    forwarded_at = models.DateTimeField(_("forwarded at"), null=True, blank=True)
    forwarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("forwarded by"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("reporting chain level")
        verbose_name_plural = _("reporting chain levels")
        ordering = ["incident", "receive_due_at", "id"]
        constraints = [models.UniqueConstraint(fields=["incident", "level"], name="one_relay_per_level")]

    def __str__(self) -> str:
        return f"{self.incident} {self.get_level_display()}"

    @property
    def receipt_late(self) -> bool:
        return (self.received_at or timezone.now()) > self.receive_due_at

    @property
    def forward_late(self) -> bool:
        if self.forward_due_at is None:
            return False
        return (self.forwarded_at or timezone.now()) > self.forward_due_at


class IncidentFlag(models.Model):
    """An omitted (漏报), false (谎报) or concealed (瞒报) report, recorded by the city office after the fact."""

    class Kind(models.TextChoices):
        OMITTED = "omitted", _("Omitted report")
        FALSE = "false", _("False report")
        CONCEALED = "concealed", _("Concealed report")

    incident = models.ForeignKey(IncidentReport, models.CASCADE, related_name="flags", verbose_name=_("incident"))
    kind = models.CharField(pgettext_lazy("flag", "kind"), max_length=16, choices=Kind.choices)
    note = models.CharField(_("note"), max_length=500)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("report flag")
        verbose_name_plural = _("report flags")
        ordering = ["recorded_at", "id"]
        constraints = [models.UniqueConstraint(fields=["incident", "kind"], name="one_flag_of_each_kind")]

    def __str__(self) -> str:
        return f"{self.incident} {self.get_kind_display()}"


class RollCall(models.Model):
    """A roll call (查岗): the city office calls units' duty posts, each must answer within the limit."""

    message = models.CharField(_("message"), max_length=200)
    answer_minutes = models.PositiveSmallIntegerField(_("answer within (minutes)"))
    leaders_only = models.BooleanField(_("leaders on duty only"), default=False)
    called_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    called_at = models.DateTimeField(_("called at"), default=timezone.now)
    positions = models.ManyToManyField(
        "organizations.Position", related_name="roll_calls", verbose_name=_("duty posts called")
    )

    objects = RollCallQuerySet.as_manager()

    class Meta:
        verbose_name = _("roll call")
        verbose_name_plural = _("roll calls")
        ordering = ["-called_at"]

    def __str__(self) -> str:
        return f"{self.called_at:%Y-%m-%d %H:%M} {self.message}"


class RollCallTarget(models.Model):
    """One post of a roll call: who was called (the current shift's people, or the post's holders where no rota
    covers the moment) and whether nobody could be reached, decided at the moment of the call."""

    class Source(models.TextChoices):
        ROTA = "rota", _("the rota")
        HOLDERS = "holders", _("the post's holders")

    class Flag(models.TextChoices):
        NO_LEADER = "no_leader", _("The current shift has no leader on duty.")
        SHIFT_INACTIVE = "shift_inactive", _("Nobody on the current shift has an active account.")
        NO_SHIFT = "no_shift", _("No shift on the rota covers this moment.")
        NOBODY_HOLDS = "nobody_holds", _("No shift on the rota covers this moment and nobody active holds the post.")

    roll_call = models.ForeignKey(RollCall, models.CASCADE, related_name="targets", verbose_name=_("roll call"))
    post = models.ForeignKey("organizations.Position", models.CASCADE, related_name="+", verbose_name=_("duty post"))
    shift = models.ForeignKey(
        "DutyShift", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("shift")
    )
    source = models.CharField(_("called from"), max_length=16, choices=Source.choices)
    called = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("people called")
    )
    flagged = models.BooleanField(_("nobody reachable"), default=False)
    flag_reason = models.CharField(_("why nobody was reachable"), max_length=32, choices=Flag.choices, blank=True)

    class Meta:
        verbose_name = _("post called")
        verbose_name_plural = _("posts called")
        ordering = ["roll_call", "post__unit_kind", "post__title"]
        constraints = [models.UniqueConstraint(fields=["roll_call", "post"], name="one_target_per_roll_call_and_post")]

    def __str__(self) -> str:
        return f"{self.roll_call_id} {self.post}"


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
    # Only the SHA-256 of the enrolled duty screen's key: the key itself lives in that device's cookie alone.
    screen_key_hash = models.CharField(_("duty screen key (hash)"), max_length=64, blank=True, editable=False)
    screen_enrolled_at = models.DateTimeField(_("duty screen enrolled at"), null=True, blank=True, editable=False)

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
