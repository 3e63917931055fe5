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


# What an enterprise files as: its own self-check, or a lesson's comparison self-check (accidents).
ENTERPRISE_SOURCES = (Source.SELF_CHECK, Source.ACCIDENT_LESSON)


class Authority(models.TextChoices):
    DEPARTMENT = "department", _("Department")
    GOVERNMENT = "government", _("Government")


class PhotoKind(models.TextChoices):
    FINDING = "finding", _("Finding")
    EVIDENCE = "evidence", _("Rectification evidence")
    SUPERVISION = "supervision", _("Leader's supervision")


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
    # Listed supervision (hazards/workflow/supervision.py, hazards/listing_sweeps.py).
    PUBLISH_ORDER = "publish_order", _("Rectification order published")
    LEADER_STUDIED = "leader_studied", _("Studied by the supervising leader")
    LEADER_COORDINATED = "leader_coordinated", _("Coordinated by the supervising leader")
    LEADER_SUPERVISED = "leader_supervised", _("Supervised on site by the supervising leader")
    ASK_EXTENSION = "ask_extension", _("Extension of the listing asked")
    EXTENSION_APPROVED = "extension_approved", _("Extension of the listing approved")
    EXTENSION_REFUSED = "extension_refused", _("Extension of the listing refused")
    NOT_LISTED_IN_TIME = "not_listed_in_time", _("Not listed in time: escalated")
    ORDER_NOT_PUBLISHED = "order_not_published", _("Order not published in time: escalated")
    EXTENSION_UNDECIDED = "extension_undecided", _("Extension not decided in time: escalated")
    LEADER_IDLE = "leader_idle", _("Supervising leader reminded: no action recorded")


class LeaderAction(models.TextChoices):
    """What a listing's supervising leader did (研究、协调、督办), each its own timeline action."""

    STUDIED = "studied", _("Studied")
    COORDINATED = "coordinated", _("Coordinated")
    SUPERVISED = "supervised", _("Supervised on site")


LEADER_EVENTS = {
    LeaderAction.STUDIED: Action.LEADER_STUDIED,
    LeaderAction.COORDINATED: Action.LEADER_COORDINATED,
    LeaderAction.SUPERVISED: Action.LEADER_SUPERVISED,
}


class LookBackResult(models.TextChoices):
    PASSED = "passed", _("Passed: the hazard has not come back")
    FAILED = "failed", _("Failed: the hazard is back")
