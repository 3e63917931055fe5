"""A notice at every hand-off of the hazard loop (issue #14, items 2 and 3), through the real outbox on PostgreSQL.

For each change of state: who is told (by position), once, with a link to the hazard, and the page's message names
exactly those people. Muted kinds stay in the inbox but are not sent by e-mail or the gateway; must-answer notices
cannot be muted (the settings page and the API refuse by name).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from hazards import workflow
from hazards.models import Hazard
from notifications import outbox
from notifications.models import Delivery, Notification, NotificationPreference
from organizations.choices import PositionKind, UnitKind
from organizations.models import Position

from ..factories import PositionFactory, UserFactory, assign
from ..hazards.conftest import FULL_PLAN, MAJOR_PLAN, filing, jpeg_bytes, later, pdf_bytes

NAMES = {
    "enterprise": "陈晓东",
    "manager": "李安全",
    "county_dept": "王科员",
    "county_head": "赵局长",
    "inspector": "孙检查",
    "city": "周值班",
    "district": "钱区长",
    "dept_head": "吴处长",
}


@pytest.fixture
def people(hz, settings, tmp_path):
    """The hazard world with real names and e-mail addresses, the gateway configured (deliveries are planned for
    both channels; nothing is sent: no worker runs here)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.NOTIFY_WEBHOOK_URL = "http://127.0.0.1:9/gateway"
    for key, name in NAMES.items():
        user = hz.users[key]
        user.full_name, user.email = name, f"{key}@example.gov.cn"
        user.save(update_fields=["full_name", "email"])
    return hz


def told(kind: str, hazard: Hazard) -> list[Notification]:
    return list(Notification.objects.filter(kind=kind, hazard=hazard).select_related("recipient").order_by("id"))


def usernames(notices) -> set[str]:
    return {n.recipient.username for n in notices}


def assert_handoff(kind: str, hazard: Hazard, expected: set[str]) -> list[Notification]:
    """Exactly these people, one notice each, linked to the hazard, with their two deliveries (e-mail, gateway)."""
    notices = told(kind, hazard)
    assert usernames(notices) == expected
    assert len(notices) == len(expected), [n.key for n in notices]
    for notice in notices:
        assert notice.link == f"/hazards/{hazard.pk}/" and notice.hazard_id == hazard.pk
        assert hazard.code in notice.title and not notice.must_answer and notice.read_at is None
        assert sorted(notice.deliveries.values_list("channel", flat=True)) == ["email", "webhook"]
    return notices


def filed(world, **values) -> Hazard:
    hazard, created = workflow.file_hazard(world.users["inspector"], filing(world, **values))
    assert created
    return hazard


# --- each hand-off: who, once, linked ------------------------------------------------------------------------


def test_a_new_finding_tells_the_supervising_departments_head_and_staff(people):
    hazard = filed(people)
    assert assert_handoff("hz_filed", hazard, {"county_dept", "county_head"})  # d1_yjj, not the inspector
    message = workflow.message("file", hazard)
    assert hazard.code in message and "海滨区应急管理局" in message
    assert NAMES["county_dept"] in message and NAMES["county_head"] in message


def test_confirmed_with_a_deadline_tells_the_enterprise_principal(people):
    hazard = workflow.confirm(people.users["county_dept"], filed(people), later(20))
    (notice,) = assert_handoff("hz_confirmed", hazard, {"enterprise"})
    assert "整改期限" in notice.body
    message = workflow.message("confirm", hazard)
    assert message.startswith("已确认") and f"已通知企业主要负责人{NAMES['enterprise']}" in message


def test_a_vacant_principal_passes_to_the_safety_manager(people):
    Position.objects.filter(kind=PositionKind.ENTERPRISE_PRINCIPAL).delete()
    hazard = filed(people)
    hazard = workflow.confirm(people.users["county_dept"], hazard, later(20))
    assert_handoff("hz_confirmed", hazard, {"manager"})
    message = workflow.message("confirm", hazard)
    assert f"企业安全管理人员{NAMES['manager']}" in message and "主要负责人" in message  # and says it is vacant


