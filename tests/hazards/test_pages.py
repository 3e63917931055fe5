"""The hazard pages as rendered: the detail page's action forms (#14 item 8) and the list's filters (item 6)."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

import factory
import pytest
from django.urls import reverse
from django.utils import timezone

from hazards import workflow

from ..factories import EnterpriseFactory
from .conftest import advance, filing


def factory_name():
    return factory.Sequence(lambda n: f"A测试企业{n:03d}")


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


# --- the list's filters on a phone (#14 item 6) ---------------------------------------------------------------


class Form(HTMLParser):
    """The filter form: where each named input sits (the common part or the fold), its type and attributes."""

    def __init__(self):
        super().__init__()
        self.inputs: dict[str, list[dict]] = {}
        self.part = None
        self.method = None
        self.more_open = None
        self.hints: list[str] = []
        self._hint = False
        self.selected: dict[str, list[str]] = {}
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "form" and "filter-split" in classes:
            self.method = attrs.get("method")
        if "filters-common" in classes:
            self.part = "common"
        if tag == "details" and "filters-more" in classes:
            self.part, self.more_open = "more", "open" in attrs
        if tag in ("input", "select") and attrs.get("name") and self.part:
            self.inputs.setdefault(attrs["name"], []).append({"tag": tag, "part": self.part, **attrs})
        if tag == "select":
            self._select = attrs.get("name")
        if tag == "option" and "selected" in attrs and self._select:
            self.selected.setdefault(self._select, []).append(attrs.get("value"))
        self._hint = tag == "p" and "hint" in classes

    def handle_endtag(self, tag):
        if tag == "details":
            self.part = None
        if tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._hint:
            self.hints.append(data.strip())
            self._hint = False


def filter_form(response) -> Form:
    form = Form()
    form.feed(response.content.decode())
    return form


def test_the_list_shows_common_filters_and_folds_the_rest(hz, client):
    """GIVEN the hazard list on a phone WHEN it opens without filters THEN a GET form shows status (chips), level
    and overdue at once and folds the rest, closed; the enterprise is a search picker (no number box) and the dates
    are date inputs that show the format 年-月-日."""
    advance(hz, "reported")
    client.force_login(hz.users["county_dept"])
    response = client.get(reverse("hazards:list"))
    assert response.status_code == 200
    form = filter_form(response)
    assert form.method == "get" and form.more_open is False
    common = {name for name, inputs in form.inputs.items() if inputs[0]["part"] == "common"}
    assert common == {"status", "level", "is_overdue"}
    assert [i["type"] for i in form.inputs["status"]] == ["checkbox"] * 6
    enterprise = form.inputs["enterprise"]
    assert [(i["tag"], i["part"]) for i in enterprise] == [("select", "more")]
    html = response.content.decode()
    assert 'data-enterprise-search="id_enterprise"' in html and "js/enterprise-picker.js" in html
    assert f'<option value="{hz.e1.pk}">{hz.e1.name} · {hz.e1.region.name}</option>' in html
    for name in ("created_after", "created_before", "closed_after", "closed_before"):
        (field,) = form.inputs[name]
        assert (field["type"], field["placeholder"], field["part"]) == ("date", "年-月-日", "more")
    assert any(h.startswith("年-月-日，如 ") for h in form.hints)
    assert not [i for i in form.inputs.get("enterprise", []) if i.get("type") == "number"]


def test_filters_stay_in_the_url_and_open_the_fold(hz, client):
    """GIVEN filters in the URL (an enterprise and a date folded, a status in view) WHEN the list opens THEN only
    the matching hazards are listed, each filter shows its value, and the fold is open saying how many it holds."""
    mine = advance(hz, "reported")
    workflow.file_hazard(hz.users["city"], filing(hz, enterprise=hz.e3, title="矿山隐患"))
    client.force_login(hz.users["city"])
    today = timezone.localdate(mine.created_at).isoformat()
    response = client.get(reverse("hazards:list"), {"enterprise": hz.e1.pk, "created_after": today,
                                                    "status": "reported"})  # fmt: skip
    assert response.status_code == 200
    assert [h.pk for h in response.context["page"].items] == [mine.pk]
    form = filter_form(response)
    assert form.more_open is True and "已选 2 项" in response.content.decode()
    assert form.selected["enterprise"] == [str(hz.e1.pk)]
    assert form.inputs["created_after"][0]["value"] == today
    assert [i["value"] for i in form.inputs["status"] if "checked" in i] == ["reported"]


def test_a_chosen_enterprise_beyond_the_first_options_is_still_shown(hz, client):
    EnterpriseFactory.create_batch(55, region=hz.t1, industry=hz.chem, name=factory_name())
    client.force_login(hz.users["city"])
    response = client.get(reverse("hazards:list"), {"enterprise": hz.e1.pk})
    options = response.context["enterprise_picker"]
    assert len(options) == 51 and options[0] == hz.e1
    assert filter_form(response).selected["enterprise"] == [str(hz.e1.pk)]


def test_a_bad_filter_is_shown_in_the_open_fold(hz, client):
    client.force_login(hz.users["city"])
    response = client.get(reverse("hazards:list"), {"enterprise": "abc", "created_after": "1900-01-01"})
    assert response.status_code == 400
    form = filter_form(response)
    assert form.more_open is True and "已选 2 项" in response.content.decode()
    assert response.content.decode().count('class="error" role="alert"') == 2
