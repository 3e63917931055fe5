"""The risk notice card's QR link on a phone: the enterprise's safety manager opens the point's check page, marks
one control not in place with a photo, and the hazard appears, linked from the check and on the hazard list."""

from __future__ import annotations

import re

import pytest

from hazards.models import Hazard
from risks.models import CheckTask, PointHazard

from ..conftest import reseed
from ..factories import PositionFactory, UserFactory, assign
from ..hazards.conftest import jpeg_bytes
from ..risks.factories import make_point
from ..risks.test_checks_workflow import open_task
from .conftest import screenshot
from .test_hazard_filing import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_safety_manager_checks_a_point_by_its_qr_link_on_a_phone(live_server, world, phone, tmp_path, settings):
    """GIVEN a red point of e1 with two controls and today's check WHEN its safety manager opens the QR link on a
    390×844 phone, marks control 1 in place and control 2 not in place with a note and a photo, and submits THEN the
    check is done, the hazard is filed and linked to the point, shown on the check and on the hazard list."""
    reseed()
    settings.MEDIA_ROOT = tmp_path / "media"
    manager = UserFactory(username="manager", unit_kind="enterprise", enterprise=world.e1)
    assign(manager, PositionFactory(kind="enterprise_safety_manager", unit_kind="enterprise", enterprise=world.e1))
    point = make_point(world.e1, "red", controls=2, control_level="post")
    task = open_task(point)
    c1, c2 = point.controls.order_by("position")
    photo = tmp_path / "现场.jpg"
    photo.write_bytes(jpeg_bytes((1200, 900)))

    log_in(phone, live_server.url, "manager")
    phone.goto(f"{live_server.url}/risks/points/{point.pk}/check/")  # what the card's QR code encodes
    assert "储罐区" in phone.locator("h1").inner_text()
    phone.check(f"input[name='c{c1.pk}-in_place'][value='1']")
    phone.check(f"input[name='c{c2.pk}-in_place'][value='0']")
    phone.fill(f"input[name='c{c2.pk}-note']", "报警器显示故障")
    phone.set_input_files(f"input[name='c{c2.pk}-photos']", str(photo))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "risk-check-390")
    phone.focus("button.primary")
    phone.click("button.primary")
    phone.wait_for_url(re.compile(rf".*/risks/points/{point.pk}/check/\?task={task.pk}$"))
    main = phone.locator("main").inner_text()
    hazard = Hazard.objects.get()
    assert "排查已记录" in main and hazard.code in main and "未落实" in main
    screenshot(phone, "risk-check-done-390")

    assert CheckTask.objects.get(pk=task.pk).status == "done"
    assert PointHazard.objects.filter(point=point, hazard=hazard).exists()
    phone.goto(f"{live_server.url}/hazards/")
    assert phone.locator(".rows .row-title").all_inner_texts() == ["管控措施未落实：措施2"]
    screenshot(phone, "risk-check-hazard-list-390")
