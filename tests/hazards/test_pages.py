"""The hazard pages as rendered: the detail page's action forms (#14 item 8)."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from .conftest import advance

pytestmark = pytest.mark.django_db


class Ids(HTMLParser):
    """Every element id on a page, each label's target and the form holding it."""

    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.form_of: dict[str, int] = {}
        self.labels: list[tuple[str, int | None]] = []
        self.form: int | None = None
        self.forms = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms += 1
            self.form = self.forms
        if attrs.get("id"):
            self.ids.append(attrs["id"])
            self.form_of[attrs["id"]] = self.form
        if tag == "label" and attrs.get("for"):
            self.labels.append((attrs["for"], self.form))

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None


def parse(response) -> Ids:
    page = Ids()
    page.feed(response.content.decode())
    return page


def assert_ids_unique(response) -> Ids:
    page = parse(response)
    repeated = {i: n for i, n in Counter(page.ids).items() if n > 1}
    assert not repeated, repeated
    for target, form in page.labels:  # a label points at a field of its own form
        assert page.form_of.get(target) == form, target
    return page


ROLES = ["inspector", "county_dept", "county_head", "enterprise", "manager", "city", "district"]


STATES = ["reported", "confirmed", "rectifying", "awaiting_acceptance", "closed"]


@pytest.mark.parametrize(
    ("state", "level"), [(s, "general") for s in STATES] + [(s, "major") for s in STATES if s != "closed"]
)
def test_no_element_id_repeats_on_the_detail_page_in_any_role(hz, client, state, level):
    """GIVEN a hazard in each state and level WHEN each role that sees it opens its page THEN no element id
    appears twice and every label points into its own form (a tap on 照片 in 提交整改 picks 提交整改's photo)."""
    hazard = advance(hz, state, level=level)
    forms_seen = 0
    for role in ROLES:
        client.force_login(hz.users[role])
        response = client.get(reverse("hazards:detail", args=[hazard.pk]))
        assert response.status_code == 200, role
        page = assert_ids_unique(response)
        forms_seen += len(response.context["forms"])
        assert page.forms >= len(response.context["forms"])
    assert forms_seen >= 2  # some role could act, so there were forms to tell apart


def test_the_rectification_form_and_the_photo_form_have_their_own_photo_fields(hz, client):
    """GIVEN a hazard under rectification WHEN its enterprise opens the page THEN 添加照片 and 提交整改 each
    have a photo chooser with an id of its own, also when a submission came back with an error."""
    hazard = advance(hz, "rectifying")
    client.force_login(hz.users["enterprise"])
    response = client.get(reverse("hazards:detail", args=[hazard.pk]))
    assert {"add_photos", "submit_rectification"} <= set(response.context["forms"])
    html = response.content.decode()
    assert 'id="id_submit_rectification-photos"' in html and 'id="id_add_photos-photos"' in html
    assert 'for="id_submit_rectification-photos"' in html
    failed = client.post(reverse("hazards:action", args=[hazard.pk, "submit_rectification"]), {"description": ""})
    assert failed.status_code == 400
    assert_ids_unique(failed)
    assert failed.context["open_action"] == "submit_rectification"
