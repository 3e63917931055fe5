"""Offline capture (docs/offline.md) in Chromium at 390×844: the pages kept by the service worker, answers, findings
and photos kept on the phone (IndexedDB) and sent once, in order, when the network is back."""

from __future__ import annotations

import re
import time
import uuid

import pytest
from playwright.sync_api import expect

from hazards.models import Hazard, HazardPhoto
from inspections import checklists, workflow
from inspections.choices import InspectionStatus, Result
from inspections.models import Answer, AnswerPhoto, Finding, Inspection
from organizations.choices import PositionKind, UnitKind

from ..conftest import reseed
from ..factories import PositionFactory, UserFactory, assign
from ..hazards.conftest import jpeg_bytes
from ..inspections.conftest import TEMPLATE
from .conftest import screenshot
from .test_hazard_filing import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def under_way(world, settings, tmp_path):
    """An inspection under way today at 海滨化工, led by `inspector` with 李四, on the two-screen test checklist."""
    reseed()
    settings.MEDIA_ROOT = tmp_path / "media"
    version, _ = checklists.import_template(TEMPLATE)
    partner = UserFactory(username="partner", full_name="李四", unit_kind=UnitKind.DEPARTMENT, department=world.yjj)
    assign(partner, PositionFactory(kind=PositionKind.INSPECTOR, unit_kind=UnitKind.DEPARTMENT, department=world.yjj))
    inspector = world.users["inspector"]
    inspection = workflow.create(inspector, workflow.NewInspection(world.e1, version, members=(partner,)))
    world.inspection, world.partner, world.version = inspection, partner, version
    world.items = {i.text: i for s in version.sections.all() for i in s.items.all()}
    return world


def photo(tmp_path, name: str, size=(4000, 3000)) -> str:
    path = tmp_path / name
    path.write_bytes(jpeg_bytes(size))
    return str(path)


def wait_until(page, script: str, timeout: float = 20) -> None:
    """Poll a page expression (the site's CSP forbids the eval behind page.wait_for_function)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if page.evaluate(script):
            return
        page.wait_for_timeout(100)  # lets Playwright run route handlers meanwhile (time.sleep would not)
    raise AssertionError(f"never true: {script}")


def kept_offline(page, base: str) -> None:
    """Open today's inspections while online: the service worker takes over and keeps the inspection's pages."""
    page.goto(f"{base}/inspections/")
    expect(page.locator("[data-offline-ready]")).to_be_visible(timeout=20_000)


def on_the_phone(browser, live_server):
    """The inspector logged in on a phone of their own (a context the test can take offline), pages kept."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=2)
    page = context.new_page()
    log_in(page, live_server.url, "inspector")
    kept_offline(page, live_server.url)
    return context, page, live_server.url


def record_finding(page, *photos: str, title: str = "配电箱门缺失", place: str = "一号车间") -> None:
    page.fill("input[name=title]", title)
    page.fill("input[name=place]", place)
    page.locator("[data-field=category] label.chip").first.click()
    page.locator("input[name=photos]").set_input_files(list(photos))
    page.click("form[data-offline=finding] button[type=submit]")


def status(page):
    return page.locator("a.offline-status")


