from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Target(models.TextChoices):
    """Who a step tells, as positions resolved when it is sent; ordered from the enterprise upwards."""

    ENTERPRISE_PRINCIPAL = "enterprise_principal", _("Enterprise principal person")
    DEPARTMENT_HEAD = "department_head", _("Head of the supervising department")
    TERRITORIAL_LEADER = "territorial_leader", _("Territorial leader")
    CITY_OFFICE = "city_office", _("City safety office (on duty)")
    LISTING_LEADER = "listing_leader", _("Supervising leader of the listing")


# A vacant position passes the notice to the next level up.
LADDER = [Target.ENTERPRISE_PRINCIPAL, Target.DEPARTMENT_HEAD, Target.TERRITORIAL_LEADER, Target.CITY_OFFICE]


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("SMS / WeCom / DingTalk gateway")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped (quiet hours)")
