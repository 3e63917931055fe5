"""The dashboard's tip-offs panel (dashboards/tipoff_panel.py, #20): the unit's reports awaiting triage, overdue and
awaiting the answer, and the overdue ones of the whole scope, each linking to the list with the same filters; two
queries; the government's staff only."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tipoffs.models import Report, overdue_q

from ..tipoffs.factories import make_report

pytestmark = pytest.mark.django_db


def cards(html: str) -> dict[str, int]:
    return {
        url.replace("&amp;", "&"): int(n) for url, n in re.findall(r'href="([^"]+)"><span class="card-n">(\d+)', html)
    }


def test_the_panel_counts_what_waits_and_what_is_overdue(client, world, django_assert_max_num_queries):
    now = timezone.now()
    late = {"accepted_at": now - timedelta(days=61), "due_at": now - timedelta(minutes=1)}
    make_report(world, "received")
    make_report(world, "accepted", **late)
    make_report(world, "accepted", department=None, **late)  # the city office's
    make_report(world, "verified")
    client.force_login(world.users["county_dept"])
    url = reverse("dashboards:panel-tipoffs")
    client.get(url)  # the session and the positions, read once
    with django_assert_max_num_queries(10):  # the session, the user, the scope, the positions; the two counts
        html = client.get(url).content.decode()
    found = cards(html)
    assert found["/tipoffs/?state=received&handler=mine"] == 1
    assert found["/tipoffs/?overdue=1&handler=mine"] == 1
    assert found["/tipoffs/?state=verified&handler=mine"] == 1
    visible = Report.objects.visible_to(world.users["county_dept"]).filter(overdue_q(timezone.now())).count()
    assert found["/tipoffs/?overdue=1"] == visible
    client.force_login(world.users["city"])
    found = cards(client.get(url).content.decode())
    assert found["/tipoffs/?overdue=1&handler=mine"] == 1 and found["/tipoffs/?overdue=1"] == 2
    client.force_login(world.users["county_dept"])
    assert reverse("dashboards:panel-tipoffs") in client.get(reverse("dashboards:dashboard")).content.decode()


def test_outsiders_are_refused(client, world):
    client.force_login(world.users["enterprise"])
    assert client.get(reverse("dashboards:panel-tipoffs")).status_code == 403
