"""Choices of the rescue teams: the kinds of team and the readiness levels (勤务等级)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TeamKind(models.TextChoices):
    FIRE_RESCUE = "fire_rescue", _("Fire and rescue")
    MINE = "mine", _("Mine rescue")
    HAZCHEM = "hazchem", _("Hazardous chemicals")
    FLOOD = "flood", _("Flood control")
    FOREST_FIRE = "forest_fire", _("Forest firefighting")
    MEDICAL = "medical", _("Medical rescue")
    POWER = "power", _("Power emergency repair")
    OTHER = "other", _("Other professional")


class Readiness(models.TextChoices):
    """The readiness levels, lowest first; a team with no period covering now stands at normal."""

    NORMAL = "normal", _("Normal")
    RAISED = "raised", _("Raised")
    HIGHEST = "highest", _("Highest")


# Higher is more: the current level is the highest of the periods covering now.
RANK = {Readiness.NORMAL: 0, Readiness.RAISED: 1, Readiness.HIGHEST: 2}
# A period raises: normal is what a team stands at without one.
RAISED_LEVELS = [(Readiness.RAISED.value, Readiness.RAISED.label), (Readiness.HIGHEST.value, Readiness.HIGHEST.label)]
