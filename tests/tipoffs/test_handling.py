"""Handling (tipoffs/handling.py): triage, the time limit at its thresholds, what a report becomes, verification and
the answer; who may (403), in which state (409)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from audit.models import AuditEvent
from hazards.models import HazardCategory
from notifications.models import Notification
from safety_platform.lib.errors import Conflict
from tipoffs import handling
from tipoffs.intake import public_history
from tipoffs.models import Report

from .factories import PHONE, make_report, submit_report

pytestmark = pytest.mark.django_db


def test_accept_starts_the_sixty_day_clock_and_tells_the_informant(world, settings):
    report = submit_report(world).report
    staff = world.users["county_dept"]
    handling.accept(staff, report, note="派人核查")
    report.refresh_from_db()
    assert report.state == "accepted"
    assert report.due_at - report.accepted_at == timedelta(days=settings.TIPOFF_HANDLING_DAYS) == timedelta(days=60)
    said = [e.public_text for e in public_history(report)]
    assert len(said) == 1 and "受理" in said[0]
    assert AuditEvent.objects.filter(action="tipoff.accept", object_id=str(report.pk), actor=staff).exists()


def test_only_the_handling_unit_and_the_city_office_handle(world):
    report = submit_report(world).report  # with 海滨区应急管理局
    for who in ("inspector", "dept_head", "district"):
        with pytest.raises((PermissionDenied, Http404)):
            handling.accept(world.users[who], report)
    with pytest.raises(Http404):
        handling.accept(world.users["enterprise"], report)
    assert handling.allowed(world.users["county_dept"], report) == {"accept", "transfer", "decline", "merge", "spam"}
    assert handling.allowed(world.users["city"], report) == {"accept", "transfer", "decline", "merge", "spam"}
    assert handling.allowed(world.users["dept_head"], report) == set()


def test_a_transfer_moves_the_report_and_who_may_handle_it(world):
    report = submit_report(world).report
    with pytest.raises(ValidationError):
        handling.transfer(world.users["county_dept"], report, "")
    with pytest.raises(ValidationError):
        handling.transfer(world.users["county_dept"], report, "属建筑施工", department=world.zjj, region=world.d2)
    handling.transfer(world.users["county_dept"], report, "属建筑施工领域", department=world.zjj)
    report.refresh_from_db()
    assert report.department == world.zjj
    assert Notification.objects.filter(key__startswith=f"tipoffs.new:{report.pk}:t", recipient=world.users["dept_head"])
    with pytest.raises(PermissionDenied):
        handling.accept(world.users["county_dept"], report)
    handling.transfer(world.users["dept_head"], report, "属地管理", region=world.d1)
    report.refresh_from_db()
    assert (report.department, report.handler_region) == (None, world.d1)
    handling.accept(world.users["district"], report)
    event = report.events.get(action="transfer", data__to=world.d1.name)
    assert event.note == "属地管理" and "属地管理" not in event.public_text


def test_decline_needs_a_reason_the_informant_reads(world):
    report = submit_report(world).report
    with pytest.raises(ValidationError):
        handling.decline(world.users["city"], report, " ")
    handling.decline(world.users["city"], report, "不属于安全生产监管范围")
    report.refresh_from_db()
    assert (report.state, report.decline_reason) == ("declined", "不属于安全生产监管范围")
    assert [e.public_text for e in public_history(report)] == ["不属于安全生产监管范围"]
    with pytest.raises(Conflict):
        handling.accept(world.users["city"], report)


def test_a_repeat_is_merged_and_its_informant_follows_the_earlier_report(world):
    first = submit_report(world).report
    second = submit_report(world, phone="13900009999").report
    with pytest.raises(ValidationError):
        handling.merge(world.users["city"], first)
    handling.accept(world.users["city"], first)
    handling.merge(world.users["city"], second)
    second.refresh_from_db()
    assert second.state == "merged"
    texts = [e.public_text for e in public_history(second)]
    assert len(texts) == 2 and any("受理" in t for t in texts)


def test_spam_tells_the_informant_only_that_it_was_not_accepted(world):
    report = submit_report(world).report
    handling.mark_spam(world.users["city"], report, "广告")
    report.refresh_from_db()
    assert report.state == "spam"
    assert all("广告" not in e.public_text for e in public_history(report))


def test_the_limit_is_extended_once_by_thirty_days_with_a_reason_told(world):
    report = make_report(world, "accepted")
    due = report.due_at
    with pytest.raises(ValidationError):
        handling.extend(world.users["county_dept"], report, "")
    handling.extend(world.users["county_dept"], report, "需要检测机构出具报告")
    report.refresh_from_db()
    assert report.due_at - due == timedelta(days=30)
    assert report.due_at - report.accepted_at == timedelta(days=90)
    assert "需要检测机构出具报告" in public_history(report)[-1].public_text
    with pytest.raises(Conflict):
        handling.extend(world.users["county_dept"], report, "再延一次")


def test_verification_starts_the_ten_day_answer_and_the_answer_closes(world):
    report = make_report(world, "accepted")
    with pytest.raises(ValidationError):
        handling.verify(world.users["county_dept"], report, "maybe", "x")
    with pytest.raises(Conflict):
        handling.answer(world.users["county_dept"], report, "已处理")
    handling.verify(world.users["county_dept"], report, "substantiated", "现场发现违规储存，已责令整改")
    report.refresh_from_db()
    assert report.feedback_due_at - report.verified_at == timedelta(days=10)
    assert all("违规储存" not in e.public_text for e in public_history(report))
    handling.answer(world.users["county_dept"], report, "经核查，举报属实，已依法处理。")
    report.refresh_from_db()
    assert report.state == "closed" and public_history(report)[-1].public_text == "经核查，举报属实，已依法处理。"
    assert handling.on_time(report) is True


@pytest.mark.parametrize(("days", "extended", "expected"), [(60, False, True), (61, False, False),
                                                             (90, True, True), (91, True, False)])  # fmt: skip
def test_on_time_at_the_thresholds(world, days, extended, expected):
    now = timezone.now()
    accepted = now - timedelta(days=days, minutes=-1) if expected else now - timedelta(days=days)
    report = make_report(
        world, "closed", accepted_at=accepted,
        due_at=accepted + timedelta(days=60 + (30 if extended else 0)),
        verified_at=now - timedelta(days=1), feedback_due_at=now + timedelta(days=9), closed_at=now,
    )  # fmt: skip
    assert handling.on_time(report) is expected


def test_the_answer_is_late_after_ten_days_from_verification(world):
    now = timezone.now()
    report = make_report(world, "closed", verified_at=now - timedelta(days=10, minutes=1),
                         feedback_due_at=now - timedelta(minutes=1), closed_at=now)  # fmt: skip
    assert handling.on_time(report) is False
    assert make_report(world, "verified", verified_at=now - timedelta(days=10, minutes=1),
                       feedback_due_at=now - timedelta(minutes=1)).overdue_at(now)  # fmt: skip


def test_an_accepted_report_becomes_a_hazard_without_the_informant(world):
    report = make_report(world, "accepted")
    staff = world.users["county_dept"]
    category = HazardCategory.objects.first()
    handling.file_hazard(staff, report, title="仓库违规储存易燃物", description="现场核查发现", category=category.pk)
    report.refresh_from_db()
    hazard = report.hazard
    assert (hazard.source, hazard.enterprise) == ("tip_off", world.e1)
    assert PHONE not in f"{hazard.title}{hazard.description}{hazard.place}"
    with pytest.raises(Conflict):
        handling.file_hazard(staff, report, title="再来", description="x", category=category.pk)


def test_an_accepted_report_becomes_an_illegal_operation_record(world):
    report = make_report(world, "accepted", enterprise=None, enterprise_name="无证加工点", industry=world.chem)
    handling.record_illegal(world.users["county_dept"], report, kind="unlicensed", description="无证生产")
    report.refresh_from_db()
    operation = report.illegal_operation
    assert (operation.source, operation.source_ref, operation.operator_name) == ("tip_off", report.code, "无证加工点")


def test_a_report_out_of_sight_is_not_found(world):
    report = make_report(world, "received", region=world.t2, region_path=world.t2.path, enterprise=world.e3,
                         industry=world.mine, department=None)  # fmt: skip
    with pytest.raises(Http404):
        handling.accept(world.users["county_dept"], report)
    assert Report.objects.visible_to(world.users["enterprise"]).count() == 0
