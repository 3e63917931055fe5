from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class WarningKind(models.TextChoices):
    RAINSTORM = "rainstorm", _("Rainstorm")
    TYPHOON = "typhoon", _("Typhoon")
    GALE = "gale", _("Gale")
    HIGH_TEMPERATURE = "high_temperature", _("High temperature")
    COLD_WAVE = "cold_wave", _("Cold wave")
    FOG = "fog", _("Heavy fog")
    THUNDER_HAIL = "thunder_hail", _("Thunderstorm and hail")
    SNOW_ICE = "snow_ice", _("Snow and ice")
    FOREST_FIRE = "forest_fire", _("Forest fire danger")
    GEOLOGICAL = "geological", _("Geological hazard")
    FLOOD = "flood", _("Flood")
    OTHER = "other", pgettext_lazy("warning kind", "Other")


class WarningLevel(models.TextChoices):
    """Lowest to highest; `RANK` orders them (a raise or a lowering between versions)."""

    BLUE = "blue", _("Blue")
    YELLOW = "yellow", _("Yellow")
    ORANGE = "orange", _("Orange")
    RED = "red", _("Red")


RANK = {WarningLevel.BLUE: 1, WarningLevel.YELLOW: 2, WarningLevel.ORANGE: 3, WarningLevel.RED: 4}


class WarningStatus(models.TextChoices):
    IN_FORCE = "in_force", _("In force")
    SUPERSEDED = "superseded", _("Superseded")
    LIFTED = "lifted", _("Lifted")


class WarningChange(models.TextChoices):
    """What a version did to the one before it (the first version is `issued`)."""

    ISSUED = "issued", _("Issued")
    RAISED = "raised", _("Level raised")
    LOWERED = "lowered", _("Level lowered")
    AREAS = "areas", _("Areas changed")
    UPDATED = "updated", _("Updated")
    LIFTED = "lifted", _("Lifted")


class RecipientRole(models.TextChoices):
    """Why a post receives the warning (derived, never picked by hand)."""

    TERRITORIAL_LEADER = "territorial_leader", _("Territorial leader")
    GOVERNMENT_DUTY = "government_duty", _("Government duty post")
    DEPARTMENT_DUTY = "department_duty", _("Department duty post")
    KEY_UNIT = "key_unit", _("Key unit")


class AnswerMeasure(models.TextChoices):
    """The measures a recipient reports with its answer (one tap, any of these, and a short note)."""

    WORKERS_WITHDRAWN = "workers_withdrawn", _("Workers withdrawn")
    SITES_CLOSED = "sites_closed", _("Sites closed")
    PATROLS_OUT = "patrols_out", _("Patrols out")
    PEOPLE_EVACUATED = "people_evacuated", _("People evacuated")
    STANDBY = "standby", _("On standby")
