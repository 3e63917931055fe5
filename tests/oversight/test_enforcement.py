"""The enforcement writer (oversight.enforcement): who issues what (403/404), each kind's fields (400), numbering per
kind and year, suspension bounds (exactly OVERSIGHT_SUSPENSION_MAX_MONTHS allowed, a day more refused) and the
enterprise suspended in the same transaction, carried out / revoked, and Art. 113 at its thresholds."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from audit.models import AuditEvent
from notifications.models import Notification
from organizations.models import Enterprise
from oversight import enforcement
from oversight.enforcement import add_months, issue, set_state
from oversight.models import ActionCounter, EnforcementAction
from safety_platform.lib.errors import Conflict

from .enforcement_fixtures import *  # noqa: F403  (the fixtures)
from .enforcement_fixtures import BASIS, FACTS, hazard, past_penalty

pytestmark = pytest.mark.django_db


def penalty(world, user=None, enterprise=None, **fields):
    values = {"facts": FACTS, "basis": BASIS, "amount": "20000", **fields}
    return issue(user or world.users["county_dept"], (enterprise or world.e1).pk, "penalty", **values)


def proposals(enterprise):
    return EnforcementAction.objects.filter(enterprise=enterprise, by_article_113=True)


# --- who --------------------------------------------------------------------------------------------------------------


def test_the_supervising_department_and_the_city_office_issue(world):
    action = penalty(world)
    assert action.department == world.d1_yjj and action.issued_by == world.users["county_dept"]
    by_city = penalty(world, world.users["city"])
    assert by_city.department == world.d1_yjj  # the city office issues in the supervising department's name
    assert AuditEvent.objects.filter(action="enforcement.issue").count() == 2


def test_others_are_refused(world):
    with pytest.raises(PermissionDenied):
        penalty(world, world.users["inspector"])  # an inspector, not the head or staff
    with pytest.raises(PermissionDenied):
        penalty(world, world.users["district"])  # a government, not a supervising department
    with pytest.raises(Http404):
        penalty(world, world.users["dept_head"])  # 住建局 does not supervise chemicals
    with pytest.raises(Http404):
        penalty(world, world.users["county_dept"], world.e2)  # 新城区's
    assert not EnforcementAction.objects.exists() and not ActionCounter.objects.exists()


# --- fields -------------------------------------------------------------------------------------------------------


def test_facts_and_basis_and_the_kinds_fields_are_required(world):
    with pytest.raises(ValidationError) as caught:
        issue(world.users["county_dept"], world.e1.pk, "penalty", facts=" ", basis="")
    assert set(caught.value.message_dict) == {"facts", "basis", "amount"}
    with pytest.raises(ValidationError) as caught:
        penalty(world, amount="0")
    assert set(caught.value.message_dict) == {"amount"}
    with pytest.raises(ValidationError) as caught:
        issue(world.users["county_dept"], world.e1.pk, "rectify_order", facts=FACTS, basis=BASIS)
    assert set(caught.value.message_dict) == {"deadline"}
    with pytest.raises(ValidationError) as caught:
        issue(world.users["county_dept"], world.e1.pk, "suspension", facts=FACTS, basis=BASIS)
    assert set(caught.value.message_dict) == {"suspended_from", "suspended_until"}
    with pytest.raises(ValidationError):
        penalty(world, deadline=date(2030, 1, 1))  # not a field of a penalty
    assert not EnforcementAction.objects.exists()


def test_a_rectification_deadline_is_in_the_future(world):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as caught:
        issue(world.users["county_dept"], world.e1.pk, "rectify_order", facts=FACTS, basis=BASIS, deadline=today)
    assert "deadline" in caught.value.message_dict
    action = issue(world.users["county_dept"], world.e1.pk, "rectify_order", facts=FACTS, basis=BASIS,
                   deadline=today + timedelta(days=1))  # fmt: skip
    assert action.deadline == today + timedelta(days=1) and action.state == "issued"
    by_days = issue(world.users["county_dept"], world.e1.pk, "rectify_order", facts=FACTS, basis=BASIS,
                    working_days=5)  # fmt: skip
    assert by_days.deadline >= today + timedelta(days=5)  # five working days: weekends and holidays skipped
    with pytest.raises(ValidationError):
        issue(world.users["county_dept"], world.e1.pk, "rectify_order", facts=FACTS, basis=BASIS,
              deadline=today + timedelta(days=9), working_days=5)  # fmt: skip


def test_a_hazard_named_must_be_the_enterprises(world):
    other = hazard(world, world.e3, level="general")
    with pytest.raises(ValidationError) as caught:
        penalty(world, hazard=other.pk)
    assert "hazard" in caught.value.message_dict
    own = hazard(world, world.e1, level="general")
    assert penalty(world, hazard=own.pk).hazard == own


# --- numbering ----------------------------------------------------------------------------------------------------


def test_numbered_per_kind_and_year(world):
    year = timezone.localdate().year
    first, second = penalty(world), penalty(world)
    order = issue(world.users["county_dept"], world.e1.pk, "rectify_order", facts=FACTS, basis=BASIS, working_days=3)
    referral = issue(world.users["city"], world.e1.pk, "referral", facts=FACTS, basis=BASIS)
    closure = issue(world.users["city"], world.e1.pk, "closure_proposal", facts=FACTS, basis=BASIS)
    assert [first.number, second.number] == [f"罚〔{year}〕1号", f"罚〔{year}〕2号"]
    assert order.number == f"责改〔{year}〕1号" and referral.number == f"移〔{year}〕1号"
    assert closure.number == f"关〔{year}〕1号" and closure.state == "proposed" and not closure.by_article_113
    assert ActionCounter.objects.get(kind="penalty", year=year).last == 2


# --- suspension -----------------------------------------------------------------------------------------------------


def test_add_months_keeps_the_day_or_the_months_last():
    assert add_months(date(2026, 1, 15), 6) == date(2026, 7, 15)
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2026, 12, 1), 1) == date(2027, 1, 1)


def test_a_suspension_of_exactly_six_months_is_allowed_a_day_more_refused(world, settings):
    assert settings.OVERSIGHT_SUSPENSION_MAX_MONTHS == 6
    start = timezone.localdate()
    with pytest.raises(ValidationError) as caught:
        issue(world.users["county_dept"], world.e1.pk, "suspension", facts=FACTS, basis=BASIS, suspended_from=start,
              suspended_until=add_months(start, 6) + timedelta(days=1))  # fmt: skip
    message = caught.value.message_dict["suspended_until"][0]
    assert "6" in message and str(add_months(start, 6)) in message
    assert Enterprise.objects.get(pk=world.e1.pk).operating_state == "operating"
    action = issue(world.users["county_dept"], world.e1.pk, "suspension", facts=FACTS, basis=BASIS,
                   suspended_from=start, suspended_until=add_months(start, 6))  # fmt: skip
    assert action.suspended_until == add_months(start, 6)
    assert Enterprise.objects.get(pk=world.e1.pk).operating_state == "suspended"
    assert AuditEvent.objects.filter(action="enterprise.update", object_id=str(world.e1.pk)).exists()


def test_a_suspension_that_ends_before_it_begins_is_refused(world):
    start = timezone.localdate()
    with pytest.raises(ValidationError):
        issue(world.users["county_dept"], world.e1.pk, "suspension", facts=FACTS, basis=BASIS, suspended_from=start,
              suspended_until=start - timedelta(days=1))  # fmt: skip


# --- state ----------------------------------------------------------------------------------------------------------


def test_carried_out_or_revoked_once_by_its_department(world):
    action = penalty(world)
    with pytest.raises(ValidationError):
        set_state(world.users["county_dept"], action.pk, "done", "")
    with pytest.raises(PermissionDenied):
        set_state(world.users["inspector"], action.pk, "done", "已缴纳")  # yjj sees it, not its department
    with pytest.raises(Http404):
        set_state(world.users["dept_head"], action.pk, "done", "已缴纳")
    assert set_state(world.users["county_dept"], action.pk, "done", "已缴纳罚款").state == "done"
    with pytest.raises(Conflict):
        set_state(world.users["city"], action.pk, "revoked", "复议撤销")
    event = AuditEvent.objects.get(action="enforcement.state")
    assert event.reason == "已缴纳罚款" and event.changes["state"] == ["issued", "done"]


def test_can_offers_what_the_writer_accepts(world):
    action = penalty(world)
    assert enforcement.can(world.users["county_dept"], action) == {"done", "revoke"}
    assert enforcement.can(world.users["inspector"], action) == set()
    assert enforcement.can(world.users["county_dept"], world.e1) == {"issue"}


# --- Art. 113 -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_ago", "expected"),
    [
        ((100, 50), True),  # 3 in 180 days
        ((50,), False),  # 2 in 180 days
        ((181, 90), False),  # the third on day 181 after the first: 2 in 180 days, 3 in the year
        ((300, 250, 200), True),  # 4 in 365 days (1 in 180)
        ((300, 250), False),  # 3 in 365 days
        ((400, 300, 250), False),  # the first outside the year
    ],
)
def test_article_113_with_an_open_major_hazard(world, head, days_ago, expected):
    hazard(world, world.e1)
    for days in days_ago:
        past_penalty(world, world.e1, days)
    action = penalty(world)
    proposal = proposals(world.e1).first()
    assert (proposal is not None) is expected
    status = enforcement.article_113(world.e1)
    assert status["due"] is expected and status["major_hazard"]
    if expected:
        assert proposal.state == "proposed" and proposal.kind == "closure_proposal"
        assert proposal.number.startswith("关〔") and "第一百一十三条" in proposal.basis
        assert action.number in proposal.facts
        told = set(Notification.objects.filter(kind=enforcement.KIND).values_list("recipient__username", flat=True))
        assert told == {"d1_head", "district"}  # the department's head and 海滨区's territorial leader
        assert all(Notification.objects.filter(kind=enforcement.KIND).values_list("must_answer", flat=True))
        assert AuditEvent.objects.filter(action="enforcement.propose").count() == 1
    else:
        assert not Notification.objects.filter(kind=enforcement.KIND).exists()


@pytest.mark.parametrize("days_ago", [(100, 50), (300, 250, 200)])
@pytest.mark.parametrize("kind_of_hazard", ["none", "closed_major", "open_general"])
def test_article_113_needs_an_open_major_hazard(world, head, days_ago, kind_of_hazard):
    if kind_of_hazard == "closed_major":
        hazard(world, world.e1, status="closed")
    elif kind_of_hazard == "open_general":
        hazard(world, world.e1, level="general")
    for days in days_ago:
        past_penalty(world, world.e1, days)
    penalty(world)
    assert not proposals(world.e1).exists()
    status = enforcement.article_113(world.e1)
    assert (status["short_met"] or status["long_met"]) and not status["major_hazard"] and not status["due"]


def test_the_daily_sweep_proposes_when_the_major_hazard_comes_after_the_penalties(world, head):
    """Three penalties in 180 days, then a major hazard found: no penalty is issued after it, so the beat's sweep
    proposes the closure and tells the same people; a second sweep, and an enterprise without the hazard, nothing."""
    for days in (100, 50, 10):
        past_penalty(world, world.e1, days)
    for days in (100, 50, 10):
        past_penalty(world, world.e2, days)
    assert enforcement.sweep_article_113() == 0
    hazard(world, world.e1)
    assert enforcement.sweep_article_113() == 1
    proposal = proposals(world.e1).get()
    assert proposal.issued_by is None and "3次" in proposal.facts
    told = set(Notification.objects.filter(kind=enforcement.KIND).values_list("recipient__username", flat=True))
    assert told == {"d1_head", "district"}
    assert enforcement.sweep_article_113() == 0 and not proposals(world.e2).exists()


def test_revoked_penalties_do_not_count(world, head):
    hazard(world, world.e1)
    past_penalty(world, world.e1, 100, state="revoked")
    past_penalty(world, world.e1, 50)
    penalty(world)
    assert not proposals(world.e1).exists()


def test_the_short_window_includes_its_last_day(world):
    now = timezone.now()
    hazard(world, world.e1)
    for days in (180, 10, 0):
        past_penalty(world, world.e1, days, now)
    assert enforcement.article_113(world.e1, now)["short"] == 3
    assert enforcement.article_113(world.e1, now + timedelta(minutes=1))["short"] == 2


def test_no_second_proposal_while_one_is_open(world, head):
    hazard(world, world.e1)
    past_penalty(world, world.e1, 100)
    past_penalty(world, world.e1, 50)
    penalty(world)
    penalty(world)
    assert proposals(world.e1).count() == 1
    assert Notification.objects.filter(kind=enforcement.KIND).count() == 2  # told once
    set_state(world.users["city"], proposals(world.e1).get().pk, "revoked", "经研究暂不提请")
    penalty(world)  # the condition still holds, none open: proposed again
    assert proposals(world.e1).count() == 2 and proposals(world.e1).filter(state="proposed").count() == 1


def test_a_deregistered_enterprise_is_not_suspended(world):
    Enterprise.objects.filter(pk=world.e1.pk).update(operating_state="deregistered")
    start = timezone.localdate()
    with pytest.raises(Conflict):
        issue(world.users["county_dept"], world.e1.pk, "suspension", facts=FACTS, basis=BASIS, suspended_from=start,
              suspended_until=start + timedelta(days=30))  # fmt: skip
    assert Enterprise.objects.get(pk=world.e1.pk).operating_state == "deregistered"
