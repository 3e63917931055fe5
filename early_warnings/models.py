"""Early warnings (预警信息) and who must answer them (叫应). See docs/warnings.md.

A warning is a chain of versions: each rolling update (滚动发布: level raised or lowered, areas changed, lifted) is a
new `EarlyWarning` row that `supersedes` the one before it, which keeps its text and its answers; `series` is the first
version's id, so a warning's history is one indexed lookup. Recipients are posts, derived when a version is sent
(`WarningRecipient`); each post's holders get a must-answer notice through the outbox, and the post's answer (one
tap, optionally with the measures taken) is recorded on its row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organizations.models import Department, Enterprise, Position, Region
from organizations.scope import ScopedQuerySet, ScopeFields

from .choices import RecipientRole, WarningChange, WarningKind, WarningLevel, WarningStatus


class EarlyWarning(models.Model):
    """One version of an early warning."""

    series = models.PositiveBigIntegerField(_("series"), null=True, blank=True, db_index=True,
                                            help_text=_("The first version's id."))  # fmt: skip
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    supersedes = models.OneToOneField(
        "self", models.PROTECT, null=True, blank=True, related_name="superseded_by", verbose_name=_("supersedes")
    )
    change = models.CharField(_("change"), max_length=16, choices=WarningChange.choices, default=WarningChange.ISSUED)
    change_note = models.CharField(_("what changed"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=WarningStatus.choices, default=WarningStatus.IN_FORCE)
    kind = models.CharField(pgettext_lazy("warning", "kind"), max_length=20, choices=WarningKind.choices)
    level = models.CharField(_("level"), max_length=8, choices=WarningLevel.choices)
    issuer = models.CharField(_("issuer"), max_length=200)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    areas = models.ManyToManyField(Region, related_name="+", verbose_name=_("areas"))
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), max_length=5000)
    measures = models.TextField(_("measures required"), max_length=5000, blank=True)
    tips = models.TextField(
        _("safety tips"), max_length=5000, blank=True, help_text=_("Published to the areas' enterprises and publicly.")
    )
    cap_identifier = models.CharField(_("CAP identifier"), max_length=200, blank=True)
    cap_sender = models.CharField(_("CAP sender"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    # Warnings are public (the public page shows those in force); every government unit reads them all.
    scope_fields = ScopeFields()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("early warning")
        verbose_name_plural = _("early warnings")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cap_sender", "cap_identifier"], condition=~Q(cap_identifier=""), name="one_warning_per_cap"
            )
        ]
        indexes = [models.Index(fields=["status", "valid_until"], name="warning_in_force")]

    def __str__(self) -> str:
        return self.title


class WarningRecipient(models.Model):
    """One post a version of a warning went to, and its answer (叫应)."""

    warning = models.ForeignKey(
        EarlyWarning, models.CASCADE, related_name="recipients", verbose_name=_("early warning")
    )
    post = models.ForeignKey(Position, models.CASCADE, related_name="+", verbose_name=_("post"))
    role = models.CharField(_("why"), max_length=24, choices=RecipientRole.choices)
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("region"))
    region_path = models.CharField(_("region path"), max_length=255, editable=False)
    department = models.ForeignKey(
        Department, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("department")
    )
    enterprise = models.ForeignKey(
        Enterprise, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("enterprise")
    )
    sent_at = models.DateTimeField(_("sent at"))
    answer_due_at = models.DateTimeField(_("answer due at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("answered by")
    )
    measures = models.JSONField(_("measures taken"), default=list, blank=True)
    note = models.CharField(_("report"), max_length=500, blank=True)
    passed_up_at = models.DateTimeField(_("passed up at"), null=True, blank=True)
    nobody = models.BooleanField(_("nobody holds the post"), default=False)

    scope_fields = ScopeFields(region="region_path", department="department_id", enterprise="enterprise_id")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("warning recipient")
        verbose_name_plural = _("warning recipients")
        ordering = ["warning", "region_path", "role", "post_id"]
        constraints = [models.UniqueConstraint(fields=["warning", "post"], name="one_recipient_per_warning_post")]

    def __str__(self) -> str:
        return f"{self.warning_id} {self.post}"

    def save(self, *args, **kwargs) -> None:
        self.region_path = self.region.path
        super().save(*args, **kwargs)
