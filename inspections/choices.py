from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AnswerKind(models.TextChoices):
    PASS_FAIL = "pass_fail", _("Pass / fail / not applicable")
    NUMBER = "number", _("Number within limits")
    TEXT = "text", _("Text")


class Result(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    NOT_APPLICABLE = "na", _("Not applicable")


class InspectionKind(models.TextChoices):
    PLANNED = "planned", _("Planned")
    AD_HOC = "ad_hoc", _("Ad hoc")
    SELF_CHECK = "self_check", _("Self-check")
    SUPERVISION = "supervision", _("Supervision re-inspection")
    LESSON = "lesson", _("Comparison self-check")  # of an accident's lesson, started from its task (accidents)


# The kinds an enterprise does itself: its own self-check, and a lesson's comparison self-check.
ENTERPRISE_KINDS = (InspectionKind.SELF_CHECK, InspectionKind.LESSON)


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")
    CLOSED = "closed", pgettext_lazy("inspection", "Closed")


DONE = (InspectionStatus.SUBMITTED, InspectionStatus.CLOSED)


GOVERNMENT_KINDS = (InspectionKind.PLANNED, InspectionKind.AD_HOC, InspectionKind.SUPERVISION)


class CampaignKind(models.TextChoices):
    """What a campaign's coverage counts: submitted inspections, or what another app registered for its kind
    (coverage.register_done): oversight's principal verifications for 主要负责人全面核查."""

    INSPECTION = "inspection", _("Inspection campaign")
    PRINCIPAL_VERIFICATION = "principal_verification", _("Full verification of principal persons")
