"""Passing up an unanswered must-answer notice (#15): it keeps its answer limit and its link, and where the superior
position is vacant (or there is none) the city office's staff are told, with the vacancy named, once."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from hazards import workflow
from hazards.models import HazardEvent
from notifications import sweeps
from notifications.models import Notification
from notifications.outbox import holders, notify
from organizations.choices import PositionKind, UnitKind
from organizations.models import PositionAssignment
from workdays.calendar import add_working_days

from ..factories import PositionFactory, UserFactory, assign
from .conftest import SHANGHAI
from .test_escalation import confirmed

START = datetime(2027, 1, 1, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def chain(world):
    """GIVEN 海滨区值班室 (held by duty1) under 海滨区应急值守科长 (a position nobody holds), 新城区值班室 (held by
    duty2) with no superior position at all, and the city office's staff (city, and city2 at a second desk)."""
    vacant = PositionFactory(kind=PositionKind.TERRITORIAL_LEADER, unit_kind=UnitKind.GOVERNMENT, region=world.d1,
                             title="海滨区应急值守科长")  # fmt: skip
    d1_post = PositionFactory(kind=PositionKind.DUTY_OFFICER, unit_kind=UnitKind.GOVERNMENT, region=world.d1,
                              title="海滨区值班室", superior=vacant)  # fmt: skip
    d2_post = PositionFactory(kind=PositionKind.DUTY_OFFICER, unit_kind=UnitKind.GOVERNMENT, region=world.d2,
                              title="新城区值班室")  # fmt: skip
    for name, post in (("duty1", d1_post), ("duty2", d2_post)):
        assign(UserFactory(username=name, unit_kind=UnitKind.GOVERNMENT, region=post.region), post)
    city2 = UserFactory(username="city2", unit_kind=UnitKind.CITY_OFFICE, region=world.city)
    assign(city2, PositionFactory(kind=PositionKind.CITY_OFFICE_STAFF, unit_kind=UnitKind.CITY_OFFICE,
                                  region=world.city, title="市安委办值班席"))  # fmt: skip
    PositionAssignment.objects.update(started_at=datetime(2020, 1, 1, tzinfo=SHANGHAI))
    return d1_post, d2_post


def send(post, key: str, minutes: int, link: str = "/duty/") -> Notification:
    with time_machine.travel(START, tick=False):
        (notice,) = notify(holders(post), key, "元旦值班签到未到", "请说明情况", link, timedelta(minutes=minutes))
    return notice


def sweep_at(moment: datetime) -> None:
    with time_machine.travel(moment, tick=False):
        sweeps.run()


def test_a_vacant_superior_tells_the_city_offices_staff_with_the_vacancy_named_once(world, chain):
    d1_post, _ = chain
    notice = send(d1_post, "checkin:901", 30)
    sweep_at(START + timedelta(minutes=30, seconds=-1))
    assert not Notification.objects.filter(parent=notice).exists()  # just before the limit: nothing yet
    sweep_at(START + timedelta(minutes=30))
    sweep_at(START + timedelta(minutes=31))  # a second sweep writes nothing more
    passed = list(Notification.objects.filter(parent=notice).select_related("recipient", "position"))
    assert sorted(n.recipient.username for n in passed) == ["city", "city2"]  # the staff, each once
    for n in passed:
        assert n.position.kind == PositionKind.CITY_OFFICE_STAFF and n.must_answer
        assert n.vacancy_note == "海滨区值班室的上级岗位海滨区应急值守科长空缺，已转市安委办工作人员。"
        assert "海滨区应急值守科长空缺" in n.body and n.title == "未应答：元旦值班签到未到"
        assert n.link == "/duty/" and n.answer_due_at - n.created_at == timedelta(minutes=30)  # kept
    notice.refresh_from_db()
    assert notice.escalated_at is not None and "海滨区应急值守科长空缺" in notice.vacancy_note


def test_a_post_without_a_superior_tells_the_city_offices_staff(world, chain):
    _, d2_post = chain
    notice = send(d2_post, "checkin:902", 10)
    sweep_at(START + timedelta(minutes=10))
    passed = Notification.objects.filter(parent=notice)
    assert {n.recipient.username for n in passed} == {"city", "city2"}
    assert all(n.vacancy_note.startswith("新城区值班室没有上级岗位") for n in passed)


def test_a_filled_superior_is_told_and_the_city_office_is_not(world, chain):
    d1_post, _ = chain
    holder = UserFactory(username="chief", unit_kind=UnitKind.GOVERNMENT, region=world.d1)
    PositionAssignment.objects.create(position=d1_post.superior, user=holder,
                                      started_at=datetime(2020, 1, 1, tzinfo=SHANGHAI))  # fmt: skip
    notice = send(d1_post, "checkin:903", 15, link="/duty/shifts/7/")
    sweep_at(START + timedelta(minutes=16))
    (passed,) = Notification.objects.filter(parent=notice)
    assert passed.recipient == holder and passed.vacancy_note == ""
    assert passed.link == "/duty/shifts/7/" and passed.answer_due_at - passed.created_at == timedelta(minutes=15)