def test_offline_answers_and_findings_are_sent_once_when_the_network_is_back(live_server, under_way, browser, tmp_path):
    """GIVEN an inspector whose open inspection is kept on the phone WHEN they go offline, answer two items (a failed
    exit with a photo), file two findings with photos, close the browser page and open it again, and go online THEN
    the server has exactly those answers, findings and photos once, each photo made small on the phone, and the
    indicator has gone to nothing."""
    w = under_way
    context, page, base = on_the_phone(browser, live_server)

    context.set_offline(True)
    page.goto(f"{base}/inspections/{w.inspection.pk}/fill/1/")  # from the phone
    items = page.locator("fieldset.item")
    items.nth(0).locator("label.choice >> text=合格").first.click()
    items.nth(1).locator("label.choice >> text=不合格").click()
    items.nth(1).locator("input[name$=-text]").fill("消防通道堆放纸箱")
    items.nth(1).locator("input[name$=-note]").fill("二楼东侧安全出口")
    items.nth(1).locator("input[name$=-note]").press("Tab")
    expect(status(page)).to_have_attribute("data-count", "2")  # a failed item waits for its photo: 需要照片
    expect(items.nth(1)).to_contain_text("需要照片")
    items.nth(1).locator("input[type=file]").set_input_files(photo(tmp_path, "exit.jpg"))
    expect(status(page)).to_contain_text("离线")
    # the first answer, and the photo that carries the failed item's answer with it
    expect(status(page)).to_have_attribute("data-count", "2")
    expect(items.nth(1)).not_to_contain_text("需要照片")
    expect(items.nth(1)).to_have_class(re.compile("queued"))
    screenshot(page, "offline-fill-390")

    page.goto(f"{base}/inspections/{w.inspection.pk}/findings/new/")  # from the phone
    for title, place, photos in (
        ("配电箱门缺失", "一号车间", ["box.jpg"]),
        ("灭火器过期", "二号仓库", ["a.jpg", "b.jpg"]),
    ):
        record_finding(page, *[photo(tmp_path, name) for name in photos], title=title, place=place)
        expect(page.locator("[data-offline-kept]")).to_contain_text(title)
    expect(status(page)).to_have_attribute("data-count", "7")  # + two findings and three photos
    screenshot(page, "offline-finding-390")
    status(page).click()  # what waits on the phone, listed from the phone
    expect(page.locator("h1:visible")).to_have_text("本机保存的记录")
    expect(page.locator("[data-offline-queue] .offline-item")).to_have_count(7)
    page.goto(f"{base}/hazards/")  # a page not kept: said plainly
    expect(page.locator("h1:visible")).to_have_text("此页面需要网络")
    screenshot(page, "offline-needs-network-390")
    assert Finding.objects.count() == 0 and Answer.objects.count() == 0  # nothing reached the server

    page.close()  # the browser closed: the phone keeps it all
    page = context.new_page()
    page.goto(f"{base}/inspections/{w.inspection.pk}/fill/1/")
    expect(status(page)).to_have_attribute("data-count", "7")
    expect(page.locator("fieldset.item").nth(0).locator("input[value=pass]")).to_be_checked()  # shown as given
    expect(page.locator("fieldset.item").nth(1).locator("input[name$=-text]")).to_have_value("消防通道堆放纸箱")

    context.set_offline(False)  # the network is back: sent in order, each once
    expect(status(page)).to_have_attribute("data-count", "0", timeout=30_000)
    expect(status(page)).to_be_hidden()
    answers = {a.item.text: a for a in Answer.objects.select_related("item")}
    assert answers["是否明确消防安全责任人"].result == Result.PASS
    failed = answers["疏散通道、安全出口是否被占用、堵塞"]
    assert (failed.result, failed.text, failed.note) == (Result.FAIL, "消防通道堆放纸箱", "二楼东侧安全出口")
    assert AnswerPhoto.objects.count() == 1
    assert max(AnswerPhoto.objects.get().width, AnswerPhoto.objects.get().height) == 1600  # made small on the phone
    findings = {f.hazard.title: f.hazard for f in Finding.objects.select_related("hazard")}
    assert set(findings) == {"配电箱门缺失", "灭火器过期"}
    assert Hazard.objects.count() == 2
    assert {t: HazardPhoto.objects.filter(hazard=h).count() for t, h in findings.items()} == {
        "配电箱门缺失": 1,
        "灭火器过期": 2,
    }
    assert all(max(p.width, p.height) == 1600 for p in HazardPhoto.objects.all())
    context.close()


def test_a_network_drop_in_the_middle_of_an_upload_stores_nothing_twice(live_server, under_way, browser, tmp_path):
    """GIVEN a finding with a photo kept on the phone WHEN the network drops after the server has stored the finding
    and again after it has stored the photo, before either answer arrives THEN the retries store nothing twice."""
    w = under_way
    context, page, base = on_the_phone(browser, live_server)
    seen = {"finding": 0, "photo": 0}

    def cut_after_the_server(kind):
        def handler(route):
            seen[kind] += 1
            if seen[kind] == 1:
                route.fetch()  # the server does the work; its answer never reaches the phone
                route.abort("internetdisconnected")
            else:
                route.continue_()

        return handler

    page.route(re.compile(r".*/api/v1/inspections/\d+/findings/$"), cut_after_the_server("finding"))
    page.route(re.compile(r".*/api/v1/hazards/\d+/photos/$"), cut_after_the_server("photo"))
    page.goto(f"{base}/inspections/{w.inspection.pk}/findings/new/")
    record_finding(page, photo(tmp_path, "box.jpg", (800, 600)))
    for _ in range(4):  # after each cut the page tries again later; here it is asked to at once
        page.wait_for_timeout(700)
        page.evaluate("window.SafetyOffline.sync()")
    expect(status(page)).to_have_attribute("data-count", "0", timeout=30_000)
    assert seen == {"finding": 2, "photo": 2}
    assert Finding.objects.count() == 1 and Hazard.objects.count() == 1
    assert HazardPhoto.objects.count() == 1
    context.close()


