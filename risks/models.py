"""Risk graded control (风险分级管控) and the enterprise's own checks (隐患排查): risk points with their controls and
evaluations, risk themes for a period with each enterprise's confirmation, periodic check tasks and their results.
See docs/risks.md. The workflow modules change these rows; nothing else writes them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hazards.models import Hazard, StoredPhoto
from organizations.models import Department, Enterprise, Industry, Region
from organizations.scope import ScopedQuerySet, ScopeFields

from .choices import (
    CheckStatus,
    Colour,
    ControlKind,
    ControlLevel,
    Method,
    PointKind,
    ReevaluationReason,
    ThemeKind,
    ThemeStatus,
)

LEC_VALUE = {"max_digits": 6, "decimal_places": 1}


class RiskPoint(models.Model):
    """风险点: a place, facility or work activity of an enterprise, with its hazard factors, the accidents it could
    cause, its controls, the level that controls it and its evaluated colour. Region and industry are the
    enterprise's, copied so the four-colour counts group without a join."""

    enterprise = models.ForeignKey(Enterprise, models.PROTECT, related_name="risk_points", verbose_name=_("enterprise"))
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("region"))
    region_path = models.CharField(_("region path"), max_length=255, db_index=True, editable=False)
    industry = models.ForeignKey(Industry, models.PROTECT, related_name="+", verbose_name=_("industry"))
    # The supervising department, resolved as a hazard's is (organizations.responsibility) when the point is written:
    # the four-colour counts per department group by it and its lists filter by it.
    department = models.ForeignKey(Department, models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("supervising department"))  # fmt: skip
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=PointKind.choices, default=PointKind.PLACE)
    place = models.CharField(_("place"), max_length=200, blank=True, help_text=_("Workshop, floor, area."))
    description = models.TextField(_("description"), blank=True)
    # GB/T 13861 categories and GB 6441 types, as lists of their codes (choices.HazardFactor, choices.AccidentType).
    hazard_factors = models.JSONField(_("hazard factors"), default=list, blank=True)
    accident_types = models.JSONField(_("possible accidents"), default=list, blank=True)
    control_level = models.CharField(_("control level"), max_length=16, choices=ControlLevel.choices,
                                     default=ControlLevel.TEAM)  # fmt: skip
    responsible_name = models.CharField(_("responsible person"), max_length=50)
    responsible_phone = models.CharField(_("responsible person's phone"), max_length=30, blank=True)
    is_key_place = models.BooleanField(_("key place"), default=False)
    is_major_hazard_source = models.BooleanField(_("major hazard source"), default=False)
    meets_major_criterion = models.BooleanField(_("meets a major-risk criterion"), default=False)
    emergency_measures = models.TextField(_("emergency measures"), blank=True)
    report_phone = models.CharField(_("report phone"), max_length=30, blank=True)
    # The evaluation: inputs, computed score and colour, an override that may only raise it.
    method = models.CharField(_("method"), max_length=8, choices=Method.choices, default=Method.LEC)
    lec_l = models.DecimalField("L", null=True, blank=True, **LEC_VALUE)
    lec_e = models.DecimalField("E", null=True, blank=True, **LEC_VALUE)
    lec_c = models.DecimalField("C", null=True, blank=True, **LEC_VALUE)
    ls_l = models.PositiveSmallIntegerField("L", null=True, blank=True)
    ls_s = models.PositiveSmallIntegerField("S", null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=10, decimal_places=2)
    computed_colour = models.CharField(_("computed grade"), max_length=8, choices=Colour.choices)
    override_colour = models.CharField(_("raised to"), max_length=8, choices=Colour.choices, blank=True)
    override_reason = models.TextField(_("reason for raising"), blank=True)
    colour = models.CharField(pgettext_lazy("risk", "grade"), max_length=8, choices=Colour.choices, db_index=True)
    evaluated_at = models.DateTimeField(_("evaluated at"), default=timezone.now)
    evaluated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("evaluated by"))  # fmt: skip
    # Re-evaluation: the yearly date, or earlier for a reason (accident, change, repeated hazards).
    reevaluate_by = models.DateField(_("re-evaluate by"), db_index=True)
    reevaluation_reason = models.CharField(
        _("re-evaluation reason"), max_length=16, choices=ReevaluationReason.choices, default=ReevaluationReason.YEARLY
    )
    is_active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ScopeFields(
        region="region_path", industry="industry_id", enterprise="enterprise_id", department="department_id"
    )

    class Meta:
        verbose_name = _("risk point")
        verbose_name_plural = _("risk points")
        ordering = ["enterprise_id", "place", "name", "id"]
        indexes = [
            models.Index(fields=["region_path", "colour"], name="riskpoint_region_colour"),
            models.Index(fields=["industry", "colour"], name="riskpoint_industry_colour"),
            models.Index(fields=["enterprise", "colour"], name="riskpoint_enterprise_colour"),
            models.Index(fields=["department", "colour"], name="riskpoint_department_colour"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ls_l__isnull=True) | Q(ls_l__gte=1, ls_l__lte=5), name="riskpoint_ls_l"),
            models.CheckConstraint(condition=Q(ls_s__isnull=True) | Q(ls_s__gte=1, ls_s__lte=5), name="riskpoint_ls_s"),
        ]

    def __str__(self) -> str:
        return self.name


