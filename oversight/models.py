"""No enterprise out of sight (防止漏管失控): safety certificates of the responsible people, principal-person
verifications (主要负责人核查), watches on enterprises in watched states with their visits (动向掌握, 派人盯守),
resumption checks (复产复工验收), illegal operations found (打非治违) and enforcement documents (行政执法). See
docs/oversight.md.

The workflow modules change these rows (certificates.py, verifications.py, watches.py, illegal.py, enforcement.py);
nothing else writes them. The signals computed from them are in signals.py (registered with organizations.flags).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hazards.models import Hazard, StoredPhoto
from inspections.models import Campaign, Inspection
from organizations.models import Department, Enterprise, Industry, Region
from organizations.scope import ScopedQuerySet, ScopeFields

from .choices import (
    NUMBER_PREFIX,
    ActionKind,
    ActionState,
    CertificateKind,
    Holder,
    IllegalAction,
    IllegalKind,
    IllegalResult,
    IllegalSource,
)

# What the enterprise's own rows are scoped by: its region, its industry, itself.
BY_ENTERPRISE = {"region": "enterprise__region__path", "industry": "enterprise__industry_id"}


class Certificate(models.Model):
    """A safety qualification certificate of the principal person or the safety manager (kind, number, expiry).
    Valid through its expiry day."""

    enterprise = models.ForeignKey(
        Enterprise, models.CASCADE, related_name="certificates", verbose_name=_("enterprise")
    )
    holder = models.CharField(_("held by"), max_length=16, choices=Holder.choices)
    person_name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("certificate kind"), max_length=24, choices=CertificateKind.choices)
    number = models.CharField(_("certificate number"), max_length=50)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("valid until"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ScopeFields(**BY_ENTERPRISE, enterprise="enterprise_id")

    class Meta:
        verbose_name = _("safety certificate")
        verbose_name_plural = _("safety certificates")
        ordering = ["enterprise_id", "holder", "-expires_on", "-id"]
        indexes = [models.Index(fields=["enterprise", "holder", "expires_on"], name="certificate_valid")]

    def __str__(self) -> str:
        return f"{self.person_name} {self.number}"


class Verification(models.Model):
    """One check of the principal person (主要负责人核查): in post or not, experience, certificate seen."""

    enterprise = models.ForeignKey(
        Enterprise, models.CASCADE, related_name="verifications", verbose_name=_("enterprise")
    )
    campaign = models.ForeignKey(
        Campaign, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("campaign")
    )
    person_name = models.CharField(_("principal person"), max_length=50)
    in_post = models.BooleanField(_("in post"))
    has_experience = models.BooleanField(_("has safety management experience"))
    experience_note = models.CharField(_("experience"), max_length=300, blank=True)
    certificate_seen = models.BooleanField(_("certificate seen"), default=False)
    note = models.TextField(_("note"), blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    checked_at = models.DateTimeField(_("checked at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ScopeFields(**BY_ENTERPRISE, enterprise="enterprise_id")

    class Meta:
        verbose_name = _("principal verification")
        verbose_name_plural = _("principal verifications")
        ordering = ["-checked_at", "-id"]
        indexes = [
            models.Index(fields=["enterprise", "-checked_at"], name="verification_latest"),
            models.Index(fields=["campaign", "enterprise"], name="verification_campaign"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.checked_at:%Y-%m-%d}"


class Watch(models.Model):
    """A department's watch on an enterprise in a watched state (动向掌握, 派人盯守): its watchers and visit interval.
    `due_at` is when the next visit is due (the last visit, or the start, plus the interval), kept by the writer."""

    enterprise = models.ForeignKey(Enterprise, models.PROTECT, related_name="watches", verbose_name=_("enterprise"))
    department = models.ForeignKey(Department, models.PROTECT, related_name="+", verbose_name=_("department"))
    watchers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="watches", verbose_name=_("watchers"))
    interval_days = models.PositiveSmallIntegerField(
        _("visit every (days)"), validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    due_at = models.DateTimeField(_("next visit due"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("ended by")
    )

    objects = ScopedQuerySet.as_manager()
    scope_fields = ScopeFields(**BY_ENTERPRISE, department="department_id")

    class Meta:
        verbose_name = _("watch")
        verbose_name_plural = _("watches")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise"], condition=Q(ended_at__isnull=True), name="one_open_watch")
        ]
        indexes = [models.Index(fields=["enterprise", "due_at"], condition=Q(ended_at__isnull=True), name="watch_due")]

    def __str__(self) -> str:
        return f"{self.enterprise} / {self.department}"


class WatchVisit(models.Model):
    """A visit of a watch: what was seen, when, by whom, with photos; `activity_found` where activity is not
    allowed (a suspended enterprise seen working, a closed mine with activity) raised the alert."""

    watch = models.ForeignKey(Watch, models.CASCADE, related_name="visits", verbose_name=_("watch"))
    enterprise = models.ForeignKey(Enterprise, models.PROTECT, related_name="+", verbose_name=_("enterprise"))
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("visitor"))
    visited_at = models.DateTimeField(_("visited at"), default=timezone.now)
    observations = models.JSONField(_("what was seen"), default=list, blank=True)  # choices.Observation values
    activity_found = models.BooleanField(_("activity found"), default=False)
    note = models.TextField(_("note"), blank=True)
    key = models.UUIDField(_("idempotency key"), null=True, blank=True, unique=True, editable=False)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ScopeFields(**BY_ENTERPRISE, department="watch__department_id")

    class Meta:
        verbose_name = _("watch visit")
        verbose_name_plural = _("watch visits")
        ordering = ["-visited_at", "-id"]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.visited_at:%Y-%m-%d %H:%M}"


class VisitPhoto(StoredPhoto):
    visit = models.ForeignKey(WatchVisit, models.CASCADE, related_name="photos", verbose_name=_("visit"))

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")
        ordering = ["uploaded_at", "id"]

    def upload_dir(self) -> str:
        return "watch-visits"

    def __str__(self) -> str:
        return f"{self.visit_id} #{self.pk}"


class ResumptionCheck(models.Model):
    """复产复工验收: a suspended enterprise returns to operating only with a passed check."""

    enterprise = models.ForeignKey(
        Enterprise, models.PROTECT, related_name="resumption_checks", verbose_name=_("enterprise")
    )
    department = models.ForeignKey(Department, models.PROTECT, related_name="+", verbose_name=_("department"))
    passed = models.BooleanField(_("passed"))
    findings = models.TextField(_("findings"))
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    checked_at = models.DateTimeField(_("checked at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ScopeFields(**BY_ENTERPRISE, enterprise="enterprise_id", department="department_id")

    class Meta:
        verbose_name = _("resumption check")
        verbose_name_plural = _("resumption checks")
        ordering = ["-checked_at", "-id"]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.checked_at:%Y-%m-%d}"


class IllegalOperation(models.Model):
    """An illegal or unlicensed operation found (打非治违): what, where, which department, the action and result.
    The operator may be outside the registry (`enterprise` empty, `operator_name` as found)."""

    enterprise = models.ForeignKey(
        Enterprise, models.PROTECT, null=True, blank=True, related_name="illegal_operations",
        verbose_name=_("enterprise"),
    )  # fmt: skip
    operator_name = models.CharField(_("operator"), max_length=200)
    address = models.CharField(_("address"), max_length=300)
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("region"))
    region_path = models.CharField(_("region path"), max_length=255, editable=False, db_index=True)
    industry = models.ForeignKey(Industry, models.PROTECT, related_name="+", verbose_name=_("industry"))
    department = models.ForeignKey(
        Department, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("department")
    )
    source = models.CharField(_("source"), max_length=16, choices=IllegalSource.choices)
    inspection = models.ForeignKey(
        Inspection, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("inspection")
    )
    visit = models.ForeignKey(
        WatchVisit, models.SET_NULL, null=True, blank=True, related_name="illegal_operations",
        verbose_name=_("watch visit"),
    )  # fmt: skip
    source_ref = models.CharField(_("source reference"), max_length=100, blank=True)  # e.g. a tip-off's code
    kind = models.CharField(_("kind"), max_length=32, choices=IllegalKind.choices)
    description = models.TextField(_("what was found"))
    found_on = models.DateField(_("found on"), default=timezone.localdate)
    action = models.CharField(
        pgettext_lazy("illegal operation", "action"), max_length=16, choices=IllegalAction.choices, blank=True
    )
    result = models.CharField(
        pgettext_lazy("illegal operation", "result"), max_length=16, choices=IllegalResult.choices,
        default=IllegalResult.OPEN,
    )  # fmt: skip
    closed_on = models.DateField(pgettext_lazy("illegal operation", "closed on"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ScopeFields(region="region_path", industry="industry_id", department="department_id")

    class Meta:
        verbose_name = _("illegal operation")
        verbose_name_plural = _("illegal operations")
        ordering = ["-found_on", "-id"]
        indexes = [
            models.Index(fields=["region_path", "found_on"], name="illegal_region_found"),
            models.Index(fields=["department", "found_on"], name="illegal_department_found"),
        ]

    def __str__(self) -> str:
        return f"{self.operator_name} {self.found_on}"


class EnforcementAction(models.Model):
    """An enforcement document (行政执法文书): an order to rectify within a time limit, a penalty, a suspension order
    (at most OVERSIGHT_SUSPENSION_MAX_MONTHS), a closure proposal (by hand, or by Art. 113), a referral. Numbered per
    kind and year from a locked counter."""

    kind = models.CharField(_("kind"), max_length=24, choices=ActionKind.choices)
    state = models.CharField(_("state"), max_length=16, choices=ActionState.choices, default=ActionState.ISSUED)
    enterprise = models.ForeignKey(
        Enterprise, models.PROTECT, related_name="enforcement_actions", verbose_name=_("enterprise")
    )
    department = models.ForeignKey(Department, models.PROTECT, related_name="+", verbose_name=_("issued by"))
    year = models.PositiveSmallIntegerField(_("year"))
    serial = models.PositiveIntegerField(_("serial"))
    facts = models.TextField(_("facts"))
    basis = models.TextField(_("legal basis"))
    deadline = models.DateField(_("rectify by"), null=True, blank=True)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True)
    suspended_from = models.DateField(_("suspended from"), null=True, blank=True)
    suspended_until = models.DateField(_("suspended until"), null=True, blank=True)
    hazard = models.ForeignKey(
        Hazard, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("hazard")
    )
    illegal_operation = models.ForeignKey(
        IllegalOperation, models.SET_NULL, null=True, blank=True, related_name="actions",
        verbose_name=_("illegal operation"),
    )  # fmt: skip
    by_article_113 = models.BooleanField(_("proposed by Art. 113"), default=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ScopeFields(**BY_ENTERPRISE, enterprise="enterprise_id", department="department_id")

    class Meta:
        verbose_name = _("enforcement action")
        verbose_name_plural = _("enforcement actions")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "year", "serial"], name="one_number_per_action"),
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=Q(by_article_113=True, state="proposed"),
                name="one_open_article_113_proposal",
            ),
        ]
        indexes = [models.Index(fields=["enterprise", "kind", "issued_at"], name="action_enterprise_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}-{self.serial}"

    @property
    def number(self) -> str:
        """The document's number: 责改〔2026〕3号."""
        return f"{NUMBER_PREFIX.get(self.kind, '')}〔{self.year}〕{self.serial}号"


