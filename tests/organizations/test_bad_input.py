"""Bad input gets a clear field error in the user's language; nothing is stored half-way; never a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditEvent
from organizations.models import Enterprise

from ..factories import credit_code


def payload(world, **overrides):
    body = {
        "credit_code": credit_code(5),
        "name": "新登记企业有限公司",
        "address": "海滨路8号",
        "region": world.t1.id,
        "industry": world.chem.id,
        "licence_state": "unlicensed",
        "operating_state": "under_construction",
        "is_key_unit": True,
        "principal_name": "李四",
        "principal_phone": "13900000001",
    }
    return {**body, **overrides}


def api(user, language="zh-hans"):
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    return client


def test_create_through_the_api_is_audited(world):
    response = api(world.users["county_dept"]).post("/api/v1/enterprises/", payload(world), format="json")
    assert response.status_code == 201, response.json()
    enterprise = Enterprise.objects.get(pk=response.json()["id"])
    event = AuditEvent.objects.get(object_id=str(enterprise.pk), action="enterprise.create")
    assert event.actor == world.users["county_dept"]
    assert event.changes["name"] == [None, "新登记企业有限公司"]


def test_full_width_lower_case_code_is_stored_normalised(world):
    code = credit_code(6)
    sent = code.lower().replace("9", "９")
    response = api(world.users["city"]).post("/api/v1/enterprises/", payload(world, credit_code=sent), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["credit_code"] == code


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("credit_code", "91350100M000100Y44", "校验码"),
        ("credit_code", "1234", "18"),
        ("region", 999999, ""),
        ("industry", "abc", ""),
        ("is_key_unit", "maybe", ""),
        ("licence_state", "pirate", ""),
        ("name", "长" * 201, "200"),
        ("name", "含\x00空字符", ""),
        ("address", ["not", "text"], ""),
        ("principal_phone", "call me", ""),
    ],
)
def test_api_field_errors_in_chinese(world, field, value, message):
    before = Enterprise.objects.count()
    response = api(world.users["city"]).post("/api/v1/enterprises/", payload(world, **{field: value}), format="json")
    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == [field], errors
    assert message in errors[field][0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in errors[field][0]), errors  # said in Chinese
    assert Enterprise.objects.count() == before


def test_api_errors_follow_accept_language(world):
    body = payload(world, credit_code="91350100M000100Y44")
    response = api(world.users["city"], "en").post("/api/v1/enterprises/", body, format="json")
    assert response.status_code == 400
    assert "check character" in response.json()["credit_code"][0]


def test_duplicate_credit_code_is_a_field_error(world):
    body = payload(world, credit_code=world.e2.credit_code)
    response = api(world.users["city"]).post("/api/v1/enterprises/", body, format="json")
    assert response.status_code == 400
    assert "已" in response.json()["credit_code"][0]


def test_out_of_scope_region_cannot_be_chosen(world):
    body = payload(world, region=world.t2.id)
    response = api(world.users["district"]).post("/api/v1/enterprises/", body, format="json")
    assert response.status_code == 400 and "region" in response.json()


def test_industry_outside_the_department_is_refused_and_nothing_is_stored(world):
    """A district emergency bureau may not register a construction firm: the registry says so, nothing stays."""
    body = payload(world, industry=world.build.id)
    before = Enterprise.objects.count()
    response = api(world.users["county_dept"]).post("/api/v1/enterprises/", body, format="json")
    assert response.status_code == 400 and "industry" in response.json()
    assert Enterprise.objects.count() == before
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("role", ["enterprise", "inspector"])
def test_who_may_not_keep_the_registry(world, role):
    user = world.users[role]
    response = api(user).post("/api/v1/enterprises/", payload(world), format="json")
    assert response.status_code == 403
    target = world.e1
    response = api(user).patch(f"/api/v1/enterprises/{target.id}/", {"name": "改名"}, format="json")
    assert response.status_code == 403
    target.refresh_from_db()
    assert target.name == "海滨化工有限公司"


def test_patch_out_of_scope_is_404(world):
    response = api(world.users["district"]).patch(f"/api/v1/enterprises/{world.e2.id}/", {"name": "x"}, format="json")
    assert response.status_code == 404


def test_page_form_shows_field_errors_in_chinese(client, world):
    client.force_login(world.users["city"])
    data = payload(world, credit_code="91350100M000100Y44", name="\x00")
    response = client.post(reverse("organizations:enterprise-create"), data)
    assert response.status_code == 400
    text = response.content.decode()
    assert "校验码" in text
    assert "空字符" in text  # Django's own message for NUL characters, in Chinese
    assert Enterprise.objects.count() == 4


def test_page_form_saves_and_audits(client, world):
    client.force_login(world.users["district"])
    response = client.post(reverse("organizations:enterprise-create"), payload(world))
    assert response.status_code == 302
    enterprise = Enterprise.objects.get(name="新登记企业有限公司")
    assert AuditEvent.objects.filter(object_id=str(enterprise.pk)).count() == 1
    edit = client.post(
        reverse("organizations:enterprise-edit", args=[enterprise.pk]), payload(world, name="改名后企业有限公司")
    )
    assert edit.status_code == 302
    event = AuditEvent.objects.get(object_id=str(enterprise.pk), action="enterprise.update")
    assert event.changes == {"name": ["新登记企业有限公司", "改名后企业有限公司"]}


def test_bad_filter_values_are_400_not_500(world):
    client = api(world.users["city"])
    for params in ({"region": "x"}, {"is_key_unit": "perhaps"}, {"operating_state": "flying"}):
        response = client.get("/api/v1/enterprises/", params)
        assert response.status_code in (400, 404), (params, response.status_code)


def test_bad_filter_on_the_page_is_a_field_error(client, world):
    client.force_login(world.users["city"])
    response = client.get(reverse("organizations:enterprise-list"), {"operating_state": "flying"})
    assert response.status_code == 400
    assert "flying" in response.content.decode()
