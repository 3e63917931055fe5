"""Recurrence: places compared normalised; open hazards at the same place shown to the filer, who may add the finding
to one instead of filing; closed ones within HAZARD_RECURRENCE_DAYS linked as recurrences."""

from __future__ import annotations

import importlib
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hazards import workflow
from hazards.choices import Action
from hazards.models import Hazard, HazardCategory, HazardEvent
from safety_platform.lib.text import place_key

from .conftest import advance, filing, jpeg_bytes
from .test_rules import api


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("２号 仓库（东侧）", "2号仓库(东侧)"),  # full width, a space, CJK brackets
        ("一号仓库。", " 一号 仓库 "),  # CJK full stop, spaces around and inside
        ("Warehouse-A", "warehouse a"),  # ASCII punctuation and case
        ("B栋、3楼", "Ｂ栋3楼"),  # the ideographic comma, a full-width letter
    ],
)
def test_places_that_differ_only_in_form_are_the_same_place(typed, stored):
    assert place_key(typed) == place_key(stored) != ""


def test_places_that_differ_are_different_places():
    assert place_key("一号仓库") != place_key("二号仓库")
    assert place_key("3楼") != place_key("4楼")
    assert place_key("（）、。 ") == ""


def test_recurrence_of_a_closed_hazard_uses_the_normalised_place(hz):
    closed = advance(hz, "closed")  # at "一号仓库"
    again, _ = workflow.file_hazard(hz.users["inspector"], filing(hz, place="一号　仓库。"))
    assert again.recurrence_of_id == closed.id and again.place_key == closed.place_key == "一号仓库"


@pytest.mark.parametrize(("after", "linked"), [(-1, True), (0, True), (1, False)])
def test_recurrence_window_at_just_before_and_just_after_180_days(hz, after, linked):
    """GIVEN a hazard closed at a moment WHEN the same is filed 180 days later, one second before, or one second
    after THEN it is linked as a recurrence up to and at 180 days, not after."""
    closed = advance(hz, "closed")
    start = closed.closed_at + timedelta(days=180, seconds=after)
    with time_machine.travel(start, tick=False):
        again, _ = workflow.file_hazard(hz.users["inspector"], filing(hz, place="一号 仓库"))
    assert (again.recurrence_of_id == closed.id) is linked


def test_open_matches_are_found_by_normalised_place_in_scope(hz):
    open_one = advance(hz, "rectifying")  # "一号仓库", fire
    advance(hz, "closed")  # closed: not an open match
    matches = workflow.find_open_matches(hz.users["inspector"], hz.e1, hz.fire, "一号仓库！")
    assert list(matches) == [open_one]
    assert not workflow.find_open_matches(hz.users["inspector"], hz.e1, hz.gas, "一号仓库").exists()
    assert not workflow.find_open_matches(hz.users["inspector"], hz.e1, hz.fire, "二号仓库").exists()
    assert not workflow.find_open_matches(hz.users["inspector"], hz.e1, hz.fire, "。").exists()
    assert not workflow.find_open_matches(hz.users["outsider"], hz.e1, hz.fire, "一号仓库").exists()


def test_the_similar_api_shows_open_matches_and_refuses_what_is_out_of_scope(hz):
    open_one = advance(hz, "confirmed")
    query = {"enterprise": hz.e1.id, "category": "fire", "place": "一号 仓库"}
    found = api(hz.users["inspector"]).get("/api/v1/hazards/similar/", query)
    assert found.status_code == 200 and [r["id"] for r in found.json()["results"]] == [open_one.id]
    assert found.json()["next"] is None
    outsider = api(hz.users["outsider"]).get("/api/v1/hazards/similar/", query)
    assert outsider.status_code == 400 and "enterprise" in outsider.json()
    missing = api(hz.users["inspector"]).get("/api/v1/hazards/similar/", {"enterprise": hz.e1.id})
    assert missing.status_code == 400 and {"category", "place"} <= set(missing.json())


