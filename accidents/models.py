"""Accidents and their lessons (一场出事故、万场受教育): accident records made from confirmed incident reports or
entered for an accident elsewhere, the lessons drawn from them with a comparison self-check (对照检查) for every
enterprise in scope, each enterprise's task, and the warning circular (警示通报) issued with a lesson. See
docs/accidents.md.

The workflow modules change these rows (records.py, lessons.py, selfchecks.py, circulars.py); nothing else writes
them."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from duty_roster.choices import Grade
from duty_roster.models import IncidentReport
from inspections.models import ChecklistVersion, Inspection
from organizations.models import Department, Enterprise, Industry, Region
from organizations.roles import is_government
from organizations.scope import ScopedQuerySet, ScopeFields
from risks.choices import AccidentType

from .choices import AccidentKind, Investigation, LessonStatus


class AccidentQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> models.QuerySet:
        """An accident at an enterprise is seen as the enterprise's records are (its region, industry, itself); one
        elsewhere (`external`), entered for its lesson alone, by every government unit."""
        scoped = super().visible_to(user)
        if not is_government(user):
            return scoped
        return self.filter(Q(pk__in=scoped.values("pk")) | Q(external=True))


class Accident(models.Model):
    """事故记录: an incident report confirmed as a production safety accident or a near miss, or an accident
    elsewhere entered by the city office with its source. The three responsible parties are the enterprise's (its
    territory, its supervising department resolved as a hazard's is, itself); the figures count these rows."""

    kind = models.CharField(_("kind"), max_length=16, choices=AccidentKind.choices, default=AccidentKind.PRODUCTION)
    # The first report (not a supplement) it was confirmed from; none for an accident elsewhere.
    incident = models.OneToOneField(IncidentReport, models.PROTECT, null=True, blank=True,
                                    related_name="accident_record", verbose_name=_("incident report"))  # fmt: skip
    external = models.BooleanField(
        _("elsewhere"), default=False, help_text=_("An accident in another city or province, entered for its lesson.")
    )
    source = models.CharField(
        _("source"), max_length=200, blank=True,
        help_text=_("Where an accident elsewhere was reported (a circular, a news release)."),
    )  # fmt: skip
    title = models.CharField(_("name"), max_length=200)
    enterprise = models.ForeignKey(Enterprise, models.PROTECT, null=True, blank=True, related_name="accidents",
                                   verbose_name=_("enterprise"))  # fmt: skip
    enterprise_name = models.CharField(_("enterprise (elsewhere)"), max_length=200, blank=True)
    # Here: the enterprise's region (the territory answerable); elsewhere: the city (every government sees it).
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("territory"))
    region_path = models.CharField(_("region path"), max_length=255, db_index=True, editable=False)
    place = models.CharField(_("place"), max_length=200, help_text=_("Elsewhere: the province and city as well."))
    industry = models.ForeignKey(Industry, models.PROTECT, related_name="+", verbose_name=_("industry"))
    department = models.ForeignKey(Department, models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("supervising department"))  # fmt: skip
    accident_type = models.CharField(_("accident type"), max_length=2, choices=AccidentType.choices)
    grade = models.CharField(_("grade"), max_length=24, choices=Grade.choices, default=Grade.GENERAL)
    occurred_at = models.DateTimeField(_("time of occurrence"))
    course = models.TextField(_("course of the accident"), max_length=10000, blank=True)
    # Lists of codes (choices.DirectCause, choices.IndirectCause).
    direct_causes = models.JSONField(_("direct causes"), default=list, blank=True)
    indirect_causes = models.JSONField(_("indirect causes"), default=list, blank=True)
    # The final figures (the incident's latest report's when confirmed; the investigation's when closed).
    deaths = models.PositiveIntegerField(_("deaths"), default=0)
    serious_injuries = models.PositiveIntegerField(_("serious injuries"), default=0)
    minor_injuries = models.PositiveIntegerField(_("minor injuries"), default=0)
    missing = models.PositiveIntegerField(_("missing"), default=0)
    direct_loss = models.DecimalField(
        _("direct economic loss (CNY)"), max_digits=14, decimal_places=2, default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )  # fmt: skip
    investigation = models.CharField(_("investigation"), max_length=16, choices=Investigation.choices,
                                     default=Investigation.INVESTIGATING)  # fmt: skip
    report = models.FileField(_("investigation report"), upload_to="accidents/reports/%Y/", blank=True)
    findings = models.TextField(_("responsibility findings"), max_length=10000, blank=True)
    measures = models.TextField(_("rectification and prevention measures"), max_length=10000, blank=True)
    closed_at = models.DateTimeField(_("investigation closed at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    objects = AccidentQuerySet.as_manager()
    scope_fields = ScopeFields(region="region_path", industry="industry_id", enterprise="enterprise_id",
                               department="department_id")  # fmt: skip

    class Meta:
        verbose_name = _("accident")
        verbose_name_plural = _("accidents")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["occurred_at"], name="accident_occurred")]

    def __str__(self) -> str:
        return self.title