class ActionCounter(models.Model):
    """The last serial given to an enforcement document of a kind in a year; bumped (locked) when issuing."""

    kind = models.CharField(_("kind"), max_length=24, choices=ActionKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("document number counter")
        verbose_name_plural = _("document number counters")
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="one_counter_per_kind_year")]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.last}"


class SignalCount(models.Model):
    """A day's count of enterprises showing a signal, per county-level region and supervising department (the
    board's trend), written by a beat job with one grouped INSERT per signal."""

    day = models.DateField(_("day"))
    signal = models.CharField(_("signal"), max_length=32)
    region = models.ForeignKey(Region, models.CASCADE, related_name="+", verbose_name=_("region"))
    region_path = models.CharField(_("region path"), max_length=255, editable=False)
    department = models.ForeignKey(
        Department, models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("department")
    )
    count = models.PositiveIntegerField(_("count"))

    objects = ScopedQuerySet.as_manager()
    # A government sees its regions' counts; a department its own counts only.
    scope_fields = ScopeFields(region="region_path", department="department_id", own_department=True)

    class Meta:
        verbose_name = _("signal count")
        verbose_name_plural = _("signal counts")
        ordering = ["day", "signal"]
        indexes = [models.Index(fields=["signal", "day"], name="signal_count_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.signal} {self.count}"
