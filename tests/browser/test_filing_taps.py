"""#14 item 18: from the inspector's home to a saved finding with a photo in at most 8 taps and 2 screens on a phone,
counted: each click, tap or choice is a tap, typing into a field counts as that field's tap, each page navigation
is a screen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from hazards import workflow
from hazards.models import Hazard, HazardPhoto
from inspections import checklists
from inspections import workflow as inspecting
from organizations.choices import PositionKind, UnitKind

from ..conftest import reseed
from ..factories import PositionFactory, UserFactory, assign
from ..hazards.conftest import filing, jpeg_bytes
from ..inspections.conftest import TEMPLATE
from .conftest import screenshot
from .test_hazard_filing import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_TAPS, MAX_SCREENS = 8, 2


class Counter:
    """Drives the page and counts what a person would do: taps and the screens they pass through."""

    def __init__(self, page) -> None:
        self.page, self.taps, self.screens = page, 0, 0
        page.on("framenavigated", lambda frame: self._navigated(frame))

    def _navigated(self, frame) -> None:
        if frame == self.page.main_frame:
            self.screens += 1

    def start(self) -> None:
        self.taps = self.screens = 0

    def tap(self, selector: str) -> None:
        self.taps += 1
        self.page.click(selector)

    def type(self, selector: str, text: str) -> None:
        self.taps += 1
        self.page.fill(selector, text)

    def choose(self, selector: str, value: str) -> None:
        self.taps += 1
        self.page.select_option(selector, value=value)

    def photo(self, selector: str, path) -> None:
        self.taps += 1  # the camera opens on the tap; the shot taken is the photo
        self.page.set_input_files(selector, str(path))


@pytest.mark.parametrize("prefill", ["inspection", "last_used", "none"])
def test_a_finding_with_a_photo_in_few_taps(live_server, world, phone, tmp_path, settings, prefill):
    """GIVEN an inspector on a 390×844 phone, at their home page, with an inspection under way at 海滨化工 (or the
    last finding filed there, or nothing to go on) WHEN they file what they see with a photo THEN the finding is
    saved with its photo, in at most 8 taps and 2 screens."""
    reseed()
    settings.MEDIA_ROOT = tmp_path / "media"
    photo = tmp_path / "现场.jpg"
    photo.write_bytes(jpeg_bytes((1200, 900)))
    inspector = world.users["inspector"]
    if prefill == "inspection":
        partner = UserFactory(username="partner", unit_kind=UnitKind.DEPARTMENT, department=world.yjj)
        assign(partner, PositionFactory(kind=PositionKind.INSPECTOR, unit_kind=UnitKind.DEPARTMENT,
                                        department=world.yjj))  # fmt: skip
        version, _ = checklists.import_template(TEMPLATE)
        inspecting.create(inspector, inspecting.NewInspection(enterprise=world.e1, version=version, members=(partner,)))
    elif prefill == "last_used":
        # elsewhere in the plant: the same place would (rightly) show the open hazard instead of filing a new one
        workflow.file_hazard(inspector, filing(world, enterprise=world.e1, title="上一处隐患", place="二号车间"))
    log_in(phone, live_server.url, "inspector")
    count = Counter(phone)
    count.start()

    count.tap("a[data-big-action]")
    phone.wait_for_url(re.compile(r".*/hazards/new/.*"))
    if prefill == "none":
        count.type("#enterprise-search", "海滨化工")
        expect(phone.locator("#id_enterprise option")).to_have_text([re.compile("海滨化工有限公司")])
        count.choose("#id_enterprise", str(world.e1.pk))
    else:
        expect(phone.locator("#id_enterprise option:checked")).to_have_text(re.compile("海滨化工有限公司"))
    count.tap("label.chip >> text=消防安全")
    count.type("#id_place", "一号仓库")
    count.photo("#id_photos", photo)
    expect(phone.locator("#id_title")).to_have_value("一号仓库消防安全隐患")
    assert phone.locator("#id_photos").get_attribute("capture") == "environment"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, f"filing-{prefill}-390")
    count.tap("button.primary")
    phone.wait_for_url(re.compile(r".*/hazards/\d+/$"))

    hazard = Hazard.objects.exclude(title="上一处隐患").get()
    assert hazard.enterprise == world.e1 and hazard.title == "一号仓库消防安全隐患"
    assert hazard.found_by == inspector and hazard.category.code == "fire"
    assert HazardPhoto.objects.filter(hazard=hazard).count() == 1
    assert count.taps <= MAX_TAPS and count.screens <= MAX_SCREENS, (count.taps, count.screens)
    expected_taps = {"inspection": 5, "last_used": 5, "none": 7}[prefill]
    assert (count.taps, count.screens) == (expected_taps, 2)
    screenshot(phone, f"filing-{prefill}-saved-390")