class RiskControl(models.Model):
    """One control measure of a point (管控措施), by kind; the enterprise's checks ask whether each is in place."""

    point = models.ForeignKey(RiskPoint, models.CASCADE, related_name="controls", verbose_name=_("risk point"))
    kind = models.CharField(_("kind"), max_length=16, choices=ControlKind.choices)
    measure = models.TextField(_("measure"))
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ScopeFields(
        region="point__region_path", industry="point__industry_id", enterprise="point__enterprise_id"
    )

    class Meta:
        verbose_name = _("control measure")
        verbose_name_plural = _("control measures")
        ordering = ["point_id", "position", "id"]

    def __str__(self) -> str:
        return self.measure[:60]


class RiskEvaluation(models.Model):
    """One evaluation of a point, kept: its inputs, score and colours, who and why (first, yearly, a change …)."""

    point = models.ForeignKey(RiskPoint, models.CASCADE, related_name="evaluations", verbose_name=_("risk point"))
    method = models.CharField(_("method"), max_length=8, choices=Method.choices)
    inputs = models.JSONField(_("inputs"), default=dict)
    score = models.DecimalField(_("score"), max_digits=10, decimal_places=2)
    computed_colour = models.CharField(_("computed grade"), max_length=8, choices=Colour.choices)
    colour = models.CharField(pgettext_lazy("risk", "grade"), max_length=8, choices=Colour.choices)
    override_reason = models.TextField(_("reason for raising"), blank=True)
    reason = models.CharField(_("occasion"), max_length=16, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                           verbose_name=_("by"))  # fmt: skip

    objects = ScopedQuerySet.as_manager()
    scope_fields = ScopeFields(
        region="point__region_path", industry="point__industry_id", enterprise="point__enterprise_id"
    )

    class Meta:
        verbose_name = _("risk evaluation")
        verbose_name_plural = _("risk evaluations")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.point_id}: {self.colour} ({self.at:%Y-%m-%d})"


class PointHazard(models.Model):
    """A hazard found at a point (from its check, or linked by the enterprise or an inspector): listed on the point;
    a second within RISK_REPEAT_HAZARD_DAYS makes the point due for re-evaluation."""

    point = models.ForeignKey(RiskPoint, models.CASCADE, related_name="hazard_links", verbose_name=_("risk point"))
    hazard = models.ForeignKey(Hazard, models.CASCADE, related_name="+", verbose_name=_("hazard"))
    linked_at = models.DateTimeField(_("linked at"), default=timezone.now)
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("linked by"))  # fmt: skip

    objects = ScopedQuerySet.as_manager()
    scope_fields = ScopeFields(
        region="point__region_path", industry="point__industry_id", enterprise="point__enterprise_id"
    )

    class Meta:
        verbose_name = _("hazard at a risk point")
        verbose_name_plural = _("hazards at risk points")
        constraints = [models.UniqueConstraint(fields=["point", "hazard"], name="pointhazard_once")]

    def __str__(self) -> str:
        return f"{self.point_id} ← {self.hazard_id}"


