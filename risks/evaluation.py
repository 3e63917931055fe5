"""A risk point's grade computed, never typed (docs/risks.md): LEC (D = L × E × C, the standard's value tables) or
the risk matrix (R = L × S on 5 × 5), banded into the four colours; an override may raise the grade with a
reason, never lower it; a major hazard source or a met major-risk criterion forces red. Pure functions: the
workflow stores what they return."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .choices import RANK, Colour, Method

# The LEC tables (作业条件危险性评价法): each value and what it means.
LEC_L = {
    Decimal("10"): gettext_lazy("Fully to be expected"),
    Decimal("6"): gettext_lazy("Quite possible"),
    Decimal("3"): gettext_lazy("Possible but unusual"),
    Decimal("1"): gettext_lazy("Unlikely, a mere coincidence"),
    Decimal("0.5"): gettext_lazy("Very unlikely, conceivable"),
    Decimal("0.2"): gettext_lazy("Extremely unlikely"),
    Decimal("0.1"): gettext_lazy("Practically impossible"),
}
LEC_E = {
    Decimal("10"): gettext_lazy("Continuous exposure"),
    Decimal("6"): gettext_lazy("Daily, in working hours"),
    Decimal("3"): gettext_lazy("Weekly or occasionally"),
    Decimal("2"): gettext_lazy("Monthly"),
    Decimal("1"): gettext_lazy("A few times a year"),
    Decimal("0.5"): gettext_lazy("Very rarely"),
}
LEC_C = {
    Decimal("100"): gettext_lazy("Catastrophe, many deaths"),
    Decimal("40"): gettext_lazy("Disaster, several deaths"),
    Decimal("15"): gettext_lazy("Very serious, one death"),
    Decimal("7"): gettext_lazy("Serious, severe injury"),
    Decimal("3"): gettext_lazy("Important, disability"),
    Decimal("1"): gettext_lazy("Noticeable, first aid"),
}
# The risk matrix: likelihood and severity 1..5.
LS_L = {
    1: gettext_lazy("Rare"),
    2: gettext_lazy("Unlikely"),
    3: gettext_lazy("Possible"),
    4: gettext_lazy("Likely"),
    5: gettext_lazy("Almost certain"),
}
LS_S = {
    1: gettext_lazy("Negligible"),
    2: gettext_lazy("Minor"),
    3: gettext_lazy("Moderate"),
    4: gettext_lazy("Major"),
    5: gettext_lazy("Catastrophic"),
}


@dataclass(frozen=True)
class Grade:
    """What an evaluation yields: the score, the colour the method gives, and the colour that holds."""

    score: Decimal
    computed: str
    colour: str
    forced: bool  # red forced by a major hazard source or a met major-risk criterion


def lec_colour(score: Decimal) -> str:
    """D > 320 red; 160–320 orange; 70–160 yellow (70 ≤ D < 160); < 70 blue (settings.RISK_LEC_BANDS)."""
    red, orange, yellow = (Decimal(str(v)) for v in settings.RISK_LEC_BANDS)
    if score > red:
        return Colour.RED
    if score >= orange:
        return Colour.ORANGE
    if score >= yellow:
        return Colour.YELLOW
    return Colour.BLUE


def ls_colour(score: int) -> str:
    """R ≥ 20 red, ≥ 9 orange, ≥ 4 yellow, else blue: each number the least of its band (settings.RISK_LS_BANDS)."""
    red, orange, yellow = settings.RISK_LS_BANDS
    if score >= red:
        return Colour.RED
    if score >= orange:
        return Colour.ORANGE
    if score >= yellow:
        return Colour.YELLOW
    return Colour.BLUE


def grade(
    method: str,
    *,
    lec: tuple[Decimal, Decimal, Decimal] | None = None,
    ls: tuple[int, int] | None = None,
    override: str = "",
    override_reason: str = "",
    major_source: bool = False,
    major_criterion: bool = False,
) -> Grade:
    """Compute a point's grade; raise ValidationError (by field) for values outside the tables, a lowering
    override, or an override without its reason."""
    if method == Method.LEC:
        l_, e, c = (Decimal(str(v)) if v is not None else None for v in (lec or (None, None, None)))
        errors = {}
        for field, value, table in (("lec_l", l_, LEC_L), ("lec_e", e, LEC_E), ("lec_c", c, LEC_C)):
            if value not in table:
                errors[field] = _("Choose a value from the LEC table.")
        if errors:
            raise ValidationError(errors)
        score = (l_ * e * c).normalize()
        computed = lec_colour(score)
    elif method == Method.LS:
        l_, s = ls or (None, None)
        errors = {}
        for field, value in (("ls_l", l_), ("ls_s", s)):
            if value not in LS_L:
                errors[field] = _("Choose a value from 1 to 5.")
        if errors:
            raise ValidationError(errors)
        score = Decimal(l_ * s)
        computed = ls_colour(int(score))
    else:
        raise ValidationError({"method": _("Choose LEC or the risk matrix.")})
    colour, forced = computed, False
    if major_source or major_criterion:
        colour, forced = Colour.RED, True
    if override:
        if override not in RANK:
            raise ValidationError({"override_colour": _("Choose one of the four colours.")})
        if not override_reason.strip():
            raise ValidationError({"override_reason": _("Say why the grade is raised.")})
        if RANK[override] < RANK[computed]:
            raise ValidationError({"override_colour": _("An override may raise the grade, never lower it.")})
        if RANK[override] > RANK[colour]:
            colour = override
    return Grade(score=score, computed=computed, colour=colour, forced=forced)
