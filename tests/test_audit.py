"""Changes outside hazards (which have their own timeline) leave an audit record: who, when, what."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from notifications.models import EscalationChain

from .conftest import reseed


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_campaigns_and_escalation_rules_are_audited(world):
    reseed()
    from inspections.models import ChecklistVersion

    version = ChecklistVersion.objects.first()
    body = {"name": "汛期专项检查", "starts_on": str(timezone.localdate()), "lead_department": world.yjj.id,
            "ends_on": str(timezone.localdate() + timedelta(days=10)), "regions": [world.d1.id],
            "industries": [], "versions": [version.id]}  # fmt: skip
    assert api(world.users["inspector"]).post("/api/v1/campaigns/", body, format="json").status_code == 403
    backwards = {**body, "ends_on": str(timezone.localdate() - timedelta(days=1))}
    assert api(world.users["city"]).post("/api/v1/campaigns/", backwards, format="json").status_code == 400
    created = api(world.users["city"]).post("/api/v1/campaigns/", body, format="json")
    assert created.status_code == 201, created.json()
    event = AuditEvent.objects.get(action="campaign.create")
    assert event.actor == world.users["city"] and event.object_id == str(created.json()["id"])

    chain = EscalationChain.objects.get(level="general")
    steps = [{"offset_working_days": 0, "targets": ["enterprise_principal"], "must_answer": True, "label": "到期"}]
    assert api(world.users["district"]).patch(f"/api/v1/escalation-chains/{chain.id}/", {"steps": steps},
                                              format="json").status_code == 403  # fmt: skip
    bad = [{"offset_working_days": 0, "targets": ["the_mayor"], "must_answer": True, "label": "x"}]
    assert api(world.users["city"]).patch(f"/api/v1/escalation-chains/{chain.id}/", {"steps": bad},
                                          format="json").status_code == 400  # fmt: skip
    changed = api(world.users["city"]).patch(f"/api/v1/escalation-chains/{chain.id}/", {"steps": steps}, format="json")
    assert changed.status_code == 200 and len(changed.json()["steps"]) == 1
    event = AuditEvent.objects.get(action="escalation_chain.update")
    before, after = event.changes["steps"]
    assert len(before) == 5 and len(after) == 1 and event.actor == world.users["city"]
