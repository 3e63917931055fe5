"""The work-queue world: the hazard World with hazards in every state, notices to answer, an inspection under way,
a duty shift today, a roll call and a late incident report, each made through the apps' own functions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from duty_roster import rollcall
from duty_roster.models import DutyLogEntry, DutyShift, IncidentReport
from hazards import workflow
from hazards.models import Hazard
from inspections import checklists
from inspections import workflow as inspecting
from notifications.outbox import holders, notify
from organizations.choices import PositionKind, UnitKind

from ..factories import EnterpriseFactory, PositionFactory, UserFactory, assign
from ..hazards.conftest import advance, filing, hz, later, media  # noqa: F401
from ..inspections.conftest import TEMPLATE


def grow(world, n: int) -> None:
    """n more of everything a queue counts: hazards in each state (overdue and listed among them), notices."""
    users = world.users
    for i in range(n):
        for to in ("reported", "confirmed", "rectifying", "awaiting_acceptance"):
            advance(world, to)
        rejected = advance(world, "awaiting_acceptance")
        workflow.reject(users["county_dept"], rejected, "照片不清楚")
        late = advance(world, "rectifying")
        Hazard.objects.filter(pk=late.pk).update(deadline=timezone.now() - timedelta(days=40))
        major = advance(world, "confirmed", level="major")
        leader = world.district_leader_post
        workflow.list_supervision(
            users["district"], major, workflow.Listing("government", leader, f"督-{major.pk}", later(30))
        )
        other, _ = workflow.file_hazard(users["city"], filing(world, enterprise=world.e2, title=f"建筑{i}"))
        with transaction.atomic():
            for who in ("county_dept", "enterprise", "district", "duty"):
                post = world.posts[who]
                notify(holders(post), f"test:{who}:{other.pk}", "请回复", "测试", "", timedelta(hours=2))


@pytest.fixture
def qw(hz):  # noqa: F811
    """The hazard world grown once, plus an inspection under way, a shift today with an open log item, a roll call
    and a late incident report."""
    world = hz
    users = world.users
    world.district_leader_post = users["district"].assignments.get().position
    duty = UserFactory(username="duty", unit_kind=UnitKind.GOVERNMENT, region=world.d1)
    duty_post = PositionFactory(kind=PositionKind.DUTY_OFFICER, unit_kind=UnitKind.GOVERNMENT, region=world.d1)
    assign(duty, duty_post)
    users["duty"] = duty
    world.posts = {who: users[who].assignments.get().position for who in ("county_dept", "enterprise", "district")}
    world.posts["duty"] = duty_post
    partner = UserFactory(username="partner", unit_kind=UnitKind.DEPARTMENT, department=world.yjj)
    assign(partner, PositionFactory(kind=PositionKind.INSPECTOR, unit_kind=UnitKind.DEPARTMENT, department=world.yjj))
    version, _ = checklists.import_template(TEMPLATE)
    world.inspection = inspecting.create(
        users["inspector"], inspecting.NewInspection(enterprise=world.e1, version=version, members=(partner,))
    )
    now = timezone.now()
    shift = DutyShift.objects.create(
        post=duty_post, date=timezone.localdate(), starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=8)
    )
    shift.officers.add(duty)
    DutyLogEntry.objects.create(shift=shift, author=duty, text="化工厂报警待复核", open_item=True)
    world.shift = shift
    world.roll = rollcall.call(users["city"], [duty_post], "查岗")
    IncidentReport.objects.create(
        kind="fire", region=world.t1, region_path=world.t1.path, enterprise=world.e1, place="一号仓库",
        occurred_at=now - timedelta(hours=5), known_at=now - timedelta(hours=4), reported_at=now,
        grade="general", report_deadline=now - timedelta(hours=3), delay_minutes=180, reported_by=users["city"],
        course="起火",
    )  # fmt: skip
    EnterpriseFactory(name="不相干企业", region=world.t2, industry=world.mine)
    grow(world, 1)
    return world
