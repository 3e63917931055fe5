"""Escalation rules, running escalations, the notification outbox (also the in-app inbox) and deliveries."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hazards.models import Hazard
from organizations.models import Position

from .choices import Channel, DeliveryState

TITLE_LENGTH = 200  # a notice's title, which is also its e-mail subject: one line, at most this long


class EscalationChain(models.Model):
    """The rule for one level of hazard: which steps, when, to whom. Edited by the city office."""

    level = models.CharField(
        _("hazard level"), max_length=16, unique=True, choices=Hazard._meta.get_field("level").choices
    )
    name = models.CharField(_("name"), max_length=100)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
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
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation steps")
        ordering = ["chain", "offset_working_days"]

    def __str__(self) -> str:
        return self.label


class Escalation(models.Model):
    """The escalation of one hazard for one deadline; its steps are a snapshot taken when it started."""

    hazard = models.ForeignKey(Hazard, models.CASCADE, related_name="escalations", verbose_name=_("hazard"))
    deadline = models.DateTimeField(_("deadline"))
    steps = models.JSONField(_("steps (snapshot)"))
    next_step = models.PositiveSmallIntegerField(_("next step"), default=0)
    next_due_at = models.DateTimeField(_("next step due at"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [models.UniqueConstraint(fields=["hazard", "deadline"], name="one_escalation_per_deadline")]
        indexes = [models.Index(fields=["next_due_at", "id"], condition=Q(active=True), name="escalation_due")]

    def __str__(self) -> str:
        return f"{self.hazard_id} @ {self.deadline:%Y-%m-%d}"


class Notification(models.Model):
    """One notice to one person: the outbox row written with its cause, and the person's inbox entry.

    `key` is unique: (subject, step, recipient), so no sweep, retry or second scheduler makes it twice.
    """

    key = models.CharField(_("key"), max_length=200, unique=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    position = models.ForeignKey(
        Position, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("as holder of")
    )
    hazard = models.ForeignKey(
        Hazard, models.CASCADE, null=True, blank=True, related_name="notifications", verbose_name=_("hazard")
    )
    parent = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="escalated_to", verbose_name=_("escalated from")
    )
    title = models.CharField(_("title"), max_length=TITLE_LENGTH)
    body = models.TextField(_("text"), max_length=5000)
    link = models.CharField(_("link"), max_length=300, blank=True)
    vacancy_note = models.CharField(_("vacancy"), max_length=200, blank=True)
    must_answer = models.BooleanField(_("must be answered"), default=False)
    answer_due_at = models.DateTimeField(_("answer due at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("passed up at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_inbox"),
            models.Index(
                fields=["answer_due_at"],
                condition=Q(must_answer=True, acknowledged_at__isnull=True, escalated_at__isnull=True),
                name="notification_unanswered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_unanswered(self) -> bool:
        return self.must_answer and self.acknowledged_at is None


class Delivery(models.Model):
    """Sending one notification through one channel; claimed by a conditional update, sent at most once."""

    notification = models.ForeignKey(
        Notification, models.CASCADE, related_name="deliveries", verbose_name=_("notification")
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    state = models.CharField(_("state"), max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    not_before = models.DateTimeField(_("not before"), null=True, blank=True, help_text=_("After quiet hours."))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [models.UniqueConstraint(fields=["notification", "channel"], name="one_delivery_per_channel")]
        indexes = [
            models.Index(fields=["created_at"], condition=Q(state__in=["pending", "sending"]), name="delivery_open")
        ]

    def __str__(self) -> str:
        return f"{self.notification_id}/{self.channel}"


class NotificationPreference(models.Model):
    """Which channels a person wants besides the inbox, and their quiet hours (must-answer notices ignore them)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="notification_preference", verbose_name=_("user")
    )
    email = models.BooleanField(_("by e-mail"), default=True)
    webhook = models.BooleanField(_("by SMS / WeCom / DingTalk"), default=True)
    quiet_from = models.TimeField(_("quiet from"), null=True, blank=True)
    quiet_until = models.TimeField(_("quiet until"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)

    def is_quiet(self, at) -> bool:
        if not (self.quiet_from and self.quiet_until):
            return False
        now = timezone.localtime(at).time()
        if self.quiet_from <= self.quiet_until:
            return self.quiet_from <= now < self.quiet_until
        return now >= self.quiet_from or now < self.quiet_until
