"""The intake (tipoffs/intake.py): validation, routing, repeats, the receipt, idempotency, the lookup."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from notifications.models import Notification
from tipoffs.intake import lookup, public_history, submit
from tipoffs.models import Informant, Report

from .factories import PHONE, submission, submit_report

pytestmark = pytest.mark.django_db


def test_a_public_report_is_routed_to_the_supervising_department_and_told_without_the_informant(world):
    receipt = submit_report(world)
    report = receipt.report
    assert receipt.created and report.state == "received" and report.channel == "web"
    assert report.code.startswith(f"JB-{timezone.localdate().year}-")
    assert (report.enterprise, report.industry, report.department) == (world.e1, world.chem, world.d1_yjj)
    assert report.registered_by is None
    informant = Informant.objects.get(report=report)
    assert (informant.name, informant.phone) == ("李四", PHONE)
    assert receipt.secret not in informant.secret_hash
    notices = Notification.objects.filter(key__startswith=f"tipoffs.new:{report.pk}:")
    assert {n.recipient for n in notices} == {world.users["county_dept"]}
    assert all(PHONE not in n.body + n.title and "李四" not in n.body + n.title for n in notices)
    event = AuditEvent.objects.get(action="tipoff.submit", object_id=str(report.pk))
    assert event.actor is None and PHONE not in str(event.changes)


def test_a_report_naming_no_registered_enterprise_goes_to_the_city_office(world):
    report = submit_report(world, enterprise_name="无名小作坊").report
    assert (report.enterprise, report.department, report.handler_region) == (None, None, None)
    notices = Notification.objects.filter(key__startswith=f"tipoffs.new:{report.pk}:")
    assert {n.recipient for n in notices} == {world.users["city"]}


def test_every_bad_field_is_named_and_nothing_is_written(world):
    with pytest.raises(ValidationError) as caught:
        submit(submission(world, kind="x", description=" ", region=None, address="", phone="abc",
                          latitude="91", longitude="0"))  # fmt: skip
    assert set(caught.value.message_dict) == {"kind", "description", "region", "address", "phone", "latitude"}
    assert not Report.objects.exists()


def test_a_named_report_needs_a_name_and_a_phone_an_anonymous_one_keeps_nothing(world):
    with pytest.raises(ValidationError) as caught:
        submit(submission(world, name="", phone=""))
    assert set(caught.value.message_dict) == {"name", "phone"}
    report = submit_report(world, is_anonymous=True, name="李四", phone=PHONE, contact_address="某小区").report
    informant = Informant.objects.get(report=report)
    assert (informant.name, informant.phone, informant.contact_address) == ("", "", "")


def test_coordinates_come_in_pairs_and_within_range(world):
    with pytest.raises(ValidationError) as caught:
        submit(submission(world, latitude="30.5"))
    assert set(caught.value.message_dict) == {"latitude"}
    report = submit_report(world, latitude="30.123456789", longitude="120.5").report
    assert (str(report.latitude), str(report.longitude)) == ("30.123457", "120.500000")


def test_too_long_a_text_and_too_many_photos_are_refused(world, settings):
    settings.TIPOFF_TEXT_LENGTH = 10
    settings.TIPOFF_MAX_PHOTOS = 0
    with pytest.raises(ValidationError) as caught:
        submit(submission(world, description="很" * 11, photos=[object()]))
    assert set(caught.value.message_dict) == {"description", "photos"}


def test_repeats_of_the_same_enterprise_and_place_within_seven_days_are_grouped(world):
    first = submit_report(world).report
    second = submit_report(world, address=" 海滨路18号 二号仓库。", phone="13900005678").report
    elsewhere = submit_report(world, address="海滨路30号", phone="13900005679").report
    assert (second.repeat_of, elsewhere.repeat_of) == (first, None)
    Report.objects.filter(pk=first.pk).update(received_at=timezone.now() - timedelta(days=7, minutes=1))
    Report.objects.filter(pk=second.pk).update(received_at=timezone.now() - timedelta(days=7, minutes=1))
    later = submit_report(world, phone="13900005670").report
    assert later.repeat_of is None


def test_the_same_idempotency_key_files_once_under_a_fresh_secret(world):
    key = uuid.uuid4()
    first = submit(submission(world, idempotency_key=key))
    again = submit(submission(world, idempotency_key=key))
    assert (again.report, again.created) == (first.report, False)
    assert Report.objects.count() == 1
    assert lookup(first.report.code, first.secret) is None
    assert lookup(first.report.code.lower(), again.secret.lower()) == first.report


def test_the_lookup_needs_the_right_secret(world):
    receipt = submit_report(world)
    assert lookup(receipt.report.code, receipt.secret) == receipt.report
    assert lookup(receipt.report.code, "") is None
    wrong = receipt.secret[:-1] + ("Y" if receipt.secret[-1] != "Y" else "Z")  # one character off, never the same
    assert lookup(receipt.report.code, wrong) is None
    assert lookup("JB-0000-000000", receipt.secret) is None
    assert public_history(receipt.report) == []


def test_staff_register_reports_from_other_channels_only(world):
    with pytest.raises(PermissionDenied):
        submit(submission(world, channel="phone"), actor=world.users["enterprise"])
    with pytest.raises(ValidationError) as caught:
        submit(submission(world, channel="web"), actor=world.users["city"])
    assert set(caught.value.message_dict) == {"channel"}
    with pytest.raises(ValidationError):
        submit(submission(world, channel="phone"))
    report = submit(submission(world, channel="phone"), actor=world.users["city"]).report
    assert (report.channel, report.registered_by) == ("phone", world.users["city"])
    assert report.events.get().action == "register"


def test_the_public_s_address_is_not_kept_in_the_audit_record_a_registrar_s_is(world):
    from safety_platform.lib import clientip

    token = clientip._current.set("203.0.113.9")
    try:
        public = submit_report(world).report
        staff = submit(submission(world, channel="phone", phone="13900007777"), actor=world.users["city"]).report
    finally:
        clientip._current.reset(token)
    assert AuditEvent.objects.get(action="tipoff.submit", object_id=str(public.pk)).address is None
    assert AuditEvent.objects.get(action="tipoff.submit", object_id=str(staff.pk)).address == "203.0.113.9"
