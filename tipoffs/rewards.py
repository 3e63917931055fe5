"""Rewards for verified reports (2018 rules): the amount, proposed by the handler, approved by the city office,
paid and recorded. See docs/tipoffs.md, "Rewards".

`amount` is the rule: 15 % of the fine for a major hazard or an illegal operation, at least 3,000 and at most
300,000 CNY; for a concealed accident, per death by the accident's grade (30,000 / 40,000 / 50,000 / 60,000), at
most 300,000. The figures are settings (TIPOFF_REWARD_*).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .choices import RewardBasis


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
