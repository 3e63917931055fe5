"""The monthly summary sentence, in the manner of a leader's speech: accidents first, then hazards.

"1至6月份，全市工矿商贸领域未发生生产安全事故。共排查事故隐患120项，已整改110项，整改率91.7%；其中重大事故隐患3项，
已整改2项。"

The figures run from 1 January to the end of the month, within the user's scope. Accidents are counted from the
accident records by the rule of `accidents.figures` (production, not elsewhere, in scope, by the Shanghai day they
occurred; the record's final deaths), the same rule as the accident statistics page. The Chinese and the English
sentences are built separately rather
than through gettext: their grammar differs (month ranges, plurals, where the scope goes) beyond what one
msgid with placeholders can carry.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import get_language

from accidents import figures as accident_figures
from hazards.choices import Level, Status
from hazards.models import Hazard
from organizations.models import User
from organizations.scope import Scope, ScopeKind

from .units import scope_name


@dataclass
class Figures:
    scope: str  # "" for the whole city
    department: bool  # a department speaks of the industries it supervises, not of a territory
    month: int
    accidents: int
    deaths: int
    found: int
    rectified: int
    major_found: int
    major_rectified: int

    @property
    def rate(self) -> str:
        """91.7, or 100 without a trailing .0, as a speech would say it."""
        value = round(self.rectified * 100 / self.found, 1)
        return f"{value:g}" if value == int(value) else f"{value:.1f}"


def summary_sentence(user: User, year: int, month: int) -> str:
    return sentence(monthly_figures(user, year, month))


def sentence(figures: Figures) -> str:
    """The sentence in the current language (the dashboard keeps the figures, and words them per request)."""
    if (get_language() or "").startswith("en"):
        return english(figures)
    return chinese(figures)


def monthly_figures(user: User, year: int, month: int) -> Figures:
    tz = timezone.get_current_timezone()
    start = datetime(year, 1, 1, tzinfo=tz)
    end = datetime(year + 1, 1, 1, tzinfo=tz) if month == 12 else datetime(year, month + 1, 1, tzinfo=tz)
    accidents = accident_figures.period(user, accident_figures.between(start.date(), end.date() - timedelta(days=1)))
    closed = Q(status=Status.CLOSED, closed_at__lt=end)
    major = Q(level=Level.MAJOR)
    hazards = (
        Hazard.objects.visible_to(user)
        .exclude(status=Status.DISMISSED)
        .filter(found_at__gte=start, found_at__lt=end)
        .aggregate(
            found=Count("id"),
            rectified=Count("id", filter=closed),
            major_found=Count("id", filter=major),
            major_rectified=Count("id", filter=major & closed),
        )
    )
    kind = Scope.for_user(user).kind
    name = "" if kind == ScopeKind.ALL else scope_name(user)  # "" is the whole city, said per language
    return Figures(name, kind == ScopeKind.DEPARTMENT, month, accidents.accidents, accidents.deaths, **hazards)


def chinese(f: Figures) -> str:
    period = "1月份" if f.month == 1 else f"1至{f.month}月份"
    scope = f"{f.scope}监管行业领域" if f.department else f.scope or "全市"
    if not f.accidents:
        domain = scope if f.department else f"{scope}工矿商贸领域"
        first = f"{period}，{domain}未发生生产安全事故。"
    elif f.deaths:
        first = f"{period}，{scope}发生生产安全事故{f.accidents}起，死亡{f.deaths}人。"
    else:
        first = f"{period}，{scope}发生生产安全事故{f.accidents}起，未造成人员死亡。"
    if not f.found:
        return first + "同期未排查出事故隐患。"
    second = f"共排查事故隐患{f.found}项，已整改{f.rectified}项，整改率{f.rate}%"
    if f.major_found:
        second += f"；其中重大事故隐患{f.major_found}项，已整改{f.major_rectified}项。"
    else:
        second += "，未发现重大事故隐患。"
    return first + second


def english(f: Figures) -> str:
    months = calendar.month_name
    period = "In January" if f.month == 1 else f"From January to {months[f.month]}"
    scope = f"the industries supervised by {f.scope}" if f.department else (f.scope or "the city")
    if not f.accidents:
        domain = "" if f.department else " industry, mining and commerce in"
        first = f"{period}, there was no production safety accident in{domain} {scope}."
    else:
        accidents = _plural(f.accidents, "production safety accident")
        deaths = f"{_plural(f.deaths, 'death')}" if f.deaths else "no deaths"
        first = f"{period}, {scope} had {accidents}, with {deaths}."
    if not f.found:
        return f"{first} No hazard was found in the same period."
    verb = "was" if f.found == 1 else "were"
    second = f"{_plural(f.found, 'hazard')} {verb} found and {f.rectified} rectified, a rectification rate of {f.rate}%"
    if f.major_found:
        second += f"; of them {_plural(f.major_found, 'major hazard')}, {f.major_rectified} rectified."
    else:
        second += ", with no major hazard found."
    return f"{first} {second}"


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
