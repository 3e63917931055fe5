"""The illegal operations' pages and API: the list and its filters, a record's page with its handle form, the form
to record one (with the registry's flag), the API's create, retrieve and handle (409 once closed), the section on
an enterprise's supervision page; the government only."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from organizations.models import Enterprise
from oversight.models import IllegalOperation

from .factories import make_illegal

pytestmark = pytest.mark.django_db


def test_the_list_filters_and_links(world, client):
    make_illegal(world.e1, world.users["city"], kind="unlicensed", department=world.d1_yjj)
    make_illegal(world.e1, world.users["city"], kind="other", result="banned", action="ban", department=world.d1_yjj)
    make_illegal(world.e2, world.users["city"], kind="unlicensed", department=world.d2_zjj)
    client.force_login(world.users["district"])
    page = client.get(reverse("illegal:list"), {"kind": "unlicensed"})
    assert page.status_code == 200
    assert len(page.context["page"].items) == 1  # 新城区's is not the district's
    assert reverse("illegal:new") in page.content.decode()
    assert client.get(reverse("illegal:list"), {"result": "nonsense"}).status_code == 400
    assert client.get(reverse("illegal:list"), {"region": world.d2.pk}).status_code == 400  # outside: not a choice


@pytest.mark.parametrize("user", ["enterprise", "outsider"])
def test_the_pages_are_the_governments(world, client, user):
    op = make_illegal(world.e1, world.users["city"])
    client.force_login(world.users[user])
    for url in (reverse("illegal:list"), reverse("illegal:new"), reverse("illegal:detail", args=[op.pk])):
        assert client.get(url).status_code == 403
    assert client.get("/api/v1/illegal-operations/").status_code == 403


def test_record_on_the_form_with_the_flag(world, client):
    client.force_login(world.users["district"])
    form = client.get(reverse("illegal:new"), {"enterprise": world.e1.pk})
    assert form.status_code == 200 and form.context["form"]["enterprise"].value() == str(world.e1.pk)
    posted = client.post(reverse("illegal:new"), {
        "kind": "unlicensed", "description": "许可证过期仍在生产", "enterprise": world.e1.pk, "source": "patrol",
        "found_on": timezone.localdate().isoformat(), "set_flag": "on",
    })  # fmt: skip
    op = IllegalOperation.objects.get()
    assert posted.status_code == 302 and posted["Location"] == reverse("illegal:detail", args=[op.pk])
    assert op.department == world.d1_yjj
    assert Enterprise.objects.get(pk=world.e1.pk).licence_state == "unlicensed"


def test_the_form_shows_the_writers_errors(world, client):
    client.force_login(world.users["district"])
    posted = client.post(reverse("illegal:new"), {
        "kind": "unlicensed", "description": "黑作坊", "source": "tip_off",
        "found_on": timezone.localdate().isoformat(),
    })  # fmt: skip
    assert posted.status_code == 400
    errors = posted.context["form"].errors
    assert "operator_name" in errors and "source_ref" in errors
    assert not IllegalOperation.objects.exists()


def test_handle_on_the_page_then_closed(world, client):
    op = make_illegal(world.e1, world.users["city"], department=world.d1_yjj)
    client.force_login(world.users["district"])
    detail = client.get(reverse("illegal:detail", args=[op.pk]))
    assert detail.status_code == 200 and detail.context["form"] is not None
    posted = client.post(reverse("illegal:handle", args=[op.pk]), {"action": "ban", "result": "banned"})
    assert posted.status_code == 302
    op.refresh_from_db()
    assert (op.result, op.closed_on) == ("banned", timezone.localdate())
    assert client.get(reverse("illegal:detail", args=[op.pk])).context["form"] is None
    again = client.post(reverse("illegal:handle", args=[op.pk]), {"action": "ban", "result": "open"})
    assert again.status_code == 302  # refused with a message
    op.refresh_from_db()
    assert op.result == "banned"


def test_the_api_records_retrieves_and_handles(world, client):
    client.force_login(world.users["district"])
    created = client.post("/api/v1/illegal-operations/", {
        "kind": "borrowed_qualification", "description": "借用他人资质承揽", "operator_name": "某劳务队",
        "region": world.t1.pk, "address": "海滨路8号", "industry": world.build.pk, "source": "tip_off",
        "source_ref": "JB-0001",
    }, content_type="application/json")  # fmt: skip
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["department"] == world.zjj.pk and body["actions"] == ["handle"]
    pk = body["id"]
    assert client.get(f"/api/v1/illegal-operations/{pk}/").json()["source_ref"] == "JB-0001"
    bad = client.post(f"/api/v1/illegal-operations/{pk}/handle/", {"result": "referred"},
                      content_type="application/json")  # fmt: skip
    assert bad.status_code == 400 and "action" in bad.json()
    done = client.post(f"/api/v1/illegal-operations/{pk}/handle/", {"action": "police", "result": "referred"},
                       content_type="application/json")  # fmt: skip
    assert done.status_code == 200 and done.json()["closed_on"] == timezone.localdate().isoformat()
    closed = client.post(f"/api/v1/illegal-operations/{pk}/handle/", {"result": "open"},
                         content_type="application/json")  # fmt: skip
    assert closed.status_code == 409
    client.force_login(world.users["dept_head"])  # 住建局: building, so it sees it
    assert client.get(f"/api/v1/illegal-operations/{pk}/").status_code == 200
    client.force_login(world.users["county_dept"])
    assert client.get(f"/api/v1/illegal-operations/{pk}/").status_code == 404
    listed = client.get("/api/v1/illegal-operations/", {"kind": "borrowed_qualification"})
    assert listed.status_code == 200 and listed.json()["results"] == []


def test_the_api_refuses_out_of_scope_values(world, client):
    client.force_login(world.users["district"])
    answer = client.post("/api/v1/illegal-operations/", {
        "kind": "unlicensed", "description": "x", "enterprise": world.e2.pk, "source": "patrol",
    }, content_type="application/json")  # fmt: skip
    assert answer.status_code == 400 and "enterprise" in answer.json()
    client.force_login(world.users["enterprise"])
    assert client.post("/api/v1/illegal-operations/", {}, content_type="application/json").status_code == 403


def test_the_enterprise_page_shows_its_records(world, client):
    op = make_illegal(world.e1, world.users["city"], kind="unlicensed")
    make_illegal(world.e2, world.users["city"], kind="other", description="另一家")
    client.force_login(world.users["district"])
    html = client.get(reverse("oversight:enterprise", args=[world.e1.pk])).content.decode()
    assert 'id="illegal-operations"' in html
    assert reverse("illegal:detail", args=[op.pk]) in html
    assert f"{reverse('illegal:new')}?enterprise={world.e1.pk}" in html