def test_a_plan_submitted_tells_the_department(people):
    hazard = workflow.confirm(people.users["county_dept"], filed(people), later(20))
    hazard = workflow.submit_plan(people.users["enterprise"], hazard, {**FULL_PLAN, "deadline": later(15)})
    assert_handoff("hz_plan", hazard, {"county_dept", "county_head"})
    assert NAMES["county_head"] in workflow.message("submit_plan", hazard)


def test_rectification_submitted_tells_whoever_may_accept(people):
    """The accepting department's inspectors, staff and head; not whoever rectified (they may not accept)."""
    inspector = UserFactory(
        username="d1_inspector", unit_kind=UnitKind.DEPARTMENT, department=people.d1_yjj, email="d1@example.gov.cn"
    )
    assign(inspector, PositionFactory(kind=PositionKind.INSPECTOR, unit_kind="department", department=people.d1_yjj))
    hazard = workflow.confirm(people.users["county_dept"], filed(people), later(20))
    hazard = workflow.submit_plan(people.users["manager"], hazard, {**FULL_PLAN, "deadline": later(15)})
    hazard = workflow.submit_rectification(people.users["manager"], hazard, "已更换")
    assert_handoff("hz_rectified", hazard, {"county_dept", "county_head", "d1_inspector"})
    message = workflow.message("submit_rectification", hazard)
    assert "验收" in message and NAMES["county_dept"] in message


def test_rejected_tells_the_enterprise_with_the_reason(people):
    hazard = workflow.confirm(people.users["county_dept"], filed(people), later(20))
    hazard = workflow.submit_plan(people.users["enterprise"], hazard, {**FULL_PLAN, "deadline": later(15)})
    hazard = workflow.submit_rectification(people.users["enterprise"], hazard, "已更换")
    hazard = workflow.reject(people.users["county_dept"], hazard, "灭火器型号不符")
    notices = assert_handoff("hz_rejected", hazard, {"enterprise", "manager"})
    assert all("灭火器型号不符" in n.body for n in notices)
    message = workflow.message("reject", hazard)
    assert "海滨化工有限公司" in message and NAMES["enterprise"] in message and NAMES["manager"] in message


def test_closed_tells_the_filer(people):
    hazard = workflow.confirm(people.users["county_dept"], filed(people), later(20))
    hazard = workflow.submit_plan(people.users["enterprise"], hazard, {**FULL_PLAN, "deadline": later(15)})
    hazard = workflow.submit_rectification(people.users["enterprise"], hazard, "已更换")
    hazard = workflow.accept(people.users["county_dept"], hazard, "合格")
    assert_handoff("hz_closed", hazard, {"inspector"})
    assert f"登记人{NAMES['inspector']}" in workflow.message("accept", hazard)


def test_the_other_changes_tell_their_next_people(people):
    """Dismissed → the filer; extended and reopened → the principal; reassigned → the new department; listed →
    the supervising leader."""
    users = people.users
    dismissed = workflow.dismiss(users["county_dept"], filed(people), "重复登记")
    assert_handoff("hz_dismissed", dismissed, {"inspector"})
    assert "重复登记" in told("hz_dismissed", dismissed)[0].body
    assert NAMES["inspector"] in workflow.message("dismiss", dismissed)

    hazard = workflow.confirm(users["county_dept"], filed(people, level="major"), later(20))
    hazard = workflow.extend_deadline(users["county_head"], hazard, later(40), "设备到货延迟")
    assert_handoff("hz_extended", hazard, {"enterprise"})
    assert NAMES["enterprise"] in workflow.message("extend_deadline", hazard)

    leader = Position.objects.get(kind=PositionKind.TERRITORIAL_LEADER, region=people.d1)
    listing = workflow.Listing(
        authority="department", supervising_leader=leader, order_number="督-7", deadline=later(30)
    )
    hazard = workflow.list_supervision(users["county_head"], hazard, listing)
    assert_handoff("hz_listed", hazard, {"district"})
    assert f"督办领导{NAMES['district']}" in workflow.message("list_supervision", hazard)

    moved = workflow.reassign(users["city"], filed(people), people.zjj, "行业归属调整")
    assert_handoff("hz_reassigned", moved, {"dept_head"})
    assert "市住房和城乡建设局" in workflow.message("reassign", moved)

    closed = workflow.confirm(users["county_dept"], filed(people), later(20))
    closed = workflow.submit_plan(users["enterprise"], closed, {**FULL_PLAN, "deadline": later(15)})
    closed = workflow.submit_rectification(users["enterprise"], closed, "已更换")
    closed = workflow.accept(users["county_dept"], closed)
    reopened = workflow.reopen(users["county_dept"], closed, "回头看发现复发", later(10))
    assert_handoff("hz_reopened", reopened, {"enterprise"})
    assert NAMES["enterprise"] in workflow.message("reopen", reopened)


