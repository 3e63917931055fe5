"""The hazard detail page's action forms on a phone: each form's fields are its own (#14 item 8)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from hazards.choices import Action, PhotoKind, Status
from hazards.models import Hazard, HazardPhoto

from ..hazards.conftest import advance, jpeg_bytes
from .conftest import screenshot
from .test_hazard_filing import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_enterprise_submits_a_rectification_with_a_photo(live_server, world, phone, tmp_path, settings):
    """GIVEN a hazard under rectification, whose page offers the enterprise both 添加照片 and 提交整改
    WHEN the enterprise opens 提交整改, taps its 照片 label, picks a photo and submits
    THEN the chooser was the rectification form's own, and the photo is stored as the rectification's evidence,
    counted on its timeline event and shown on the page."""
    settings.MEDIA_ROOT = tmp_path / "media"
    hazard = advance(world, "rectifying")
    photo = tmp_path / "整改后.jpg"
    photo.write_bytes(jpeg_bytes((1000, 750)))

    log_in(phone, live_server.url, "enterprise")
    phone.goto(f"{live_server.url}/hazards/{hazard.pk}/")
    expect(phone.locator("#action-add_photos")).to_be_visible()  # the form that used to steal the photo
    rectify = phone.locator("#action-submit_rectification")
    rectify.locator("summary").click()
    rectify.locator("textarea").fill("已更换全部过期灭火器")
    with phone.expect_file_chooser() as chooser:
        rectify.locator("label", has_text="照片").click()  # a tap on the label, as a person does
    assert chooser.value.element.evaluate("e => e.closest('details').id") == "action-submit_rectification"
    chooser.value.set_files(str(photo))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "hazard-rectification-390")
    rectify.locator("button.primary").click()
    phone.wait_for_url(re.compile(rf".*/hazards/{hazard.pk}/$"))

    hazard = Hazard.objects.get(pk=hazard.pk)
    assert hazard.status == Status.AWAITING_ACCEPTANCE
    evidence = HazardPhoto.objects.filter(hazard=hazard, kind=PhotoKind.EVIDENCE)
    assert evidence.count() == 1 and evidence.get().uploaded_by == world.users["enterprise"]
    event = hazard.events.get(action=Action.SUBMIT_RECTIFICATION)
    assert event.data["photos"] == 1 and event.data["description"] == "已更换全部过期灭火器"
    shown = phone.locator(".photos a", has_text="整改")
    expect(shown).to_have_count(1)
    # served through scope: wait for the picture to load (lazily, after the redirect), then see it has pixels
    shown.locator("img").scroll_into_view_if_needed()
    phone.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=shown.locator("img").element_handle())
    expect(phone.locator(".timeline")).to_contain_text("已更换全部过期灭火器")
    screenshot(phone, "hazard-rectified-390")