class Lesson(models.Model):
    """警示: a lesson drawn from an accident, with a comparison self-check (对照检查) every enterprise in its scope does
    by the deadline with a checklist. A look-back (回头看) is a lesson of its own, pointing at the one it repeats, for
    the enterprises whose self-check found hazards. Seen by governments with its region's ancestors' (as themes)."""

    accident = models.ForeignKey(Accident, models.PROTECT, related_name="lessons", verbose_name=_("accident"))
    look_back_of = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="look_backs", verbose_name=_("look-back of")
    )
    title = models.CharField(_("title"), max_length=120)
    lesson = models.TextField(
        _("the lesson"), max_length=10000,
        help_text=_("What happened, why, and what every enterprise of this kind must check."),
    )  # fmt: skip
    # The scope: the regions (with all below; none: the publisher's), industries (a sector covers its industries;
    # none: every one), key units only, and "enterprises like this one" (the accident's industry, and among the
    # enterprises with risk points those with a point that could cause the accident's type).
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("region"))
    region_path = models.CharField(_("region path"), max_length=255, db_index=True, editable=False)
    regions = models.ManyToManyField(Region, blank=True, related_name="+", verbose_name=_("regions (with all below)"))
    industries = models.ManyToManyField(Industry, blank=True, related_name="+", verbose_name=_("industries"))
    key_units_only = models.BooleanField(_("key units only"), default=False)
    like_this_one = models.BooleanField(_("enterprises like this one"), default=False)
    version = models.ForeignKey(ChecklistVersion, models.PROTECT, related_name="+", verbose_name=_("checklist"))
    deadline = models.DateTimeField(_("self-check by"))
    department = models.ForeignKey(Department, models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("department"))  # fmt: skip
    status = models.CharField(_("status"), max_length=16, choices=LessonStatus.choices, default=LessonStatus.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    tasks_total = models.PositiveIntegerField(_("enterprises"), default=0, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ScopeFields(region="region_path", region_code="region__code", reference=True)

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class LessonTask(models.Model):
    """One enterprise's comparison self-check of a lesson (对照检查任务), made when the lesson is published. Its
    inspection (the answer form, kind `lesson`) is started by the enterprise; submitted, the task is done and the
    failed items are hazards with source `accident_lesson`. Region, industry and department copied for the
    completion board (one grouped query)."""

    # Up to tens of thousands per lesson, in one INSERT … SELECT: the enterprise and industry keys are copies whose
    # own rows hold them, so they carry no constraint; the lesson's (lesson, enterprise) unique index serves both.
    lesson = models.ForeignKey(Lesson, models.CASCADE, related_name="tasks", verbose_name=_("lesson"),
                               db_index=False)  # fmt: skip
    enterprise = models.ForeignKey(Enterprise, models.PROTECT, related_name="+", verbose_name=_("enterprise"),
                                   db_constraint=False)  # fmt: skip
    region_path = models.CharField(_("region path"), max_length=255, editable=False)
    industry = models.ForeignKey(Industry, models.PROTECT, related_name="+", verbose_name=_("industry"),
                                 db_index=False, db_constraint=False)  # fmt: skip
    department = models.ForeignKey(Department, models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("supervising department"), db_index=False,
                                   db_constraint=False)  # fmt: skip
    inspection = models.OneToOneField(Inspection, models.SET_NULL, null=True, blank=True, related_name="lesson_task",
                                      verbose_name=_("self-check"))  # fmt: skip
    completed_at = models.DateTimeField(_("done at"), null=True, blank=True)
    hazards_found = models.PositiveIntegerField(_("hazards found"), default=0)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    # 抽查: chosen by the department for a spot check; checked, and found hollow (nothing found but hazards there).
    spot_chosen_at = models.DateTimeField(_("chosen for a spot check at"), null=True, blank=True)
    spot_checked_at = models.DateTimeField(_("spot-checked at"), null=True, blank=True)
    spot_checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                        related_name="+", verbose_name=_("spot-checked by"))  # fmt: skip
    hollow = models.BooleanField(_("hollow"), null=True, blank=True)
    spot_note = models.CharField(_("spot check note"), max_length=500, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ScopeFields(region="region_path", industry="industry_id", enterprise="enterprise_id",
                               department="department_id")  # fmt: skip

    class Meta:
        verbose_name = _("comparison self-check")
        verbose_name_plural = _("comparison self-checks")
        constraints = [models.UniqueConstraint(fields=["lesson", "enterprise"], name="lessontask_once")]
        indexes = [models.Index(fields=["enterprise", "completed_at"], name="lessontask_enterprise")]

    def __str__(self) -> str:
        return f"{self.lesson_id}: {self.enterprise_id}"


class Circular(models.Model):
    """警示通报: the warning circular issued with a lesson, numbered once per year (〔2026〕3号), sent to the units in
    the lesson's scope as a must-read notice they acknowledge."""

    lesson = models.OneToOneField(Lesson, models.PROTECT, related_name="circular", verbose_name=_("lesson"))
    year = models.PositiveSmallIntegerField(_("year"))
    serial = models.PositiveIntegerField(_("serial number"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=20000)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    # Kept as issued: a later change of the issuer's unit must not rewrite a circular already sent.
    issuing_unit = models.CharField(_("issuing unit"), max_length=200)
    recipients = models.PositiveIntegerField(_("people told"), default=0)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ScopeFields(region="lesson__region_path", region_code="lesson__region__code", reference=True)

    class Meta:
        verbose_name = _("warning circular")
        verbose_name_plural = _("warning circulars")
        constraints = [models.UniqueConstraint(fields=["year", "serial"], name="circular_number_unique")]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"〔{self.year}〕{self.serial}号"


class CircularCounter(models.Model):
    """The last serial given to a circular in a year; bumped (locked) in the issuing transaction."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("circular number counter")
        verbose_name_plural = _("circular number counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"
