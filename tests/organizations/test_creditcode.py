from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from organizations.creditcode import check_character, make_credit_code, normalize, validate_credit_code


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y43",  # the worked example of GB 32100-2015
        "91110000100006302Y".replace("Y", "C"),  # a real-shaped code with its correct check character
        "  91350100m000100y43 ",  # spaces and lower case are normalised
        "９１３５０１００Ｍ０００１００Ｙ４３",  # full-width characters from a Chinese keyboard
    ],
)
def test_valid_codes(code):
    validate_credit_code(code)


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("91350100M000100Y44", "checksum"),
        ("91350100M000100Y4", "length"),
        ("91350100M000100Y433", "length"),
        ("91350100M000I00Y43", "charset"),  # I is never used
        ("91350100O000100Y43", "charset"),  # nor O
        ("913501A0M000100Y43", "division"),
        ("", "length"),
    ],
)
def test_invalid_codes(code, error):
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(code)
    assert exc.value.code == error


def test_every_single_character_change_is_caught():
    """The check character catches any one wrong character (the point of a mod-31 checksum)."""
    code = "91350100M000100Y43"
    for i in range(17):
        for char in "0123456789ABCDEFGHJKLMNPQRTUWXY":
            if char != code[i] and (i not in range(2, 8) or char.isdigit()):
                changed = code[:i] + char + code[i + 1 :]
                with pytest.raises(ValidationError):
                    validate_credit_code(changed)


def test_make_and_normalize_round_trip():
    code = make_credit_code("92", "990102", "00000001X")
    assert code[17] == check_character(code[:17])
    validate_credit_code(code)
    assert normalize(" 91350100m000100y43") == "91350100M000100Y43"