def test_a_city_office_notice_with_nobody_above_goes_nowhere_and_says_so(world, chain):
    staff = world.users["city"].assignments.get().position
    notice = send(staff, "checkin:904", 5)
    sweep_at(START + timedelta(minutes=5))
    assert not Notification.objects.filter(parent=notice).exists()  # not back to the city office itself
    notice.refresh_from_db()
    assert notice.escalated_at is not None and notice.vacancy_note == "上级岗位无人任职，无法逐级上报。"


def test_a_passed_up_hazard_notice_keeps_its_answer_limit_and_link(esc, settings):
    settings.ANSWER_LIMIT_MINUTES = 60
    deadline = timezone.now() + timedelta(days=3)
    hazard = confirmed(esc, deadline)
    three_late = datetime.combine(add_working_days(deadline, 3), timezone.localtime(deadline).time(), tzinfo=SHANGHAI)
    with time_machine.travel(three_late + timedelta(minutes=1), tick=False):
        sweeps.run()
    to_district = Notification.objects.get(hazard=hazard, recipient=esc.users["district"])
    settings.ANSWER_LIMIT_MINUTES = 24 * 60  # the setting changes later: the notice passed up keeps its own limit
    with time_machine.travel(three_late + timedelta(minutes=62), tick=False):
        sweeps.run()
    passed = Notification.objects.get(parent=to_district)
    assert passed.link == to_district.link == f"/hazards/{hazard.pk}/"
    assert passed.answer_due_at - passed.created_at == timedelta(minutes=60)


def test_a_vacant_listing_leader_at_a_step_tells_the_city_office(esc):
    GIVEN = "a major hazard listed under 市督办领导, a position nobody holds"
    deadline = timezone.now() + timedelta(days=20)
    hazard = confirmed(esc, deadline, level="major")
    leader = PositionFactory(kind=PositionKind.TERRITORIAL_LEADER, unit_kind=UnitKind.GOVERNMENT, region=esc.city,
                             title="市督办领导")  # fmt: skip
    listing = workflow.Listing(authority="department", supervising_leader=leader, order_number="督-2",
                               deadline=deadline + timedelta(days=30))  # fmt: skip
    workflow.list_supervision(esc.users["county_head"], hazard, listing)
    with time_machine.travel(deadline + timedelta(minutes=1), tick=False):
        sweeps.run()
    step = f"esc:{hazard.escalations.get(active=True).pk}:2:"  # the step at the deadline
    at_deadline = Notification.objects.filter(hazard=hazard, key__startswith=step)
    assert {n.recipient.username for n in at_deadline} == {"county_head", "district", "city"}, GIVEN
    told = at_deadline.get(recipient__username="city")
    assert "市督办领导" in told.vacancy_note and "市督办领导" in told.body
    event = HazardEvent.objects.filter(hazard=hazard, action="escalation_step").last()
    assert "市督办领导" in event.reason


def test_notices_of_a_group_pass_up_summed_one_a_day_for_each_person(world, chain):
    """GIVEN a wording that names a group for keys "grouped:*", and three such notices unanswered at two posts with
    no superior holder WHEN the sweep passes them up THEN each of the city office's staff gets ONE notice saying it
    stands for three (no parent: no single answer settles it), all three are marked passed up; WHEN a fourth of the
    group is overdue later that day THEN it is marked passed up under the same notice and nobody gets another; a
    notice of another group is not summed with them."""
    from notifications import answers, kinds

    kinds.register("grouped", "分组通知", mutable=False)

    def grouped(notice, label):
        if notice.kind != "grouped":
            return None
        return {"title": label, "body": "", "link": "/grouped/", "answer_within": timedelta(hours=1),
                "group": notice.key.split(":")[1]}  # fmt: skip

    answers.register_wording(grouped)
    try:
        d1_post, d2_post = chain
        first = [send(d1_post, "grouped:a:1", 30), send(d2_post, "grouped:a:2", 30), send(d2_post, "grouped:a:3", 30)]
        other = send(d2_post, "grouped:b:1", 30)
        sweep_at(START + timedelta(minutes=31))
        for name in ("city", "city2"):
            summed = Notification.objects.filter(kind="up", recipient__username=name, link="/grouped/")
            assert summed.count() == 2  # group a summed, group b alone
            a = summed.get(key__startswith="up:a:")
            assert "3条同类未应答通知一并上报" in a.body and a.parent is None and a.must_answer
            assert summed.get(key__startswith="up:b:").parent_id == other.pk
        assert all(Notification.objects.get(pk=n.pk).escalated_at for n in first)
        late = send(d1_post, "grouped:a:4", 60)
        sweep_at(START + timedelta(minutes=61))
        assert Notification.objects.get(pk=late.pk).escalated_at is not None
        assert Notification.objects.filter(kind="up", link="/grouped/").count() == 4
    finally:
        answers._wordings[:] = [w for w in answers._wordings if w.compose is not grouped]
        kinds._kinds.pop("grouped", None)
