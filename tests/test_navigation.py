"""The navigation by task (issue #14, item 4): every entry a demo role is shown opens for that role (no 403, nothing
broken), at most six top entries, and "File a hazard" only for those the filing page lets in."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organizations.models import User
from organizations.scope import Scope
from safety_platform.navigation import MAX_TOP_ENTRIES, groups_for

from .conftest import reseed

DEMO_USERS = ("demo-city", "demo-district", "demo-department", "demo-inspector", "demo-enterprise", "demo-duty")


@pytest.fixture
def demo(db):
    reseed()
    call_command("seed_demo", stdout=StringIO())
    root = User.objects.create_superuser("root", password="Correct-Horse-42")
    return [User.objects.get(username=name) for name in DEMO_USERS] + [root]


def test_every_entry_of_every_role_opens(demo, client):
    refused, broken, counts, urls = [], [], {}, {}
    for user in demo:
        client.force_login(user)
        groups = client.get(reverse("home")).context["nav_groups"]
        counts[user.username] = len(groups)
        urls[user.username] = {entry.url for group in groups for entry in group.entries}
        for group in groups:
            for entry in group.entries:
                response = client.get(entry.url, follow=True)
                if response.status_code == 403:
                    refused.append((user.username, entry.url))
                elif response.status_code != 200:
                    broken.append((user.username, entry.url, response.status_code))
    assert refused == [] and broken == []
    assert all(count <= MAX_TOP_ENTRIES for count in counts.values()), counts
    # Each role has something under every heading it is shown, and the roles differ (an enterprise has every heading
    # too since its comparison self-checks sit under "inspections" (#18), but not the same entries).
    assert counts["demo-city"] == MAX_TOP_ENTRIES and urls["demo-city"] != urls["demo-enterprise"]
    assert "/lessons/mine/" in urls["demo-enterprise"] and "/lessons/mine/" not in urls["demo-city"]
    # the oversight board (#19): the government's, by the view's own predicate
    assert "/oversight/" in urls["demo-city"] and "/oversight/" in urls["demo-district"]
    assert "/oversight/" in urls["demo-department"] and "/oversight/" not in urls["demo-enterprise"]


def test_file_a_hazard_is_offered_exactly_to_those_the_filing_page_lets_in(demo, client):
    offered = {}
    for user in demo:
        client.force_login(user)
        listing = client.get(reverse("hazards:list"))
        link = f'href="{reverse("hazards:create")}"'
        in_menu = any(e.url == reverse("hazards:create") for g in listing.context["nav_groups"] for e in g.entries)
        on_list = link in listing.content.decode().split("<main>", 1)[1]
        allowed = client.get(reverse("hazards:create")).status_code == 200
        assert in_menu == on_list == allowed, user.username
        offered[user.username] = allowed
    # The case: the territorial leader and the duty officer were shown the button and refused.
    assert not offered["demo-district"] and not offered["demo-duty"]
    assert offered["demo-inspector"] and offered["demo-enterprise"] and offered["demo-city"]


def test_the_navigation_reads_two_queries_beyond_the_scope_whatever_the_role(demo):
    """The user's positions and unread notices; the scope is the one the page computes anyway (cached on the user)."""
    for user in demo:
        user = User.objects.get(pk=user.pk)  # nothing cached on the instance
        Scope.for_user(user)
        with CaptureQueriesContext(connection) as queries:
            groups_for(user, "/")
        assert len(queries) <= 2, (user.username, [q["sql"] for q in queries])


def test_the_current_page_is_marked_in_its_group(demo, client):
    client.force_login(demo[0])
    page = client.get(reverse("duty_roster:board"))
    duty = next(g for g in page.context["nav_groups"] if g.key == "duty")
    assert duty.active and [e.label for e in duty.entries if e.active] == ["值班总览"]
    html = page.content.decode()
    assert f'<a href="{reverse("duty_roster:board")}" aria-current="page">' in html
    assert '<summary class="nav-top active">值班' in html
