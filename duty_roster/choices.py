from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Grade(models.TextChoices):
    """Accident grades of State Council Decree 493, from the least to the most serious."""

    GENERAL = "general", _("General accident")
    LARGE = "large", _("Large accident")
    MAJOR = "major", _("Major accident")
    ESPECIALLY_SERIOUS = "especially_serious", _("Especially serious accident")


GRADE_ORDER = [Grade.GENERAL, Grade.LARGE, Grade.MAJOR, Grade.ESPECIALLY_SERIOUS]


class IncidentKind(models.TextChoices):
    PRODUCTION = "production", _("Production safety accident")
    ROAD_TRAFFIC = "road_traffic", _("Road traffic accident")
    FIRE = "fire", _("Fire")
    NEAR_MISS = "near_miss", _("Near miss")
    OTHER = "other", _("Other emergency")


# Casualty changes are reported as supplements within 30 days; road traffic and fire within 7 (Decree 493 art. 13).
SUPPLEMENT_DAYS = {IncidentKind.ROAD_TRAFFIC: 7, IncidentKind.FIRE: 7}
DEFAULT_SUPPLEMENT_DAYS = 30