def test_nobody_is_told_of_their_own_action(people):
    """The department's only staff files a hazard itself: nobody else to tell, and the message says so (the notice
    does not climb to the territorial leader)."""
    Position.objects.filter(kind=PositionKind.DEPARTMENT_HEAD, department=people.d1_yjj).delete()
    hazard, _ = workflow.file_hazard(people.users["county_dept"], filing(people))
    assert not told("hz_filed", hazard)
    assert "无需通知他人" in workflow.message("file", hazard)


def test_a_vacant_department_passes_up_the_ladder(people):
    Position.objects.filter(department=people.d1_yjj).delete()
    hazard = filed(people)
    assert_handoff("hz_filed", hazard, {"district"})  # the territorial leader of 海滨区
    message = workflow.message("file", hazard)
    assert NAMES["district"] in message and "空缺" in message


# --- exactly once ----------------------------------------------------------------------------------------------


def test_a_rolled_back_transition_tells_nobody_and_enqueues_nothing(people, django_capture_on_commit_callbacks):
    hazard = filed(people)
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        workflow.confirm(people.users["county_dept"], hazard, later(20))
        raise RuntimeError("the request failed after the change")
    assert not callbacks and not told("hz_confirmed", hazard)
    assert not Delivery.objects.filter(notification__kind="hz_confirmed").exists()
    with django_capture_on_commit_callbacks() as callbacks:  # retried: told once, enqueued once
        hazard = workflow.confirm(people.users["county_dept"], hazard, later(20))
    assert len(callbacks) == 1 and len(told("hz_confirmed", hazard)) == 1


def test_the_same_hand_off_again_writes_nothing(people):
    """The key is the transition's timeline event: a repeat of it (a retried delivery of the same change) is not
    a second notice, and the message it would word names nobody new."""
    from hazards.models import HazardEvent
    from hazards.workflow import notices

    hazard = workflow.confirm(people.users["county_dept"], filed(people), later(20))
    event = HazardEvent.objects.get(hazard=hazard, action="confirm")
    before = Notification.objects.count(), Delivery.objects.count()
    again = notices.hand_off(hazard, people.users["county_dept"], event)
    assert again.people == [] and (Notification.objects.count(), Delivery.objects.count()) == before


def test_a_double_tap_on_the_page_tells_once(people, client):
    hazard = filed(people)
    client.force_login(people.users["county_dept"])
    url = reverse("hazards:action", args=[hazard.pk, "confirm"])
    assert client.post(url, {"deadline_working_days": 5}).status_code == 302
    assert client.post(url, {"deadline_working_days": 5}).status_code == 409
    assert len(told("hz_confirmed", hazard)) == 1


# --- muting ----------------------------------------------------------------------------------------------------


