"""The registry's resumption rule (#19): a suspended enterprise returns to operating only through a resumption check's
writer (`resumption=True`); the registry's writer, its form and its API refuse it with a field error in Chinese and
change nothing. Other changes of a suspended enterprise, and suspending, still go through."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from organizations.models import Enterprise
from organizations.registry import save_enterprise

pytestmark = pytest.mark.django_db


@pytest.fixture
def suspended(world):
    Enterprise.objects.filter(pk=world.e1.pk).update(operating_state="suspended")
    return Enterprise.objects.get(pk=world.e1.pk)


def test_the_writer_refuses_and_changes_nothing(world, suspended):
    events = AuditEvent.objects.count()
    suspended.operating_state = "operating"
    with pytest.raises(ValidationError) as refused:
        save_enterprise(world.users["city"], suspended)
    assert "operating_state" in refused.value.message_dict
    assert Enterprise.objects.get(pk=suspended.pk).operating_state == "suspended"
    assert AuditEvent.objects.count() == events


def test_a_resumption_check_may(world, suspended):
    suspended.operating_state = "operating"
    save_enterprise(world.users["city"], suspended, "复产复工验收合格", resumption=True)
    assert Enterprise.objects.get(pk=suspended.pk).operating_state == "operating"
    event = AuditEvent.objects.get(action="enterprise.update", object_id=str(suspended.pk))
    assert event.changes["operating_state"] == ["suspended", "operating"] and event.reason == "复产复工验收合格"


def test_other_changes_and_suspending_go_through(world, suspended):
    suspended.address = "新地址1号"
    save_enterprise(world.users["city"], suspended)
    other = Enterprise.objects.get(pk=world.e2.pk)
    other.operating_state = "suspended"
    save_enterprise(world.users["city"], other)
    assert Enterprise.objects.get(pk=world.e2.pk).operating_state == "suspended"


def test_the_api_refuses_in_chinese(world, suspended, client):
    client.force_login(world.users["city"])
    answer = client.patch(
        f"/api/v1/enterprises/{suspended.pk}/", {"operating_state": "operating"}, content_type="application/json",
        headers={"accept-language": "zh-hans"},
    )  # fmt: skip
    assert answer.status_code == 400
    assert "复产复工验收" in str(answer.json())
    assert Enterprise.objects.get(pk=suspended.pk).operating_state == "suspended"


def test_the_form_refuses_in_chinese(world, suspended, client):
    client.force_login(world.users["city"])
    form = client.get(f"/enterprises/{suspended.pk}/edit/")
    data = {k: v for k, v in form.context["form"].initial.items() if v is not None}
    data.update(operating_state="operating", region=suspended.region_id, industry=suspended.industry_id)
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    page = client.post(f"/enterprises/{suspended.pk}/edit/", data, headers={"accept-language": "zh-hans"})
    assert page.status_code == 400
    assert "复产复工验收" in page.content.decode()
    assert Enterprise.objects.get(pk=suspended.pk).operating_state == "suspended"
