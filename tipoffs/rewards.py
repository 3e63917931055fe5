"""Rewards for verified reports (2018 rules): the amount, proposed by the handler, approved by the city office,
paid and recorded. See docs/tipoffs.md, "Rewards".

`amount` is the rule: 15 % of the fine for a major hazard or an illegal operation, at least 3,000 and at most
300,000 CNY; for a concealed accident, per death by the accident's grade (30,000 / 40,000 / 50,000 / 60,000), at
most 300,000. The figures are settings (TIPOFF_REWARD_*).

The writers, as in handling.py: `propose` (the report's handler), `decide` and `pay` (the city office's staff) each
check their rule from `RULES` (403, then 409), validate (400) and write the reward, its `ReportEvent(action="reward")`
with the words for the informant, and the audit record `tipoff.reward` in one transaction; `allowed()` runs the same
table for the pages and the API. Nothing here reads the informant.
"""

from __future__ import annotations

import string

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from audit.models import record as audit
from organizations.roles import is_city_office_staff
from safety_platform.lib import rules
from safety_platform.lib.errors import Conflict
from safety_platform.lib.text import one_line

from . import access
from .choices import REWARDABLE, Action, Kind, RewardBasis, RewardState, State
from .models import Report, ReportEvent, Reward


def amount(basis: str, *, fine: int | None = None, deaths: int | None = None, grade: str = "") -> int:
    """The reward in whole CNY (400 naming the missing or bad figure)."""
    if basis == RewardBasis.FINE:
        if fine is None or fine < 0:
            raise ValidationError({"fine": _("Give the fine imposed, in CNY.")})
        share = (int(fine) * settings.TIPOFF_REWARD_FINE_PERCENT + 50) // 100  # rounded to the nearest yuan
        return max(settings.TIPOFF_REWARD_MIN, min(settings.TIPOFF_REWARD_MAX, share))
    if basis == RewardBasis.CONCEALED_DEATHS:
        if not deaths or deaths < 1:
            raise ValidationError({"deaths": _("Give the number of deaths concealed.")})
        per_death = settings.TIPOFF_REWARD_PER_DEATH.get(grade)
        if per_death is None:
            raise ValidationError({"grade": _("Choose the accident's grade.")})
        return min(settings.TIPOFF_REWARD_MAX, int(deaths) * per_death)
    raise ValidationError({"basis": _("Choose what the reward is computed from.")})


# --- the writers ----------------------------------------------------------------------------------------------------

NOTE_LENGTH = 500
REF_LENGTH = 100
MAX_FINE = 1_000_000_000  # CNY: more is a typing error
MAX_DEATHS = 1_000


def _handler(actor, report: Report) -> None:
    if not access.is_handler(actor, report):
        raise PermissionDenied(
            _("Only the staff of the unit handling this report, or the city safety office, can propose a reward.")
        )


def _city_office(actor, reward: Reward) -> None:
    if not is_city_office_staff(actor):
        raise PermissionDenied(_("Only the city safety office's staff approve and pay rewards."))


def _rewardable(report: Report) -> None:
    if report.state not in (State.VERIFIED, State.CLOSED) or report.outcome not in REWARDABLE:
        raise Conflict(_("A reward is proposed only for a report verified as substantiated or partly substantiated."))


def _no_reward(report: Report) -> None:
    if Reward.objects.filter(report_id=report.pk).exists():
        raise Conflict(_("A reward was already proposed for this report."))


def _reward_in(state: str):
    def guard(reward: Reward) -> None:
        if reward.state != state:
            raise Conflict(
                _("This reward is %(state)s; this cannot be done now.") % {"state": reward.get_state_display()}
            )

    return guard


RULES: dict[str, rules.Rule] = {
    "propose": rules.Rule(_handler, (_rewardable, _no_reward), on=Report),
    "decide": rules.Rule(_city_office, (_reward_in(RewardState.PROPOSED),), on=Reward),
    "pay": rules.Rule(_city_office, (_reward_in(RewardState.APPROVED),), on=Reward),
}


def allowed(actor, obj: Report | Reward) -> set[str]:
    """What the actor may do now: `propose` on a report; `decide` and `pay` on its reward."""
    return rules.allowed(RULES, actor, obj)


def check(actor, obj: Report | Reward, action: str) -> None:
    """The rule of `action` (403, then 409), as the writer checks it."""
    rules.check(RULES, actor, obj, action)


def bases_for(report: Report) -> tuple[str, ...]:
    """The basis a report's reward is computed from: the deaths for a concealed accident, the fine otherwise."""
    return (RewardBasis.CONCEALED_DEATHS,) if report.kind == Kind.CONCEALED_ACCIDENT else (RewardBasis.FINE,)


def _locked_report(actor, report: Report | int) -> Report:
    """The report, locked, if the actor sees it or handles it (404 otherwise: its existence is not told)."""
    pk = report.pk if isinstance(report, Report) else report
    found = Report.objects.visible_to(actor).select_for_update(of=("self",)).filter(pk=pk).first()
    if found is None:
        found = Report.objects.select_for_update().filter(pk=pk).first()
        if found is None or not access.is_handler(actor, found):
            raise Http404
    return found


def _locked_reward(actor, reward: Reward | int) -> Reward:
    pk = reward.pk if isinstance(reward, Reward) else reward
    found = Reward.objects.visible_to(actor).select_for_update(of=("self",)).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _event(reward: Reward, actor, note: str, said, **data) -> ReportEvent:
    with override(settings.LANGUAGE_CODE):  # the informant's words, in the platform's language
        public_text = str(said) if said else ""
    return ReportEvent.objects.create(
        report_id=reward.report_id, actor=actor, action=Action.REWARD, note=note, public_text=public_text,
        data={"state": reward.state, "amount": reward.amount, **data},
    )  # fmt: skip