def test_a_muted_kind_lands_in_the_inbox_but_is_not_sent(people, client):
    """Muted: in the inbox (and its unread count), no e-mail, no gateway message. The must-answer escalation of
    the same hazard is sent anyway, even if a muted list somehow holds its kind."""
    NotificationPreference.objects.create(user=people.users["enterprise"], muted_kinds=["hz_confirmed", "esc"])
    hazard = workflow.confirm(people.users["county_dept"], filed(people), later(20))
    (notice,) = told("hz_confirmed", hazard)
    assert not notice.deliveries.exists()
    client.force_login(people.users["enterprise"])
    inbox = client.get(reverse("notifications:inbox")).content.decode()
    assert notice.title in inbox
    urgent = outbox.notify(
        [(people.users["enterprise"], hazard.principal_position)], f"esc:test:{hazard.pk}", "逾期", "请应答",
        answer_within=timedelta(minutes=30), hazard=hazard,
    )  # fmt: skip
    assert sorted(urgent[0].deliveries.values_list("channel", flat=True)) == ["email", "webhook"]
    manager_notice = told("hz_rejected", hazard)  # the manager muted nothing: nothing to compare yet
    assert manager_notice == []


def test_the_settings_page_mutes_and_refuses_must_answer_kinds(people, client):
    user = people.users["enterprise"]
    client.force_login(user)
    url = reverse("notifications:preferences")
    page = client.get(url).content.decode()
    assert 'value="hz_confirmed"' in page and 'id="mute-esc"' in page and 'value="esc"' not in page
    base = {"email": "on", "webhook": "on"}
    refused = client.post(url, {**base, "muted_kinds": ["hz_closed", "esc"]})
    assert refused.status_code == 400
    assert "隐患逾期督办须应答，不能静音。" in refused.content.decode()
    assert not NotificationPreference.objects.get(user=user).muted_kinds  # nothing half-saved
    saved = client.post(url, {**base, "muted_kinds": ["hz_closed", "hz_confirmed"]})
    assert saved.status_code == 302
    assert NotificationPreference.objects.get(user=user).muted_kinds == ["hz_confirmed", "hz_closed"]
    (message,) = [str(m) for m in get_messages(saved.wsgi_request)]
    assert "只进收件箱" in message and "须应答的通知" in message


def test_the_api_mutes_and_refuses_must_answer_kinds(people):
    api = APIClient()
    api.force_authenticate(people.users["enterprise"])
    url = "/api/v1/notifications/preferences/"
    shown = api.get(url).json()
    assert shown["muted_kinds"] == [] and {"esc", "up", "checkin", "rollcall", "incident"} <= set(shown["always"])
    refused = api.patch(url, {"muted_kinds": ["esc"]}, format="json")
    assert refused.status_code == 400
    assert refused.json()["muted_kinds"]["0"] == ["隐患逾期督办须应答，不能静音。"]
    assert api.patch(url, {"muted_kinds": ["nonsense"]}, format="json").status_code == 400
    assert api.patch(url, {"quiet_from": "22:00"}, format="json").status_code == 400  # both ends or neither
    quiet = api.patch(url, {"quiet_from": "22:00", "quiet_until": "07:00:00"}, format="json").json()
    assert (quiet["quiet_from"], quiet["quiet_until"]) == ("22:00", "07:00")  # the schema's HH:MM, no time zone
    done = api.patch(url, {"muted_kinds": ["hz_plan"]}, format="json")
    assert done.status_code == 200 and done.json()["muted_kinds"] == ["hz_plan"]
    hazard = workflow.confirm(people.users["county_dept"], filed(people), later(20))
    listed = api.get("/api/v1/notifications/").json()["results"]
    assert {"kind": "hz_confirmed", "hazard": hazard.pk} in [{"kind": n["kind"], "hazard": n["hazard"]} for n in listed]


# --- the page's messages after each action -------------------------------------------------------------------


def flash(response) -> str:
    """The message this response added (the redirect is not followed, so earlier ones are still queued)."""
    return [str(m) for m in get_messages(response.wsgi_request)][-1]


