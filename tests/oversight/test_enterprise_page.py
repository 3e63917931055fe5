"""An enterprise's supervision page: the government sees its signals (each linking to the list of enterprises
showing it); an enterprise is refused, and an enterprise outside the user's scope is not found."""

from __future__ import annotations

import pytest
from django.urls import reverse

from organizations.models import Enterprise

pytestmark = pytest.mark.django_db


def test_the_page_lists_the_signals(world, client):
    Enterprise.objects.filter(pk=world.e1.pk).update(licence_state="unlicensed", is_borrowed_qualification=True)
    client.force_login(world.users["district"])
    page = client.get(reverse("oversight:enterprise", args=[world.e1.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "?signal=unlicensed" in html and "?signal=borrowed_qualification" in html
    assert "?signal=watch_overdue" not in html  # operating: not watched
    assert client.get(reverse("oversight:enterprise", args=[world.e2.pk])).status_code == 404  # 新城区's


def test_an_enterprise_is_refused(world, client):
    client.force_login(world.users["enterprise"])
    assert client.get(reverse("oversight:enterprise", args=[world.e1.pk])).status_code == 403