class RiskTheme(models.Model):
    """A risk theme for a period (e.g. 国庆假期风险, 09-25 to 10-08), published by the city office, a county or a
    department, with the controls it requires of the industries concerned; each enterprise in scope confirms by
    `confirm_by` that it has checked them. Seen by governments with its region's ancestors' (reference data)."""

    kind = models.CharField(_("kind"), max_length=16, choices=ThemeKind.choices)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    required_controls = models.TextField(_("controls required"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    confirm_by = models.DateTimeField(_("confirm by"))
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("region"))
    region_path = models.CharField(_("region path"), max_length=255, db_index=True, editable=False)
    department = models.ForeignKey(Department, models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("department"))  # fmt: skip
    industries = models.ManyToManyField(Industry, blank=True, related_name="+", verbose_name=_("industries"),
                                        help_text=_("None: every industry in the region."))  # fmt: skip
    status = models.CharField(_("status"), max_length=16, choices=ThemeStatus.choices, default=ThemeStatus.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))  # fmt: skip
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ScopeFields(region="region_path", region_code="region__code", reference=True)

    class Meta:
        verbose_name = _("risk theme")
        verbose_name_plural = _("risk themes")
        ordering = ["-starts_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="risktheme_period")]

    def __str__(self) -> str:
        return self.title


class ThemeConfirmation(models.Model):
    """An enterprise's answer to a theme: one row per enterprise in scope, made at publishing; `confirmed_at` empty
    until it confirms. Unconfirmed past `confirm_by` escalate through the chain."""

    theme = models.ForeignKey(RiskTheme, models.CASCADE, related_name="confirmations", verbose_name=_("risk theme"))
    enterprise = models.ForeignKey(Enterprise, models.PROTECT, related_name="+", verbose_name=_("enterprise"))
    region_path = models.CharField(_("region path"), max_length=255, editable=False)
    industry = models.ForeignKey(Industry, models.PROTECT, related_name="+", verbose_name=_("industry"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("confirmed by"))  # fmt: skip
    note = models.TextField(_("note"), blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ScopeFields(region="region_path", industry="industry_id", enterprise="enterprise_id")

    class Meta:
        verbose_name = _("theme confirmation")
        verbose_name_plural = _("theme confirmations")
        constraints = [models.UniqueConstraint(fields=["theme", "enterprise"], name="themeconfirmation_once")]
        indexes = [models.Index(fields=["theme", "confirmed_at"], name="themeconf_theme_confirmed")]

    def __str__(self) -> str:
        return f"{self.theme_id}: {self.enterprise_id}"


class CheckTask(models.Model):
    """One periodic check of a point (排查任务), due by `due_on`: generated by beat on the working-day calendar at the
    frequency of its control level (more often for red and orange points during a holiday theme). Region, industry
    and enterprise copied for the counts."""

    # A day's generation writes up to a million rows (docs/risks.md): every index and foreign-key check is paid per
    # row. The point's key is indexed by the unique (point, period start), the enterprise's by its composite index;
    # enterprise and industry are copies of the point's, whose own keys hold them, so they carry no constraint. The
    # point's carries none either: its check locks every point row it names (FOR KEY SHARE), rewriting the whole point
    # table each day; tasks are made only from existing points, and a point is retired, not deleted (a deletion
    # through Django still cascades).
    point = models.ForeignKey(RiskPoint, models.CASCADE, related_name="check_tasks", verbose_name=_("risk point"),
                              db_index=False, db_constraint=False)  # fmt: skip
    enterprise = models.ForeignKey(Enterprise, models.PROTECT, related_name="+", verbose_name=_("enterprise"),
                                   db_index=False, db_constraint=False)  # fmt: skip
    region_path = models.CharField(_("region path"), max_length=255, editable=False)
    industry = models.ForeignKey(Industry, models.PROTECT, related_name="+", verbose_name=_("industry"),
                                 db_index=False, db_constraint=False)  # fmt: skip
    control_level = models.CharField(_("control level"), max_length=16, choices=ControlLevel.choices)
    period_start = models.DateField(_("period from"))
    due_on = models.DateField(_("due"))
    theme = models.ForeignKey(RiskTheme, models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=_("risk theme"), db_index=False)  # fmt: skip
    status = models.CharField(_("status"), max_length=16, choices=CheckStatus.choices, default=CheckStatus.OPEN)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name=_("done by"), db_index=False)  # fmt: skip
    is_hollow = models.BooleanField(_("hollow"), default=False, help_text=_("Done too fast for its controls."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ScopeFields(region="region_path", industry="industry_id", enterprise="enterprise_id")

    class Meta:
        verbose_name = _("risk check")
        verbose_name_plural = _("risk checks")
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["point", "period_start"], name="checktask_once_a_period")]
        indexes = [
            models.Index(fields=["enterprise", "status", "due_on"], name="checktask_enterprise_due"),
            models.Index(fields=["status", "due_on"], name="checktask_status_due"),
            # Partial: a generated task has neither, so generation does not write them.
            models.Index(fields=["theme"], condition=Q(theme__isnull=False), name="checktask_theme"),
            models.Index(fields=["done_by"], condition=Q(done_by__isnull=False), name="checktask_done_by"),
        ]

    def __str__(self) -> str:
        return f"{self.point_id} {self.period_start}"

    @property
    def is_overdue(self) -> bool:
        """Open past its due day: still to be done (until the end of the next working day), shown as overdue."""
        return self.status == CheckStatus.OPEN and self.due_on < timezone.localdate()


class CheckResult(models.Model):
    """One control's answer in a check: in place or not; where not, a photo and the hazard filed for it."""

    task = models.ForeignKey(CheckTask, models.CASCADE, related_name="results", verbose_name=_("risk check"))
    control = models.ForeignKey(RiskControl, models.PROTECT, related_name="+", verbose_name=_("control measure"))
    in_place = models.BooleanField(_("in place"))
    note = models.TextField(_("note"), blank=True)
    hazard = models.ForeignKey(Hazard, models.SET_NULL, null=True, blank=True, related_name="+",
                               verbose_name=_("hazard"))  # fmt: skip

    objects = ScopedQuerySet.as_manager()
    scope_fields = ScopeFields(
        region="task__region_path", industry="task__industry_id", enterprise="task__enterprise_id"
    )

    class Meta:
        verbose_name = _("check result")
        verbose_name_plural = _("check results")
        constraints = [models.UniqueConstraint(fields=["task", "control"], name="checkresult_once")]

    def __str__(self) -> str:
        return f"{self.task_id}: {self.control_id}"


class CheckPhoto(StoredPhoto):
    """The photo of a control found not in place."""

    result = models.ForeignKey(CheckResult, models.CASCADE, related_name="photos", verbose_name=_("check result"))

    class Meta:
        verbose_name = _("check photo")
        verbose_name_plural = _("check photos")

    def upload_dir(self) -> str:
        return f"risks/checks/{self.result.task_id}"
