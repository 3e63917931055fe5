"""The audit trail: who changed what, when, from what to what."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from safety_platform.lib import clientip

# Human names of the actions; later apps add theirs here.
ACTION_NAMES = {
    "enterprise.create": _("Registered"),
    "enterprise.update": _("Changed"),
    "campaign.create": _("Campaign started"),
    "campaign.team": _("Team assigned"),
    "checklist.version": _("Checklist version added"),
    "export.request": _("Export requested"),
    "inspection.create": _("Inspection started"),
    "inspection.submit": _("Inspection submitted"),
    "inspection.close": _("Inspection closed"),
    "inspection.finding": _("Finding recorded"),
    "escalation_chain.update": _("Escalation rule changed"),
    "rollcall.call": _("Roll called"),
    "duty.shift_edit": _("Shift edited by hand"),
    "duty.shift_add": _("Shift added by hand"),
    "duty.plan_submit": _("Holiday duty plan submitted"),
    "document.issue": _("Document issued"),
    "duty.close_item": _("Open item closed"),
    "duty.log": _("Duty log entry written"),
    "incident.report": _("Incident reported"),
    "incident.supplement": _("Incident report supplemented"),
    "notification.acknowledge": _("Notice answered"),
    "inspection.answer": _("Item answered"),
    "rescue.register": _("Rescue team registered"),
    "rescue.edit": _("Rescue team changed"),
    "rescue.raise": _("Readiness raised"),
    "rescue.end_period": _("Readiness period ended early"),
    "rescue.preposition": _("Forces pre-positioned"),
    "rescue.withdraw": _("Pre-positioned forces withdrawn"),
    # --- risks: points ---
    "risk.create": _("Risk point registered"),
    # --- risk themes ---
    "risk_theme.create": _("Risk theme drafted"),
    "risk_theme.edit": _("Risk theme changed"),
    "risk_theme.publish": _("Risk theme published"),
    "risk_theme.withdraw": _("Risk theme withdrawn"),
    "risk_theme.confirm": _("Risk theme confirmed"),
    "risk.import": _("Risk points imported"),
    "risk.edit": _("Risk point changed"),
    "risk.evaluate": _("Risk point re-evaluated"),
    "risk.retire": _("Risk point taken out of use"),
    "risk.due": _("Risk point due for re-evaluation"),
    "risk.check": _("Risk check recorded"),
    "risk.link_hazard": _("Hazard linked to the risk point"),
    # --- accidents and their lessons ---
    "accident.record": _("Accident recorded"),
    "accident.edit": _("Accident record changed"),
    "accident.close": _("Accident investigation closed"),
    "lesson.create": _("Lesson drafted"),
    "lesson.edit": _("Lesson changed"),
    "lesson.publish": _("Lesson published"),
    "lesson.withdraw": _("Lesson withdrawn"),
    "lesson.look_back": _("Look-back started"),
    "lesson_task.start": _("Comparison self-check started"),
    "lesson_task.done": _("Comparison self-check done"),
    "lesson.spot_sample": _("Spot check sample chosen"),
    "lesson_task.spot_check": _("Comparison self-check spot-checked"),
    "circular.issue": _("Warning circular issued"),
    # --- oversight (docs/oversight.md) ---
    "certificate.record": _("Safety certificate recorded"),
    "verification.record": _("Principal person verified"),
    "watch.start": _("Watch started"),
    "watch.change": _("Watch changed"),
    "watch.end": _("Watch ended"),
    "watch.visit": _("Watch visit recorded"),
    "resumption.check": _("Resumption check recorded"),
    "illegal.record": _("Illegal operation recorded"),
    "illegal.update": _("Illegal operation handled"),
    "enforcement.issue": _("Enforcement document issued"),
    "enforcement.propose": _("Closure proposed (Art. 113)"),
    "enforcement.state": _("Enforcement document updated"),
    # --- tip-offs (docs/tipoffs.md) ---
    "tipoff.submit": _("Tip-off received"),
    "tipoff.accept": _("Tip-off accepted"),
    "tipoff.transfer": _("Tip-off transferred"),
    "tipoff.decline": _("Tip-off declined"),
    "tipoff.merge": _("Tip-off merged with an earlier one"),
    "tipoff.spam": _("Tip-off marked invalid"),
    "tipoff.extend": _("Tip-off time limit extended"),
    "tipoff.link": _("Tip-off linked to a hazard or illegal operation"),
    "tipoff.verify": _("Tip-off verified"),
    "tipoff.answer": _("Tip-off answered"),
    "tipoff.identity_view": _("Informant's identity viewed"),
    "tipoff.reward": _("Tip-off reward changed"),
}


class AuditEvent(models.Model):
    """One attributable change of state, written in the same transaction as the change."""

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("actor")
    )
    action = models.CharField(_("action"), max_length=64)
    content_type = models.ForeignKey(ContentType, models.PROTECT, verbose_name=_("object type"))
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    # The client's address as safety_platform.lib.clientip decides it; empty for changes made by tasks.
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_repr}"

    def get_action_display(self) -> str:
        return str(ACTION_NAMES.get(self.action, self.action))


def record(
    actor, action: str, obj: models.Model, changes: dict | None = None, reason: str = "", keep_address: bool = True
) -> AuditEvent:
    """Write one audit event; call it inside the transaction that makes the change. `keep_address=False` leaves the
    client's address out (a tip-off from the public: the address could name the informant)."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes=changes or {},
        reason=reason,
        address=clientip.current() if keep_address else None,
    )


def record_many(actor, action: str, rows: list[models.Model], changes, reason: str = "") -> list[AuditEvent]:
    """`record` for many rows of one model in one INSERT (a bulk change); `changes(row)` gives each row's changes."""
    if not rows:
        return []
    content_type = ContentType.objects.get_for_model(rows[0])
    address = clientip.current()
    return AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=actor if getattr(actor, "pk", None) else None,
            action=action,
            content_type=content_type,
            object_id=str(row.pk),
            object_repr=str(row)[:200],
            changes=changes(row),
            reason=reason,
            address=address,
        )  # fmt: skip
        for row in rows
    )


def history(obj: models.Model) -> models.QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).select_related("actor")
