"""The grade computed from the tables: every band threshold of LEC (70, 160, 320) and of the risk matrix, the
override that may only raise, and the red forced by a major hazard source or criterion."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from risks.evaluation import grade, lec_colour, ls_colour

D = Decimal


@pytest.mark.parametrize(
    ("score", "colour"),
    [(D("69.9"), "blue"), (D(70), "yellow"), (D("159.9"), "yellow"), (D(160), "orange"), (D(320), "orange"),
     (D("320.1"), "red"), (D(0), "blue")],
)  # fmt: skip
def test_lec_bands_at_each_threshold(score, colour):
    """GIVEN D on either side of 70, 160 and 320 THEN < 70 blue, 70–160 yellow, 160–320 orange, > 320 red."""
    assert lec_colour(score) == colour


@pytest.mark.parametrize(
    ("lec", "score", "colour"),
    [((6, 6, 7), 252, "orange"), ((10, 6, 7), 420, "red"), ((3, 6, 7), 126, "yellow"), ((1, 6, 7), 42, "blue"),
     (("0.5", 2, 40), 40, "blue"), ((10, 2, 15), 300, "orange"), ((6, 3, 40), 720, "red"),
     ((1, 10, 7), 70, "yellow"), ((1, 10, 15), 150, "yellow"), ((1, 2, 100), 200, "orange")],
)  # fmt: skip
def test_lec_multiplies_table_values(lec, score, colour):
    """GIVEN L, E and C from the tables THEN D = L × E × C and its colour."""
    result = grade("lec", lec=tuple(D(str(v)) for v in lec))
    assert (result.score, result.computed, result.colour) == (D(score), colour, colour)


@pytest.mark.parametrize(
    ("ls", "colour"),
    [((1, 3), "blue"), ((2, 2), "yellow"), ((2, 4), "yellow"), ((3, 3), "orange"), ((4, 4), "orange"),
     ((4, 5), "red"), ((5, 5), "red"), ((1, 1), "blue")],
)  # fmt: skip
def test_risk_matrix_bands(ls, colour):
    """GIVEN L and S on 5 × 5 THEN 1–3 blue, 4–8 yellow, 9–16 orange, 20–25 red."""
    assert grade("ls", ls=ls).colour == colour
    assert ls_colour(ls[0] * ls[1]) == colour


def test_bands_follow_settings(settings):
    """GIVEN a place whose thresholds differ THEN the bands follow the settings."""
    settings.RISK_LS_BANDS = (16, 8, 3)
    assert [ls_colour(r) for r in (3, 8, 16, 15)] == ["yellow", "orange", "red", "orange"]
    settings.RISK_LEC_BANDS = (270, 140, 70)
    assert lec_colour(D(271)) == "red" and lec_colour(D(140)) == "orange"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"lec": (D(7), D(6), D(7))}, "lec_l"), ({"lec": (D(6), D(4), D(7))}, "lec_e"),
     ({"lec": (D(6), D(6), D(8))}, "lec_c"), ({"lec": None}, "lec_l")],
)  # fmt: skip
def test_values_outside_the_lec_tables_are_refused(kwargs, field):
    with pytest.raises(ValidationError) as caught:
        grade("lec", **kwargs)
    assert field in caught.value.message_dict


@pytest.mark.parametrize("ls", [(0, 3), (3, 6), (None, 2)])
def test_values_outside_the_matrix_are_refused(ls):
    with pytest.raises(ValidationError):
        grade("ls", ls=ls)


def test_an_override_raises_with_a_reason():
    """GIVEN a yellow point raised to orange with a reason THEN orange holds and the computed yellow is kept."""
    result = grade("ls", ls=(2, 3), override="orange", override_reason="邻近人员密集场所")
    assert (result.computed, result.colour) == ("yellow", "orange")


def test_an_override_never_lowers():
    with pytest.raises(ValidationError) as caught:
        grade("ls", ls=(4, 5), override="orange", override_reason="已加装报警")
    assert "override_colour" in caught.value.message_dict


def test_an_override_needs_its_reason():
    with pytest.raises(ValidationError) as caught:
        grade("ls", ls=(1, 2), override="yellow", override_reason="  ")
    assert "override_reason" in caught.value.message_dict


@pytest.mark.parametrize("flag", ["major_source", "major_criterion"])
def test_a_major_hazard_source_or_criterion_forces_red(flag):
    """GIVEN a blue point that is a major hazard source (or meets a major-risk criterion) THEN it is red, forced."""
    result = grade("lec", lec=(D(1), D(1), D(1)), **{flag: True})
    assert (result.computed, result.colour, result.forced) == ("blue", "red", True)


def test_an_unknown_method_is_refused():
    with pytest.raises(ValidationError) as caught:
        grade("xyz")
    assert "method" in caught.value.message_dict
