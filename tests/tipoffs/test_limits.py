"""The time limits (tipoffs/limits.py) at their thresholds, through the notifications' own sweep: the reminder once,
the overdue notice a minute after the limit (not at it), the pass-up when nobody answers, a new limit after the
extension (60 + 30), the answer's limit (10 days after verification), and the notices settled when the report moves
on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications import sweeps
from notifications.models import Notification
from notifications.outbox import SweepResult
from organizations.choices import PositionKind, UnitKind
from tipoffs import handling, limits
from tipoffs.models import Report, ReportEvent, overdue_q

from ..factories import PositionFactory, UserFactory, assign
from .factories import PHONE, make_report, submit_report

pytestmark = pytest.mark.django_db

MINUTE = timedelta(minutes=1)


@pytest.fixture
def head(world):
    """The head of 海滨区应急管理局 (the report's unit), whose superior post is the district's leader's."""
    user = UserFactory(username="yjj_head", unit_kind=UnitKind.DEPARTMENT, department=world.d1_yjj)
    leader_post = world.users["district"].assignments.get().position
    post = PositionFactory(kind=PositionKind.DEPARTMENT_HEAD, unit_kind=UnitKind.DEPARTMENT,
                           department=world.d1_yjj, superior=leader_post)  # fmt: skip
    assign(user, post)
    return user


def accepted(world):
    report = submit_report(world).report
    return handling.accept(world.users["county_dept"], report)


def notices(report, kind):
    return Notification.objects.filter(kind=kind, key__startswith=f"{kind}:{report.pk}:")


def test_the_reminder_comes_once_to_the_handling_unit_within_the_remind_days(world, head, settings):
    report = accepted(world)
    remind = timedelta(days=settings.TIPOFF_REMIND_DAYS)
    sweeps.run(report.due_at - remind - MINUTE)
    assert not notices(report, limits.REMIND_KIND).exists()
    sweeps.run(report.due_at - remind)
    told = notices(report, limits.REMIND_KIND)
    assert {n.recipient for n in told} == {world.users["county_dept"], head}
    assert not any(n.must_answer for n in told)
    sweeps.run(report.due_at - remind + timedelta(days=1))
    sweeps.run(report.due_at)
    assert notices(report, limits.REMIND_KIND).count() == 2  # once, whatever the number of sweeps
    assert ReportEvent.objects.filter(report=report, action="remind").count() == 1


def test_sixty_days_overdue_a_minute_after_the_limit_and_passed_up_unanswered(world, head, settings):
    report = accepted(world)
    assert report.due_at - report.accepted_at == timedelta(days=60)
    sweeps.run(report.due_at)
    assert not notices(report, limits.OVERDUE_KIND).exists()  # at the limit itself: not overdue
    assert not Report.objects.filter(overdue_q(report.due_at), pk=report.pk).exists()
    assert Report.objects.filter(overdue_q(report.due_at + MINUTE), pk=report.pk).exists()
    sweeps.run(report.due_at + MINUTE)
    [notice] = notices(report, limits.OVERDUE_KIND)
    assert notice.recipient == head and notice.must_answer
    assert notice.answer_due_at == report.due_at + MINUTE + timedelta(hours=settings.TIPOFF_OVERDUE_ANSWER_HOURS)
    assert report.code in notice.title and PHONE not in notice.body and "李四" not in notice.body
    assert report.description not in notice.body
    sweeps.run(report.due_at + timedelta(hours=2))
    assert notices(report, limits.OVERDUE_KIND).count() == 1
    assert sweeps.run(notice.answer_due_at - MINUTE).passed_up == 0
    sweeps.run(notice.answer_due_at)
    up = Notification.objects.get(parent=notice)
    assert up.recipient == world.users["district"] and up.must_answer


def test_the_extension_makes_a_new_limit_at_ninety_days(world, head):
    report = accepted(world)
    first_due = report.due_at
    sweeps.run(first_due + MINUTE)
    [old] = notices(report, limits.OVERDUE_KIND)
    handling.extend(world.users["county_dept"], report, "需要检测机构出具报告")
    report.refresh_from_db()
    assert report.due_at - report.accepted_at == timedelta(days=90)
    old.refresh_from_db()
    assert not old.must_answer  # settled: the old limit no longer runs, nothing passes up for it
    assert sweeps.run(first_due + timedelta(days=2)).passed_up == 0
    assert notices(report, limits.OVERDUE_KIND).count() == 1  # the old limit's notice does not repeat
    sweeps.run(report.due_at)
    assert notices(report, limits.OVERDUE_KIND).count() == 1
    assert notices(report, limits.REMIND_KIND).count() == 2  # the new limit's reminder (the first had none: late)
    sweeps.run(report.due_at + MINUTE)
    new = notices(report, limits.OVERDUE_KIND).exclude(pk=old.pk).get()
    assert limits.stamp(report.due_at) in new.key and new.recipient == head and new.must_answer


def test_the_answer_is_due_ten_days_after_verification_and_answering_settles_it(world, head):
    report = accepted(world)
    handling.verify(world.users["county_dept"], report, "substantiated", "属实，已查处")
    report.refresh_from_db()
    assert report.feedback_due_at - report.verified_at == timedelta(days=10)
    sweeps.run(report.feedback_due_at)
    assert not notices(report, limits.OVERDUE_KIND).exists()
    sweeps.run(report.feedback_due_at + MINUTE)
    [notice] = notices(report, limits.OVERDUE_KIND)
    assert ":feedback:" in notice.key and notice.recipient == head
    handling.answer(head, report, "经核查，举报属实，已依法处理。")
    notice.refresh_from_db()
    assert notice.acknowledged_at is not None  # the head answered the report: their notice is answered
    assert sweeps.run(notice.answer_due_at + MINUTE).passed_up == 0


def test_someone_elses_answer_stops_the_pass_up(world, head):
    report = accepted(world)
    handling.verify(world.users["county_dept"], report, "partly", "部分属实")
    report.refresh_from_db()
    sweeps.run(report.feedback_due_at + MINUTE)
    [notice] = notices(report, limits.OVERDUE_KIND)
    sweeps.run(notice.answer_due_at)  # passed up to the district's leader
    up = Notification.objects.get(parent=notice)
    handling.answer(world.users["county_dept"], report, "经核查，部分属实。")
    up.refresh_from_db()
    assert not up.must_answer and up.acknowledged_at is None
    assert sweeps.run(up.answer_due_at + MINUTE).passed_up == 0


def test_a_transferred_report_tells_its_new_unit(world, head):
    report = accepted(world)
    sweeps.run(report.due_at + MINUTE)
    handling.transfer(world.users["county_dept"], report, "属建筑施工领域", department=world.zjj)
    sweeps.run(report.due_at + 2 * MINUTE)
    told = {n.recipient for n in notices(report, limits.OVERDUE_KIND)}
    assert told == {head, world.users["dept_head"]}  # the head of 市住建局 now


def test_a_vacant_head_passes_the_overdue_notice_to_the_city_office(world):
    report = accepted(world)  # 海滨区应急管理局 has no head in this world
    sweeps.run(report.due_at + MINUTE)
    assert {n.recipient for n in notices(report, limits.OVERDUE_KIND)} == {world.users["city"]}


def test_the_sweep_costs_the_same_queries_for_few_or_many_reports(world, head):
    def cost(n: int) -> tuple[int, int]:
        Report.objects.all().delete()
        for _i in range(n):
            make_report(world, "accepted")
        due = Report.objects.order_by("due_at").last().due_at
        with CaptureQueriesContext(connection) as queries:
            result = SweepResult()
            limits.sweep(due + MINUTE, 100, False, result)
        return len(queries), result.steps

    few, many = cost(2), cost(12)
    assert few[1] == 2 and many[1] == 12
    assert few[0] == many[0]