def _audit(actor, reward: Reward, before: str, note: str = "", **changes) -> None:
    audit(actor, "tipoff.reward", reward.report,
          {"state": [before, reward.state], "amount": reward.amount, "reward": reward.pk, **changes},
          one_line(note, NOTE_LENGTH))  # fmt: skip


def _figures(basis: str, fine, deaths, grade: str) -> tuple[int | None, int | None, str]:
    """The figures the basis needs, as whole numbers (400 naming a bad one); the others dropped."""
    if basis == RewardBasis.FINE:
        try:
            fine = None if fine in (None, "") else int(fine)
        except (TypeError, ValueError):
            raise ValidationError({"fine": _("Give the fine imposed, in CNY.")}) from None
        if fine is not None and fine > MAX_FINE:
            raise ValidationError({"fine": _("At most %(n)s CNY.") % {"n": f"{MAX_FINE:,}"}})
        return fine, None, ""
    try:
        deaths = None if deaths in (None, "") else int(deaths)
    except (TypeError, ValueError):
        raise ValidationError({"deaths": _("Give the number of deaths concealed.")}) from None
    if deaths is not None and deaths > MAX_DEATHS:
        raise ValidationError({"deaths": _("At most %(n)s.") % {"n": MAX_DEATHS}})
    return None, deaths, grade or ""


def propose(actor, report: Report | int, basis: str, *, fine=None, deaths=None, grade: str = "") -> Reward:
    """Propose the reward of a verified report (its handler): the amount is computed by `amount` from the fine
    or the deaths concealed, never typed. One per report."""
    with transaction.atomic():
        report = _locked_report(actor, report)
        rules.check(RULES, actor, report, "propose")
        if basis not in RewardBasis.values:
            raise ValidationError({"basis": _("Choose what the reward is computed from.")})
        if basis not in bases_for(report):
            raise ValidationError({"basis": _(
                "The reward of a concealed accident is computed from its deaths; any other from the fine imposed."
            )})  # fmt: skip
        fine, deaths, grade = _figures(basis, fine, deaths, grade)
        computed = amount(basis, fine=fine, deaths=deaths, grade=grade)
        reward = Reward.objects.create(
            report=report, basis=basis, fine=fine, deaths=deaths, grade=grade, amount=computed,
            state=RewardState.PROPOSED, proposed_by=actor, proposed_at=timezone.now(),
        )  # fmt: skip
        said = gettext_lazy("A reward for your report has been proposed and awaits approval.")
        _event(reward, actor, "", said, basis=basis)
        _audit(actor, reward, "", basis=basis, fine=fine, deaths=deaths, grade=grade)
    return reward


def decide(actor, reward: Reward | int, approve: bool, note: str = "") -> Reward:
    """Approve or reject a proposed reward (the city office's staff); a rejection gives a reason the informant
    reads."""
    note = (note or "").strip()
    with transaction.atomic():
        reward = _locked_reward(actor, reward)
        rules.check(RULES, actor, reward, "decide")
        if not approve and not note:
            raise ValidationError({"note": _("Say why no reward is granted; the informant reads it.")})
        if len(note) > NOTE_LENGTH:
            raise ValidationError({"note": _("At most %(n)d characters.") % {"n": NOTE_LENGTH}})
        report = Report.objects.get(pk=reward.report_id)
        reward.report = report
        before = reward.state
        reward.state = RewardState.APPROVED if approve else RewardState.REJECTED
        reward.decided_by, reward.decided_at, reward.decision_note = actor, timezone.now(), note
        reward.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
        with override(settings.LANGUAGE_CODE):
            if approve:
                said = _(
                    "After review and approval, the reward for your report is %(amount)s yuan. Please claim it at the "
                    "city safety office with the receipt code %(code)s and its secret (a named informant may also "
                    "bring an identity document)."
                ) % {"amount": reward.amount, "code": report.code}
            else:
                said = _(
                    "After review, your report does not qualify for a reward: %(reason)s. Thank you for your support "
                    "of work safety."
                ) % {"reason": note.rstrip(string.punctuation + " ").rstrip("。；，！")}
        _event(reward, actor, note, said)
        _audit(actor, reward, before, note)
    return reward


def pay(actor, reward: Reward | int, payment_ref: str) -> Reward:
    """Record the payment of an approved reward (the city office's staff), with its reference (a voucher's
    number, a transfer's)."""
    payment_ref = (payment_ref or "").strip()
    with transaction.atomic():
        reward = _locked_reward(actor, reward)
        rules.check(RULES, actor, reward, "pay")
        if not payment_ref:
            raise ValidationError({"payment_ref": _("Give the payment's reference (voucher or transfer number).")})
        if len(payment_ref) > REF_LENGTH:
            raise ValidationError({"payment_ref": _("At most %(n)d characters.") % {"n": REF_LENGTH}})
        reward.report = Report.objects.get(pk=reward.report_id)
        before = reward.state
        reward.state, reward.paid_by, reward.paid_at, reward.payment_ref = (
            RewardState.PAID, actor, timezone.now(), payment_ref
        )  # fmt: skip
        reward.save(update_fields=["state", "paid_by", "paid_at", "payment_ref"])
        with override(settings.LANGUAGE_CODE):
            said = _("The reward of %(amount)s yuan for your report has been paid.") % {"amount": reward.amount}
        _event(reward, actor, "", said)
        _audit(actor, reward, before, payment_ref=payment_ref)
    return reward
