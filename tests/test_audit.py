"""Changes outside hazards (which have their own timeline) leave an audit record: who, when, what."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from hazards.models import EscalationChain

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


# --- issue 12, point 21 ---------------------------------------------------------------------------------------------


def test_renaming_an_escalation_chain_is_audited_and_a_patch_that_changes_nothing_writes_nothing(world):
    reseed()
    chain = EscalationChain.objects.get(level="general")
    url = f"/api/v1/escalation-chains/{chain.id}/"
    client = api(world.users["city"])
    old_name = chain.name
    renamed = client.patch(url, {"name": "一般隐患逾期升级（新）"}, format="json")
    assert renamed.status_code == 200, renamed.json()
    event = AuditEvent.objects.get(action="escalation_chain.update")
    assert event.changes == {"name": [old_name, "一般隐患逾期升级（新）"]} and event.actor == world.users["city"]
    chain.refresh_from_db()
    updated_at = chain.updated_at
    # The same name again, the same steps again, and the whole chain as it is (PUT): nothing written.
    steps = renamed.json()["steps"]
    for method, body in (("patch", {"name": "一般隐患逾期升级（新）"}), ("patch", {"steps": steps}),
                         ("put", {"name": "一般隐患逾期升级（新）", "steps": steps}), ("patch", {})):  # fmt: skip
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code == 200, (method, body, response.json())
    assert AuditEvent.objects.filter(action="escalation_chain.update").count() == 1
    chain.refresh_from_db()
    assert chain.updated_at == updated_at and len(chain.snapshot()) == len(steps)


def test_an_enterprise_patch_that_changes_nothing_writes_nothing(world, client):
    enterprise = world.e1
    url = f"/api/v1/enterprises/{enterprise.id}/"
    city = api(world.users["city"])
    same = city.patch(url, {"name": enterprise.name, "is_key_unit": enterprise.is_key_unit}, format="json")
    assert same.status_code == 200, same.json()
    assert city.patch(url, {}, format="json").status_code == 200
    assert not AuditEvent.objects.filter(action="enterprise.update").exists()
    enterprise.refresh_from_db()
    updated_at = enterprise.updated_at
    changed = city.patch(url, {"name": "海滨化工股份有限公司"}, format="json")
    assert changed.status_code == 200
    event = AuditEvent.objects.get(action="enterprise.update")
    assert event.changes == {"name": ["海滨化工有限公司", "海滨化工股份有限公司"]}
    enterprise.refresh_from_db()
    assert enterprise.updated_at > updated_at


def test_answering_a_must_answer_notice_is_audited_once(world, client):
    from notifications import outbox
    from notifications.models import Notification

    city = world.users["city"]
    position = city.assignments.get().position
    outbox.notify([(city, position)], "test:ack", "请回复：查岗", "请在5分钟内应答", "", timedelta(minutes=5))
    notice = Notification.objects.get(recipient=city)
    answered = api(city).post(f"/api/v1/notifications/{notice.id}/acknowledge/")
    assert answered.status_code == 200 and answered.json()["acknowledged_at"]
    event = AuditEvent.objects.get(action="notification.acknowledge")
    assert (event.actor, event.object_id, event.changes) == (
        city,
        str(notice.id),
        {"title": "请回复：查岗", "late": False},
    )
    client.force_login(city)
    assert client.post(f"/notifications/{notice.id}/acknowledge/").status_code == 302  # again, on the page
    assert AuditEvent.objects.filter(action="notification.acknowledge").count() == 1
    outbox.notify([(city, position)], "test:info", "通知", "无需应答")  # not must-answer: nothing to audit
    info = Notification.objects.get(key__startswith="test:info")
    api(city).post(f"/api/v1/notifications/{info.id}/acknowledge/")
    assert AuditEvent.objects.filter(action="notification.acknowledge").count() == 1
