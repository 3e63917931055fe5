"""The escalation engine with the clock moved (time-machine): steps, vacancies, snapshots, must-answer."""

from __future__ import annotations

from datetime import datetime, timedelta

import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from hazards import workflow
from hazards.models import Escalation, EscalationChain, Hazard, HazardEvent
from notifications import sweeps
from notifications.models import Notification
from organizations.models import PositionAssignment

from ..hazards.conftest import FULL_PLAN, filing
from .conftest import SHANGHAI


def confirmed(hz, deadline: datetime, level: str = "general") -> Hazard:
    hazard, _ = workflow.file_hazard(hz.users["inspector"], filing(hz, level=level))
    hazard = workflow.confirm(hz.users["county_dept"], hazard, deadline)
    forget_handoffs(hazard)
    return hazard


def forget_handoffs(hazard) -> None:
    """The filing's and the confirmation's hand-off notices (tests/notifications/test_handoffs.py) are not what
    these tests count: only the escalation's (`esc:`) and what is passed up of them."""
    Notification.objects.filter(hazard=hazard, kind__startswith="hz_").delete()


def recipients(hazard) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for notice in Notification.objects.filter(hazard=hazard).select_related("recipient"):
        found.setdefault(notice.key.split(":")[2] if notice.key.startswith("esc") else "up", set()).add(
            notice.recipient.username
        )
    return found


def at(day: str, clock: str = "10:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}:00").replace(tzinfo=SHANGHAI)


def test_general_chain_on_the_official_calendar_across_national_day(esc):
    """GIVEN a deadline of Monday 30 September 2024 WHEN the clock moves THEN: reminder 3 working days before on
    Thursday 26th (Sunday 29th is a make-up working day, Saturday 28th is not), 1 working day before on Sunday
    29th, at the deadline to the enterprise and the district bureau's head, 3 working days late (10 October,
    after the holiday week) to the district leader, 7 working days late (15 October: Saturday 12th is a make-up
    working day) to the city office. Each once."""
    with time_machine.travel(at("2024-09-20"), tick=False):
        hazard = confirmed(esc, at("2024-09-30", "23:59"))
    timeline = [
        ("2024-09-26", "09:01", {"0": {"enterprise"}}),
        ("2024-09-29", "09:01", {"1": {"enterprise"}}),
        ("2024-09-30", "23:59", {"2": {"enterprise", "county_head"}}),
        ("2024-10-10", "23:59", {"3": {"district"}}),
        ("2024-10-15", "23:59", {"4": {"city"}}),
    ]
    seen: dict[str, set[str]] = {}
    for day, clock, expected in timeline:
        with time_machine.travel(at(day, clock) - timedelta(minutes=2), tick=False):
            sweeps.run()
            found = recipients(hazard)
            found.pop("up", None)  # unanswered must-answer notices passed up; tested on their own below
            assert found == seen, f"nothing is due yet before {day} {clock}"
        with time_machine.travel(at(day, clock) + timedelta(seconds=30), tick=False):
            sweeps.run()
            sweeps.run()  # a second sweep (or scheduler) sends nothing again
            seen |= expected
            found = recipients(hazard)
            found.pop("up", None)
            assert found == seen, day
    events = HazardEvent.objects.filter(hazard=hazard, action="escalation_step")
    assert events.count() == 5
    assert not Escalation.objects.get(hazard=hazard, kind="deadline").active  # every step sent


def test_vacant_position_passes_up_and_is_recorded(esc):
    PositionAssignment.objects.filter(user=esc.users["enterprise"]).update(ended_at=timezone.now() - timedelta(days=1))
    deadline = timezone.now() + timedelta(days=20)
    hazard = confirmed(esc, deadline)
    with time_machine.travel(deadline + timedelta(minutes=1), tick=False):
        sweeps.run()
    at_deadline = Notification.objects.filter(
        hazard=hazard, key__startswith=f"esc:{hazard.escalations.get(kind='deadline').pk}:2:"
    )
    assert {n.recipient.username for n in at_deadline} == {"county_head"}
    event = HazardEvent.objects.filter(hazard=hazard, action="escalation_step").last()
    assert "enterprise_principal position" in event.reason and "county_head" not in event.reason


