"""The demo's risk themes: 元旦假期风险 (the city office's, every operating enterprise) and 冬季防火防冻风险
(市应急管理局's, its industries), both published, some enterprises confirmed and demo-enterprise's not; a second
run changes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from organizations.models import User
from risks import themes
from risks.choices import ThemeKind, ThemeStatus
from risks.models import RiskTheme, ThemeConfirmation
from tests.conftest import reseed


def figures() -> tuple:
    return (RiskTheme.objects.count(), ThemeConfirmation.objects.count(),
            ThemeConfirmation.objects.filter(confirmed_at__isnull=False).count())  # fmt: skip


@pytest.mark.django_db
def test_the_demo_city_has_a_holiday_and_a_winter_theme_half_confirmed():
    """GIVEN the demo loaded THEN two published themes, the holiday one the city office's, the winter one the
    department's; some confirmed, some not, demo-enterprise asked and not confirmed; WHEN loaded again THEN the same."""
    reseed()
    call_command("seed_demo", stdout=StringIO())
    holiday = RiskTheme.objects.get(kind=ThemeKind.HOLIDAY)
    winter = RiskTheme.objects.get(kind=ThemeKind.SEASONAL)
    assert holiday.status == winter.status == ThemeStatus.PUBLISHED
    assert holiday.title == "元旦假期风险" and holiday.department is None and holiday.starts_on.month == 12
    assert winter.department is not None and winter.industries.exists()
    city = User.objects.get(username="demo-city")
    for theme in (holiday, winter):
        counted = themes.counts(city, [theme])[theme.pk]
        assert counted.confirmed > 0 and counted.pending > 0
    enterprise = User.objects.get(username="demo-enterprise")
    mine = ThemeConfirmation.objects.visible_to(enterprise)
    assert mine.count() == 2 and not mine.filter(confirmed_at__isnull=False).exists()
    before = figures()
    call_command("seed_demo", stdout=StringIO())
    assert figures() == before
