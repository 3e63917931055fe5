"""The supervising leader records an on-site supervision (督办) with a photo from a phone (#15 item 10)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from hazards import workflow
from hazards.choices import Action, PhotoKind
from hazards.models import HazardPhoto, ListedSupervision
from organizations.choices import PositionKind
from organizations.models import Position

from ..hazards.conftest import advance, jpeg_bytes, later
from .conftest import screenshot
from .test_hazard_filing import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_leader_records_an_on_site_supervision_with_a_photo(live_server, world, phone, tmp_path, settings):
    """GIVEN a major hazard the city listed under the district's leader WHEN the leader opens 登记督办情况 on a phone,
    chooses 现场督办, writes a note, takes a photo and submits THEN the timeline shows the note and the photo, stored
    as the leader's supervision, and the listing knows the leader acted."""
    settings.MEDIA_ROOT = tmp_path / "media"
    hazard = advance(world, "rectifying", level="major")
    leader = Position.objects.get(kind=PositionKind.TERRITORIAL_LEADER, region=world.d1)
    listing = workflow.Listing("government", leader, "滨安委督〔2026〕7号", later(90), "挂牌督办公告")
    workflow.list_supervision(world.users["city"], hazard, listing)
    photo = tmp_path / "现场.jpg"
    photo.write_bytes(jpeg_bytes((1000, 750)))

    log_in(phone, live_server.url, "district")
    phone.goto(f"{live_server.url}/hazards/{hazard.pk}/")
    form = phone.locator("#action-leader_action")
    form.locator("summary").click()
    form.locator("label", has_text="现场督办").click()
    form.locator("textarea").fill("到现场督促更换储罐阀门")
    with phone.expect_file_chooser() as chooser:
        form.locator("label", has_text="照片").click()
    assert chooser.value.element.evaluate("e => e.closest('details').id") == "action-leader_action"
    chooser.value.set_files(str(photo))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "hazard-leader-action-390")
    form.locator("button.primary").click()
    phone.wait_for_url(re.compile(rf".*/hazards/{hazard.pk}/$"))

    event = hazard.events.get(action=Action.LEADER_SUPERVISED)
    assert event.actor == world.users["district"] and event.data["note"] == "到现场督促更换储罐阀门"
    stored = HazardPhoto.objects.get(hazard=hazard, kind=PhotoKind.SUPERVISION)
    assert event.data["photo_ids"] == [stored.pk]
    assert ListedSupervision.objects.get(hazard=hazard).leader_acted_at is not None
    timeline = phone.locator(".timeline li", has_text="到现场督促更换储罐阀门")
    expect(timeline).to_contain_text("现场督办")
    picture = timeline.locator("img")
    picture.scroll_into_view_if_needed()
    phone.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=picture.element_handle())
    screenshot(phone, "hazard-leader-action-done-390")
