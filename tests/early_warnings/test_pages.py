"""The warning pages: list, detail with history and recipients, issue, update, lift and the answer page; outsiders
refused; query counts pinned."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from early_warnings import workflow
from early_warnings.models import EarlyWarning, WarningRecipient

from .conftest import WARNING


def test_issue_update_lift_through_the_pages(client, world, posts):
    client.force_login(world.users["city"])
    assert client.get("/warnings/new/").status_code == 200
    bad = client.post("/warnings/new/", {"kind": "rainstorm", "level": "red", "title": ""})
    assert bad.status_code == 400
    made = client.post("/warnings/new/", {**WARNING, "level": "yellow", "areas": [world.d1.pk]})
    assert made.status_code == 302
    warning = EarlyWarning.objects.get()
    page = client.get(f"/warnings/{warning.pk}/").content.decode()
    assert "海滨区应急值班员" in page and "暴雨预警" in page
    assert f'href="/warnings/{warning.pk}/board/">实时看板</a>' in page  # the government's live board
    values = {**WARNING, "level": "orange", "areas": [world.d1.pk, world.d2.pk]}
    del values["kind"]
    assert client.get(f"/warnings/{warning.pk}/update/").status_code == 200
    updated = client.post(f"/warnings/{warning.pk}/update/", values)
    assert updated.status_code == 302
    new = EarlyWarning.objects.get(status="in_force")
    detail = client.get(f"/warnings/{new.pk}/").content.decode()
    assert "暴雨预警由黄色升级为橙色" in detail and 'id="history"' in detail
    again = client.post(f"/warnings/{warning.pk}/update/", values)  # the old version
    assert again.status_code == 409
    assert client.post(f"/warnings/{new.pk}/lift/", {"note": "雨停。"}).status_code == 302
    assert EarlyWarning.objects.filter(status="lifted").count() == 1


def test_the_answer_page_answers_with_one_tap(client, world, posts):
    warning = workflow.issue(world.users["city"], level="red", areas=[world.d1], **WARNING)
    client.force_login(world.users["duty1"])
    page = client.get(f"/warnings/{warning.pk}/answer/").content.decode()
    assert 'id="answer-button"' in page and "作业人员已撤离" in page
    done = client.post(f"/warnings/{warning.pk}/answer/", {"measures": ["workers_withdrawn"], "note": "已撤离"})
    assert done.status_code == 302
    row = WarningRecipient.objects.get(warning=warning, post=posts.d1_duty)
    assert row.measures == ["workers_withdrawn"] and row.note == "已撤离"
    assert 'id="answered"' in client.get(f"/warnings/{warning.pk}/answer/").content.decode()
    client.force_login(world.users["duty1b"])
    assert 'id="answered"' in client.get(f"/warnings/{warning.pk}/answer/").content.decode()  # the post is answered


def test_outsiders_are_refused(client, world, posts):
    warning = workflow.issue(world.users["city"], level="red", areas=[world.d1], **WARNING)
    client.force_login(world.users["enterprise"])
    assert client.get("/warnings/").status_code == 403
    assert client.get(f"/warnings/{warning.pk}/").status_code == 404
    assert client.get(f"/warnings/{warning.pk}/answer/").status_code == 404
    client.force_login(world.users["inspector"])
    assert client.get("/warnings/").status_code == 200
    assert client.get("/warnings/new/").status_code == 403
    assert client.get(f"/warnings/{warning.pk}/answer/").status_code == 403
    assert client.get(f"/warnings/{warning.pk}/update/").status_code == 403
    assert client.get(f"/warnings/{warning.pk}/lift/").status_code == 403


def test_query_counts_of_the_pages_do_not_grow(client, world, posts):
    city = world.users["city"]
    client.force_login(city)

    def counted(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    first = workflow.issue(city, level="red", areas=[world.d1], **WARNING)
    counts = counted("/warnings/"), counted(f"/warnings/{first.pk}/")
    for _ in range(3):
        last = workflow.issue(city, level="blue", areas=[world.city], **WARNING)
    workflow.answer(world.users["duty1"], last, ["standby"])
    assert (counted("/warnings/"), counted(f"/warnings/{last.pk}/")) == counts
    assert counts == (5, 11)  # the page: its figures, a few posts and the measures reported, a query each


def test_the_page_lists_the_unanswered_first_and_a_few_only(client, world):
    """GIVEN a warning to 55 posts, the first 50 of them answered WHEN the city office opens its page THEN the figures
    count all 55, the 5 unanswered come first, 50 posts are listed and the rest are left to the live board."""
    from tests.early_warnings.factories_board import answer, post, recipient, warning

    w = warning(areas=[world.city])
    rows = [recipient(w, post(world.d1, f"岗位{n:02d}")) for n in range(55)]
    for row in rows[:50]:
        answer(row, world.users["district"], row.answer_due_at)
    client.force_login(world.users["city"])
    page = client.get(f"/warnings/{w.pk}/").content.decode()
    listed = page.split('id="recipients"')[1].split("</ul>")[0]
    assert listed.count("<li>") == 50
    assert [f"岗位{n:02d}" in listed for n in range(50, 55)] == [True] * 5  # the unanswered, all shown
    assert listed.index("岗位50") < listed.index("岗位00")
    assert "50/55" in page and "还有 5 个岗位" in page
