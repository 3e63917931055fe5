"""Exports that run in the background, and the numbers given to per-hazard documents."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.scope import ScopedQuerySet, ScopeFields


class ExportJob(models.Model):
    """A ledger export too large to stream at once: a Celery task writes the file and counts its rows."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    class Format(models.TextChoices):
        XLSX = "xlsx", "Excel (.xlsx)"
        CSV = "csv", "CSV"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("owner"))
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    query = models.CharField(_("filters"), max_length=2000, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(_("rows to write"), default=0)
    done = models.PositiveIntegerField(_("rows written"), default=0)
    file = models.FileField(_("file"), upload_to="exports/%Y/%m/", blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_format_display()} {self.created_at:%Y-%m-%d %H:%M}"

    def get_download_url(self) -> str:
        from django.urls import reverse

        return reverse("dashboards:export-download", args=[self.pk])

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0


class IssuedDocument(models.Model):
    """A per-hazard document given its number once (整改通知书, 验收单); printing it again keeps the number."""

    class Kind(models.TextChoices):
        NOTICE = "notice", _("Rectification notice")
        ACCEPTANCE = "acceptance", _("Acceptance record")

    hazard = models.ForeignKey("hazards.Hazard", models.CASCADE, related_name="documents", verbose_name=_("hazard"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    serial = models.PositiveIntegerField(_("serial number"))
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    # Kept as issued: a later change of the issuer's unit must not rewrite a document already handed out.
    issuing_unit = models.CharField(_("issuing unit"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")
        constraints = [
            models.UniqueConstraint(fields=["hazard", "kind"], name="one_document_per_hazard_and_kind"),
            models.UniqueConstraint(fields=["kind", "year", "serial"], name="document_number_unique"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"〔{self.year}〕{self.serial:05d}"


class DocumentCounter(models.Model):
    """The last serial number given to a kind of document in a year; bumped in the issuing transaction."""

    kind = models.CharField(_("kind"), max_length=16, choices=IssuedDocument.Kind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("document number counter")
        verbose_name_plural = _("document number counters")
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="document_counter_unique")]

    def __str__(self) -> str:
        return f"{self.kind}-{self.year}: {self.last}"


class HazardTally(models.Model):
    """How many hazards share one month and one set of dashboard dimensions: what the dashboard sums instead of
    reading every hazard. Written only by PostgreSQL triggers on the hazard table, in the transaction of every
    insert, update or delete, so it is always exactly the hazard table grouped (`dashboards/tally.py`).

    Each hazard counts in one row of each kind that applies to it: `o` while it is open (no month), `d` by the month
    its deadline falls in while it is open, `f` and `F` by the month and the week (its Monday) it was filed (with its
    current status, recurrence and on-time flags), `c` and `C` by the month and the week it was closed."""

    class Kind(models.TextChoices):
        OPEN = "o", _("Open")
        DUE = "d", _("Open, by deadline month")
        FILED = "f", _("Filed, by month")
        FILED_WEEK = "F", _("Filed, by week")
        CLOSED = "c", _("Closed, by month")
        CLOSED_WEEK = "C", _("Closed, by week")

    kind = models.CharField(_("kind"), max_length=1, choices=Kind.choices)
    month = models.DateField(_("month or week"), null=True)
    # The hazard's own columns, so that the scope filters the tally exactly as it filters hazards.
    region = models.ForeignKey(
        "organizations.Region",
        models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
        verbose_name=_("territory"),
    )
    region_path = models.CharField(_("territory path"), max_length=255)
    department = models.ForeignKey(
        "organizations.Department", models.DO_NOTHING, db_constraint=False, db_index=False, null=True, related_name="+",
        verbose_name=_("supervising department"),
    )  # fmt: skip
    industry = models.ForeignKey(
        "organizations.Industry",
        models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
        verbose_name=_("industry"),
    )
    level = models.CharField(_("level"), max_length=16)
    status = models.CharField(_("status"), max_length=24)
    recurrence = models.BooleanField(_("recurrence"), default=False)
    on_time = models.BooleanField(_("closed on time"), default=False)
    n = models.IntegerField(_("hazards"), default=0)
    # False for a row a trigger appended, True for one written by `compact` or `rebuild`.
    merged = models.BooleanField(_("merged"), default=False)

    objects = ScopedQuerySet.as_manager()
    # Cut exactly as the hazards are; no enterprise column, and an enterprise's dashboard reads its hazards.
    scope_fields = ScopeFields(region="region_path", industry="industry_id", department="department_id")

    class Meta:
        verbose_name = _("hazard tally")
        verbose_name_plural = _("hazard tallies")
        # The triggers are installed by migration 0003 on PostgreSQL only: SQLite (make run) has none, and its
        # dashboard groups the hazards themselves. Rows are appended, several per key until `compact` merges them.
        indexes = [
            models.Index(fields=["kind", "month", "region"], name="hazard_tally_kind_month"),
            models.Index(fields=["id"], condition=models.Q(merged=False), name="hazard_tally_appended"),
        ]

    def __str__(self) -> str:
        month = f"{self.month:%Y-%m-%d}" if self.month else "-"
        return f"{self.kind} {month} {self.region_path} {self.level}/{self.status}: {self.n}"
