"""A lesson's comparison self-check on a phone (#18): the enterprise's principal sees the lesson in its queue, starts
the self-check, answers it with one failed item and submits; the hazard appears linked to the lesson."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accidents.models import LessonTask
from hazards.models import Hazard
from inspections import checklists
from notifications.models import Notification
from notifications.outbox import notify
from organizations.models import PositionAssignment

from ..accidents.factories import make_external, make_lesson, make_task
from ..conftest import reseed
from ..inspections.conftest import TEMPLATE
from .conftest import screenshot
from .test_hazard_filing import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_principal_does_the_lessons_self_check_on_a_phone(live_server, world, phone):
    """GIVEN a published lesson of an accident elsewhere with a task for e1 and its must-answer notice to e1's
    principal WHEN the principal, on a 390×844 phone, opens the task from the home page's queue, starts, fails one item,
    passes the rest and submits THEN the task is done with one hazard of source accident_lesson, listed on the task
    page and linked to the lesson from the hazard's page, and the notice is answered."""
    reseed()
    version, _created = checklists.import_template(TEMPLATE)
    city, principal = world.users["city"], world.users["enterprise"]
    accident = make_external(world.city, world.chem, city, title="外省某化工厂储罐爆炸事故", deaths=3,
                             course="储罐区动火作业未办理作业票，引燃可燃气体发生爆炸。")  # fmt: skip
    lesson = make_lesson(accident, city, world.city, version, status="published", published_at=timezone.now(),
                         title="吸取外省储罐爆炸事故教训开展对照检查",
                         lesson="对照事故原因，逐项检查本单位动火作业审批、可燃气体报警、消防通道。",
                         deadline=timezone.now() + timedelta(days=5))  # fmt: skip
    task = make_task(lesson, world.e1, department=world.d1_yjj)
    position = PositionAssignment.objects.get(user=principal).position
    notify([(principal, position)], f"lesson:{lesson.pk}:{world.e1.pk}", f"对照检查：{lesson.title}", lesson.lesson,
           link=f"/lessons/tasks/{task.pk}/", answer_within=timedelta(days=5))  # fmt: skip

    log_in(phone, live_server.url, "enterprise")
    queue = phone.locator("main")
    expect(queue).to_contain_text("待办对照检查")
    expect(queue).to_contain_text(lesson.title)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "lesson-queue-390")
    phone.locator(f"main a[href='/lessons/tasks/{task.pk}/']").first.click()
    phone.wait_for_url(re.compile(rf".*/lessons/tasks/{task.pk}/$"))
    expect(phone.locator("h1")).to_have_text(lesson.title)
    expect(phone.locator("#accident")).to_contain_text("外省某化工厂储罐爆炸事故")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "lesson-task-390")

    phone.click("#start")
    phone.wait_for_url(re.compile(r".*/inspections/\d+/fill/1/$"))
    items = phone.locator("fieldset.item")
    items.nth(0).locator("label.choice >> text=不合格").click()
    items.nth(0).locator("input[name$=-text]").fill("未明确消防安全责任人")
    items.nth(0).locator("input[name$=-text]").press("Tab")
    items.nth(1).locator("label.choice", has=phone.locator("input[value=pass]")).click()
    phone.wait_for_load_state("networkidle")
    phone.click("button.primary")
    phone.wait_for_url(re.compile(r".*/fill/2/$"))
    phone.locator("fieldset.item input[type=number]").fill("1.5")
    phone.locator("fieldset.item input[type=number]").press("Tab")
    expect(phone.locator("fieldset.item").first).to_have_class(re.compile("autosaved"))
    phone.click("button.primary")
    phone.wait_for_url(re.compile(r".*/review/$"))
    expect(phone.locator("main")).to_contain_text("未明确消防安全责任人")
    phone.click("button.primary")
    phone.wait_for_url(re.compile(r".*/inspections/\d+/$"))

    hazard = Hazard.objects.get()
    assert hazard.source == "accident_lesson"
    done = LessonTask.objects.get(pk=task.pk)
    assert done.completed_at is not None and done.hazards_found == 1
    assert Notification.objects.get(key__startswith=f"lesson:{lesson.pk}:").acknowledged_at is not None

    phone.goto(f"{live_server.url}/lessons/tasks/{task.pk}/")
    found = phone.locator("#found")
    expect(found).to_contain_text("未明确消防安全责任人")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "lesson-task-done-390")
    found.locator(f"a[href='/hazards/{hazard.pk}/']").click()
    phone.wait_for_url(re.compile(rf".*/hazards/{hazard.pk}/$"))
    expect(phone.locator("#lesson-link")).to_have_text(f"对照检查：{lesson.title}")
    expect(phone.locator("#lesson-link a")).to_have_attribute("href", f"/lessons/{lesson.pk}/")
    expect(phone.locator("main")).to_contain_text("事故警示")
    screenshot(phone, "lesson-hazard-390")

    phone.goto(f"{live_server.url}/lessons/mine/")
    expect(phone.locator("#done")).to_contain_text(lesson.title)
    expect(phone.locator("#to-do")).to_contain_text("暂无待办的对照检查")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "lesson-mine-390")


def test_the_city_office_spot_checks_and_flags_a_hollow_self_check(live_server, world, phone, browser):
    """GIVEN a lesson whose two tasks are done WHEN the city office's staff, on a phone, samples 100 % and records
    e1's self-check hollow with a note THEN the page lists it with a red tag and counts one, e1 is told, and on a
    1280 wide screen e1's principal sees the hollow tag on its list."""
    reseed()
    version, _created = checklists.import_template(TEMPLATE)
    city = world.users["city"]
    accident = make_external(world.city, world.chem, city)
    lesson = make_lesson(accident, city, world.city, version, status="published", published_at=timezone.now())
    task = make_task(lesson, world.e1, department=world.d1_yjj, completed_at=timezone.now())
    make_task(lesson, world.e2, department=world.d2_zjj, completed_at=timezone.now(), hazards_found=2)

    log_in(phone, live_server.url, "city")
    phone.goto(f"{live_server.url}/lessons/{lesson.pk}/spot-checks/")
    phone.fill("#id_percent", "100")
    phone.click("button.primary")
    expect(phone.locator("#chosen > li")).to_have_count(2)
    row = phone.locator("#chosen > li", has_text=world.e1.name)
    row.locator("label", has_text="走过场").click()
    row.locator("textarea").fill("储罐区动火作业票缺失未查出")
    row.locator("button").click()
    expect(phone.locator("#hollow")).to_contain_text("储罐区动火作业票缺失未查出")
    expect(phone.locator("#hollow-count")).to_have_text("1")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "lesson-spot-checks-390")
    assert LessonTask.objects.get(pk=task.pk).hollow is True
    assert Notification.objects.filter(kind="lesson_hollow", recipient=world.users["enterprise"]).exists()

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    wide = context.new_page()
    log_in(wide, live_server.url, "enterprise")
    wide.goto(f"{live_server.url}/lessons/mine/")
    expect(wide.locator("#done .tag.key")).to_have_text("走过场")
    screenshot(wide, "lesson-mine-1280")
    context.close()