def test_rule_edited_mid_escalation_does_not_change_a_running_one(esc):
    deadline = timezone.now() + timedelta(days=20)
    hazard = confirmed(esc, deadline)
    chain = EscalationChain.objects.get(level="general")
    chain.steps.all().delete()  # the office rewrites the rule to a single step
    chain.steps.create(offset_working_days=0, targets=["city_office"], must_answer=True, label="只告诉市安委办")
    with time_machine.travel(deadline + timedelta(minutes=1), tick=False):
        sweeps.run()
    assert {n.recipient.username for n in Notification.objects.filter(hazard=hazard)} == {"enterprise", "county_head"}
    later = confirmed(esc, deadline)  # a new escalation takes the new rule
    with time_machine.travel(deadline + timedelta(minutes=1), tick=False):
        sweeps.run()
    assert {n.recipient.username for n in Notification.objects.filter(hazard=later)} == {"city"}


def test_unanswered_must_answer_notice_goes_to_the_superior_once(esc, settings):
    settings.ANSWER_LIMIT_MINUTES = 60
    deadline = timezone.now() + timedelta(days=3)
    hazard = confirmed(esc, deadline)
    from workdays.calendar import add_working_days

    three_late = datetime.combine(add_working_days(deadline, 3), timezone.localtime(deadline).time(), tzinfo=SHANGHAI)
    with time_machine.travel(three_late + timedelta(minutes=1), tick=False):
        sweeps.run()
    to_district = Notification.objects.get(hazard=hazard, recipient=esc.users["district"])
    assert to_district.must_answer and to_district.answer_due_at == three_late + timedelta(minutes=61)
    with time_machine.travel(three_late + timedelta(minutes=59), tick=False):
        sweeps.run()
    assert not Notification.objects.filter(parent=to_district).exists()
    with time_machine.travel(three_late + timedelta(minutes=62), tick=False):
        sweeps.run()
        sweeps.run()
    passed = Notification.objects.get(parent=to_district)
    assert passed.recipient == esc.users["mayor"] and passed.must_answer
    to_district.refresh_from_db()
    assert to_district.escalated_at is not None


def test_answered_in_time_is_not_passed_up(esc, client):
    deadline = timezone.now() + timedelta(days=2)
    hazard = confirmed(esc, deadline)
    with time_machine.travel(deadline + timedelta(minutes=1), tick=False):
        sweeps.run()
    notice = Notification.objects.get(hazard=hazard, recipient=esc.users["county_head"])
    client.force_login(esc.users["county_head"])
    assert client.post(reverse("notifications:acknowledge", args=[notice.pk])).status_code == 302
    notice.refresh_from_db()
    assert notice.acknowledged_at is not None
    with time_machine.travel(deadline + timedelta(days=3), tick=False):
        sweeps.run()
    assert not Notification.objects.filter(parent=notice).exists()
    assert HazardEvent.objects.filter(hazard=hazard, action="acknowledge", actor=esc.users["county_head"]).exists()


def test_acknowledge_api_is_one_call_and_only_for_the_recipient(esc):
    deadline = timezone.now() + timedelta(days=2)
    hazard = confirmed(esc, deadline)
    with time_machine.travel(deadline + timedelta(minutes=1), tick=False):
        sweeps.run()
    notice = Notification.objects.get(hazard=hazard, recipient=esc.users["county_head"])
    other = APIClient()
    other.force_authenticate(esc.users["enterprise"])
    assert other.post(f"/api/v1/notifications/{notice.pk}/acknowledge/").status_code == 404
    mine = APIClient()
    mine.force_authenticate(esc.users["county_head"])
    response = mine.post(f"/api/v1/notifications/{notice.pk}/acknowledge/")
    assert response.status_code == 200 and response.json()["acknowledged_at"]
    listed = mine.get("/api/v1/notifications/").json()["results"]
    assert [n["id"] for n in listed] == [notice.pk]


def test_closing_stops_and_rejection_resumes(esc):
    deadline = timezone.now() + timedelta(days=10)
    hazard = confirmed(esc, deadline)
    workflow.submit_plan(esc.users["enterprise"], hazard, {**FULL_PLAN, "deadline": deadline})
    workflow.submit_rectification(esc.users["enterprise"], hazard, "完成")
    assert not Escalation.objects.get(hazard=hazard, kind="deadline").active
    workflow.reject(esc.users["county_dept"], hazard, "不合格")
    assert Escalation.objects.get(hazard=hazard, kind="deadline").active
    workflow.submit_rectification(esc.users["enterprise"], hazard, "再次完成")
    workflow.accept(esc.users["county_dept"], hazard)
    with time_machine.travel(deadline + timedelta(days=30), tick=False):
        sweeps.run()
    assert not Notification.objects.filter(hazard=hazard, kind="esc").exists()