def test_a_finding_for_an_inspection_submitted_meanwhile_is_refused_with_the_reason(
    live_server, under_way, browser, tmp_path
):
    """GIVEN a finding kept offline WHEN the inspection is submitted from another phone meanwhile THEN the upload
    is refused, the finding stays on the phone with the server's reason in Chinese, and "file as a separate hazard"
    files it once, its photo with it."""
    w = under_way
    context, page, base = on_the_phone(browser, live_server)
    context.set_offline(True)
    page.goto(f"{base}/inspections/{w.inspection.pk}/findings/new/")
    record_finding(page, photo(tmp_path, "box.jpg", (800, 600)))
    expect(status(page)).to_have_attribute("data-count", "2")

    lead = w.users["inspector"]  # the same inspection, finished on another phone
    for item in w.items.values():
        if item.answer_kind != "text":
            workflow.answer(lead, w.inspection, item.pk, {"result": Result.PASS, "number": "1.5"})
    workflow.submit(lead, w.inspection, uuid.uuid4())
    assert Inspection.objects.get().status == InspectionStatus.SUBMITTED

    context.set_offline(False)
    refused = page.locator("[data-offline-queue] .offline-item.refused")
    expect(refused).to_contain_text("提交", timeout=20_000)  # the server's reason, in the inspector's language
    expect(status(page)).to_contain_text("1 条被退回")
    assert Finding.objects.count() == 0 and Hazard.objects.count() == 0
    screenshot(page, "offline-refused-390")
    refused.get_by_role("button", name="作为单独隐患提交").click()
    expect(status(page)).to_have_attribute("data-count", "0", timeout=20_000)
    expect(status(page)).to_be_hidden()
    hazard = Hazard.objects.get()
    assert (hazard.title, hazard.enterprise_id) == ("配电箱门缺失", w.e1.pk)
    assert HazardPhoto.objects.filter(hazard=hazard).count() == 1
    assert Finding.objects.count() == 0  # a hazard of its own, not the submitted inspection's

    assert page.evaluate("caches.open('pages').then((c) => c.keys()).then((k) => k.length)") > 0
    page.click("text=退出")  # the kept pages are this person's: logging out empties them
    page.wait_for_url(re.compile(r".*/accounts/login/"))
    wait_until(page, "caches.open('pages').then((c) => c.keys()).then((k) => k.length === 0)")
    context.close()


def test_a_refused_photo_is_shown_on_its_item_and_can_be_discarded(live_server, under_way, browser, tmp_path):
    """GIVEN an answer whose "photo" is not a picture WHEN it is sent THEN the server's reason is shown on the item,
    the answer itself is stored, and discarding the photo empties the queue."""
    w = under_way
    context, page, base = on_the_phone(browser, live_server)
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a picture at all" * 50)
    page.goto(f"{base}/inspections/{w.inspection.pk}/fill/1/")
    first = page.locator("fieldset.item").nth(0)
    first.locator("label.choice >> text=合格").first.click()
    expect(first).to_have_class(re.compile("autosaved"), timeout=20_000)
    first.locator("input[type=file]").set_input_files(str(broken))
    expect(first.locator(".offline-note .error")).to_contain_text("被服务器退回", timeout=20_000)
    expect(status(page)).to_contain_text("1 条被退回")
    assert Answer.objects.get().result == Result.PASS and AnswerPhoto.objects.count() == 0
    screenshot(page, "offline-photo-refused-390")
    page.once("dialog", lambda dialog: dialog.accept())
    first.locator(".offline-note button", has_text="放弃").click()
    expect(status(page)).to_be_hidden()
    expect(first.locator(".offline-note")).to_have_count(0)
    context.close()


def test_the_hazard_form_offline_keeps_the_hazard_and_files_it_once_online(live_server, under_way, browser, tmp_path):
    """GIVEN the hazard form kept on the phone WHEN an inspector files a hazard with a photo offline THEN it waits on
    the phone, and once online it is filed once with its category, place and photo."""
    w = under_way
    context, page, base = on_the_phone(browser, live_server)
    context.set_offline(True)
    page.goto(f"{base}/hazards/new/")  # from the phone
    page.select_option("#id_enterprise", str(w.e1.pk))
    page.locator("fieldset[data-required=category] label.chip", has_text="消防安全").click()
    page.fill("#id_place", "三号仓库")
    page.locator("input[name=photos]").set_input_files(photo(tmp_path, "store.jpg", (2000, 1500)))
    page.click("form.filing button.primary.big")
    expect(page.locator("[data-offline-kept]")).to_contain_text("三号仓库")
    expect(status(page)).to_have_attribute("data-count", "2")
    assert Hazard.objects.count() == 0
    context.set_offline(False)
    expect(status(page)).to_have_attribute("data-count", "0", timeout=30_000)
    hazard = Hazard.objects.get()
    assert (hazard.enterprise_id, hazard.category.code, hazard.place) == (w.e1.pk, "fire", "三号仓库")
    assert "三号仓库" in hazard.title and HazardPhoto.objects.filter(hazard=hazard).count() == 1
    context.close()
