"""`manage.py seed_demo` loads a usable demo city placed relative to the day it runs, and loading it again
changes nothing. Each fact of the demo (issue #14, item 17) is checked against the seeded rows, on the real
today and on a day in the past whose calendar has a holiday and a make-up working day ahead."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from duty_roster.models import DutyPlan, DutyShift
from duty_roster.plans import holiday_periods, staffing_gaps
from hazards.choices import OPEN_STATUSES
from hazards.escalation import Resolver
from hazards.models import EscalationChain, Hazard, HazardEvent, ListedSupervision, LookBack, RectificationPlan
from inspections.models import Campaign
from notifications.choices import Target
from organizations.choices import PositionKind
from organizations.creditcode import validate_credit_code
from organizations.models import Enterprise, Position, PositionAssignment, User
from workdays.calendar import SHANGHAI, is_working_day

from ..conftest import reseed

# A Wednesday with 中秋节 (Fri 25 – Sun 27) two days ahead and the make-up Sunday 20 September behind it.
BEFORE_MID_AUTUMN = datetime(2026, 9, 23, 10, 0, tzinfo=SHANGHAI)


def seed() -> None:
    call_command("seed_demo", stdout=StringIO())


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Enterprise, User, Position, PositionAssignment, Hazard, HazardEvent, ListedSupervision,
                      Campaign, DutyShift, DutyPlan)
    }  # fmt: skip


@pytest.fixture
def demo(db):
    reseed()
    seed()


def test_seed_demo_twice(demo):
    before = counts()
    seed()
    assert counts() == before
    # 25 hazards: the ledger's 20, two closed major ones with a look-back (one due, one overdue), the one a risk
    # check filed for a control not in place (risks/demo_checks.py), the one a lesson's self-check found
    # (accidents/demo_lessons.py) and the one a tip-off became (tipoffs/demo.py).
    # two campaigns: the holiday's great inspection and the 主要负责人全面核查 (oversight/demo_people.py)
    assert before["Enterprise"] == 200 and before["Hazard"] == 25 and before["Campaign"] == 2
    today = timezone.localdate()
    assert sorted((lb.due_on - today).days for lb in LookBack.objects.all()) == [-9, 6]
    for code in Enterprise.objects.values_list("credit_code", flat=True):
        validate_credit_code(code)
    assert {e.licence_state for e in Enterprise.objects.all()} == {"licensed", "unlicensed"}
    assert len({e.operating_state for e in Enterprise.objects.all()}) == 6
    for name in ("demo-city", "demo-district", "demo-department", "demo-inspector", "demo-enterprise", "demo-duty"):
        user = User.objects.get(username=name)
        assert user.check_password("demo12345") and user.position_kinds()
    assert set(Hazard.objects.values_list("status", flat=True)) == {
        "reported", "confirmed", "rectifying", "awaiting_acceptance", "closed"
    }  # fmt: skip
    # the demo duty officer stands today's shift (the duty home page has something to check in to)
    assert DutyShift.objects.filter(officers__username="demo-duty", date=timezone.localdate()).exists()


def test_campaign_runs_today(demo):
    today = timezone.localdate()
    campaign = Campaign.objects.get(kind="inspection")
    assert campaign.starts_on <= today <= campaign.ends_on
    assert campaign.name.endswith("安全生产大检查（演示）") and campaign.versions.exists()


def deadlines_around_today() -> None:
    now = timezone.now()
    open_deadlines = list(Hazard.objects.filter(status__in=OPEN_STATUSES, deadline__isnull=False)
                          .values_list("deadline", flat=True))  # fmt: skip
    assert Hazard.objects.overdue().count() >= 2
    assert any(d < now - timedelta(days=3) for d in open_deadlines)  # overdue for days, not just since last night
    soon = [d for d in open_deadlines if now < d <= now + timedelta(days=7)]
    assert len(soon) >= 3  # due this week
    assert any(d > now + timedelta(days=7) for d in open_deadlines)  # and some later
    every = [
        *Hazard.objects.exclude(deadline=None).values_list("deadline", flat=True),
        *RectificationPlan.objects.values_list("deadline", flat=True),
        *ListedSupervision.objects.values_list("deadline", flat=True),
    ]
    assert len(every) > 12
    for deadline in every:  # the end of a working day, never the moment of seeding
        local = deadline.astimezone(SHANGHAI)
        assert local.time() == time(23, 59, 59) and is_working_day(local.date()), local
    # found before today, not all at the moment of seeding
    assert Hazard.objects.filter(found_at__lt=now - timedelta(days=7)).exists()


def test_deadlines_around_today_at_the_end_of_working_days(demo):
    deadlines_around_today()


def holiday_plan_and_full_rotas() -> None:
    today = timezone.localdate()
    nxt = next(p for p in holiday_periods(today.year, today.year + 1) if p.start > today)
    plan = DutyPlan.objects.get()
    assert (plan.start, plan.end, plan.name) == (nxt.start, nxt.end, nxt.name)
    assert plan.post.region.name == "海滨区"
    assert not staffing_gaps([plan.post], plan.start, plan.end)[plan.post.pk]
    posts = list(Position.objects.filter(kind=PositionKind.DUTY_OFFICER, shifts__isnull=False).distinct())
    assert {p.unit_kind for p in posts} == {"government", "city_office"}
    gaps = staffing_gaps(posts, today, today + timedelta(days=29))
    assert not any(gaps.values()), {pk: g.messages() for pk, g in gaps.items()}
    assert {g.minimum for g in gaps.values()} == {3, 4}  # the minima of the settings, not a lowered one


def test_holiday_plan_and_rotas_fully_staffed(demo):
    holiday_plan_and_full_rotas()


def test_every_chain_step_reaches_a_person(demo):
    hazards = list(Hazard.objects.filter(status__in=OPEN_STATUSES, deadline__isnull=False)
                   .select_related("principal_position", "territorial_position"))  # fmt: skip
    resolver = Resolver(hazards).load()
    chains = {c.level: list(c.steps.all()) for c in EscalationChain.objects.prefetch_related("steps")}
    checked = set()
    for hazard in hazards:
        for step in chains[hazard.level]:
            for target in step.targets:
                position, people, note = resolver.recipients(hazard, target)
                assert position == resolver.position(hazard, target) and people and not note, (hazard, target, note)
                checked.add((hazard.level, target))
    assert {t for _, t in checked} == set(Target.values)
    # the district departments' heads and the city's leader hold their posts
    held = PositionAssignment.objects.current().filter(user__is_active=True).values_list("position_id", flat=True)
    assert (
        not Position.objects.filter(kind__in=[PositionKind.DEPARTMENT_HEAD, PositionKind.TERRITORIAL_LEADER])
        .exclude(pk__in=held)
        .exists()
    )
    city_leader = Position.objects.get(kind=PositionKind.TERRITORIAL_LEADER, region__parent=None)
    assert ListedSupervision.objects.filter(supervising_leader=city_leader).count() == 3


def test_a_day_before_a_holiday(db):
    """Seeded on a Wednesday two days before 中秋节: deadlines skip the holiday, the plan is 中秋节's."""
    reseed()
    with time_machine.travel(BEFORE_MID_AUTUMN, tick=False):
        seed()
        deadlines_around_today()
        holiday_plan_and_full_rotas()
        assert DutyPlan.objects.get().name == "中秋节"
        assert Campaign.objects.get(kind="inspection").name == "中秋节前安全生产大检查（演示）"
        due = sorted(
            d.astimezone(SHANGHAI).date().isoformat() for d in Hazard.objects.values_list("deadline", flat=True) if d
        )
        assert "2026-09-25" not in due and "2026-09-28" in due  # +2 working days from Wednesday is Monday


def test_the_demo_inspector_has_an_inspection_under_way_today(demo):
    """GIVEN the demo WHEN demo-inspector logs in THEN an inspection of the demo campaign is under way today with its
    first answers, and its screens are among the pages kept for offline work; loading again makes no second one."""
    from django.test import Client

    from inspections.choices import InspectionStatus
    from inspections.models import Inspection

    open_ones = Inspection.objects.filter(lead__username="demo-inspector", status=InspectionStatus.IN_PROGRESS)
    inspection = open_ones.get()
    assert inspection.date == timezone.localdate() and inspection.campaign.kind == "inspection"
    assert inspection.answers.count() == 2 and inspection.members.count() == 2
    client = Client()
    client.force_login(User.objects.get(username="demo-inspector"))
    pages = client.get("/inspections/offline-pages/").json()["pages"]
    assert f"/inspections/{inspection.pk}/fill/1/" in pages and f"/inspections/{inspection.pk}/findings/new/" in pages
    seed()
    assert open_ones.count() == 1
