"""Issue #16 item 8: early warnings not answered in time count as "contact not reachable" (联络不通畅) in the four
failures. The warnings' must-answer notices are made here directly, as `early_warnings` writes them (kind `warning`,
key `warning:<warning>:<post>:<person>`, for the duty post): `duty_roster` reads the notices, never that app."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from duty_roster.failures import four_failures
from notifications.models import Notification

from ..factories import assign
from .conftest import SHANGHAI

SENT = datetime(2026, 9, 21, 14, 0, tzinfo=SHANGHAI)
DUE = SENT + timedelta(minutes=10)  # a red warning's answer time
DAY = SENT.date()


def warned(warning: int, post, person, answered: datetime | None = None, sent: datetime = SENT) -> Notification:
    return Notification.objects.create(
        key=f"warning:{warning}:{post.pk}:{person.pk}", kind="warning", recipient=person, position=post,
        title="暴雨红色预警", body="请立即回复。", must_answer=True, answer_due_at=sent + timedelta(minutes=10),
        created_at=sent, acknowledged_at=answered,
    )  # fmt: skip


def row_of(user, post, start: date = DAY, end: date = DAY) -> dict:
    return next(r for r in four_failures(user, start, end) if r["post"] == post.pk)


@pytest.fixture
def holders(unit):
    """海滨区值班室 held by O1 and O2 (both are told of each warning); 新城区值班室 by M1."""
    assign(unit.p["O1"], unit.post)
    assign(unit.p["O2"], unit.post)
    assign(unit.p["M1"], unit.other)
    return unit


@pytest.mark.parametrize(("answered", "failed"), [(DUE - timedelta(seconds=1), 0), (DUE, 0),
                                                  (DUE + timedelta(seconds=1), 1), (None, 1)])  # fmt: skip
def test_a_warning_counts_once_per_post_failed_unless_answered_within_its_time(holders, answered, failed):
    """GIVEN a warning told to both holders of the post WHEN one answers just before, at, or just after the answer
    time, or nobody answers THEN the post had one warning, failed only when answered after the time or not at all."""
    u = holders
    warned(7, u.post, u.p["O1"], answered)
    warned(7, u.post, u.p["O2"])  # the other holder never answers: one answer in time is enough
    row = row_of(u.world.users["district"], u.post)
    assert (row["warnings"], row["warnings_failed"]) == (1, failed)


def test_warnings_per_post_and_period_and_only_the_posts_own(holders):
    """GIVEN three warnings at 海滨区值班室 (one answered in time, one late, one not at all), one unanswered at
    新城区值班室, one the day before, and a notice passed up from elsewhere to the flood post WHEN the district reads
    its four failures THEN 3 warnings of which 2 failed at its post, nothing at the flood post, and 新城区 is not
    its own; the city office sees 新城区's failed warning."""
    u = holders
    for person in (u.p["O1"], u.p["O2"]):
        warned(1, u.post, person, DUE - timedelta(minutes=5) if person == u.p["O1"] else None)
        warned(2, u.post, person, DUE + timedelta(minutes=1))
        warned(3, u.post, person)
    warned(4, u.other, u.p["M1"])
    warned(5, u.post, u.p["O1"], sent=SENT - timedelta(days=1))  # the day before: outside the period
    notice = Notification.objects.get(key=f"warning:3:{u.post.pk}:{u.p['O1'].pk}")
    Notification.objects.create(key=f"up:{notice.pk}:{u.p['O3'].pk}", kind="up", recipient=u.p["O3"],
                                position=u.flood, title="x", body="x", must_answer=True, answer_due_at=DUE,
                                created_at=DUE, parent=notice)  # fmt: skip
    district = u.world.users["district"]
    assert [(r["warnings"], r["warnings_failed"]) for r in (row_of(district, u.post), row_of(district, u.flood))] == [
        (3, 2), (0, 0)]  # fmt: skip
    assert u.other.pk not in {r["post"] for r in four_failures(district, DAY, DAY)}
    city = u.world.users["city"]
    assert (row_of(city, u.other)["warnings"], row_of(city, u.other)["warnings_failed"]) == (1, 1)
    two_days = row_of(district, u.post, DAY - timedelta(days=1), DAY)
    assert (two_days["warnings"], two_days["warnings_failed"]) == (4, 3)


def test_the_report_page_the_api_and_the_dashboard_show_the_warnings(holders):
    u = holders
    warned(1, u.post, u.p["O1"], DUE)
    warned(2, u.post, u.p["O1"])
    district = u.world.users["district"]
    api = APIClient()
    api.force_authenticate(district)
    body = api.get("/api/v1/duty-failures/", {"from": DAY.isoformat(), "to": DAY.isoformat()}).json()
    mine = next(r for r in body["posts"] if r["post"] == u.post.pk)
    assert (mine["warnings"], mine["warnings_failed"]) == (2, 1)
    page = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    with time_machine.travel(SENT + timedelta(days=1), tick=False):
        page.force_login(district)
        text = page.get("/duty/failures/", {"from": DAY.isoformat(), "to": DAY.isoformat()}).content.decode()
        panel = page.get("/dashboard/panels/duty/").content.decode()
    assert "联络不通畅" in text and "预警未按时应答" in text and "<td>1/2</td>" in text
    assert "联络不通畅：预警未按时应答" in panel and "1 / 2" in panel
