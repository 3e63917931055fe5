"""Hazards (事故隐患) and their closed loop: plan, rectification, acceptance, listed supervision, timeline."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from organizations.models import Department, Enterprise, Industry, Position, Region
from organizations.scope import ScopedQuerySet, ScopeFields
from safety_platform.lib.text import place_key

from .choices import OPEN_STATUSES, Action, Authority, Level, LookBackResult, PhotoKind, Source, Status


class HazardCategory(models.Model):
    """A kind of hazard (fire, electrical, hazardous chemicals, …); a taxonomy the city office can extend."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    sort = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("hazard category")
        verbose_name_plural = _("hazard categories")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class HazardCodeCounter(models.Model):
    """The last sequence number of hazard codes per region and year; incremented in the filing transaction."""

    region_code = models.CharField(_("region code"), max_length=12)
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("hazard code counter")
        verbose_name_plural = _("hazard code counters")
        constraints = [models.UniqueConstraint(fields=["region_code", "year"], name="hazard_counter_unique")]

    def __str__(self) -> str:
        return f"{self.region_code}-{self.year}: {self.last}"


class HazardQuerySet(ScopedQuerySet):
    def open(self) -> HazardQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, now=None) -> HazardQuerySet:
        return self.filter(status__in=OPEN_STATUSES, deadline__lt=now or timezone.now())

    def waiting_too_long(self, kind: str, now=None) -> HazardQuerySet:
        """Hazards overdue for the government's confirmation (`kind` "confirmation") or acceptance ("acceptance"):
        in the waiting state, with that wait running (`Escalation.stopped_at` empty) and past its due time."""
        return self.filter(waiting_too_long(kind, now or timezone.now()))

    def government_overdue(self, now=None) -> dict[str, int]:
        """How many of these hazards are overdue for confirmation and for acceptance, in one query from the
        running waits (the `escalation_waiting` index), counting as `waiting_too_long` lists."""
        now = now or timezone.now()
        counts = Escalation.objects.filter(
            hazard__in=self.order_by().values("pk"),
            kind__in=list(WAIT_STATUS),
            stopped_at__isnull=True,
            deadline__lte=now,
        ).aggregate(
            **{
                kind: models.Count("hazard", distinct=True, filter=Q(kind=kind, hazard__status=status))
                for kind, status in WAIT_STATUS.items()
            }
        )
        return {kind: counts[kind] or 0 for kind in WAIT_STATUS}

    def with_overdue(self, now=None) -> HazardQuerySet:
        """Annotate `is_overdue` in SQL, so lists neither compute it in Python nor disagree with the filter."""
        now = now or timezone.now()
        return self.annotate(
            is_overdue=models.Case(
                models.When(Q(status__in=OPEN_STATUSES, deadline__lt=now), then=models.Value(True)),
                default=models.Value(False),
                output_field=models.BooleanField(),
            )
        )


