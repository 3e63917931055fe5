"""Tip-offs from the public and from employees (举报): the report, who made it (kept apart), its photos and history,
its reward. See docs/tipoffs.md.

The informant's identity lives in its own table (`Informant`): nothing that lists, exports or serialises a `Report`
can reach it by accident, and the one reader (`identity.reveal`) checks the handler and audits the view. The
workflow modules (intake.py, handling.py, rewards.py) are the only writers.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from duty_roster.choices import Grade
from hazards.models import Hazard, StoredPhoto
from organizations.models import Department, Enterprise, Industry, Region
from organizations.scope import ScopedQuerySet, ScopeFields
from oversight.models import IllegalOperation

from .choices import Action, Channel, Kind, Outcome, RewardBasis, RewardState, State


class Report(models.Model):
    """One tip-off. The handling unit is `department` (a department), else `handler_region` (a territory's
    government), else the city safety office. `due_at` is the handling limit (acceptance + 60 days, + 30 once
    extended); `feedback_due_at` the answer's (verification + 10 days)."""

    code = models.CharField(_("receipt code"), max_length=20, unique=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.WEB)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    description = models.TextField(_("what happened"))
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("region"))
    region_path = models.CharField(_("region path"), max_length=255, editable=False, db_index=True)
    address = models.CharField(_("address"), max_length=300)
    place_key = models.CharField(max_length=300, editable=False, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    enterprise = models.ForeignKey(
        Enterprise, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("enterprise")
    )
    enterprise_name = models.CharField(_("enterprise named"), max_length=200, blank=True)
    industry = models.ForeignKey(
        Industry, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("industry")
    )
    department = models.ForeignKey(
        Department, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("handling department")
    )
    handler_region = models.ForeignKey(
        Region, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("handling territory")
    )
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    is_employee = models.BooleanField(_("employee of the enterprise"), default=False)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.RECEIVED)
    repeat_of = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="repeats", verbose_name=_("repeat of")
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    due_at = models.DateTimeField(_("to be closed by"), null=True, blank=True)
    extended_at = models.DateTimeField(_("extended at"), null=True, blank=True)
    extension_reason = models.CharField(_("reason for the extension"), max_length=500, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    finding = models.TextField(_("what verification found"), blank=True)  # internal
    feedback_due_at = models.DateTimeField(_("answer due by"), null=True, blank=True)
    closed_at = models.DateTimeField(pgettext_lazy("tip-off", "closed at"), null=True, blank=True)
    answer = models.TextField(_("answer to the informant"), blank=True)
    decline_reason = models.CharField(_("reason for declining"), max_length=500, blank=True)
    hazard = models.ForeignKey(
        Hazard, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("hazard")
    )
    illegal_operation = models.ForeignKey(
        IllegalOperation, models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("illegal operation"),
    )  # fmt: skip
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("registered by"),
    )  # fmt: skip
    idempotency_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    objects = ScopedQuerySet.as_manager()
    # A department sees the reports of its industries in its region and those handed to it; a regional government
    # its subtree's; an enterprise none (not even about itself).
    scope_fields = ScopeFields(region="region_path", industry="industry_id", department="department_id")

    class Meta:
        verbose_name = _("tip-off")
        verbose_name_plural = _("tip-offs")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["state", "due_at"], name="tipoff_state_due"),
            models.Index(fields=["region_path", "received_at"], name="tipoff_region_received"),
            models.Index(fields=["department", "state"], name="tipoff_department_state"),
            models.Index(fields=["place_key", "received_at"], name="tipoff_repeat"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_open(self) -> bool:
        return self.state in (State.RECEIVED, State.ACCEPTED, State.VERIFIED)

    def overdue_at(self, now=None) -> bool:
        """Past its handling limit while accepted, or its answer's while verified."""
        now = now or timezone.now()
        if self.state == State.ACCEPTED:
            return bool(self.due_at and now > self.due_at)
        if self.state == State.VERIFIED:
            return bool(self.feedback_due_at and now > self.feedback_due_at)
        return False


def overdue_q(now) -> Q:
    """The reports past a time limit now: accepted past `due_at`, or verified past `feedback_due_at`."""
    return Q(state=State.ACCEPTED, due_at__lt=now) | Q(state=State.VERIFIED, feedback_due_at__lt=now)


class Informant(models.Model):
    """Who made the report: read only through `identity.reveal` (handlers, audited). The receipt's secret is kept
    as its SHA-256 (it is 128 random bits): nobody, the handler included, can read it back."""

    report = models.OneToOneField(
        Report, models.CASCADE, primary_key=True, related_name="informant", verbose_name=_("tip-off")
    )
    name = models.CharField(_("name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    contact_address = models.CharField(_("contact address"), max_length=200, blank=True)
    secret_hash = models.CharField(max_length=64, editable=False)

    class Meta:
        verbose_name = _("informant")
        verbose_name_plural = _("informants")

    def __str__(self) -> str:
        return str(self.report_id)


class ReportPhoto(StoredPhoto):
    """A photo sent with the report, cleaned as a hazard's are (no EXIF, no GPS)."""

    report = models.ForeignKey(Report, models.CASCADE, related_name="photos", verbose_name=_("tip-off"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("by")
    )

    class Meta:
        verbose_name = _("tip-off photo")
        verbose_name_plural = _("tip-off photos")
        ordering = ["uploaded_at", "id"]

    def upload_dir(self) -> str:
        return "tipoffs"

    def __str__(self) -> str:
        return f"{self.report_id} #{self.pk}"


class ReportEvent(models.Model):
    """One step of a report's history. `note` is for the staff; `public_text` (when not empty) is what the
    informant reads on the progress page."""

    report = models.ForeignKey(Report, models.CASCADE, related_name="events", verbose_name=_("tip-off"))
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)
    public_text = models.TextField(_("told to the informant"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("tip-off event")
        verbose_name_plural = _("tip-off events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.action}"


class Reward(models.Model):
    """The reward of a verified report (2018 rules): from the fine (15 %, 3,000–300,000 CNY) or from the deaths of
    a concealed accident (per death by grade, at most 300,000). Proposed by the handler, approved by the city
    office, then paid and recorded."""

    report = models.OneToOneField(Report, models.PROTECT, related_name="reward", verbose_name=_("tip-off"))
    basis = models.CharField(_("basis"), max_length=24, choices=RewardBasis.choices)
    fine = models.PositiveIntegerField(_("fine (CNY)"), null=True, blank=True)
    deaths = models.PositiveSmallIntegerField(_("deaths concealed"), null=True, blank=True)
    grade = models.CharField(_("accident grade"), max_length=24, choices=Grade.choices, blank=True)
    amount = models.PositiveIntegerField(_("amount (CNY)"))
    state = models.CharField(_("state"), max_length=16, choices=RewardState.choices, default=RewardState.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("proposed by")
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("paid by")
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    payment_ref = models.CharField(_("payment reference"), max_length=100, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ScopeFields(
        region="report__region_path", industry="report__industry_id", department="report__department_id"
    )

    class Meta:
        verbose_name = _("tip-off reward")
        verbose_name_plural = _("tip-off rewards")
        ordering = ["-proposed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.amount}"


class ReportCodeCounter(models.Model):
    """The last receipt number of a year, bumped in the submitting transaction (`JB-<year>-<seq>`)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("receipt counter")
        verbose_name_plural = _("receipt counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"
