"""The choices of lost-supervision work (防止漏管失控): certificates, watch observations, illegal operations and their
actions and results, enforcement actions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organizations.choices import OperatingState

# The states whose enterprises are watched (动向掌握): not producing, or producing in a way that must be seen to.
WATCHED_STATES = (
    OperatingState.SUSPENDED,
    OperatingState.DEREGISTERED,
    OperatingState.CLOSED_MINE,
    OperatingState.UNDER_CONSTRUCTION,
    OperatingState.OIL_GAS_STORAGE,
)
# The states in which activity seen on a visit is an alert (停产企业在生产, 关闭矿井有活动).
NO_ACTIVITY_STATES = (OperatingState.SUSPENDED, OperatingState.CLOSED_MINE, OperatingState.DEREGISTERED)


class Holder(models.TextChoices):
    PRINCIPAL = "principal", _("Principal person")
    SAFETY_MANAGER = "safety_manager", _("Safety manager")


class CertificateKind(models.TextChoices):
    """安全生产知识和管理能力考核合格证 and its kin."""

    PRINCIPAL_ASSESSMENT = "principal_assessment", _("Principal's safety knowledge and management certificate")
    MANAGER_ASSESSMENT = "manager_assessment", _("Safety manager's safety knowledge and management certificate")
    REGISTERED_ENGINEER = "registered_engineer", _("Registered safety engineer")
    OTHER = "other", _("Other safety qualification")


class Observation(models.TextChoices):
    """What a watch visit saw (现场盯守所见)."""

    NO_ACTIVITY = "no_activity", _("No production activity")
    SEALS_INTACT = "seals_intact", _("Seals intact")
    SEALS_BROKEN = "seals_broken", _("Seals broken")
    POWER_OFF = "power_off", _("Power cut off")
    EQUIPMENT_REMOVED = "equipment_removed", _("Equipment removed")
    WORKERS_PRESENT = "workers_present", _("Workers on site")
    MATERIALS_MOVING = "materials_moving", _("Materials or products moving")
    CONSTRUCTION_SAFE = "construction_safe", _("Construction site in order")
    STORAGE_SAFE = "storage_safe", _("Storage in order")


# Observations that mean activity (an alert where no activity is allowed).
ACTIVITY = (Observation.SEALS_BROKEN, Observation.WORKERS_PRESENT, Observation.MATERIALS_MOVING)


class IllegalSource(models.TextChoices):
    INSPECTION = "inspection", _("Inspection")
    TIP_OFF = "tip_off", _("Tip-off")
    WATCH = "watch", _("Watch visit")
    PATROL = "patrol", _("Patrol")
    OTHER = "other", _("Other")


class IllegalKind(models.TextChoices):
    """非法违法行为."""

    UNLICENSED = "unlicensed", _("Operating without a licence")
    BEYOND_LICENCE = "beyond_licence", _("Operating beyond the licence")
    ILLEGAL_SUBCONTRACTING = "illegal_subcontracting", _("Illegal subcontracting or transfer")
    BORROWED_QUALIFICATION = "borrowed_qualification", _("Borrowed or lent qualification")
    PRODUCING_WHILE_SUSPENDED = "producing_while_suspended", _("Producing while ordered to stop")
    CLOSED_MINE_ACTIVITY = "closed_mine_activity", _("Activity in a closed mine")
    OTHER = "other", _("Other illegal operation")


class IllegalAction(models.TextChoices):
    BAN = "ban", _("Banned (取缔)")
    STOP = "stop", _("Ordered to stop production (责令停产停业)")
    POLICE = "police", _("Referred to the police (移送公安)")
    RECTIFY = "rectify", _("Ordered to rectify")
    FINE = "fine", _("Fined")


class IllegalResult(models.TextChoices):
    OPEN = "open", _("Being handled")
    BANNED = "banned", _("Banned")
    STOPPED = "stopped", _("Stopped")
    REFERRED = "referred", _("Referred")
    RECTIFIED = "rectified", _("Rectified")


class ActionKind(models.TextChoices):
    """行政执法文书的种类."""

    RECTIFY_ORDER = "rectify_order", _("Order to rectify within a time limit")
    PENALTY = "penalty", _("Administrative penalty")
    SUSPENSION = "suspension", _("Order to suspend production")
    CLOSURE_PROPOSAL = "closure_proposal", _("Proposal to close")
    REFERRAL = "referral", _("Referral")


class ActionState(models.TextChoices):
    ISSUED = "issued", pgettext_lazy("enforcement document", "Issued")
    PROPOSED = "proposed", _("Proposed")
    DONE = "done", _("Carried out")
    REVOKED = "revoked", _("Revoked")


# --- enforcement: the number's prefix per kind (责令限期整改, 行政处罚, 责令停产停业, 提请关闭, 移送) ---
NUMBER_PREFIX = {
    ActionKind.RECTIFY_ORDER: "责改",
    ActionKind.PENALTY: "罚",
    ActionKind.SUSPENSION: "停",
    ActionKind.CLOSURE_PROPOSAL: "关",
    ActionKind.REFERRAL: "移",
}
