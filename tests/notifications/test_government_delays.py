"""Government-side delays (docs/escalation.md, "Government-side delays"): a hazard left `reported` or
`awaiting_acceptance` too long goes to the supervising department's head, then the territorial leader; the
dashboards count them and link to the list. The clock moves across the 2024 National Day holiday (1–7 October)
and its make-up working days (Sunday 29 September and Saturday 12 October)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from rest_framework.test import APIClient

from dashboards.stats import build, period_from
from hazards import workflow
from hazards.escalation import wait_due
from hazards.models import Escalation, Hazard, HazardEvent
from notifications import sweeps
from notifications.models import Notification

from ..hazards.conftest import FULL_PLAN, filing
from .conftest import SHANGHAI

SECOND = timedelta(seconds=1)


@pytest.fixture
def gd(esc, settings):
    settings.ANSWER_LIMIT_MINUTES = 60 * 24 * 60  # nothing is passed up to a superior within these tests
    return esc


def at(day: str, clock: str = "10:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}:00").replace(tzinfo=SHANGHAI)


def filed(hz, when: datetime) -> Hazard:
    with time_machine.travel(when, tick=False):
        hazard, _ = workflow.file_hazard(hz.users["inspector"], filing(hz))
    return hazard


def rectified(hz, when: datetime) -> Hazard:
    """Filed, confirmed and planned the day before `when`; the rectification submitted at `when`."""
    with time_machine.travel(when - timedelta(days=1), tick=False):
        hazard, _ = workflow.file_hazard(hz.users["inspector"], filing(hz))
        deadline = when + timedelta(days=60)
        workflow.confirm(hz.users["county_dept"], hazard, deadline)
        workflow.submit_plan(hz.users["enterprise"], hazard, {**FULL_PLAN, "deadline": deadline})
    with time_machine.travel(when, tick=False):
        workflow.submit_rectification(hz.users["enterprise"], hazard, "已整改")
    return hazard


def late_notices(hazard) -> dict[str, set[str]]:
    """Who was told, by step: the government-delay notices (`late:<escalation>:<step>:<user>`) only."""
    found: dict[str, set[str]] = {}
    for notice in Notification.objects.filter(hazard=hazard, kind="late").select_related("recipient"):
        found.setdefault(notice.key.split(":")[2], set()).add(notice.recipient.username)
    return found


def listed(user, kind: str) -> list[int]:
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(f"/api/v1/hazards/?overdue_for={kind}")
    assert response.status_code == 200, response.json()
    return [h["id"] for h in response.json()["results"]]


def figures(user) -> tuple[int, int]:
    board = build(user, period_from({}))
    return board.overdue_confirmation, board.overdue_acceptance


def test_confirmation_due_three_working_days_later_across_national_day(gd):
    """Filed Friday 27 September 10:00: working days 29 (a make-up Sunday), 30 September and 8 October, so the
    department head is told at 10:00 on 8 October; the district leader two working days later, 10 October."""
    hazard = filed(gd, at("2024-09-27"))
    assert Escalation.objects.get(hazard=hazard, kind="confirmation").deadline == at("2024-10-08")
    head, district, city = gd.users["county_head"], gd.users["district"], gd.users["city"]

    with time_machine.travel(at("2024-10-08") - SECOND, tick=False):  # just before
        sweeps.run()
        assert late_notices(hazard) == {}
        assert listed(city, "confirmation") == [] and figures(city) == (0, 0)
    with time_machine.travel(at("2024-10-08"), tick=False):  # at
        sweeps.run()
        sweeps.run()  # a second sweep (or scheduler) sends nothing again
        assert late_notices(hazard) == {"0": {"county_head"}}
        assert listed(city, "confirmation") == [hazard.pk] == listed(head, "confirmation")
        assert figures(city) == (1, 0) == figures(head) == figures(district)
        assert listed(city, "acceptance") == []
    with time_machine.travel(at("2024-10-10") - SECOND, tick=False):  # just before the leader's step
        sweeps.run()
        assert late_notices(hazard) == {"0": {"county_head"}}
    with time_machine.travel(at("2024-10-10") + SECOND, tick=False):  # just after
        sweeps.run()
        assert late_notices(hazard) == {"0": {"county_head"}, "1": {"district"}}
        assert figures(city) == (1, 0)
    notices = Notification.objects.filter(hazard=hazard, kind="late")
    assert all(n.must_answer and n.answer_due_at for n in notices)
    to_head = notices.get(recipient=head)
    assert hazard.code in to_head.title and "2024-10-08 10:00" in to_head.body
    assert HazardEvent.objects.filter(hazard=hazard, action="escalation_step").count() == 2
    # Out of scope: another city department neither counts nor lists it; an enterprise has no such figures.
    assert figures(gd.users["dept_head"]) == (0, 0) and listed(gd.users["dept_head"], "confirmation") == []
    assert figures(gd.users["enterprise"]) == (0, 0)

    with time_machine.travel(at("2024-10-11"), tick=False):  # confirmed late: the wait stops, the figure drops
        workflow.confirm(gd.users["county_dept"], hazard, at("2024-11-30"))
        assert figures(city) == (0, 0) and listed(city, "confirmation") == []
    assert Escalation.objects.get(hazard=hazard, kind="confirmation").stopped_at == at("2024-10-11")


def test_filed_on_a_holiday_counts_from_the_next_working_day_and_the_make_up_saturday_counts(gd):
    """Filed on 1 October (holiday): working days 8, 9, 10 October, due 10 October; the leader's two working days
    later are Friday 11th and Saturday 12th (a make-up working day)."""
    hazard = filed(gd, at("2024-10-01", "15:30"))
    with time_machine.travel(at("2024-10-10", "15:30") - SECOND, tick=False):
        sweeps.run()
        assert late_notices(hazard) == {}
    with time_machine.travel(at("2024-10-10", "15:30"), tick=False):
        sweeps.run()
        assert late_notices(hazard) == {"0": {"county_head"}}
    with time_machine.travel(at("2024-10-12", "15:30") - SECOND, tick=False):
        sweeps.run()
        assert "1" not in late_notices(hazard)
    with time_machine.travel(at("2024-10-12", "15:30"), tick=False):
        sweeps.run()
        assert late_notices(hazard)["1"] == {"district"}


def test_confirmed_in_time_nobody_is_told(gd):
    hazard = filed(gd, at("2024-09-27"))
    with time_machine.travel(at("2024-10-08") - SECOND, tick=False):
        workflow.confirm(gd.users["county_dept"], hazard, at("2024-11-30"))
    with time_machine.travel(at("2024-10-20"), tick=False):
        sweeps.run()
        assert late_notices(hazard) == {}
        assert figures(gd.users["city"]) == (0, 0)
    wait = Escalation.objects.get(hazard=hazard, kind="confirmation")
    assert not wait.active and wait.stopped_at == at("2024-10-08") - SECOND


def test_dismissed_in_time_nobody_is_told(gd):
    hazard = filed(gd, at("2024-09-27"))
    with time_machine.travel(at("2024-09-30"), tick=False):
        workflow.dismiss(gd.users["county_dept"], hazard, "不构成隐患")
    with time_machine.travel(at("2024-10-20"), tick=False):
        sweeps.run()
        assert late_notices(hazard) == {}


def test_acceptance_due_ten_days_later_or_the_next_working_day(gd):
    """Submitted Saturday 21 September 10:00: ten days later is 1 October, a holiday, so acceptance falls due on
    the next working day, 8 October 10:00; the district leader is told on 10 October."""
    hazard = rectified(gd, at("2024-09-21"))
    assert Escalation.objects.get(hazard=hazard, kind="acceptance").deadline == at("2024-10-08")
    city = gd.users["city"]
    with time_machine.travel(at("2024-10-08") - SECOND, tick=False):
        sweeps.run()
        assert late_notices(hazard) == {}
        assert figures(city) == (0, 0) and listed(city, "acceptance") == []
    with time_machine.travel(at("2024-10-08"), tick=False):
        sweeps.run()
        assert late_notices(hazard) == {"0": {"county_head"}}
        assert figures(city) == (0, 1) and listed(city, "acceptance") == [hazard.pk]
        assert listed(city, "confirmation") == []
    with time_machine.travel(at("2024-10-10") + SECOND, tick=False):
        sweeps.run()
        assert late_notices(hazard) == {"0": {"county_head"}, "1": {"district"}}
        body = Notification.objects.get(hazard=hazard, kind="late", recipient=gd.users["district"]).body
        assert "2024-10-08 10:00" in body
        workflow.accept(gd.users["county_dept"], hazard)  # accepted late: off the figures
        assert figures(city) == (0, 0) and listed(city, "acceptance") == []


def test_rejection_stops_the_wait_and_resubmission_starts_a_new_one(gd):
    hazard = rectified(gd, at("2024-09-02"))  # due Thursday 12 September 10:00
    with time_machine.travel(at("2024-09-12") - SECOND, tick=False):
        workflow.reject(gd.users["county_dept"], hazard, "不合格")
    with time_machine.travel(at("2024-09-13"), tick=False):
        workflow.submit_rectification(gd.users["enterprise"], hazard, "再次整改")  # due Monday 23 September
    waits = Escalation.objects.filter(hazard=hazard, kind="acceptance").order_by("started_at")
    assert [w.deadline for w in waits] == [at("2024-09-12"), at("2024-09-23")]
    assert waits[0].stopped_at and waits[1].stopped_at is None
    with time_machine.travel(at("2024-09-23") - SECOND, tick=False):
        sweeps.run()
        assert late_notices(hazard) == {}
        assert figures(gd.users["city"]) == (0, 0)
    with time_machine.travel(at("2024-09-23"), tick=False):
        sweeps.run()
        assert late_notices(hazard) == {"0": {"county_head"}}
        assert figures(gd.users["city"]) == (0, 1)


@pytest.mark.parametrize(
    ("kind", "since", "due"),
    [
        ("confirmation", "2024-09-26", "2024-09-30"),  # Thu: 27, 29 (make-up Sunday), 30
        ("confirmation", "2024-09-30", "2024-10-10"),  # Mon: 8, 9, 10 October
        ("confirmation", "2024-10-10", "2024-10-14"),  # Thu: 11, 12 (make-up Saturday), 14
        ("acceptance", "2024-09-19", "2024-09-29"),  # ten days: the make-up Sunday is a working day
        ("acceptance", "2024-09-25", "2024-10-08"),  # ten days: 5 October, a holiday
        ("acceptance", "2024-10-09", "2024-10-21"),  # ten days: Saturday 19th, an ordinary weekend
        ("acceptance", "2024-10-02", "2024-10-12"),  # ten days: Saturday 12th, a make-up working day
    ],
)
def test_due_on_the_official_calendar(gd, kind, since, due):
    assert wait_due(kind, at(since, "08:15")) == at(due, "08:15")


def test_the_thresholds_are_settings(gd, settings):
    settings.REPORTED_CONFIRM_WORKING_DAYS = 1
    settings.ACCEPTANCE_DAYS = 2
    settings.GOVERNMENT_DELAY_LEADER_WORKING_DAYS = 1
    assert wait_due("confirmation", at("2024-09-27")) == at("2024-09-29")  # the make-up Sunday
    assert wait_due("acceptance", at("2024-09-27")) == at("2024-09-29")
    hazard = filed(gd, at("2024-09-27"))
    with time_machine.travel(at("2024-09-30"), tick=False):
        sweeps.run()
        assert late_notices(hazard) == {"0": {"county_head"}, "1": {"district"}}


def test_an_unanswered_delay_notice_passes_up_saying_what_was_late(gd, settings):
    settings.ANSWER_LIMIT_MINUTES = 60
    hazard = filed(gd, at("2024-09-27"))
    with time_machine.travel(at("2024-10-10"), tick=False):
        sweeps.run()
    to_district = Notification.objects.get(hazard=hazard, kind="late", recipient=gd.users["district"])
    with time_machine.travel(at("2024-10-10", "11:00") - SECOND, tick=False):
        sweeps.run()
        assert not Notification.objects.filter(parent=to_district).exists()
    with time_machine.travel(at("2024-10-10", "11:01"), tick=False):
        sweeps.run()
    passed = Notification.objects.get(parent=to_district)
    assert passed.recipient == gd.users["mayor"] and passed.must_answer
    assert "2024-10-08 10:00" in passed.body and hazard.code in passed.title


def test_hazards_waiting_before_the_waits_existed_are_started_once(gd, capsys):
    from django.core.management import call_command

    reported = filed(gd, at("2024-09-27"))
    waiting = rectified(gd, at("2024-09-21"))
    Escalation.objects.filter(kind__in=["confirmation", "acceptance"]).delete()  # as before this was deployed
    with time_machine.travel(at("2024-10-09"), tick=False):
        call_command("start_waits")
        assert "2 waits started" in capsys.readouterr().out
        call_command("start_waits")
        assert "0 waits started" in capsys.readouterr().out
        assert Escalation.objects.get(hazard=reported, kind="confirmation").deadline == at("2024-10-08")
        assert Escalation.objects.get(hazard=waiting, kind="acceptance").deadline == at("2024-10-08")
        assert figures(gd.users["city"]) == (1, 1)
        sweeps.run()  # what is already due goes out with the next sweep
        assert late_notices(reported) == {"0": {"county_head"}} == late_notices(waiting)
