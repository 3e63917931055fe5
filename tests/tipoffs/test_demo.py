"""The demo city's tip-offs (`manage.py seed_demo`, tipoffs/demo.py): every state, channel and kind; the clocks
read right on the day of loading (due = accepted + 60 or 90 days, answer due = verified + 10; one accepted report
within its reminder window, one overdue, a verified one whose answer is overdue; closed ones on time and late); the
handlers docs/tipoffs.md names; the informants nowhere in the reports' text; a second run makes nothing."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from hazards.models import Hazard
from notifications.models import Notification
from organizations.models import User
from oversight.models import IllegalOperation
from tests.conftest import reseed
from tipoffs import access, handling
from tipoffs.choices import Channel, Kind, Outcome, State
from tipoffs.demo import DEMO, day, key, load_demo_tipoffs
from tipoffs.models import Informant, Report, ReportEvent, overdue_q

pytestmark = pytest.mark.django_db


def seed() -> None:
    call_command("seed_demo", stdout=StringIO())


def report(name: str) -> Report:
    return Report.objects.get(idempotency_key=key(name))


def users() -> dict[str, User]:
    return {u.username: u for u in User.objects.filter(username__startswith="demo-")}


def test_every_state_channel_and_kind_with_clocks_that_read_right_today():
    reseed()
    seed()
    reports = list(Report.objects.all())
    assert len(reports) == len(DEMO) == 18
    assert {r.state for r in reports} == set(State.values)
    assert {r.channel for r in reports} == set(Channel.values)
    assert {r.kind for r in reports} == set(Kind.values)
    closed = [r for r in reports if r.state == State.CLOSED]
    assert {r.outcome for r in closed} == set(Outcome.values)
    assert {r.is_anonymous for r in reports} == {True, False} and {r.is_employee for r in reports} == {True, False}
    assert sum(r.latitude is not None for r in reports) >= 3
    assert len({r.region.parent_id for r in reports}) >= 5  # several districts and counties
    assert (
        sum(r.enterprise_id is not None for r in reports) >= 10
        and sum(r.enterprise_id is None and r.enterprise_name != "" for r in reports) >= 3
    )  # registry enterprises and operators outside it
    # the web reports came through the public form (no actor), the others were registered by staff
    for r in reports:
        assert (r.registered_by_id is None) == (r.channel == Channel.WEB), r.code
        first = r.events.order_by("at", "id").first()
        assert (first.action, first.at) == ("submit" if r.channel == Channel.WEB else "register", r.received_at)

    now = timezone.now()
    handling_days = timedelta(days=settings.TIPOFF_HANDLING_DAYS)
    extension = timedelta(days=settings.TIPOFF_EXTENSION_DAYS)
    for r in reports:
        events = list(r.events.order_by("id"))
        assert [e.at for e in events] == sorted(e.at for e in events) and events[-1].at < now, r.code
        assert r.received_at < now
        if r.accepted_at:
            assert r.due_at - r.accepted_at == handling_days + (extension if r.extended_at else timedelta(0)), r.code
            assert r.received_at < r.accepted_at
            told = r.events.get(action="accept")
            assert day(r.accepted_at + handling_days) in told.public_text and told.at == r.accepted_at
        if r.verified_at:
            assert r.feedback_due_at - r.verified_at == timedelta(days=settings.TIPOFF_FEEDBACK_DAYS)
            assert r.accepted_at < r.verified_at
        if r.state in (State.CLOSED, State.DECLINED, State.MERGED, State.SPAM):
            assert r.received_at < r.closed_at < now
    assert {handling.on_time(r) for r in closed} == {True, False}
    assert handling.on_time(report("closed-partly-late")) is False  # closed after its 60 days
    assert handling.on_time(report("closed-unfounded-late")) is False  # answered after its 10 days
    assert handling.on_time(report("closed-hazard")) is handling.on_time(report("closed-concealed")) is True

    fresh, soon, overdue, extended = (report(n) for n in ("accepted-fresh", "accepted-due-soon", "accepted-overdue",
                                                          "accepted-extended"))  # fmt: skip
    assert fresh.due_at - now > timedelta(days=50) and not fresh.overdue_at(now)
    assert timedelta(0) < soon.due_at - now <= timedelta(days=settings.TIPOFF_REMIND_DAYS)  # a reminder is due
    assert overdue.overdue_at(now) and now - overdue.due_at > timedelta(days=3)
    assert extended.extended_at < extended.accepted_at + handling_days < now < extended.due_at  # extended in time
    assert extended.extension_reason and day(extended.due_at) in extended.events.get(action="extend").public_text
    waiting, late = report("verified"), report("verified-answer-overdue")
    assert now < waiting.feedback_due_at and not waiting.overdue_at(now)
    assert late.overdue_at(now) and late.feedback_due_at < now < late.due_at
    assert {r.code for r in Report.objects.filter(overdue_q(now))} == {overdue.code, late.code}

    # triage: a repeat within the repeat days waiting at the department, a merged repeat, a transfer, a decline
    repeat, lead = report("received-repeat"), report("received-department")
    assert repeat.repeat_of == lead and repeat.state == lead.state == State.RECEIVED
    assert timedelta(0) < repeat.received_at - lead.received_at < timedelta(days=settings.TIPOFF_REPEAT_DAYS)
    assert report("merged").repeat_of == fresh
    assert report("declined").decline_reason
    # what a report became: a hazard (source tip-off) and an illegal operation (its code as the reference)
    hazard = Hazard.objects.get(pk=report("closed-hazard").hazard_id)
    assert hazard.source == "tip_off" and hazard.found_at < now - timedelta(days=30)
    operation = IllegalOperation.objects.get(pk=report("closed-illegal").illegal_operation_id)
    assert operation.source == "tip_off" and operation.source_ref == report("closed-illegal").code
    concealed = report("closed-concealed")
    assert (concealed.kind, concealed.outcome, concealed.is_anonymous) == (Kind.CONCEALED_ACCIDENT,
                                                                            Outcome.SUBSTANTIATED, False)  # fmt: skip

    # who handles what, as docs/tipoffs.md says
    people = users()
    expected = {
        "demo-city": {r.code for r in reports},
        "demo-department": {r.code for r in reports if r.department and r.department.code == "city-yjj"},
        "demo-inspector": {r.code for r in reports if r.department and r.department.code == "city-yjj"},
        "demo-district": {overdue.code},
        "demo-duty": {overdue.code},
        "demo-enterprise": set(),
        "demo-head-city-zjj": {extended.code},
        "demo-head-city-xfzd": {late.code},
        "demo-head-990121-yjj": {report("received-transferred").code},
    }
    for username, codes in expected.items():
        handled = {r.code for r in reports if access.is_handler(people[username], r)}
        assert handled == codes, username
    assert len(expected["demo-department"]) == 10
    assert not Report.objects.visible_to(people["demo-enterprise"]).exists()
    for r in reports:  # every step was taken by someone who may
        for event in r.events.exclude(actor=None):
            assert event.actor.username.startswith("demo-")


def test_the_informants_appear_in_no_text_of_the_reports():
    reseed()
    seed()
    informants = list(Informant.objects.exclude(name=""))
    assert len(informants) >= 10 and len(informants) < Report.objects.count()  # some anonymous
    assert all(i.phone.startswith("139000001") and len(i.phone) == 11 for i in informants)  # 139 0000 01xx: fake
    texts = []
    for r in Report.objects.all():
        texts += [r.description, r.address, r.enterprise_name, r.finding, r.answer, r.decline_reason,
                  r.extension_reason]  # fmt: skip
    for e in ReportEvent.objects.all():
        texts += [e.note, e.public_text, str(e.data)]
    for h in Hazard.objects.filter(source="tip_off"):
        texts += [h.title, h.description, h.place]
    for o in IllegalOperation.objects.filter(source="tip_off"):
        texts += [o.description, o.operator_name, o.address]
    for n in Notification.objects.filter(key__startswith="tipoffs."):
        texts += [n.title, n.body]
    text = "\n".join(texts)
    assert "文昌新利化工" in text  # the haystack is the right one
    for informant in informants:
        spaced = f"{informant.phone[:3]} {informant.phone[3:7]} {informant.phone[7:]}"
        for needle in (informant.name, informant.phone, spaced, informant.contact_address):
            assert not needle or needle not in text, needle


def test_a_second_run_makes_nothing():
    reseed()
    seed()
    before = (Report.objects.count(), ReportEvent.objects.count(), Informant.objects.count(), Hazard.objects.count(),
              IllegalOperation.objects.count(), Notification.objects.count())  # fmt: skip
    times = list(Report.objects.order_by("id").values_list("received_at", "due_at", "closed_at"))
    counts = load_demo_tipoffs()
    assert counts["tipoffs"] == 18 and counts["tipoffs_created"] == 0
    seed()
    after = (Report.objects.count(), ReportEvent.objects.count(), Informant.objects.count(), Hazard.objects.count(),
             IllegalOperation.objects.count(), Notification.objects.count())  # fmt: skip
    assert after == before
    assert list(Report.objects.order_by("id").values_list("received_at", "due_at", "closed_at")) == times
