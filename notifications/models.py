"""The notification outbox (also the in-app inbox), deliveries and preferences.

The escalation rules and running escalations of hazards are the hazards app's (`hazards.models`); a notice may name
its hazard, declared by name so that this app imports nothing from the apps above it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organizations.models import Position

from .choices import Channel, DeliveryState

TITLE_LENGTH = 200  # a notice's title, which is also its e-mail subject: one line, at most this long


class Notification(models.Model):
    """One notice to one person: the outbox row written with its cause, and the person's inbox entry.

    `key` is unique: (subject, step, recipient), so no sweep, retry or second scheduler makes it twice.
    """

    key = models.CharField(_("key"), max_length=200, unique=True)
    # The first part of the key (`notifications.kinds`): what a person may mute.
    kind = models.CharField(pgettext_lazy("notice", "kind"), max_length=32, blank=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    position = models.ForeignKey(
        Position, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("as holder of")
    )
    hazard = models.ForeignKey(
        "hazards.Hazard", models.CASCADE, null=True, blank=True, related_name="notifications", verbose_name=_("hazard")
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
    # Kinds of notice (`notifications.kinds`) not sent by e-mail or the gateway: they still land in the inbox, and a
    # must-answer notice is sent whatever its kind. Only kinds registered as mutable are stored here.
    muted_kinds = models.JSONField(_("muted kinds"), default=list, blank=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)

    def mutes(self, notice: Notification) -> bool:
        """Whether this person's e-mail and gateway stay silent for the notice (never for a must-answer one)."""
        return not notice.must_answer and bool(notice.kind) and notice.kind in (self.muted_kinds or ())

    def is_quiet(self, at) -> bool:
        if not (self.quiet_from and self.quiet_until):
            return False
        now = timezone.localtime(at).time()
        if self.quiet_from <= self.quiet_until:
            return self.quiet_from <= now < self.quiet_until
        return now >= self.quiet_from or now < self.quiet_until