class Hazard(models.Model):
    """A hazard found at an enterprise, owned by three responsible parties until it is accepted and closed."""

    code = models.CharField(_("code"), max_length=40, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    enterprise = models.ForeignKey(Enterprise, models.PROTECT, related_name="hazards", verbose_name=_("enterprise"))
    place = models.CharField(_("place / part"), max_length=200)
    # The place as compared for recurrence (safety_platform.lib.text.place_key), kept by save().
    place_key = models.CharField(_("place (normalised)"), max_length=200, editable=False, default="")
    category = models.ForeignKey(HazardCategory, models.PROTECT, related_name="hazards", verbose_name=_("category"))
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, default=Level.GENERAL)
    source = models.CharField(_("source"), max_length=24, choices=Source.choices, default=Source.INSPECTION)
    legal_basis = models.CharField(_("legal basis"), max_length=500, blank=True)
    # The checklist requirement a failed inspection item stated (the compliant statement), for a finding filed
    # from an inspection; the inspection's answer points at the hazard (`inspection_answer`).
    checklist_item = models.CharField(_("checklist item"), max_length=500, blank=True, default="")
    found_at = models.DateTimeField(_("found at"), default=timezone.now)
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="hazards_found", verbose_name=_("found by")
    )
    deadline = models.DateTimeField(_("rectification deadline"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.REPORTED)

    # The three responsible parties, derived when filed and changed only with a recorded reason.
    region = models.ForeignKey(Region, models.PROTECT, related_name="hazards", verbose_name=_("territory"))
    region_path = models.CharField(_("territory path"), max_length=255, editable=False)
    industry = models.ForeignKey(Industry, models.PROTECT, related_name="hazards", verbose_name=_("industry"))
    territorial_position = models.ForeignKey(
        Position, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("territorial leader")
    )
    department = models.ForeignKey(
        Department,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="hazards",
        verbose_name=_("supervising department"),
    )
    principal_position = models.ForeignKey(
        Position, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("enterprise principal")
    )
    supervision_gap = models.BooleanField(_("supervision gap"), default=False)

    recurrence_of = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="recurrences", verbose_name=_("recurrence of")
    )
    rectified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rectified by"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="hazards_created", verbose_name=_("created by")
    )
    idempotency_key = models.UUIDField(_("idempotency key"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = HazardQuerySet.as_manager()
    # A hazard assigned to the department stays visible to it even outside its industries.
    scope_fields = ScopeFields(region="region_path", industry="industry_id", enterprise="enterprise_id",
                               department="department_id")  # fmt: skip

    class Meta:
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="hazard_idempotent_filing",
            )
        ]
        indexes = [
            # Open hazards by deadline: the overdue filter and the escalation sweep.
            models.Index(fields=["deadline"], condition=Q(status__in=OPEN_STATUSES), name="hazard_open_deadline"),
            models.Index(fields=["enterprise", "status"], name="hazard_enterprise_status"),
            models.Index(fields=["department", "status", "id"], name="hazard_department_status"),
            models.Index(fields=["industry", "region_path"], name="hazard_industry_region"),
            models.Index(fields=["region_path"], name="hazard_region_path", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["status", "level", "id"], name="hazard_status_level"),
            models.Index(fields=["created_at"], name="hazard_created_at"),
            # The list's closing-date filter (the dashboard's drill-downs from its "closed" trend bars).
            models.Index(fields=["closed_at"], condition=Q(closed_at__isnull=False), name="hazard_closed_at"),
            models.Index(fields=["enterprise", "category", "place_key", "closed_at"], name="hazard_recurrence_key"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def save(self, *args, **kwargs) -> None:
        self.place_key = place_key(self.place)
        if kwargs.get("update_fields") is not None and "place" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "place_key"}
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def overdue(self) -> bool:
        return bool(self.is_open and self.deadline and self.deadline < timezone.now())

    @property
    def days_overdue(self) -> int:
        if not self.overdue:
            return 0
        return (timezone.localdate() - timezone.localtime(self.deadline).date()).days


class RectificationPlan(models.Model):
    """The plan with the five in place (五落实); for a major hazard also the governance plan and the report."""

    hazard = models.OneToOneField(Hazard, models.CASCADE, related_name="plan", verbose_name=_("hazard"))
    responsible_person = models.CharField(_("responsible person"), max_length=100)
    measures = models.TextField(_("measures"), max_length=5000)
    funds = models.DecimalField(
        _("funds (CNY)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    deadline = models.DateTimeField(_("deadline"))
    contingency_plan = models.TextField(_("contingency plan"), max_length=5000)
    # Governance plan of a major hazard (治理方案).
    goal = models.TextField(_("goal and tasks"), max_length=5000, blank=True)
    methods = models.TextField(_("methods and measures"), max_length=5000, blank=True)
    materials = models.TextField(_("funds and materials"), max_length=5000, blank=True)
    responsible_body = models.CharField(_("responsible body"), max_length=200, blank=True)
    safety_measures = models.TextField(_("safety measures"), max_length=5000, blank=True)
    # Interim measures while a major hazard is open.
    workers_withdrawn = models.BooleanField(_("workers withdrawn"), default=False)
    warnings_posted = models.BooleanField(_("warnings posted"), default=False)
    production_stopped = models.BooleanField(_("affected production stopped"), default=False)
    interim_measures = models.TextField(_("other interim measures"), max_length=5000, blank=True)
    # Major-hazard report (重大事故隐患报告).
    state_and_cause = models.TextField(_("current state and cause"), max_length=5000, blank=True)
    harm_and_difficulty = models.TextField(_("harm and difficulty of the fix"), max_length=5000, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    class Meta:
        verbose_name = _("rectification plan")
        verbose_name_plural = _("rectification plans")

    def __str__(self) -> str:
        return str(self.hazard)


def hazard_upload_path(instance, filename: str) -> str:
    return f"hazards/{instance.hazard_id}/{filename}"


def photo_upload_path(instance, filename: str) -> str:
    return f"{instance.upload_dir()}/{filename}"


class StoredPhoto(models.Model):
    """A photo as stored: re-encoded without EXIF or GPS, with its thumbnail (see safety_platform.lib.images)."""

    image = models.FileField(_("image"), upload_to=photo_upload_path)
    thumbnail = models.FileField(_("thumbnail"), upload_to=photo_upload_path)
    content_type = models.CharField(_("content type"), max_length=32)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        abstract = True

    def upload_dir(self) -> str:
        raise NotImplementedError

    def store(self, image) -> None:
        """Write the cleaned image and its thumbnail under fresh names, then the row."""
        stem = uuid.uuid4().hex
        self.content_type, self.width, self.height = image.content_type, image.width, image.height
        self.image.save(f"{stem}.{image.extension}", ContentFile(image.content), save=False)
        self.thumbnail.save(f"{stem}-thumb.jpg", ContentFile(image.thumbnail), save=False)
        self.save()

    def discard(self) -> None:
        """Remove the files of a photo whose row is being rolled back."""
        self.image.delete(save=False)
        self.thumbnail.delete(save=False)


class HazardPhoto(StoredPhoto):
    """A photo of the finding or of the rectification."""

    hazard = models.ForeignKey(Hazard, models.CASCADE, related_name="photos", verbose_name=_("hazard"))
    kind = models.CharField(_("kind"), max_length=16, choices=PhotoKind.choices, default=PhotoKind.FINDING)
    # The key an offline device sends with each photo, so that a retried upload stores it once.
    upload_key = models.UUIDField(_("upload key"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("hazard photo")
        verbose_name_plural = _("hazard photos")
        ordering = ["uploaded_at", "id"]
        constraints = [models.UniqueConstraint(fields=["hazard", "upload_key"], name="hazard_photo_upload_once")]

    def __str__(self) -> str:
        return f"{self.hazard.code} #{self.pk}"

    def upload_dir(self) -> str:
        return f"hazards/{self.hazard_id}"


class EvaluationDocument(models.Model):
    """The evaluation (by own experts or a qualified body) a major hazard needs before it can be closed."""

    hazard = models.ForeignKey(Hazard, models.CASCADE, related_name="evaluations", verbose_name=_("hazard"))
    file = models.FileField(_("file"), upload_to=hazard_upload_path)
    content_type = models.CharField(_("content type"), max_length=32)
    note = models.CharField(_("note"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("evaluation document")
        verbose_name_plural = _("evaluation documents")

    def __str__(self) -> str:
        return f"{self.hazard.code} {self.note}"


class ListedSupervision(models.Model):
    """Listed supervision (挂牌督办) of a major hazard by a department or a government, under a named leader."""

    hazard = models.OneToOneField(Hazard, models.CASCADE, related_name="listing", verbose_name=_("hazard"))
    authority = models.CharField(_("listing authority"), max_length=16, choices=Authority.choices)
    department = models.ForeignKey(
        Department, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("listing department")
    )
    region = models.ForeignKey(
        Region, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("listing government")
    )
    supervising_leader = models.ForeignKey(
        Position, models.PROTECT, related_name="+", verbose_name=_("supervising leader")
    )
    order_number = models.CharField(_("order number"), max_length=64)
    deadline = models.DateTimeField(_("supervision deadline"))
    public_notice = models.TextField(_("public notice"), max_length=5000, blank=True)
    listed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("listed by")
    )
    listed_at = models.DateTimeField(_("listed at"), default=timezone.now)
    delisted_at = models.DateTimeField(_("de-listed at"), null=True, blank=True)
    # The rectification order is published with the listing (a public notice given) or after it (publish_order).
    order_published_at = models.DateTimeField(_("order published at"), null=True, blank=True)
    # The supervising leader's last recorded action (the listing itself until the first), and the last reminder
    # sent for want of one (hazards/listing_sweeps.py).
    leader_acted_at = models.DateTimeField(_("leader's last action at"), null=True, blank=True)
    leader_reminded_at = models.DateTimeField(_("leader reminded at"), null=True, blank=True)
    # The pending extension asked by the enterprise, until the listing authority decides it.
    extension_deadline = models.DateTimeField(_("extension asked until"), null=True, blank=True)
    extension_reason = models.TextField(_("reason for the extension"), max_length=5000, blank=True)
    extension_asked_at = models.DateTimeField(_("extension asked at"), null=True, blank=True)
    extension_asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("extension asked by"),
    )
    extension_escalated_at = models.DateTimeField(_("undecided extension escalated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("listed supervision")
        verbose_name_plural = _("listed supervisions")

    def __str__(self) -> str:
        return self.order_number

    @property
    def is_active(self) -> bool:
        return self.delisted_at is None

    @property
    def extension_pending(self) -> bool:
        return self.extension_asked_at is not None


class HazardEvent(models.Model):
    """One step of a hazard's timeline: who, when, from which status to which, and why."""

    hazard = models.ForeignKey(Hazard, models.CASCADE, related_name="events", verbose_name=_("hazard"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    from_status = models.CharField(pgettext_lazy("status", "from"), max_length=24, choices=Status.choices, blank=True)
    to_status = models.CharField(pgettext_lazy("status", "to"), max_length=24, choices=Status.choices, blank=True)
    reason = models.TextField(_("reason"), max_length=5000, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("hazard event")
        verbose_name_plural = _("hazard events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["hazard", "at"], name="hazard_event_timeline")]

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.action}"


class LookBackQuerySet(models.QuerySet):
    def visible_to(self, user) -> LookBackQuerySet:
        """A look-back is seen by whoever sees its hazard."""
        return self.filter(hazard__in=Hazard.objects.visible_to(user).values("pk"))

    def pending(self) -> LookBackQuerySet:
        return self.filter(done_at__isnull=True)

    def overdue(self, today=None) -> LookBackQuerySet:
        """Not done and past its due day (due today is not yet overdue)."""
        return self.pending().filter(due_on__lt=today or timezone.localdate())


class LookBack(models.Model):
    """The look-back (回头看) of a closed major hazard: its department checks, some months on, that it stays fixed."""

    hazard = models.ForeignKey(Hazard, models.CASCADE, related_name="look_backs", verbose_name=_("hazard"))
    department = models.ForeignKey(
        Department, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("department")
    )
    closed_at = models.DateTimeField(_("hazard closed at"))
    due_on = models.DateField(_("due on"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("done by")
    )
    result = models.CharField(_("result"), max_length=16, choices=LookBackResult.choices, blank=True)
    note = models.TextField(_("note"), max_length=5000, blank=True)

    objects = LookBackQuerySet.as_manager()

    class Meta:
        verbose_name = _("look-back")
        verbose_name_plural = _("look-backs")
        ordering = ["due_on", "id"]
        constraints = [
            # A closure has one look-back; a hazard reopened and closed again gets a new one.
            models.UniqueConstraint(fields=["hazard"], condition=Q(done_at__isnull=True), name="one_pending_look_back")
        ]
        indexes = [models.Index(fields=["department", "due_on"], condition=Q(done_at__isnull=True),
                                name="look_back_pending_due")]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.hazard_id} @ {self.due_on:%Y-%m-%d}"

    @property
    def is_overdue(self) -> bool:
        return self.done_at is None and self.due_on < timezone.localdate()


# --- escalation: the rule per hazard level and the running escalation of each hazard (hazards.escalation) ---


class EscalationChain(models.Model):
    """The rule for one level of hazard: which steps, when, to whom. Edited by the city office."""

    level = models.CharField(
        _("hazard level"), max_length=16, unique=True, choices=Hazard._meta.get_field("level").choices
    )
    name = models.CharField(_("name"), max_length=100)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "notifications_escalationchain"  # created by the notifications app, which had it until hazards 0006
        verbose_name = _("escalation chain")
        verbose_name_plural = _("escalation chains")

    def __str__(self) -> str:
        return self.name

    def snapshot(self) -> list[dict]:
        """The steps as plain data, frozen into each escalation when it starts."""
        return [
            {
                "offset": s.offset_working_days,
                "targets": list(s.targets),
                "must_answer": s.must_answer,
                "label": s.label,
            }
            for s in self.steps.order_by("offset_working_days", "id")
        ]


class EscalationStep(models.Model):
    """One step: N working days before (negative) or after the deadline, tell these positions."""

    chain = models.ForeignKey(EscalationChain, models.CASCADE, related_name="steps", verbose_name=_("chain"))
    offset_working_days = models.SmallIntegerField(
        _("working days from the deadline"), help_text=_("Negative: before the deadline; 0: at the deadline.")
    )
    targets = models.JSONField(
        _("targets"),
        default=list,
        help_text=_(
            "Positions to tell: enterprise_principal, department_head, territorial_leader, city_office, listing_leader"
        ),
    )
    must_answer = models.BooleanField(_("must be answered"), default=False)
    label = models.CharField(_("label"), max_length=100)

    class Meta:
        db_table = "notifications_escalationstep"
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation steps")
        ordering = ["chain", "offset_working_days"]

    def __str__(self) -> str:
        return self.label


def waiting_too_long(kind: str, now) -> Q:
    """The condition of `HazardQuerySet.waiting_too_long`, for conditional counts (the work queues)."""
    running = Escalation.objects.filter(hazard=models.OuterRef("pk"), kind=kind, stopped_at__isnull=True)
    return Q(status=WAIT_STATUS[kind]) & Q(models.Exists(running.filter(deadline__lte=now)))


class EscalationKind(models.TextChoices):
    """What an escalation waits for: the enterprise's rectification by the deadline, or a government-side step (the
    supervising department's confirmation of a reported hazard, its acceptance of a rectification)."""

    DEADLINE = "deadline", _("Rectification deadline")
    CONFIRMATION = "confirmation", _("Confirmation overdue")
    ACCEPTANCE = "acceptance", _("Acceptance overdue")


# The state in which a hazard waits for each government-side step.
WAIT_STATUS = {EscalationKind.CONFIRMATION: Status.REPORTED, EscalationKind.ACCEPTANCE: Status.AWAITING_ACCEPTANCE}


class Escalation(models.Model):
    """The escalation of one hazard for one deadline (or one government-side wait, whose `deadline` is when the
    government's step fell due); its steps are a snapshot taken when it started."""

    hazard = models.ForeignKey(Hazard, models.CASCADE, related_name="escalations", verbose_name=_("hazard"))
    kind = models.CharField(
        _("kind"), max_length=16, choices=EscalationKind.choices, default=EscalationKind.DEADLINE, editable=False
    )
    deadline = models.DateTimeField(_("deadline"))
    steps = models.JSONField(_("steps (snapshot)"))
    next_step = models.PositiveSmallIntegerField(_("next step"), default=0)
    next_due_at = models.DateTimeField(_("next step due at"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    # Set when the hazard left the state the escalation was about (not when its last step was sent): a
    # government-side wait not stopped and past its `deadline` is a hazard overdue for confirmation or acceptance.
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)

    class Meta:
        db_table = "notifications_escalation"
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [
            models.UniqueConstraint(fields=["hazard", "kind", "deadline"], name="one_escalation_per_deadline")
        ]
        indexes = [
            models.Index(fields=["next_due_at", "id"], condition=Q(active=True), name="escalation_due"),
            # The dashboards' and the list's "overdue for confirmation / acceptance": running waits by due time.
            models.Index(
                fields=["kind", "deadline"],
                condition=Q(stopped_at__isnull=True) & ~Q(kind="deadline"),
                name="escalation_waiting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hazard_id} @ {self.deadline:%Y-%m-%d}"
