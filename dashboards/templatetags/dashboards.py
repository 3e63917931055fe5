from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def percent(value) -> str:
    """A rate as a percentage with one decimal; a rate with no denominator is a dash, never 0 %."""
    return "—" if value is None else f"{number_format(round(100 * value, 1), 1)}%"


@register.filter
def negate(value):
    return -value if value is not None else None


@register.filter
def urlencode_dict(value: dict) -> str:
    return urlencode(value, doseq=True)


@register.simple_tag
def period_link(board, **params) -> str:
    """The hazard list for hazards filed in the board's period, narrowed by `params`."""
    return board.period_link(**params)


@register.simple_tag
def now_link(board, **params) -> str:
    """The hazard list for today's state, whenever the hazards were filed."""
    return board.link(**params)
