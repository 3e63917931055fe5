"""The accidents' choices: kinds, the investigation's states, cause categories (GB 6441-1986 appendix A), lessons."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AccidentKind(models.TextChoices):
    """What an incident report is confirmed as: a production safety accident, or a near miss (涉险事件)."""

    PRODUCTION = "production", _("Production safety accident")
    NEAR_MISS = "near_miss", _("Near miss")


class Investigation(models.TextChoices):
    INVESTIGATING = "investigating", _("Under investigation")
    CLOSED = "closed", pgettext_lazy("investigation", "Closed")


class DirectCause(models.TextChoices):
    """直接原因 (GB 6441-1986, A6 and A7)."""

    UNSAFE_ACT = "unsafe_act", _("Unsafe act of a person")
    UNSAFE_CONDITION = "unsafe_condition", _("Unsafe condition of an object")
    ENVIRONMENT = "environment", _("Poor working environment")


class IndirectCause(models.TextChoices):
    """间接原因 (GB 6441-1986, 3.7 and its commentary)."""

    DESIGN = "design", _("Technical or design defects")
    TRAINING = "training", _("Insufficient safety education and training")
    ORGANISATION = "organisation", _("Unreasonable work organisation")
    SUPERVISION = "supervision", _("No inspection or wrong guidance on site")
    RULES = "rules", _("No or incomplete safe operating rules")
    MEASURES = "measures", _("Preventive measures missing or not carried out")
    HAZARDS = "hazards", _("Hazards not rectified")
    OTHER = "other", _("Other")


class LessonStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class TaskState(models.TextChoices):
    """A comparison self-check task's state, computed from its times (not stored)."""

    PENDING = "pending", _("Not done yet")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    OVERDUE = "overdue", _("Overdue")