def act(client, user, hazard, name, data):
    client.force_login(user)
    response = client.post(reverse("hazards:action", args=[hazard.pk, name]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return flash(response)


def test_every_action_on_the_detail_page_says_what_happened_and_who_is_next(people, client):
    users = people.users
    hazard = filed(people, level="major")
    deadline = timezone.localtime(later(20)).strftime("%Y-%m-%dT%H:%M")
    said = act(client, users["county_dept"], hazard, "confirm", {"deadline": deadline})
    assert said.startswith("已确认") and f"已通知企业主要负责人{NAMES['enterprise']}" in said
    said = act(client, users["county_dept"], hazard, "add_photos", {"photos": [photo()]})
    assert "照片已添加" in said and "企业" in said  # next: the enterprise submits its plan
    plan = {**FULL_PLAN, **MAJOR_PLAN, "deadline": timezone.localtime(later(15)).strftime("%Y-%m-%dT%H:%M")}
    said = act(client, users["enterprise"], hazard, "submit_plan", plan)
    assert "整改方案已提交" in said and NAMES["county_head"] in said and NAMES["county_dept"] in said
    leader = Position.objects.get(kind=PositionKind.TERRITORIAL_LEADER, region=people.d1)
    listing = {"authority": "department", "supervising_leader": leader.pk, "order_number": "督-9",
               "deadline": timezone.localtime(later(30)).strftime("%Y-%m-%dT%H:%M")}  # fmt: skip
    # extended before the listing: a listed hazard's deadline moves only with its listing's (ask_extension)
    said = act(client, users["county_head"], hazard, "extend_deadline",
               {"deadline_working_days": 30, "reason": "设备到货延迟"})  # fmt: skip
    assert "延长" in said and NAMES["enterprise"] in said
    said = act(client, users["county_head"], hazard, "list_supervision", listing)
    assert "挂牌督办" in said and NAMES["district"] in said
    said = act(client, users["enterprise"], hazard, "attach_evaluation", {"file": evaluation(), "note": "评估"})
    assert "评估" in said and "提交整改" in said  # next: the enterprise submits the rectification
    said = act(client, users["manager"], hazard, "submit_rectification", {"description": "已更换"})
    assert "验收" in said and NAMES["county_dept"] in said and NAMES["county_head"] in said
    said = act(client, users["county_dept"], hazard, "reject", {"reason": "阀门未更换"})
    assert "驳回" in said and NAMES["enterprise"] in said
    act(client, users["manager"], hazard, "submit_rectification", {"description": "已再次更换"})
    said = act(client, users["county_dept"], hazard, "accept", {"comment": "合格"})
    assert "销号" in said and f"登记人{NAMES['inspector']}" in said
    said = act(client, users["county_dept"], hazard, "reopen", {"deadline_working_days": 10, "reason": "回头看"})
    assert NAMES["enterprise"] in said

    other = filed(people)
    said = act(client, users["city"], other, "reassign", {"department": people.zjj.pk, "reason": "行业归属调整"})
    assert "市住房和城乡建设局" in said and NAMES["dept_head"] in said
    third = filed(people)
    said = act(client, users["county_dept"], third, "dismiss", {"reason": "重复登记"})
    assert f"登记人{NAMES['inspector']}" in said
    assert not re.search(r"操作成功|^完成。$", said)


def photo():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("p.jpg", jpeg_bytes(), content_type="image/jpeg")


def evaluation():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("e.pdf", pdf_bytes(), content_type="application/pdf")


def test_the_filing_page_names_the_department_told(people, client):
    import uuid

    client.force_login(people.users["inspector"])
    response = client.post(reverse("hazards:create"), {
        "enterprise": people.e1.pk, "place": "一号仓库", "category": people.fire.pk, "level": "general",
        "title": "灭火器过期", "description": "", "source": "inspection", "legal_basis": "",
        "idempotency_key": str(uuid.uuid4()),
    })  # fmt: skip
    assert response.status_code == 302
    said = flash(response)
    assert "已登记" in said and "海滨区应急管理局" in said and NAMES["county_head"] in said


def test_answering_a_must_answer_notice_says_it_will_not_be_passed_up(people, client):
    user = people.users["city"]
    position = Position.objects.get(kind=PositionKind.CITY_OFFICE_STAFF)
    (notice,) = outbox.notify(
        [(user, position)], "test:ack", "请回复：查岗", "请应答", answer_within=timedelta(minutes=5)
    )
    client.force_login(user)
    response = client.post(reverse("notifications:acknowledge", args=[notice.pk]))
    assert "不会再报上级" in flash(response)