def test_adding_the_finding_to_an_open_hazard_through_the_api(hz):
    """GIVEN an open hazard WHEN the inspector adds the same finding to it, with a photo THEN its timeline records
    it (who, where, what) and the photo is a finding photo; no new hazard; a closed hazard answers 409."""
    hazard = advance(hz, "rectifying")
    body = {"place": "一号仓库东门", "description": "灭火器仍然过期",
            "photos": [SimpleUploadedFile("p.jpg", jpeg_bytes(), "image/jpeg")]}  # fmt: skip
    response = api(hz.users["inspector"]).post(f"/api/v1/hazards/{hazard.id}/add_finding/", body, format="multipart")
    assert response.status_code == 200, response.json()
    event = HazardEvent.objects.get(hazard=hazard, action=Action.ADD_FINDING)
    assert (event.actor, event.reason, event.data) == (hz.users["inspector"], "灭火器仍然过期",
                                                       {"place": "一号仓库东门", "photos": 1})  # fmt: skip
    assert hazard.photos.filter(kind="finding").count() == 1 and Hazard.objects.count() == 1
    assert api(hz.users["outsider"]).post(f"/api/v1/hazards/{hazard.id}/add_finding/", {}).status_code == 404
    closed = advance(hz, "closed")
    assert api(hz.users["inspector"]).post(f"/api/v1/hazards/{closed.id}/add_finding/", {}).status_code == 409


def _form(hz, **extra) -> dict:
    fire = HazardCategory.objects.get(code="fire")
    return {"enterprise": hz.e1.pk, "place": "一号 仓库", "category": fire.pk, "level": "general", "title": "",
            "source": "inspection", "idempotency_key": uuid.uuid4(), **extra}  # fmt: skip


def test_the_filing_page_shows_the_open_match_and_adds_the_finding_to_it(client, hz):
    hazard = advance(hz, "rectifying")
    client.force_login(hz.users["inspector"])
    form = _form(hz)
    shown = client.post(reverse("hazards:create"), form)
    html = shown.content.decode()
    assert shown.status_code == 200 and Hazard.objects.count() == 1
    assert hazard.code in html and f'name="link_to" value="{hazard.pk}"' in html and 'name="file_anyway"' in html
    linked = client.post(reverse("hazards:create"), {**form, "link_to": hazard.pk})
    assert linked.status_code == 302 and linked.url == reverse("hazards:detail", args=[hazard.pk])
    assert Hazard.objects.count() == 1 and hazard.events.filter(action=Action.ADD_FINDING).count() == 1
    anyway = client.post(reverse("hazards:create"), {**form, "file_anyway": "1"})
    assert anyway.status_code == 302 and Hazard.objects.count() == 2
    again = client.post(reverse("hazards:create"), {**form, "file_anyway": ""})  # the same form sent again
    assert again.status_code == 302 and Hazard.objects.count() == 2  # the earlier filing, not the panel


def test_a_finding_cannot_be_added_to_a_hazard_closed_meanwhile(client, hz):
    closed = advance(hz, "closed")
    client.force_login(hz.users["inspector"])
    response = client.post(reverse("hazards:create"), _form(hz, link_to=closed.pk))
    assert response.status_code == 400 and "隐患当前状态为“销号”，不能执行此操作。" in response.content.decode()
    assert not closed.events.filter(action=Action.ADD_FINDING).exists()


def test_the_migration_backfills_the_normalised_place(hz):
    hazard = advance(hz, "reported")
    Hazard.objects.filter(pk=hazard.pk).update(place="２号 仓库。", place_key="")
    migration = importlib.import_module("hazards.migrations.0008_hazard_place_key")
    migration.backfill(apps, None)
    assert Hazard.objects.get(pk=hazard.pk).place_key == "2号仓库" == place_key("２号 仓库。")
    assert migration.place_key("Ａ-1 栋") == place_key("Ａ-1 栋")
