"""The tip-offs' figures (tipoffs/figures.py, the page and the API) with known rows: the cross table of a period, the
shares verified / substantiated / on time, the counts of now with their lists, the rewards paid; scoped to the
viewer; a constant number of queries."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tipoffs import figures
from tipoffs.models import Report, Reward, overdue_q

from ..work.test_queues import rows_on
from .factories import make_report

pytestmark = pytest.mark.django_db

YEAR = 2024


def at(month: int, day: int = 1) -> datetime:
    return timezone.make_aware(datetime(YEAR, month, day, 10, 0))


@pytest.fixture
def rows(world):
    """Reports received in 2024 in each state (and one in 2023), two rewards paid in 2024, one in 2023, one
    approved; all with 海滨区应急管理局 but the last, in 新城区."""
    now = timezone.now()
    made = {
        "received": make_report(world, "received", channel="web", received_at=at(1)),
        "accepted": make_report(world, "accepted", channel="phone", received_at=at(2), accepted_at=now,
                                due_at=now + timedelta(days=60)),
        "overdue": make_report(world, "accepted", channel="phone", kind="illegal", received_at=at(2),
                               accepted_at=now - timedelta(days=61), due_at=now - timedelta(days=1)),
        "verified": make_report(world, "verified", kind="illegal", received_at=at(3), accepted_at=at(3, 2),
                                verified_at=now, outcome="partly"),
        "on_time": make_report(world, "closed", channel="letter", kind="concealed_accident", received_at=at(4),
                               accepted_at=at(4, 2), due_at=at(6), verified_at=at(5), feedback_due_at=at(5, 11),
                               closed_at=at(5, 10)),
        "late": make_report(world, "closed", received_at=at(4), accepted_at=at(4, 2), due_at=at(6),
                            verified_at=at(6, 20), feedback_due_at=at(6, 30), closed_at=at(6, 25),
                            outcome="unfounded"),
        "declined": make_report(world, "received", kind="other", received_at=at(5)),
        "last_year": make_report(world, "received", received_at=at(1) - timedelta(days=365)),
        "elsewhere": make_report(world, "received", region=world.t2, region_path=world.t2.path,
                                 department=world.d2_zjj, received_at=at(7)),
    }  # fmt: skip
    Report.objects.filter(pk=made["declined"].pk).update(state="declined", closed_at=at(5, 3))
    city = world.users["city"]
    for report, state, paid_at, amount in (
        (made["on_time"], "paid", at(7), 15_000),
        (made["late"], "paid", at(8), 3_000),
        (made["verified"], "approved", None, 5_000),
        (made["last_year"], "paid", at(7) - timedelta(days=365), 9_000),
    ):
        Reward.objects.create(report=report, basis="fine", fine=amount * 7, amount=amount, state=state,
                              proposed_by=city, paid_at=paid_at)  # fmt: skip
    return made


def test_the_period_cross_table_shares_and_rewards(world, rows):
    found = figures.figures(world.users["city"], {"year": str(YEAR)})
    assert (found.start.isoformat(), found.end.isoformat()) == ("2024-01-01", "2024-12-31")
    assert found.received == 8  # not last year's
    assert found.table["web"] == {"hazard": 3, "illegal": 1, "concealed_accident": 0, "other": 1}
    assert found.table["phone"] == {"hazard": 1, "illegal": 1, "concealed_accident": 0, "other": 0}
    assert found.table["letter"]["concealed_accident"] == 1 and found.by_channel["letter"] == 1
    assert found.by_kind == {"hazard": 4, "illegal": 2, "concealed_accident": 1, "other": 1}
    assert (found.verified.part, found.verified.whole) == (3, 5)  # verified + 2 closed, of 5 accepted
    assert found.verified.percent == Decimal("60.0")
    assert (found.substantiated.part, found.substantiated.whole) == (2, 3)  # partly + substantiated, of 3
    assert found.substantiated.percent == Decimal("66.7")
    assert (found.on_time.part, found.on_time.whole) == (1, 2)  # the late one answered after its limit
    assert (found.rewards_paid, found.rewards_amount) == (2, 18_000)


def test_the_counts_of_now_are_those_of_the_lists_they_open(world, rows):
    city = world.users["city"]
    found = figures.figures(city, {"year": str(YEAR)})
    visible = Report.objects.visible_to(city)
    assert found.now["received"].count == visible.filter(state="received").count() == 3
    assert found.now["accepted"].count == 2 and found.now["verified"].count == 1
    assert found.now["overdue"].count == visible.filter(overdue_q(timezone.now())).count() == 1
    assert found.now["overdue"].url.endswith("/tipoffs/?overdue=1")
    assert found.now["received"].url.endswith("/tipoffs/?state=received")


@pytest.mark.parametrize("who", ["city", "county_dept", "district"])
def test_every_count_of_the_period_opens_a_list_of_as_many(client, world, rows, who):
    """GIVEN reports across channels, kinds and years WHEN a viewer opens each cell and total of the cross table
    THEN the list page holds exactly that many rows, none outside the period."""
    user = world.users[who]
    client.force_login(user)
    found = figures.figures(user, {"year": str(YEAR)})
    cells = [cell for _label, row, total in found.rows for cell in (*row, total)]
    cells += [*found.totals[0], found.totals[1]]
    cells += list(found.now.values())
    assert sum(c.count for c in cells) > 0
    for cell in cells:
        assert cell.url.startswith(reverse("tipoffs:list") + "?")
        assert rows_on(client, cell.url) == cell.count, cell.url


def test_a_days_period_and_the_bad_ones(world, rows):
    found = figures.figures(world.users["city"], {"received_from": "2024-04-01", "received_to": "2024-04-01"})
    assert found.received == 2 and found.on_time.whole == 2
    found = figures.figures(world.users["city"], {"received_from": "2024-07-01"})  # to today
    assert found.received == 1 and found.rewards_paid == 2
    for params, name in (({"year": "1999"}, "year"), ({"year": "20x4"}, "year"),
                         ({"received_from": "2024-13-01"}, "received_from"),
                         ({"received_from": "2024-05-01", "received_to": "2024-04-01"}, "received_to")):  # fmt: skip
        with pytest.raises(ValidationError) as raised:
            figures.figures(world.users["city"], params)
        assert name in raised.value.message_dict


def test_scoped_to_the_reports_the_viewer_sees(world, rows):
    found = figures.figures(world.users["county_dept"], {"year": str(YEAR)})
    assert found.received == 7  # not 新城区's
    assert found.now["received"].count == 2


def test_a_few_queries_whatever_the_number_of_reports(world, rows, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        figures.figures(world.users["city"], {"year": str(YEAR)})
    for i in range(20):
        make_report(world, "closed", received_at=at(9, i + 1), accepted_at=at(9, i + 1), closed_at=at(10))
    with django_assert_max_num_queries(4):
        assert figures.figures(world.users["city"], {"year": str(YEAR)}).received == 28


def test_the_page_and_the_api(client, world, rows):
    client.force_login(world.users["city"])
    url = reverse("tipoff_figures:page")
    response = client.get(url, {"year": YEAR})
    assert response.status_code == 200
    html = response.content.decode()
    assert "?overdue=1" in html and "18000" in html
    assert client.get(url, {"year": "abc"}).status_code == 400
    api = APIClient()
    api.force_authenticate(world.users["city"])
    data = api.get("/api/v1/tipoffs/figures/", {"year": YEAR}).json()
    assert data["received"] == 8 and data["verified"] == {"part": 3, "whole": 5, "percent": "60.0"}
    assert data["now"]["overdue"]["count"] == 1 and data["rewards_amount"] == 18_000
    assert api.get("/api/v1/tipoffs/figures/", {"year": "abc"}).status_code == 400


def test_outsiders_are_refused(client, world, rows):
    client.force_login(world.users["enterprise"])
    assert client.get(reverse("tipoff_figures:page")).status_code == 403
    api = APIClient()
    api.force_authenticate(world.users["enterprise"])
    assert api.get("/api/v1/tipoffs/figures/").status_code == 403
    anonymous = APIClient().get("/api/v1/tipoffs/figures/")
    assert anonymous.status_code in (401, 403)
