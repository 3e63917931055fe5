"""The reward rule (tipoffs/rewards.py, `amount`) at the edges of its bands."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tipoffs.rewards import amount


@pytest.mark.parametrize(
    ("fine", "expected"),
    [(0, 3_000), (19_999, 3_000), (20_000, 3_000), (20_007, 3_001), (100_000, 15_000),
     (1_999_999, 300_000), (2_000_000, 300_000), (10_000_000, 300_000)],
)  # fmt: skip
def test_fifteen_percent_of_the_fine_between_three_thousand_and_three_hundred_thousand(fine, expected):
    assert amount("fine", fine=fine) == expected


@pytest.mark.parametrize(
    ("grade", "deaths", "expected"),
    [("general", 1, 30_000), ("large", 3, 120_000), ("major", 6, 300_000), ("major", 7, 300_000),
     ("especially_serious", 5, 300_000), ("especially_serious", 4, 240_000)],
)  # fmt: skip
def test_concealed_deaths_per_death_by_grade_at_most_three_hundred_thousand(grade, deaths, expected):
    assert amount("concealed_deaths", deaths=deaths, grade=grade) == expected


def test_missing_figures_are_named():
    cases = [
        ("fine", {}, "fine"),
        ("fine", {"fine": -1}, "fine"),
        ("concealed_deaths", {"grade": "major"}, "deaths"),
        ("concealed_deaths", {"deaths": 1, "grade": "x"}, "grade"),
        ("x", {}, "basis"),
    ]
    for basis, kwargs, field in cases:
        with pytest.raises(ValidationError) as caught:
            amount(basis, **kwargs)
        assert set(caught.value.message_dict) == {field}
