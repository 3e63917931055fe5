"""Rewards (tipoffs/rewards.py): proposed by the report's handler on a verified report, approved or rejected by the
city office, paid; each writer's 403, 409 and 400, the amount at the bands' edges through `propose`, what the
informant reads, the audit record."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from audit.models import AuditEvent
from safety_platform.lib.errors import Conflict
from tipoffs import rewards
from tipoffs.intake import public_history
from tipoffs.models import Reward

from .factories import make_report

pytestmark = pytest.mark.django_db


def said(report) -> list[str]:
    return [e.public_text for e in public_history(report) if e.action == "reward"]


@pytest.mark.parametrize(
    ("fine", "expected"),
    [(0, 3_000), (20_000, 3_000), (20_007, 3_001), (100_000, 15_000), (1_999_999, 300_000), (2_000_000, 300_000)],
)
def test_the_fine_bands_through_propose(world, fine, expected):
    report = make_report(world, "verified")
    reward = rewards.propose(world.users["county_dept"], report, "fine", fine=fine, deaths=9, grade="major")
    reward.refresh_from_db()
    assert (reward.amount, reward.fine, reward.deaths, reward.grade) == (expected, fine, None, "")
    assert reward.state == "proposed" and reward.proposed_by == world.users["county_dept"]


@pytest.mark.parametrize(
    ("grade", "deaths", "expected"),
    [("general", 1, 30_000), ("large", 3, 120_000), ("especially_serious", 4, 240_000), ("major", 6, 300_000),
     ("major", 7, 300_000)],
)  # fmt: skip
def test_the_deaths_bands_through_propose(world, grade, deaths, expected):
    report = make_report(world, "closed", kind="concealed_accident")
    reward = rewards.propose(world.users["city"], report, "concealed_deaths", deaths=deaths, grade=grade, fine=1)
    assert (reward.amount, reward.fine) == (expected, None)


def test_propose_is_the_handlers(world):
    report = make_report(world, "verified")  # handled by 海滨区应急管理局
    for who in ("inspector", "dept_head", "district"):
        with pytest.raises((PermissionDenied, Http404)):
            rewards.propose(world.users[who], report, "fine", fine=100_000)
    for who in ("enterprise", "outsider"):
        with pytest.raises(Http404):
            rewards.propose(world.users[who], report, "fine", fine=100_000)
    assert rewards.allowed(world.users["inspector"], report) == set()
    assert rewards.allowed(world.users["county_dept"], report) == {"propose"}
    assert rewards.allowed(world.users["city"], report) == {"propose"}
    assert not Reward.objects.exists()


@pytest.mark.parametrize(
    ("state", "outcome"), [("received", ""), ("accepted", ""), ("verified", "unfounded"), ("closed", "unfounded")]
)
def test_propose_needs_a_substantiated_verification(world, state, outcome):
    report = make_report(world, state, **({"outcome": outcome} if outcome else {}))
    assert rewards.allowed(world.users["county_dept"], report) == set()
    with pytest.raises(Conflict):
        rewards.propose(world.users["county_dept"], report, "fine", fine=100_000)


def test_one_reward_per_report_and_the_conflict_before_the_bad_figures(world):
    report = make_report(world, "closed", outcome="partly")
    rewards.propose(world.users["county_dept"], report, "fine", fine=100_000)
    with pytest.raises(Conflict):
        rewards.propose(world.users["county_dept"], report, "fine", fine=-5)  # 409 before 400
    assert rewards.allowed(world.users["county_dept"], report) == set()
    with pytest.raises(PermissionDenied):  # 403 before 409
        rewards.propose(world.users["inspector"], report, "fine", fine=100_000)


def test_propose_names_each_bad_figure(world):
    report = make_report(world, "verified")
    accident = make_report(world, "verified", kind="concealed_accident")
    cases = [
        (report, "nonsense", {}, "basis"),
        (report, "concealed_deaths", {"deaths": 1, "grade": "general"}, "basis"),
        (accident, "fine", {"fine": 100_000}, "basis"),
        (report, "fine", {}, "fine"),
        (report, "fine", {"fine": -1}, "fine"),
        (report, "fine", {"fine": "十万"}, "fine"),
        (report, "fine", {"fine": rewards.MAX_FINE + 1}, "fine"),
        (accident, "concealed_deaths", {"grade": "general"}, "deaths"),
        (accident, "concealed_deaths", {"deaths": 0, "grade": "general"}, "deaths"),
        (accident, "concealed_deaths", {"deaths": rewards.MAX_DEATHS + 1, "grade": "general"}, "deaths"),
        (accident, "concealed_deaths", {"deaths": 2, "grade": ""}, "grade"),
    ]
    for report_, basis, figures, field in cases:
        with pytest.raises(ValidationError) as caught:
            rewards.propose(world.users["city"], report_, basis, **figures)
        assert set(caught.value.message_dict) == {field}, (basis, figures)
    assert not Reward.objects.exists()
    assert not AuditEvent.objects.filter(action="tipoff.reward").exists()


def test_approve_then_pay_tells_the_informant_and_is_audited(world):
    report = make_report(world, "closed")
    reward = rewards.propose(world.users["county_dept"], report, "fine", fine=100_000)
    assert said(report) == ["您的举报已按规定申报奖励，正在审批。"]
    assert rewards.allowed(world.users["county_dept"], reward) == set()
    assert rewards.allowed(world.users["city"], reward) == {"decide"}
    with pytest.raises(Conflict):
        rewards.pay(world.users["city"], reward, "PZ-1")
    rewards.decide(world.users["city"], reward, True)
    reward.refresh_from_db()
    assert (reward.state, reward.decided_by) == ("approved", world.users["city"])
    approved = said(report)[-1]
    assert "15000元" in approved and report.code in approved and "查询密码" in approved and "领取" in approved
    assert rewards.allowed(world.users["city"], reward) == {"pay"}
    with pytest.raises(Conflict):
        rewards.decide(world.users["city"], reward, False, "重复")
    rewards.pay(world.users["city"], reward, " PZ-2024-001 ")
    reward.refresh_from_db()
    assert (reward.state, reward.payment_ref, reward.paid_by) == ("paid", "PZ-2024-001", world.users["city"])
    assert said(report)[-1] == "您的举报奖励15000元已发放。"
    assert rewards.allowed(world.users["city"], reward) == set()
    trail = AuditEvent.objects.filter(action="tipoff.reward", object_id=str(report.pk)).order_by("id")
    assert [e.changes["state"] for e in trail] == [["", "proposed"], ["proposed", "approved"], ["approved", "paid"]]
    assert [e.actor for e in trail] == [world.users["county_dept"], world.users["city"], world.users["city"]]
    assert all(e.changes["amount"] == 15_000 for e in trail)
    assert report.events.filter(action="reward").count() == 3


def test_a_rejection_needs_a_reason_the_informant_reads(world):
    report = make_report(world, "closed")
    reward = rewards.propose(world.users["county_dept"], report, "fine", fine=100_000)
    with pytest.raises(ValidationError) as caught:
        rewards.decide(world.users["city"], reward, False, "  ")
    assert set(caught.value.message_dict) == {"note"}
    with pytest.raises(ValidationError):
        rewards.decide(world.users["city"], reward, False, "x" * 501)
    rewards.decide(world.users["city"], reward, False, "举报前已被检查发现。")
    reward.refresh_from_db()
    assert (reward.state, reward.decision_note) == ("rejected", "举报前已被检查发现。")
    assert said(report)[-1] == "经审核，您的举报不符合奖励条件：举报前已被检查发现。感谢您对安全生产工作的支持。"
    with pytest.raises(Conflict):
        rewards.pay(world.users["city"], reward, "PZ-1")
    assert AuditEvent.objects.get(action="tipoff.reward", changes__state=["proposed", "rejected"]).reason


def test_decide_and_pay_are_the_city_offices(world):
    report = make_report(world, "closed")
    reward = rewards.propose(world.users["county_dept"], report, "fine", fine=100_000)
    for who in ("county_dept", "inspector", "district"):  # they see the reward, they do not decide it
        with pytest.raises(PermissionDenied):
            rewards.decide(world.users[who], reward, True)
    for who in ("enterprise", "outsider", "dept_head"):  # 住建局 does not see a chemical works' report
        with pytest.raises(Http404):
            rewards.decide(world.users[who], reward, True)
    rewards.decide(world.users["city"], reward, True)
    with pytest.raises(PermissionDenied):
        rewards.pay(world.users["county_dept"], reward, "PZ-1")
    with pytest.raises(ValidationError) as caught:
        rewards.pay(world.users["city"], reward, " ")
    assert set(caught.value.message_dict) == {"payment_ref"}
    with pytest.raises(ValidationError):
        rewards.pay(world.users["city"], reward, "x" * 101)
    reward.refresh_from_db()
    assert reward.state == "approved"
