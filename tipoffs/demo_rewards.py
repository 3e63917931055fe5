"""The demo's rewards: proposed, approved, rejected and paid, on the demo's verified or closed reports found
substantiated (seeded by tipoffs/demo.py through the handling writers), through `tipoffs.rewards` as the city
office's staff (who handle every report and decide rewards). Idempotent: a state already shown is not made again,
a report with a reward is not used twice; without such reports there is nothing to do."""

from __future__ import annotations

from organizations.choices import PositionKind, UnitKind
from organizations.models import Position
from organizations.roles import is_city_office_staff

from . import rewards
from .choices import REWARDABLE, Kind, RewardBasis, RewardState, State
from .models import Report, Reward

# The states shown, in the order the reports are used (the oldest report is paid, the newest awaits approval).
STATES = (RewardState.PAID, RewardState.APPROVED, RewardState.REJECTED, RewardState.PROPOSED)
FINES = {RewardState.PAID: 120_000, RewardState.APPROVED: 50_000, RewardState.REJECTED: 10_000,
         RewardState.PROPOSED: 400_000}  # fmt: skip


def office_staff():
    """A holder of the city office's staff position (organizations/demo.py), or None."""
    for position in Position.objects.filter(kind=PositionKind.CITY_OFFICE_STAFF, unit_kind=UnitKind.CITY_OFFICE):
        for user in position.current_holders():
            if is_city_office_staff(user):
                return user
    return None


def load_demo_rewards() -> None:
    staff = office_staff()
    if staff is None:
        return
    shown = set(Reward.objects.values_list("state", flat=True))
    candidates = iter(
        Report.objects.filter(state__in=(State.VERIFIED, State.CLOSED), outcome__in=REWARDABLE, reward__isnull=True)
        .order_by("verified_at", "id")
        .only("id", "kind")
    )
    for state in STATES:
        if state in shown:
            continue
        report = next(candidates, None)
        if report is None:
            return
        if report.kind == Kind.CONCEALED_ACCIDENT:
            reward = rewards.propose(staff, report, RewardBasis.CONCEALED_DEATHS, deaths=1, grade="general")
        else:
            reward = rewards.propose(staff, report, RewardBasis.FINE, fine=FINES[state])
        if state == RewardState.REJECTED:
            rewards.decide(staff, reward, False, "该隐患已于举报前由监管部门检查发现，不属于奖励范围")
        elif state in (RewardState.APPROVED, RewardState.PAID):
            rewards.decide(staff, reward, True)
        if state == RewardState.PAID:
            rewards.pay(staff, reward, f"JL-{reward.report_id:06d}")
