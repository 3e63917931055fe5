"""Accident grade by State Council Decree 493 (生产安全事故报告和调查处理条例, art. 3): the highest grade any of
deaths, serious injuries (including acute industrial poisoning) or direct economic loss reaches applies.

| grade | deaths | serious injuries | direct loss (CNY) |
| especially serious | >= 30 | >= 100 | >= 100 M |
| major | 10-29 | 50-99 | 50 M - < 100 M |
| large | 3-9 | 10-49 | 10 M - < 50 M |
| general | <= 2 | <= 9 | < 10 M |
"""

from __future__ import annotations

from decimal import Decimal

from .choices import GRADE_ORDER, Grade

MILLION = Decimal(1_000_000)
# (grade, minimum deaths, minimum serious injuries, minimum loss), most serious first.
THRESHOLDS = [
    (Grade.ESPECIALLY_SERIOUS, 30, 100, 100 * MILLION),
    (Grade.MAJOR, 10, 50, 50 * MILLION),
    (Grade.LARGE, 3, 10, 10 * MILLION),
]


def grade(deaths: int, serious_injuries: int, direct_loss: Decimal) -> str:
    for name, min_deaths, min_injuries, min_loss in THRESHOLDS:
        if deaths >= min_deaths or serious_injuries >= min_injuries or direct_loss >= min_loss:
            return name
    return Grade.GENERAL


def higher(a: str, b: str) -> bool:
    return GRADE_ORDER.index(a) > GRADE_ORDER.index(b)
