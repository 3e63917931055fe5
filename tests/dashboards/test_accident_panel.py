"""The dashboard's accident panel: this year against the same period last year by grade (each number a link to the
records list), and each running lesson's self-check completion; counts checked against direct queries, queries
bounded."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from accidents.models import Accident
from dashboards import accident_panel
from inspections.models import Inspection
from workdays.calendar import SHANGHAI

from ..accidents.factories import make_accident, make_external, make_lesson, make_task

NOW = datetime(2026, 10, 20, 10, 0, tzinfo=SHANGHAI)


def at(month: int, day: int, year: int = 2026, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=SHANGHAI)


@pytest.fixture
def records(world):
    """This year: e1 two general (1 death) and a large (3 deaths), e2 a general; last year: e2 a general before 20
    October and a major after it (outside the same period); a near miss and one elsewhere, not counted."""
    w = world
    by = w.users["city"]
    make_accident(w.e1, by, occurred_at=at(2, 1), deaths=1)
    make_accident(w.e1, by, occurred_at=at(9, 1))
    make_accident(w.e1, by, occurred_at=at(7, 1), deaths=3, grade="large")
    make_accident(w.e2, by, occurred_at=at(10, 20, hour=8))
    make_accident(w.e2, by, occurred_at=at(10, 20, year=2025, hour=23), deaths=2)
    make_accident(w.e2, by, occurred_at=at(11, 5, year=2025), deaths=10, grade="major")
    make_accident(w.e1, by, occurred_at=at(3, 3), kind="near_miss")
    make_external(w.city, w.chem, by, occurred_at=at(3, 4))
    with time_machine.travel(NOW, tick=False):
        yield w


def direct(user, year: int, grade: str, until: datetime) -> tuple[int, int]:
    """The records list's rule written out: production, here, in scope, this grade, 1 January to `until`'s day."""
    rows = Accident.objects.visible_to(user).filter(
        kind="production", external=False, grade=grade,
        occurred_at__gte=datetime(year, 1, 1, tzinfo=SHANGHAI),
        occurred_at__lt=datetime(year, until.month, until.day, tzinfo=SHANGHAI) + timedelta(days=1),
    )  # fmt: skip
    return rows.count(), rows.aggregate(d=Sum("deaths"))["d"] or 0


@pytest.mark.parametrize("who", ["city", "district", "dept_head"])
def test_grades_against_last_year_equal_direct_queries(records, who):
    """GIVEN the records WHEN each government user's panel rows are made THEN every grade's figures equal the direct
    query of the records (the list's own count can only be checked after the join: records' filters), and each
    links to the list of that year and grade."""
    user = records.users[who]
    rows = accident_panel.grades(user, NOW.date())
    assert [r.grade for r in rows] == ["general", "large", "major", "especially_serious"]
    for r in rows:
        assert (r.accidents, r.deaths) == direct(user, 2026, r.grade, NOW)
        assert (r.previous_accidents, r.previous_deaths) == direct(user, 2025, r.grade, NOW)
        query = parse_qs(urlsplit(r.link).query)
        assert urlsplit(r.link).path == "/accidents/"
        assert query == {"year": ["2026"], "grade": [r.grade], "kind": ["production"], "external": ["false"]}
        assert parse_qs(urlsplit(r.previous_link).query)["to"] == ["2025-10-20"]
    if who == "city":
        general = rows[0]
        assert (general.accidents, general.deaths, general.previous_accidents, general.previous_deaths) == (3, 1, 1, 2)
        assert (rows[1].accidents, rows[1].deaths, rows[2].previous_accidents) == (1, 3, 0)


def test_running_lessons_completion(records, client, django_assert_max_num_queries):
    """GIVEN a published lesson with four tasks (one done, one started, two untouched) past its deadline, one ahead
    with two tasks, a draft and one whose deadline passed 40 days ago WHEN the panel is loaded THEN the two running
    show done/total and overdue as the state Q counts them, linked to the lesson and its overdue tasks; the district
    counts its own enterprises' tasks; a bounded number of queries."""
    w = records
    by = w.users["city"]
    accident = Accident.objects.filter(enterprise=w.e1).first()
    now = timezone.now()
    late = make_lesson(accident, by, w.city, status="published", deadline=now - timedelta(days=2), title="吸取教训甲")
    ahead = make_lesson(accident, by, w.city, status="published", deadline=now + timedelta(days=5), title="吸取教训乙")
    make_lesson(accident, by, w.city, status="draft", title="草稿")
    make_lesson(accident, by, w.city, status="published", deadline=now - timedelta(days=40), title="早已结束")
    started = Inspection.objects.create(
        enterprise=w.e3, version=late.version, lead=by, created_by=by, region_path=w.e3.region.path,
        industry=w.e3.industry, kind="lesson",
    )  # fmt: skip
    make_task(late, w.e1, completed_at=now - timedelta(days=3))
    make_task(late, w.e2)
    make_task(late, w.e3, inspection=started)
    make_task(late, w.e4)
    make_task(ahead, w.e1, completed_at=now)
    make_task(ahead, w.e2)
    lessons = {row["lesson"].title: row for row in accident_panel.lessons(w.users["city"], now)}
    assert list(lessons) == ["吸取教训甲", "吸取教训乙"]
    assert {k: lessons["吸取教训甲"][k] for k in ("done", "total", "overdue", "percent")} == {
        "done": 1, "total": 4, "overdue": 3, "percent": 25}  # fmt: skip
    assert {k: lessons["吸取教训乙"][k] for k in ("done", "total", "overdue")} == {"done": 1, "total": 2, "overdue": 0}
    assert lessons["吸取教训甲"]["overdue_link"] == f"/lessons/{late.pk}/tasks/?state=overdue"
    district = {row["lesson"].title: row for row in accident_panel.lessons(w.users["district"], now)}
    assert (district["吸取教训甲"]["done"], district["吸取教训甲"]["total"]) == (1, 2)  # e1 and e4 are 海滨区's
    client.force_login(w.users["city"])
    client.get(reverse("accident_figures:statistics"))  # warm the session and caches alike for a fair count
    with django_assert_max_num_queries(9):
        page = client.get(reverse("dashboards:panel-accidents"))
    text = page.content.decode()
    assert page.status_code == 200
    assert f'href="/lessons/{late.pk}/"' in text and f'href="/lessons/{late.pk}/tasks/?state=overdue"' in text
    assert (
        "1 / 4 (25%)" in text
        and "/accidents/?year=2026&amp;grade=general&amp;kind=production&amp;external=false" in text
    )
    more = make_lesson(accident, by, w.city, status="published", deadline=now + timedelta(days=9), title="再一")
    for enterprise in (w.e1, w.e2, w.e3):
        make_task(more, enterprise)
    with django_assert_max_num_queries(9):
        assert client.get(reverse("dashboards:panel-accidents")).status_code == 200