def test_extension_starts_a_new_escalation(esc):
    deadline = timezone.now() + timedelta(days=10)
    hazard = confirmed(esc, deadline)
    workflow.extend_deadline(esc.users["county_head"], hazard, deadline + timedelta(days=30), "延期")
    assert Escalation.objects.filter(
        hazard=hazard, kind="deadline", active=True
    ).get().deadline == deadline + timedelta(days=30)
    with time_machine.travel(deadline + timedelta(days=1), tick=False):
        sweeps.run()
    assert not Notification.objects.filter(hazard=hazard, kind="esc", key__contains=":2:").exists()  # old: silent


def test_major_hazard_starts_higher_and_tells_the_listing_leader(esc, settings):
    deadline = timezone.now() + timedelta(days=20)
    hazard = confirmed(esc, deadline, level="major")
    listing = workflow.Listing(
        authority="department",
        supervising_leader=esc.district_leader,
        order_number="督-1",
        deadline=deadline + timedelta(days=30),
    )
    workflow.list_supervision(esc.users["county_head"], hazard, listing)
    with time_machine.travel(deadline + timedelta(minutes=1), tick=False):
        sweeps.run()
    at_deadline = Notification.objects.filter(hazard=hazard, kind="esc", key__contains=":2:")
    assert {n.recipient.username for n in at_deadline} == {"county_head", "district"}
    assert all(n.must_answer for n in at_deadline)
    assert at_deadline.first().answer_due_at - at_deadline.first().created_at == timedelta(minutes=30)


def test_escalate_command_dry_run_writes_nothing(esc, capsys):
    deadline = timezone.now() + timedelta(days=2)
    hazard = confirmed(esc, deadline)
    with time_machine.travel(deadline + timedelta(minutes=1), tick=False):
        call_command("escalate", "--dry-run")
        assert not Notification.objects.exists()
        assert hazard.code in capsys.readouterr().out
        call_command("escalate", "--now")
    assert Notification.objects.filter(hazard=hazard).exists()


def test_sweep_with_nothing_due_costs_a_handful_of_queries(esc):
    """GIVEN nothing due WHEN the sweep runs at 10:00 tomorrow (a fixed hour: the supplies alert waits for 08:00, so
    the count depended on when the suite ran) THEN a handful of queries, whatever the data."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    tomorrow = timezone.localtime(timezone.now(), SHANGHAI) + timedelta(days=1)
    with time_machine.travel(tomorrow.replace(hour=10, minute=0, second=0, microsecond=0), tick=False):
        confirmed(esc, timezone.now() + timedelta(days=30))
        with CaptureQueriesContext(connection) as ctx:
            result = sweeps.run()
    assert result.steps == 0
    # the escalation's empty batch query and its savepoints (3); the listing clocks' one read of the calendar and one
    # empty query per clock, in one savepoint (7; hazards/listing_sweeps.py); duty_roster's sweeper finding no open
    # incident (1); the supplies alert's one query after 08:00 (1; emergency/supplies_alerts.py); the pass-up's empty
    # batch and its savepoints (3); the tip-offs' one query finding none of their limits due (1; tipoffs/limits.py)
    assert len(ctx.captured_queries) <= 16


def test_sweep_queries_do_not_grow_with_the_items(esc, settings):
    """Bounded batches: resolving positions and writing notices costs the same for 5 hazards or 25 (SQLite may
    split a bulk INSERT into several statements, so the reads are what is counted)."""
    settings.ANSWER_LIMIT_MINUTES = 60 * 24 * 30  # no must-answer notice passes up within this test
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    deadline = timezone.now() + timedelta(days=5)
    counts = []
    for n in (5, 25):
        # Only this round's items are due: the last round's may reach their next step by now (depending on the
        # weekday the test runs on), which is more work, not more queries per item.
        Escalation.objects.update(active=False)
        for _ in range(n):
            confirmed(esc, deadline)
        with time_machine.travel(deadline + timedelta(minutes=1), tick=False), CaptureQueriesContext(connection) as ctx:
            sweeps.run(batch_size=100)
        counts.append(len([q for q in ctx.captured_queries if q["sql"].startswith("SELECT")]))
        deadline += timedelta(days=1)
    assert counts[0] == counts[1], counts
