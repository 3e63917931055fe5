"""Operational state the health check reads: when each periodic job last ran."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """The last run of a periodic job (the scheduler's heartbeat, later the escalation sweep)."""

    name = models.CharField(_("name"), max_length=64, primary_key=True)
    last_at = models.DateTimeField(_("last run"))
    runs = models.PositiveBigIntegerField(_("runs"), default=0)
    token = models.CharField(_("last token"), max_length=64, blank=True)
    data = models.JSONField(_("figures"), default=dict, blank=True)

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return self.name
