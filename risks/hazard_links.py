"""Hazards found at a risk point (docs/risks.md "The enterprise's checks"): `link_hazard` is the one writer of
`PointHazard`. A second hazard at the same point within RISK_REPEAT_HAZARD_DAYS makes the point due for
re-evaluation with the reason "hazards"."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction

from audit.models import record
from hazards.models import Hazard
from organizations.models import User

from . import points
from .choices import ReevaluationReason
from .models import PointHazard, RiskPoint


def link_hazard(actor: User | None, point: RiskPoint, hazard: Hazard) -> PointHazard:
    """Link a hazard to the point (once; a repeat returns the link). The caller has checked that the actor may
    (the check's record_check does). Audited; in the caller's transaction."""
    with transaction.atomic():
        link, created = PointHazard.objects.get_or_create(
            point=point, hazard=hazard, defaults={"linked_by": actor if getattr(actor, "pk", None) else None}
        )
        if not created:
            return link
        since = link.linked_at - timedelta(days=settings.RISK_REPEAT_HAZARD_DAYS)
        repeated = PointHazard.objects.filter(point=point, linked_at__gte=since).exclude(pk=link.pk).exists()
        record(actor, "risk.link_hazard", point, {"hazard": hazard.code, "repeated": repeated})
        if repeated:  # due for re-evaluation now, through the points' one writer (audited "risk.due")
            points.mark_due(RiskPoint.objects.filter(pk=point.pk), ReevaluationReason.HAZARDS, hazard.code, actor)
        return link