def test_panel_is_for_governments_and_on_the_dashboard(records, client):
    """GIVEN the dashboard WHEN the city office opens it THEN it loads the accident panel; an enterprise is refused
    the panel (403), as the other panels."""
    client.force_login(records.users["city"])
    assert reverse("dashboards:panel-accidents") in client.get(reverse("dashboards:dashboard")).content.decode()
    client.force_login(records.users["enterprise"])
    assert client.get(reverse("dashboards:panel-accidents")).status_code == 403


@pytest.mark.parametrize("who", ["city", "district", "dept_head"])
def test_each_panel_number_equals_the_records_list_it_links_to(records, client, who):
    """GIVEN the records WHEN each grade's this-year and last-year links are opened as the records list (its API, the
    same FilterSet as the page) THEN each list holds exactly the panel's number of accidents and deaths (last year's
    stops at the same day through `to`; the major accident of 5 November 2025 is outside it)."""
    user = records.users[who]
    client.force_login(user)
    for row in accident_panel.grades(user, NOW.date()):
        for link, accidents, deaths in ((row.link, row.accidents, row.deaths),
                                        (row.previous_link, row.previous_accidents, row.previous_deaths)):  # fmt: skip
            listed = client.get(f"/api/v1/accidents/?{urlsplit(link).query}&page_size=200").json()["results"]
            assert (len(listed), sum(r["deaths"] for r in listed)) == (accidents, deaths), (who, link)
            page = client.get(link)
            assert page.status_code == 200
