"""The filing form (#14 item 18): the enterprise it starts with, the title made from place and category."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from hazards import workflow
from hazards.models import Hazard, HazardCategory

from .conftest import filing

pytestmark = pytest.mark.django_db


def chosen(client, url=None) -> str | None:
    html = client.get(url or reverse("hazards:create")).content.decode()
    select = html.split('<select name="enterprise"', 1)[1].split("</select>", 1)[0]
    found = [part.split('"', 2)[1] for part in select.split("<option value=")[1:] if " selected>" in part]
    return found[0] if found else None


def test_the_enterprise_comes_from_the_link_within_scope(client, hz):
    client.force_login(hz.users["inspector"])
    assert chosen(client) is None  # nothing to go on
    assert chosen(client, f"{reverse('hazards:create')}?enterprise={hz.e3.pk}") == str(hz.e3.pk)
    # 住建局's building enterprise is outside 应急局's scope, a bad value is no value: nothing chosen
    assert chosen(client, f"{reverse('hazards:create')}?enterprise={hz.e2.pk}") is None
    assert chosen(client, f"{reverse('hazards:create')}?enterprise=abc") is None
    assert chosen(client, f"{reverse('hazards:create')}?enterprise={'9' * 30}") is None


def test_else_the_last_one_used_or_ones_own(client, hz):
    workflow.file_hazard(hz.users["inspector"], filing(hz, enterprise=hz.e3))
    client.force_login(hz.users["inspector"])
    assert chosen(client) == str(hz.e3.pk)
    client.force_login(hz.users["enterprise"])
    assert chosen(client) == str(hz.e1.pk)


def test_a_title_left_empty_is_made_from_place_and_category(client, hz):
    client.force_login(hz.users["inspector"])
    fire = HazardCategory.objects.get(code="fire")
    form = {"enterprise": hz.e1.pk, "place": "一号仓库", "category": fire.pk, "level": "general", "title": "",
            "source": "inspection", "idempotency_key": uuid.uuid4()}  # fmt: skip
    response = client.post(reverse("hazards:create"), form)
    assert response.status_code == 302
    assert Hazard.objects.get().title == "一号仓库消防安全隐患"


def test_no_title_and_no_category_is_a_clear_error(client, hz):
    client.force_login(hz.users["inspector"])
    form = {"enterprise": hz.e1.pk, "place": "一号仓库", "level": "general", "source": "inspection",
            "idempotency_key": uuid.uuid4()}  # fmt: skip
    response = client.post(reverse("hazards:create"), form)
    assert response.status_code == 400 and not Hazard.objects.exists()
    html = response.content.decode()
    assert "请填写标题，或选择类别并填写部位以自动生成标题。" in html and '<details class="more"' in html
