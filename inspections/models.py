"""Checklists (versioned), campaigns with a scope, inspections with their answers and the hazards they find."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hazards.models import Hazard, HazardCategory, StoredPhoto
from organizations.choices import OperatingState
from organizations.models import Department, Enterprise, Industry, Region
from organizations.scope import ScopedQuerySet, ScopeFields
from safety_platform.lib import bounds

from .choices import AnswerKind, CampaignKind, InspectionKind, InspectionStatus, Result


class ChecklistTemplate(models.Model):
    """A checklist (检查表) such as fire safety of crowded places; its content lives in versions."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def current(self) -> ChecklistVersion | None:
        return self.versions.order_by("-number").first()


class ChecklistVersion(models.Model):
    """One version of a template. An inspection keeps the version it used; a version in use is never edited."""

    template = models.ForeignKey(ChecklistTemplate, models.CASCADE, related_name="versions", verbose_name=_("template"))
    number = models.PositiveIntegerField(_("version"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("checklist version")
        verbose_name_plural = _("checklist versions")
        constraints = [models.UniqueConstraint(fields=["template", "number"], name="checklist_version_unique")]

    def __str__(self) -> str:
        return f"{self.template.name} v{self.number}"

    @property
    def in_use(self) -> bool:
        return self.inspections.exists()


class ChecklistSection(models.Model):
    """A section of a checklist: one screen of the phone form."""

    version = models.ForeignKey(ChecklistVersion, models.CASCADE, related_name="sections", verbose_name=_("version"))
    order = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=200)

    class Meta:
        verbose_name = _("checklist section")
        verbose_name_plural = _("checklist sections")
        ordering = ["version", "order"]

    def __str__(self) -> str:
        return self.title


class ChecklistItem(models.Model):
    """One thing to check, with its legal basis and how it is answered and weighed."""

    section = models.ForeignKey(ChecklistSection, models.CASCADE, related_name="items", verbose_name=_("section"))
    order = models.PositiveSmallIntegerField(_("order"))
    text = models.CharField(_("item"), max_length=500)
    legal_basis = models.CharField(_("legal basis"), max_length=500, blank=True)
    answer_kind = models.CharField(_("answer kind"), max_length=16, choices=AnswerKind.choices)
    min_value = models.DecimalField(_("minimum"), max_digits=12, decimal_places=3, null=True, blank=True)
    max_value = models.DecimalField(_("maximum"), max_digits=12, decimal_places=3, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    photo_required_on_fail = models.BooleanField(_("photo required on fail"), default=True)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    major_criterion = models.BooleanField(_("major-hazard criterion"), default=False)
    category = models.ForeignKey(
        HazardCategory, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("hazard category")
    )

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["section", "order"]

    def __str__(self) -> str:
        return self.text


class Campaign(models.Model):
    """A major or special inspection campaign (大检查 / 专项检查): a period, a scope and checklists."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("campaign kind"), max_length=24, choices=CampaignKind.choices, default=CampaignKind.INSPECTION
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    lead_department = models.ForeignKey(
        Department, models.PROTECT, related_name="campaigns", verbose_name=_("lead department")
    )
    regions = models.ManyToManyField(Region, blank=True, related_name="+", verbose_name=_("regions (with all below)"))
    industries = models.ManyToManyField(
        Industry, blank=True, related_name="+", verbose_name=_("industries (a sector covers its industries)")
    )
    key_units_only = models.BooleanField(_("key units only"), default=False)
    operating_states = models.JSONField(
        _("operating states"),
        default=list,
        blank=True,
        help_text=_("Empty: operating, suspended and under construction."),
    )
    versions = models.ManyToManyField(ChecklistVersion, related_name="campaigns", verbose_name=_("checklists"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ScopeFields()  # the government's: every government unit sees them (figures are cut to its scope)

    DEFAULT_STATES = [OperatingState.OPERATING, OperatingState.SUSPENDED, OperatingState.UNDER_CONSTRUCTION]

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """The period within the bounds of planned days, in order; operating states only from the known ones."""
        errors = bounds.day_errors(
            starts_on=(self.starts_on, _("The first day")), ends_on=(self.ends_on, _("The last day"))
        )
        if not errors and self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The campaign cannot end before it starts.")
        states = self.operating_states
        known = set(OperatingState.values)
        if not isinstance(states, list) or any(not isinstance(s, str) or s not in known for s in states):
            errors["operating_states"] = _("Operating states are a list of: %(states)s.") % {
                "states": "、".join(f"{value}（{label}）" for value, label in OperatingState.choices)
            }
        if errors:
            raise ValidationError(errors)


class Team(models.Model):
    """An inspection team of a campaign (at least two inspectors, one of them the lead)."""

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="teams", verbose_name=_("campaign"))
    name = models.CharField(_("name"), max_length=100)
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("lead"))
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="inspection_teams", verbose_name=_("members")
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class Assignment(models.Model):
    """An in-scope enterprise given to a team for the campaign."""

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="assignments", verbose_name=_("campaign"))
    enterprise = models.ForeignKey(Enterprise, models.CASCADE, related_name="+", verbose_name=_("enterprise"))
    team = models.ForeignKey(Team, models.CASCADE, related_name="assignments", verbose_name=_("team"))

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [models.UniqueConstraint(fields=["campaign", "enterprise"], name="one_team_per_enterprise")]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.enterprise} → {self.team}"


class Inspection(models.Model):
    """One inspection (or an enterprise's self-check) of an enterprise with one checklist version."""

    kind = models.CharField(_("kind"), max_length=16, choices=InspectionKind.choices, default=InspectionKind.AD_HOC)
    campaign = models.ForeignKey(
        Campaign, models.PROTECT, null=True, blank=True, related_name="inspections", verbose_name=_("campaign")
    )
    original = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="supervisions",
        verbose_name=_("inspection re-inspected"),
    )  # fmt: skip
    enterprise = models.ForeignKey(Enterprise, models.PROTECT, related_name="inspections", verbose_name=_("enterprise"))
    version = models.ForeignKey(
        ChecklistVersion, models.PROTECT, related_name="inspections", verbose_name=_("checklist")
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    status = models.CharField(
        _("status"), max_length=16, choices=InspectionStatus.choices, default=InspectionStatus.PLANNED
    )
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("lead"))
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="inspections", verbose_name=_("team"))
    representative = models.CharField(_("enterprise representative"), max_length=100, blank=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    submit_key = models.UUIDField(_("submit key"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # The enterprise's territory and industry, copied so that scope and coverage need no join.
    region_path = models.CharField(_("territory path"), max_length=255, editable=False)
    industry = models.ForeignKey(Industry, models.PROTECT, related_name="+", verbose_name=_("industry"))

    objects = ScopedQuerySet.as_manager()
    scope_fields = ScopeFields(region="region_path", industry="industry_id", enterprise="enterprise_id")

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(
                fields=["campaign", "enterprise"],
                condition=Q(status__in=["submitted", "closed"]),
                name="inspection_campaign_done",
            ),  # fmt: skip
            models.Index(fields=["lead", "date"], name="inspection_lead_date"),
            models.Index(fields=["enterprise", "date"], name="inspection_enterprise_date"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.date}"


class Answer(models.Model):
    """The answer to one item, saved the moment it is given (a draft until the inspection is submitted)."""

    inspection = models.ForeignKey(Inspection, models.CASCADE, related_name="answers", verbose_name=_("inspection"))
    item = models.ForeignKey(ChecklistItem, models.PROTECT, related_name="+", verbose_name=_("item"))
    result = models.CharField(_("result"), max_length=8, choices=Result.choices)
    number = models.DecimalField(_("value"), max_digits=12, decimal_places=3, null=True, blank=True)
    text = models.CharField(_("text"), max_length=1000, blank=True)
    note = models.CharField(_("place / note"), max_length=500, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    answered_at = models.DateTimeField(_("answered at"), default=timezone.now)
    hazard = models.OneToOneField(
        Hazard, models.SET_NULL, null=True, blank=True, related_name="inspection_answer", verbose_name=_("hazard")
    )

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="one_answer_per_item")]

    def __str__(self) -> str:
        return f"{self.inspection_id}/{self.item_id}: {self.result}"


def answer_photo_path(instance, filename: str) -> str:
    """Named by migration 0001; photos now take their folder from StoredPhoto.upload_dir."""
    return f"inspections/{instance.answer.inspection_id}/{filename}"


class AnswerPhoto(StoredPhoto):
    """A photo taken for an answer; attached to the hazard the answer becomes."""

    answer = models.ForeignKey(Answer, models.CASCADE, related_name="photos", verbose_name=_("answer"))
    # The key an offline device sends with each photo, so that a retried upload stores it once.
    upload_key = models.UUIDField(_("upload key"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("answer photo")
        verbose_name_plural = _("answer photos")
        constraints = [models.UniqueConstraint(fields=["answer", "upload_key"], name="answer_photo_upload_once")]

    def __str__(self) -> str:
        return f"{self.answer_id} #{self.pk}"

    def upload_dir(self) -> str:
        return f"inspections/{self.answer.inspection_id}"


class Finding(models.Model):
    """Something found during an inspection that is not a checklist item: filed as a hazard at once (so that
    it is not lost), and listed with the inspection's record."""

    inspection = models.ForeignKey(Inspection, models.CASCADE, related_name="findings", verbose_name=_("inspection"))
    hazard = models.OneToOneField(Hazard, models.PROTECT, related_name="+", verbose_name=_("hazard"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("inspection finding")
        verbose_name_plural = _("inspection findings")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.inspection_id}: {self.hazard_id}"


class Difference(models.Model):
    """An item a supervision re-inspection found failing where the original inspection had passed it,
    recorded against the original inspection and so against its team (督导检查差异)."""

    supervision = models.ForeignKey(
        Inspection, models.CASCADE, related_name="differences", verbose_name=_("supervision")
    )
    original = models.ForeignKey(Inspection, models.CASCADE, related_name="missed", verbose_name=_("original"))
    item = models.ForeignKey(ChecklistItem, models.PROTECT, related_name="+", verbose_name=_("item"))
    original_result = models.CharField(_("original result"), max_length=8, choices=Result.choices, blank=True)
    supervision_result = models.CharField(_("supervision result"), max_length=8, choices=Result.choices)

    class Meta:
        verbose_name = _("supervision difference")
        verbose_name_plural = _("supervision differences")
        constraints = [models.UniqueConstraint(fields=["supervision", "item"], name="one_difference_per_item")]

    def __str__(self) -> str:
        return f"{self.original_id}/{self.item_id}"
