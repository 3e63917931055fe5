"""The risk app's choices: kinds of point, the standards' categories (GB/T 13861, GB 6441), control kinds and
levels, evaluation methods, the four colours, the speech's five kinds of risk theme, check states."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PointKind(models.TextChoices):
    PLACE = "place", _("Place")
    FACILITY = "facility", _("Facility or equipment")
    ACTIVITY = "activity", _("Work activity")


class HazardFactor(models.TextChoices):
    """危险和有害因素, GB/T 13861-2022, by its two-digit categories."""

    PSYCHOLOGICAL = "11", _("Psychological and physiological (human)")
    BEHAVIOURAL = "12", _("Behavioural (human)")
    PHYSICAL = "21", _("Physical (things)")
    CHEMICAL = "22", _("Chemical (things)")
    BIOLOGICAL = "23", _("Biological (things)")
    INDOOR = "31", _("Poor indoor workplace environment")
    OUTDOOR = "32", _("Poor outdoor work site environment")
    UNDERGROUND = "33", _("Poor underground or underwater environment")
    OTHER_ENVIRONMENT = "39", _("Other poor work environment")
    ORGANISATION = "41", _("Safety organisation or staffing incomplete")
    RESPONSIBILITY = "42", _("Safety responsibility system not in place")
    RULES = "43", _("Safety rules incomplete or not applied")
    INVESTMENT = "44", _("Insufficient safety investment")
    EMERGENCY_MANAGEMENT = "45", _("Emergency management defects")
    OTHER_MANAGEMENT = "49", _("Other management defects")


class AccidentType(models.TextChoices):
    """The 20 accident types of GB 6441-1986 (企业职工伤亡事故分类)."""

    STRUCK_BY_OBJECT = "01", _("Struck by object")
    VEHICLE = "02", _("Vehicle injury")
    MACHINERY = "03", _("Machinery injury")
    LIFTING = "04", _("Lifting injury")
    ELECTROCUTION = "05", _("Electric shock")
    DROWNING = "06", _("Drowning")
    BURN = "07", _("Burn or scald")
    FIRE = "08", _("Fire")
    FALL_FROM_HEIGHT = "09", _("Fall from height")
    COLLAPSE = "10", _("Collapse")
    ROOF_FALL = "11", _("Roof fall and rib spalling")
    WATER_INRUSH = "12", _("Water inrush")
    BLASTING = "13", _("Blasting")
    EXPLOSIVES = "14", _("Explosives explosion")
    GAS_EXPLOSION = "15", _("Gas (firedamp) explosion")
    BOILER_EXPLOSION = "16", _("Boiler explosion")
    VESSEL_EXPLOSION = "17", _("Pressure vessel explosion")
    OTHER_EXPLOSION = "18", _("Other explosion")
    POISONING = "19", _("Poisoning and asphyxiation")
    OTHER = "20", _("Other injury")


class ControlKind(models.TextChoices):
    ENGINEERING = "engineering", _("Engineering")
    MANAGEMENT = "management", _("Management")
    TRAINING = "training", _("Training")
    PROTECTIVE = "protective", _("Protective equipment")
    EMERGENCY = "emergency", _("Emergency")


class ControlLevel(models.TextChoices):
    """The level of the enterprise that controls a point; it sets how often the point is checked."""

    COMPANY = "company", _("Company")
    WORKSHOP = "workshop", _("Workshop")
    TEAM = "team", _("Team")
    POST = "post", _("Post")


class Method(models.TextChoices):
    LEC = "lec", _("LEC (L × E × C)")
    LS = "ls", _("Risk matrix (L × S)")


class Colour(models.TextChoices):
    """The four colours, highest first. RANK orders them (an override may only raise)."""

    RED = "red", _("Major risk (red)")
    ORANGE = "orange", _("Higher risk (orange)")
    YELLOW = "yellow", _("General risk (yellow)")
    BLUE = "blue", _("Low risk (blue)")


RANK = {Colour.BLUE: 1, Colour.YELLOW: 2, Colour.ORANGE: 3, Colour.RED: 4}


class ReevaluationReason(models.TextChoices):
    """Why a point's evaluation is due before (or at) its yearly date."""

    YEARLY = "yearly", _("Yearly re-evaluation")
    ACCIDENT = "accident", _("Accident at the enterprise")
    CHANGE = "change", _("Change to the point")
    HAZARDS = "hazards", _("Repeated hazards at the point")


class ThemeKind(models.TextChoices):
    """The speech's five kinds of risk: 基础性、市场波动、季节性、节假日、本单位本行业的特殊风险."""

    BASIC = "basic", _("Basic risk")
    MARKET = "market", _("Market fluctuation risk")
    SEASONAL = "seasonal", _("Seasonal risk")
    HOLIDAY = "holiday", _("Holiday risk")
    SPECIAL = "special", _("Unit- or industry-specific risk")


class ThemeStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("risk theme", "Draft")
    PUBLISHED = "published", pgettext_lazy("risk theme", "Published")
    WITHDRAWN = "withdrawn", pgettext_lazy("risk theme", "Withdrawn")


class CheckStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("risk check", "Open")
    DONE = "done", pgettext_lazy("risk check", "Done")
    MISSED = "missed", pgettext_lazy("risk check", "Missed")
