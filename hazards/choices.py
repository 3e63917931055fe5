from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    GENERAL = "general", _("General hazard")
    MAJOR = "major", _("Major hazard")


class Status(models.TextChoices):
    REPORTED = "reported", _("Reported")
    CONFIRMED = "confirmed", _("Confirmed")
    RECTIFYING = "rectifying", _("Rectifying")
    AWAITING_ACCEPTANCE = "awaiting_acceptance", _("Awaiting acceptance")
    CLOSED = "closed", _("Closed")
    DISMISSED = "dismissed", _("Dismissed")


OPEN_STATUSES = (Status.REPORTED, Status.CONFIRMED, Status.RECTIFYING, Status.AWAITING_ACCEPTANCE)


class Source(models.TextChoices):
    INSPECTION = "inspection", _("Inspection")
    SELF_CHECK = "self_check", _("Self-check")
    TIP_OFF = "tip_off", _("Tip-off")
    ACCIDENT_LESSON = "accident_lesson", _("Accident lesson")
    SUPERVISION = "supervision", _("Supervision")


class Authority(models.TextChoices):
    DEPARTMENT = "department", _("Department")
    GOVERNMENT = "government", _("Government")


class PhotoKind(models.TextChoices):
    FINDING = "finding", _("Finding")
    EVIDENCE = "evidence", _("Rectification evidence")


class Action(models.TextChoices):
    FILE = "file", _("Filed")
    CONFIRM = "confirm", _("Confirmed")
    SUBMIT_PLAN = "submit_plan", _("Plan submitted")
    SUBMIT_RECTIFICATION = "submit_rectification", _("Rectification submitted")
    ACCEPT = "accept", _("Accepted and closed")
    REJECT = "reject", _("Rectification rejected")
    DISMISS = "dismiss", _("Dismissed")
    EXTEND_DEADLINE = "extend_deadline", _("Deadline extended")
    REOPEN = "reopen", _("Reopened after look-back")
    LIST_SUPERVISION = "list_supervision", _("Listed for supervision")
    DELIST = "delist", _("De-listed")
    REASSIGN = "reassign", _("Responsibility changed")
    ADD_PHOTO = "add_photo", _("Photo added")
    ADD_FINDING = "add_finding", _("Same finding again")
    LOOK_BACK = "look_back", _("Look-back done")
    ADD_EVALUATION = "add_evaluation", _("Evaluation attached")
    ESCALATION_STEP = "escalation_step", _("Escalation notice sent")
    ACKNOWLEDGE = "acknowledge", _("Notice answered")


class LookBackResult(models.TextChoices):
    PASSED = "passed", _("Passed: the hazard has not come back")
    FAILED = "failed", _("Failed: the hazard is back")
