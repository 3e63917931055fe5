"""Re-evaluation after an accident at the enterprise (docs/risks.md, "Risk points"): when an incident is first
reported for an enterprise (`duty_roster.models.IncidentReport`, not a supplement, not an "other emergency"), every
risk point of that enterprise in use is made due for re-evaluation now, for "accident", in the same transaction as
the report. A signal, since duty_roster knows nothing of risks; the seam is named in pyproject.toml."""

from __future__ import annotations

from django.db.models.signals import post_save

from duty_roster.choices import IncidentKind
from duty_roster.models import IncidentReport

from . import points
from .choices import ReevaluationReason
from .models import RiskPoint

# The kinds of incident that are accidents or near misses at the enterprise (an "other emergency" is not).
ACCIDENT_KINDS = (IncidentKind.PRODUCTION, IncidentKind.ROAD_TRAFFIC, IncidentKind.FIRE, IncidentKind.NEAR_MISS)


def after_incident(sender, instance: IncidentReport, created: bool, raw: bool = False, **kwargs) -> None:
    if not created or raw or instance.first_report_id or not instance.enterprise_id:
        return
    if instance.kind not in ACCIDENT_KINDS:
        return
    cause = f"{instance.get_kind_display()} {instance.occurred_at:%Y-%m-%d} {instance.place}"
    points.mark_due(RiskPoint.objects.filter(enterprise_id=instance.enterprise_id), ReevaluationReason.ACCIDENT, cause)


def connect() -> None:
    post_save.connect(after_incident, sender=IncidentReport, dispatch_uid="risks.reevaluation.after_incident")
